//! The access-control part of the model: who may call a method and how the gateway answers
//! browsers. Read from `securitySchemes` / `securityDefinitions` (authorizers, the API key
//! scheme), `security` (per method, or for the whole document), and the top-level
//! `x-amazon-apigateway-api-key-source`, `x-amazon-apigateway-policy` and
//! `x-amazon-apigateway-cors` extensions.
//!
//! The model keeps what the data plane interprets (the resource policy document, the
//! authorizer's identity sources) as validated values; it never fetches keys or calls
//! components.

use serde::{Deserialize, Serialize};

/// An authorizer: a security scheme with an `x-amazon-apigateway-authorizer` (its
/// `x-amazon-apigateway-authtype`, free-form in AWS, tells nothing more), or AWS's `awsSigv4`
/// scheme, by its scheme name.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Authorizer {
    /// The security scheme's name (its key in `securitySchemes`).
    pub name: String,
    pub kind: AuthorizerKind,
}

impl Authorizer {
    /// The name of the IAM authorizer that an operation's `x-amazon-apigateway-auth:
    /// {type: AWS_IAM}` names: such an operation has [`MethodAuthorization::Iam`] with this
    /// name, and the definition's authorizers then hold an [`AuthorizerKind::Iam`] under it.
    /// No security scheme can have this name (extension-named schemes are refused).
    pub const AWS_IAM_EXTENSION: &'static str = "x-amazon-apigateway-auth";
}

/// What an authorizer checks.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub enum AuthorizerKind {
    /// `type: token`: a WASM authorizer component given the value of one header.
    Token {
        component: AuthorizerComponent,
        /// The header holding the token, as written: `identitySource:
        /// method.request.header.NAME`, else the security scheme's `name` (with `in: header`).
        header: String,
        /// `identityValidationExpression`: a regular expression the whole token must match;
        /// a token that does not is refused with 401 without calling the component.
        validation_expression: Option<String>,
        /// `authorizerResultTtlInSeconds` (default 300; 0 disables caching; at most 3600).
        ttl_seconds: u32,
    },
    /// `type: request`: a WASM authorizer component given the whole request.
    Request {
        component: AuthorizerComponent,
        /// `identitySource`, in order: the values the cache key is made of.
        identity_sources: Vec<IdentitySource>,
        ttl_seconds: u32,
    },
    /// `type: jwt` (HTTP API) or `type: cognito_user_pools` (REST): a JSON Web Token in a
    /// header, checked against the issuer's keys.
    Jwt {
        /// `jwtConfiguration.issuer`, or for Cognito the pool's issuer
        /// `https://cognito-idp.{region}.amazonaws.com/{pool id}` (from `providerARNs`).
        issuer: String,
        /// `jwtConfiguration.audience`: the token's `aud` (or `client_id`) must be one of them;
        /// empty (Cognito) checks no audience.
        audiences: Vec<String>,
        /// Where the token is: `identitySource` (default the `Authorization` header). A
        /// `Bearer ` prefix is removed.
        identity_source: IdentitySource,
        /// `x-tollgate-jwks-uri`: where the keys are; `None` discovers them from
        /// `{issuer}/.well-known/openid-configuration`.
        jwks_uri: Option<String>,
    },
    /// `x-amazon-apigateway-authtype: awsSigv4` (AWS_IAM): AWS Signature Version 4 with the
    /// gateway's access keys, authorized by the key's policy.
    Iam,
}

impl AuthorizerKind {
    /// How long a decision is cached, for the component authorizers.
    pub fn ttl_seconds(&self) -> Option<u32> {
        match self {
            AuthorizerKind::Token { ttl_seconds, .. }
            | AuthorizerKind::Request { ttl_seconds, .. } => Some(*ttl_seconds),
            AuthorizerKind::Jwt { .. } | AuthorizerKind::Iam => None,
        }
    }
}

/// The component of a WASM authorizer: `authorizerUri` as `authorizer:NAME[:QUALIFIER]` or
/// AWS's Lambda URI form (naming the plugin NAME).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct AuthorizerComponent {
    pub name: String,
    /// A version, an alias, `$LATEST`, possibly with `${stageVariables.x}`.
    pub qualifier: Option<String>,
}

/// One identity source of an authorizer. REST spelling `method.request.header.NAME`,
/// `method.request.querystring.NAME`, `stageVariables.NAME`, `context.NAME`; HTTP API
/// spelling `$request.header.NAME`, `$request.querystring.NAME`, `$stageVariables.NAME`,
/// `$context.NAME`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub enum IdentitySource {
    Header(String),
    Query(String),
    StageVariable(String),
    Context(String),
}

/// Who may call a method: the authorizer named by its `security` requirement.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub enum MethodAuthorization {
    /// No authorizer (`NONE`).
    #[default]
    None,
    /// A WASM authorizer (token or request), by scheme name.
    Custom { authorizer: String },
    /// A JWT / Cognito authorizer, by scheme name, with the scopes the requirement lists
    /// (the token must carry one of them; none listed checks no scope).
    Jwt {
        authorizer: String,
        scopes: Vec<String>,
    },
    /// AWS_IAM: SigV4 with the named `awsSigv4` scheme.
    Iam { authorizer: String },
}

/// `x-amazon-apigateway-api-key-source`: where a method that requires a key finds it.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
pub enum ApiKeySource {
    /// `HEADER` (the default): the `x-api-key` header.
    #[default]
    Header,
    /// `AUTHORIZER`: the `usageIdentifierKey` a WASM authorizer returns.
    Authorizer,
}

/// `x-amazon-apigateway-cors`: CORS answered by the gateway itself (the HTTP API way).
/// Missing lists are empty; header names and methods are kept as written.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct CorsConfiguration {
    /// `allowOrigins`: origins, or `*`.
    pub allow_origins: Vec<String>,
    /// `allowMethods`: methods, or `*`.
    pub allow_methods: Vec<String>,
    /// `allowHeaders`: request headers, or `*`.
    pub allow_headers: Vec<String>,
    /// `exposeHeaders`.
    pub expose_headers: Vec<String>,
    /// `maxAge`, seconds.
    pub max_age: Option<u32>,
    /// `allowCredentials`.
    pub allow_credentials: bool,
}
