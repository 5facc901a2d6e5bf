//! Authorizers: the `authorizer` world, API Gateway's custom (Lambda) authorizer.
//!
//! Implement [`Authorizer`] and export it with [`export_authorizer!`](crate::export_authorizer);
//! build the answer with [`Policy`].

use serde::Serialize;

use crate::bindings::authorizer::exports::tollgate::plugin::authorization;
use crate::fields;

/// What the authorizer is asked about: the token or request parts, the method ARN and the
/// request context.
pub use authorization::AuthorizerRequest;
/// The authorizer's answer: principal, IAM policy document, context values and usage-plan
/// key. Usually built with [`Policy`].
pub use authorization::AuthorizerResponse;

/// A custom authorizer.
///
/// Return `Err("Unauthorized")` to answer 401 as API Gateway does (missing or invalid
/// credentials); a policy that denies answers 403; any other `Err` answers 500.
pub trait Authorizer {
    /// Decides.
    fn authorize(request: AuthorizerRequest) -> Result<AuthorizerResponse, String>;
}

impl AuthorizerRequest {
    /// The token of a `TOKEN` authorizer (the identity-source header's value).
    pub fn token(&self) -> Option<&str> {
        self.authorization_token.as_deref()
    }

    /// The value of request header `name` (`REQUEST` authorizers), compared
    /// case-insensitively; the last one when the header is repeated. That is the value API
    /// Gateway's single-value `headers` map holds, and the one an identity source
    /// (`method.request.header.NAME`) reads, so the decision the gateway caches for it is the
    /// decision made for it.
    pub fn header(&self, name: &str) -> Option<&str> {
        fields::last_ignore_case(&self.headers, name)
    }

    /// The value of query-string parameter `name` (`REQUEST` authorizers); the last one when
    /// the parameter is repeated, as in API Gateway's `queryStringParameters` and the identity
    /// source `method.request.querystring.NAME` (see [`header`](Self::header)).
    pub fn query_param(&self, name: &str) -> Option<&str> {
        fields::last_exact(&self.query, name)
    }

    /// The value of path parameter `name` (`REQUEST` authorizers).
    pub fn path_parameter(&self, name: &str) -> Option<&str> {
        fields::get_exact(&self.path_parameters, name)
    }

    /// The method ARN widened to every method and resource of the same API and stage
    /// (`arn:aws:execute-api:{region}:{account}:{api-id}/{stage}/*`): allow this one when the
    /// gateway caches the policy, so the cached answer also covers the caller's other calls.
    pub fn stage_wildcard_arn(&self) -> String {
        self.stage_arn("*")
    }

    /// An ARN of the same API and stage as the method ARN, for `resource` below the stage
    /// (`{VERB}/{path}`, `*` wildcards allowed): `stage_arn("GET/*")` is
    /// `arn:aws:execute-api:{region}:{account}:{api-id}/{stage}/GET/*`, every `GET` of the
    /// stage. A method ARN without a stage is answered unchanged.
    pub fn stage_arn(&self, resource: &str) -> String {
        let mut parts = self.method_arn.splitn(3, '/');
        match (parts.next(), parts.next()) {
            (Some(api), Some(stage)) => format!("{api}/{stage}/{resource}"),
            _ => self.method_arn.clone(),
        }
    }
}

/// Whether a policy statement allows or denies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Effect {
    /// The statement allows `execute-api:Invoke` on its resource.
    Allow,
    /// The statement denies `execute-api:Invoke` on its resource.
    Deny,
}

/// One IAM policy statement on `execute-api:Invoke`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
struct Statement {
    #[serde(rename = "Action")]
    action: &'static str,
    #[serde(rename = "Effect")]
    effect: Effect,
    #[serde(rename = "Resource")]
    resource: String,
}

/// The IAM policy document of an authorizer response.
#[derive(Serialize)]
struct PolicyDocument<'a> {
    #[serde(rename = "Version")]
    version: &'static str,
    #[serde(rename = "Statement")]
    statement: &'a [Statement],
}

/// A builder for an [`AuthorizerResponse`]: a principal, an IAM policy on
/// `execute-api:Invoke`, context values and an optional usage-plan key.
///
/// ```
/// use tollgate_sdk::{AuthorizerResponse, Policy};
///
/// let arn = "arn:aws:execute-api:local:000000000000:api1/dev/GET/items";
/// let response: AuthorizerResponse = Policy::allow("alice", arn).with_context("user", "alice").into();
/// assert_eq!(response.principal_id, "alice");
/// assert_eq!(
///     response.policy_document,
///     r#"{"Version":"2012-10-17","Statement":[{"Action":"execute-api:Invoke","Effect":"Allow","Resource":"arn:aws:execute-api:local:000000000000:api1/dev/GET/items"}]}"#
/// );
/// assert_eq!(response.context, vec![("user".to_owned(), "alice".to_owned())]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    principal_id: String,
    statements: Vec<Statement>,
    context: Vec<(String, String)>,
    usage_identifier_key: Option<String>,
}

impl Policy {
    /// A policy for `principal_id` allowing `execute-api:Invoke` on `method_arn`.
    pub fn allow(principal_id: impl Into<String>, method_arn: impl Into<String>) -> Self {
        Self::new(principal_id).and(Effect::Allow, method_arn)
    }

    /// A policy for `principal_id` denying `execute-api:Invoke` on `method_arn`.
    pub fn deny(principal_id: impl Into<String>, method_arn: impl Into<String>) -> Self {
        Self::new(principal_id).and(Effect::Deny, method_arn)
    }

    /// A policy for `principal_id` without statements (which denies everything); add them
    /// with [`and`](Policy::and).
    pub fn new(principal_id: impl Into<String>) -> Self {
        Policy {
            principal_id: principal_id.into(),
            statements: Vec::new(),
            context: Vec::new(),
            usage_identifier_key: None,
        }
    }

    /// Adds a statement with `effect` on `resource` (a method ARN, `*` wildcards allowed).
    pub fn and(mut self, effect: Effect, resource: impl Into<String>) -> Self {
        self.statements.push(Statement {
            action: "execute-api:Invoke",
            effect,
            resource: resource.into(),
        });
        self
    }

    /// Adds a context value, which becomes `$context.authorizer.{key}`.
    pub fn with_context(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.context.push((key.into(), value.into()));
        self
    }

    /// Sets the usage-plan API key, for APIs that take their keys from the authorizer.
    pub fn with_usage_identifier_key(mut self, key: impl Into<String>) -> Self {
        self.usage_identifier_key = Some(key.into());
        self
    }

    /// The IAM policy document as JSON.
    pub fn document(&self) -> String {
        let document = PolicyDocument {
            version: "2012-10-17",
            statement: &self.statements,
        };
        // Strings and unit enum variants always serialise.
        serde_json::to_string(&document).unwrap_or_default()
    }

    /// The authorizer response this policy describes.
    pub fn into_response(self) -> AuthorizerResponse {
        AuthorizerResponse {
            policy_document: self.document(),
            principal_id: self.principal_id,
            context: self.context,
            usage_identifier_key: self.usage_identifier_key,
        }
    }
}

impl From<Policy> for AuthorizerResponse {
    fn from(policy: Policy) -> Self {
        policy.into_response()
    }
}

/// Exports an [`Authorizer`] as the component's `tollgate:plugin/authorization` (world
/// `authorizer`).
///
/// ```no_run
/// use tollgate_sdk::{Authorizer, AuthorizerRequest, AuthorizerResponse, Policy};
///
/// struct Token;
///
/// impl Authorizer for Token {
///     fn authorize(request: AuthorizerRequest) -> Result<AuthorizerResponse, String> {
///         match request.token() {
///             Some("letmein") => Ok(Policy::allow("user", &request.method_arn).into()),
///             _ => Err("Unauthorized".to_owned()),
///         }
///     }
/// }
///
/// tollgate_sdk::export_authorizer!(Token);
/// # fn main() {}
/// ```
#[macro_export]
macro_rules! export_authorizer {
    ($ty:ty) => {
        // Checks `$ty` on every target; the export itself exists only in WebAssembly.
        const _: fn(
            $crate::AuthorizerRequest,
        ) -> ::std::result::Result<$crate::AuthorizerResponse, ::std::string::String> =
            <$ty as $crate::Authorizer>::authorize;
        #[cfg(target_arch = "wasm32")]
        const _: () = {
            struct TollgateAuthorizerExport;
            impl $crate::bindings::authorizer::exports::tollgate::plugin::authorization::Guest
                for TollgateAuthorizerExport
            {
                fn authorize(
                    request: $crate::AuthorizerRequest,
                ) -> ::std::result::Result<$crate::AuthorizerResponse, ::std::string::String>
                {
                    $crate::panic::install_hook();
                    <$ty as $crate::Authorizer>::authorize(request)
                }
            }
            $crate::bindings::authorizer::export_authorizer_world!(
                TollgateAuthorizerExport with_types_in $crate::bindings::authorizer
            );
        };
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mapper::{Identity, RequestContext};

    fn request(arn: &str) -> AuthorizerRequest {
        AuthorizerRequest {
            kind: "TOKEN".into(),
            authorization_token: Some("allow".into()),
            method_arn: arn.into(),
            headers: vec![("Authorization".into(), "allow".into())],
            query: vec![],
            path_parameters: vec![("id".into(), "1".into())],
            context: RequestContext {
                request_id: "r".into(),
                api_id: "api1".into(),
                stage: "dev".into(),
                resource_path: "/items/{id}".into(),
                http_method: "GET".into(),
                identity: Identity {
                    source_ip: "127.0.0.1".into(),
                    user_agent: None,
                    api_key: None,
                },
                stage_variables: vec![],
                authorizer: vec![],
                request_time_epoch: 0,
            },
        }
    }

    #[test]
    fn request_helpers() {
        let request = request("arn:aws:execute-api:local:0:api1/dev/GET/items/1");
        assert_eq!(request.token(), Some("allow"));
        assert_eq!(request.header("authorization"), Some("allow"));
        assert_eq!(request.path_parameter("id"), Some("1"));
        assert_eq!(
            request.stage_wildcard_arn(),
            "arn:aws:execute-api:local:0:api1/dev/*"
        );
    }

    #[test]
    fn repeated_headers_and_parameters_answer_their_last_value() {
        let mut request = request("arn:aws:execute-api:local:0:api1/dev/GET/items/1");
        request.headers = vec![
            ("X-Tenant".into(), "first".into()),
            ("x-other".into(), "other".into()),
            ("x-tenant".into(), "last".into()),
        ];
        request.query = vec![
            ("token".into(), "first".into()),
            ("Token".into(), "other-case".into()),
            ("token".into(), "last".into()),
        ];
        assert_eq!(request.header("x-tenant"), Some("last"));
        assert_eq!(request.query_param("token"), Some("last"));
        assert_eq!(request.query_param("Token"), Some("other-case"));
        assert_eq!(request.query_param("missing"), None);
    }

    #[test]
    fn stage_arns_keep_the_api_and_stage_of_the_method_arn() {
        let post = request("arn:aws:execute-api:local:0:api1/dev/POST/items/1/parts");
        assert_eq!(
            post.stage_arn("GET/*"),
            "arn:aws:execute-api:local:0:api1/dev/GET/*"
        );
        assert_eq!(
            post.stage_arn("*/items/*"),
            "arn:aws:execute-api:local:0:api1/dev/*/items/*"
        );
        // Not a method ARN: nothing to keep, so nothing is changed.
        let odd = request("arn:aws:execute-api:local:0:api1");
        assert_eq!(odd.stage_arn("GET/*"), "arn:aws:execute-api:local:0:api1");
    }

    #[test]
    fn policies_serialise_as_iam_documents() {
        let policy = Policy::deny("bob", "arn:a/dev/GET/x")
            .and(Effect::Allow, "arn:a/dev/*")
            .with_usage_identifier_key("key1");
        assert_eq!(
            policy.document(),
            r#"{"Version":"2012-10-17","Statement":[{"Action":"execute-api:Invoke","Effect":"Deny","Resource":"arn:a/dev/GET/x"},{"Action":"execute-api:Invoke","Effect":"Allow","Resource":"arn:a/dev/*"}]}"#
        );
        let response = policy.into_response();
        assert_eq!(response.principal_id, "bob");
        assert_eq!(response.usage_identifier_key.as_deref(), Some("key1"));
        assert!(response.context.is_empty());
    }
}
