//! `x-amazon-apigateway-authorizer`: the authorizer a security scheme defines, by its `type`.
//!
//! ```yaml
//! components:
//!   securitySchemes:
//!     tokens:                       # token: one header, given to a WASM authorizer component
//!       type: apiKey
//!       name: Authorization         # the header (or identitySource: method.request.header.NAME)
//!       in: header
//!       x-amazon-apigateway-authtype: custom
//!       x-amazon-apigateway-authorizer:
//!         type: token
//!         authorizerUri: authorizer:token-check:${stageVariables.alias}
//!         identityValidationExpression: "^Bearer [-0-9a-zA-Z._]+$"
//!         authorizerResultTtlInSeconds: 60      # 0..=3600, default 300
//!     requests:                     # request: the whole request; identitySource is the cache key
//!       type: apiKey
//!       name: Unused
//!       in: header
//!       x-amazon-apigateway-authorizer:
//!         type: request
//!         authorizerUri: arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:request-check/invocations
//!         identitySource: method.request.header.X-Tenant, method.request.querystring.key
//!     users:                        # jwt: a JSON Web Token checked against the issuer's keys
//!       type: oauth2
//!       flows: {}
//!       x-amazon-apigateway-authorizer:
//!         type: jwt
//!         jwtConfiguration:
//!           issuer: https://issuer.example.com
//!           audience: [my-api]
//!         identitySource: $request.header.Authorization   # the default
//!         x-tollgate-jwks-uri: https://issuer.example.com/keys
//!     pool:                         # cognito_user_pools: a JWT whose issuer is the pool
//!       type: apiKey
//!       name: Authorization
//!       in: header
//!       x-amazon-apigateway-authtype: cognito_user_pools
//!       x-amazon-apigateway-authorizer:
//!         type: cognito_user_pools
//!         providerARNs: [arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbC]
//! ```
//!
//! A WASM authorizer is named by `authorizerUri` as `authorizer:NAME[:QUALIFIER]` or as AWS's
//! Lambda URI (the plugin NAME runs in place of the Lambda function). Identity sources are
//! written in the REST spelling (`method.request.header.X`, `method.request.querystring.X`,
//! `stageVariables.X`, `context.X`) or the HTTP API one (`$request.header.X`,
//! `$request.querystring.X`, `$stageVariables.X`, `$context.X`), one spelling per list.
//! Every key is known, and applies to the types AWS documents it for; anything else is an
//! error. Besides AWS's rules (TTL 0..=3600; a caching request authorizer needs identity
//! sources; one header for token and Cognito authorizers):
//! - `authorizerCredentials` (an IAM role for API Gateway to invoke the Lambda function) is
//!   accepted and has no effect: Tollgate runs the component itself, with no role to assume;
//! - the HTTP API Lambda options: payload format `1.0` is accepted; `2.0` and
//!   `enableSimpleResponses: true` are refused as not supported yet;
//! - a JWT authorizer needs an `audience` (else any token of the issuer would pass); its
//!   issuer may come from an `openIdConnect` scheme's `openIdConnectUrl`, as AWS allows;
//! - a Cognito authorizer names one user pool (one issuer), without stage variables, and no
//!   `identityValidationExpression` (AWS matches it against `aud`; not supported yet); its
//!   `authorizerResultTtlInSeconds` is checked and unused (tokens are verified locally).

use std::collections::HashSet;

use serde_json::{Map, Value};

use super::expression::is_stage_variable_name;
use super::{Problems, pointer, uri};
use crate::access::{AuthorizerComponent, AuthorizerKind, IdentitySource};
use crate::error::ImportErrorKind;

/// The extension's key in a security scheme.
pub(crate) const AUTHORIZER: &str = "x-amazon-apigateway-authorizer";

/// Tollgate's extension inside a JWT / Cognito authorizer: where the issuer's keys are.
pub(crate) const JWKS_URI: &str = "x-tollgate-jwks-uri";

/// `authorizerResultTtlInSeconds` when absent, and its largest value (AWS's).
const DEFAULT_TTL_SECONDS: u32 = 300;
const MAX_TTL_SECONDS: u32 = 3600;

const ALL_KEYS: &[&str] = &[
    "type",
    "authorizerUri",
    "authorizerCredentials",
    "authorizerPayloadFormatVersion",
    "enableSimpleResponses",
    "identitySource",
    "identityValidationExpression",
    "authorizerResultTtlInSeconds",
    "jwtConfiguration",
    "providerARNs",
    JWKS_URI,
];

const JWT_CONFIGURATION_KEYS: &[&str] = &["issuer", "audience"];

const IDENTITY_SOURCE_EXPECTED: &str = "a comma-separated list of method.request.header.NAME, \
     method.request.querystring.NAME, stageVariables.NAME and context.NAME (or, in the HTTP \
     API spelling, $request.header.NAME, $request.querystring.NAME, $stageVariables.NAME and \
     $context.NAME)";

/// The authorizer `type`s.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Type {
    Token,
    Request,
    CognitoUserPools,
    Jwt,
}

impl Type {
    const ALL: [Type; 4] = [
        Type::Token,
        Type::Request,
        Type::CognitoUserPools,
        Type::Jwt,
    ];

    fn name(self) -> &'static str {
        match self {
            Type::Token => "token",
            Type::Request => "request",
            Type::CognitoUserPools => "cognito_user_pools",
            Type::Jwt => "jwt",
        }
    }

    /// The keys AWS documents for this type (besides `type`).
    fn keys(self) -> &'static [&'static str] {
        match self {
            Type::Token => &[
                "authorizerUri",
                "authorizerCredentials",
                "identitySource",
                "identityValidationExpression",
                "authorizerResultTtlInSeconds",
            ],
            Type::Request => &[
                "authorizerUri",
                "authorizerCredentials",
                "identitySource",
                "authorizerResultTtlInSeconds",
                "authorizerPayloadFormatVersion",
                "enableSimpleResponses",
            ],
            Type::CognitoUserPools => &[
                "providerARNs",
                "identitySource",
                "identityValidationExpression",
                "authorizerResultTtlInSeconds",
                JWKS_URI,
            ],
            Type::Jwt => &["jwtConfiguration", "identitySource", JWKS_URI],
        }
    }
}

/// Reads the authorizer object at `at`, in the security scheme `scheme` (at `scheme_at`).
/// Marks the Tollgate extension inside it as handled. `None` when it has errors (reported).
pub(crate) fn read(
    value: &Value,
    at: &str,
    scheme: &Map<String, Value>,
    scheme_at: &str,
    problems: &mut Problems,
    handled: &mut HashSet<String>,
) -> Option<AuthorizerKind> {
    let Value::Object(object) = value else {
        problems.invalid(
            at,
            "an authorizer (a mapping with `type`: token, request, jwt or cognito_user_pools)",
            value,
        );
        return None;
    };
    let before = problems.len();
    if object.contains_key(JWKS_URI) {
        handled.insert(pointer::child(at, JWKS_URI));
    }
    for key in object.keys() {
        let lower = key.to_ascii_lowercase();
        // Other AWS and Tollgate extensions are reported by the extension sweep.
        let swept = lower.starts_with("x-amazon-apigateway-")
            || (lower.starts_with("x-tollgate-") && key != JWKS_URI);
        if !ALL_KEYS.contains(&key.as_str()) && !swept {
            problems.unknown_key(
                &pointer::child(at, key),
                format!(
                    "unknown key `{key}` in {AUTHORIZER} (expected one of {})",
                    ALL_KEYS.join(", ")
                ),
            );
        }
    }

    let type_at = pointer::child(at, "type");
    let kind = match object.get("type") {
        None => {
            problems.missing(
                &type_at,
                "missing the authorizer `type` (token, request, jwt or cognito_user_pools)",
            );
            return None;
        }
        Some(found) => {
            let name = found.as_str().map(str::to_ascii_lowercase);
            match Type::ALL
                .into_iter()
                .find(|t| Some(t.name()) == name.as_deref())
            {
                Some(kind) => kind,
                None => {
                    problems.invalid(
                        &type_at,
                        "one of token, request (Lambda authorizers, run as WASM authorizer \
                         components), jwt, cognito_user_pools",
                        found,
                    );
                    return None;
                }
            }
        }
    };
    for key in object.keys() {
        if key != "type" && ALL_KEYS.contains(&key.as_str()) && !kind.keys().contains(&key.as_str())
        {
            let applies_to: Vec<&str> = Type::ALL
                .into_iter()
                .filter(|t| t.keys().contains(&key.as_str()))
                .map(Type::name)
                .collect();
            problems.push(
                &pointer::child(at, key),
                ImportErrorKind::Invalid,
                format!(
                    "`{key}` does not apply to {} authorizers (only to {})",
                    kind.name(),
                    applies_to.join(" and ")
                ),
            );
        }
    }
    // Tollgate calls authorizer components itself: there is no IAM role to assume, so the
    // role ARN is accepted (documents exported from AWS carry it) and has no effect.
    if let Some(credentials) = object.get("authorizerCredentials")
        && !credentials.is_string()
    {
        problems.invalid(
            &pointer::child(at, "authorizerCredentials"),
            "an IAM role ARN (a string; Tollgate accepts and ignores it)",
            credentials,
        );
    }

    let kind = match kind {
        Type::Token => read_token(object, at, scheme, scheme_at, problems),
        Type::Request => read_request(object, at, problems),
        Type::CognitoUserPools => read_cognito(object, at, scheme, scheme_at, problems),
        Type::Jwt => read_jwt(object, at, scheme, problems),
    };
    if problems.len() != before {
        return None;
    }
    kind
}

fn read_token(
    object: &Map<String, Value>,
    at: &str,
    scheme: &Map<String, Value>,
    scheme_at: &str,
    problems: &mut Problems,
) -> Option<AuthorizerKind> {
    let component = read_component(object, at, problems);
    // Outer `None`: an error, reported; inner `None`: no header named.
    let header = match single_source(
        object,
        at,
        SingleSource::HeaderOnly,
        "method.request.header.NAME (a token authorizer reads one header)",
        problems,
    ) {
        None => None,
        Some(Some(IdentitySource::Header(name))) => Some(Some(name)),
        Some(_) => scheme_header(scheme, scheme_at, "token", problems),
    };
    let header = match header {
        Some(Some(header)) => Some(header),
        Some(None) => {
            problems.missing(
                &pointer::child(at, "identitySource"),
                "missing the header holding the token: set identitySource: \
                 method.request.header.NAME, or the scheme's `name` (with `in: header`)",
            );
            None
        }
        None => None,
    };
    let validation_expression = read_validation_expression(object, at, problems);
    let ttl_seconds = read_ttl(object, at, problems);
    Some(AuthorizerKind::Token {
        component: component?,
        header: header?,
        validation_expression,
        ttl_seconds,
    })
}

fn read_request(
    object: &Map<String, Value>,
    at: &str,
    problems: &mut Problems,
) -> Option<AuthorizerKind> {
    let component = read_component(object, at, problems);
    let source_at = pointer::child(at, "identitySource");
    let identity_sources = match object.get("identitySource") {
        None => Some(Vec::new()),
        Some(Value::String(text)) => match parse_identity_sources(text) {
            Ok(sources) => Some(sources),
            Err(why) => {
                problems.invalid(
                    &source_at,
                    format_args!("{IDENTITY_SOURCE_EXPECTED} ({why})"),
                    &Value::from(text.as_str()),
                );
                None
            }
        },
        Some(other) => {
            problems.invalid(&source_at, IDENTITY_SOURCE_EXPECTED, other);
            None
        }
    };
    let ttl_seconds = read_ttl(object, at, problems);
    // AWS requires identity sources when caching is on (they are the cache key); without
    // them one decision would be cached for every caller.
    if ttl_seconds > 0 && identity_sources.as_ref().is_some_and(Vec::is_empty) {
        let message = format!(
            "a request authorizer that caches its decisions (authorizerResultTtlInSeconds \
             {ttl_seconds}; the default is {DEFAULT_TTL_SECONDS}) needs an identitySource, the \
             values its cache key is made of (expected {IDENTITY_SOURCE_EXPECTED}; or set \
             authorizerResultTtlInSeconds: 0)"
        );
        if object.contains_key("identitySource") {
            problems.push(&source_at, ImportErrorKind::Invalid, message);
        } else {
            problems.missing(&source_at, message);
        }
    }
    if let Some(version) = object.get("authorizerPayloadFormatVersion") {
        let version_at = pointer::child(at, "authorizerPayloadFormatVersion");
        // YAML reads `1.0` unquoted as a number; it means the text.
        let text = match version {
            Value::String(text) => Some(text.clone()),
            Value::Number(number) => Some(number.to_string()),
            _ => None,
        };
        match text.as_deref() {
            Some("1.0") => {}
            Some("2.0") => problems.not_supported(
                &version_at,
                "the 2.0 payload format of HTTP API Lambda authorizers \
                 (authorizerPayloadFormatVersion \"2.0\"; \"1.0\" is supported)",
            ),
            _ => problems.invalid(&version_at, "\"1.0\" (or \"2.0\")", version),
        }
    }
    match object.get("enableSimpleResponses") {
        None | Some(Value::Bool(false)) => {}
        Some(Value::Bool(true)) => problems.not_supported(
            &pointer::child(at, "enableSimpleResponses"),
            "simple responses of HTTP API Lambda authorizers (enableSimpleResponses: true; an \
             authorizer returns an IAM policy)",
        ),
        Some(other) => problems.invalid(
            &pointer::child(at, "enableSimpleResponses"),
            "true or false",
            other,
        ),
    }
    Some(AuthorizerKind::Request {
        component: component?,
        identity_sources: identity_sources?,
        ttl_seconds,
    })
}

fn read_cognito(
    object: &Map<String, Value>,
    at: &str,
    scheme: &Map<String, Value>,
    scheme_at: &str,
    problems: &mut Problems,
) -> Option<AuthorizerKind> {
    let arns_at = pointer::child(at, "providerARNs");
    let issuer = match object.get("providerARNs") {
        None => {
            problems.missing(
                &arns_at,
                "missing providerARNs (the user pool: \
                 [arn:aws:cognito-idp:REGION:ACCOUNT:userpool/POOL_ID])",
            );
            None
        }
        Some(Value::Array(arns)) if !arns.is_empty() => {
            if arns.len() > 1 {
                problems.not_supported(
                    &pointer::index(&arns_at, 1),
                    "a Cognito authorizer with several user pools (one issuer per authorizer: \
                     define one scheme per pool)",
                );
            }
            let arn_at = pointer::index(&arns_at, 0);
            match &arns[0] {
                Value::String(arn) if arn.contains("${") => {
                    problems.not_supported(&arn_at, "a stage variable in a user pool ARN");
                    None
                }
                Value::String(arn) => match cognito_issuer(arn) {
                    Ok(issuer) => Some(issuer),
                    Err(why) => {
                        problems.invalid(
                            &arn_at,
                            format_args!(
                                "a user pool ARN, arn:aws:cognito-idp:REGION:ACCOUNT:userpool/\
                                 POOL_ID ({why})"
                            ),
                            &arns[0],
                        );
                        None
                    }
                },
                other => {
                    problems.invalid(
                        &arn_at,
                        "a user pool ARN, arn:aws:cognito-idp:REGION:ACCOUNT:userpool/POOL_ID",
                        other,
                    );
                    None
                }
            }
        }
        Some(other) => {
            problems.invalid(
                &arns_at,
                "a list of one user pool ARN \
                 ([arn:aws:cognito-idp:REGION:ACCOUNT:userpool/POOL_ID])",
                other,
            );
            None
        }
    };
    // Outer `None`: an error, reported; inner `None`: the default header.
    let header = match single_source(
        object,
        at,
        SingleSource::HeaderOnly,
        "method.request.header.NAME (a Cognito authorizer reads the token from one header)",
        problems,
    ) {
        None => None,
        Some(Some(source)) => Some(Some(source)),
        Some(None) => scheme_header(scheme, scheme_at, "Cognito", problems)
            .map(|header| header.map(IdentitySource::Header)),
    };
    if object.contains_key("identityValidationExpression") {
        // AWS matches it against the ID token's `aud`; the JWT model has no such check yet,
        // and ignoring it would let in tokens AWS refuses.
        problems.not_supported(
            &pointer::child(at, "identityValidationExpression"),
            "identityValidationExpression on a Cognito authorizer (the `aud` pattern)",
        );
    }
    // Checked for AWS's range, then unused: a token is verified locally on every request,
    // which no cached decision needs to stand in for.
    read_ttl(object, at, problems);
    let jwks_uri = read_jwks_uri(object, at, problems);
    Some(AuthorizerKind::Jwt {
        issuer: issuer?,
        audiences: Vec::new(),
        identity_source: header?
            .unwrap_or_else(|| IdentitySource::Header("Authorization".to_owned())),
        jwks_uri,
    })
}

fn read_jwt(
    object: &Map<String, Value>,
    at: &str,
    scheme: &Map<String, Value>,
    problems: &mut Problems,
) -> Option<AuthorizerKind> {
    let config_at = pointer::child(at, "jwtConfiguration");
    // AWS's `openIdConnect` scheme form names the issuer through its discovery URL.
    let discovered_issuer = (scheme.get("type").and_then(Value::as_str) == Some("openIdConnect"))
        .then(|| scheme.get("openIdConnectUrl").and_then(Value::as_str))
        .flatten()
        .and_then(|url| url.strip_suffix("/.well-known/openid-configuration"))
        .filter(|issuer| is_http_url(issuer));
    let empty = Map::new();
    let config = match object.get("jwtConfiguration") {
        Some(Value::Object(config)) => Some(config),
        None => {
            problems.missing(
                &config_at,
                "missing jwtConfiguration (the token's `issuer` and the `audience` list)",
            );
            None
        }
        Some(other) => {
            problems.invalid(&config_at, "a mapping with `issuer` and `audience`", other);
            None
        }
    };
    let config = config.unwrap_or(&empty);
    for key in config.keys() {
        if !JWT_CONFIGURATION_KEYS.contains(&key.as_str()) {
            problems.unknown_key(
                &pointer::child(&config_at, key),
                format!(
                    "unknown key `{key}` in jwtConfiguration (expected one of {})",
                    JWT_CONFIGURATION_KEYS.join(", ")
                ),
            );
        }
    }
    let issuer_at = pointer::child(&config_at, "issuer");
    let issuer = match config.get("issuer") {
        Some(Value::String(issuer)) if is_http_url(issuer) => Some(issuer.clone()),
        Some(other) => {
            problems.invalid(
                &issuer_at,
                "the issuer's URL (the tokens' `iss`, such as https://issuer.example.com)",
                other,
            );
            None
        }
        None => match discovered_issuer {
            Some(issuer) => Some(issuer.to_owned()),
            None if object.contains_key("jwtConfiguration") => {
                problems.missing(
                    &issuer_at,
                    "missing the `issuer` (the tokens' `iss` URL; or use a scheme of type \
                     openIdConnect whose openIdConnectUrl ends in \
                     /.well-known/openid-configuration)",
                );
                None
            }
            None => None,
        },
    };
    let audience_at = pointer::child(&config_at, "audience");
    let audiences = match config.get("audience") {
        Some(Value::Array(entries)) if !entries.is_empty() => {
            let mut audiences = Vec::with_capacity(entries.len());
            for (index, entry) in entries.iter().enumerate() {
                match entry {
                    Value::String(audience) if !audience.is_empty() => {
                        audiences.push(audience.clone());
                    }
                    other => problems.invalid(
                        &pointer::index(&audience_at, index),
                        "an audience (a non-empty string)",
                        other,
                    ),
                }
            }
            Some(audiences)
        }
        // Without an audience any token the issuer signs, for any client, would pass.
        None if object.contains_key("jwtConfiguration") => {
            problems.missing(
                &audience_at,
                "missing the `audience` list (a token's `aud` or `client_id` must be one of them)",
            );
            None
        }
        None => None,
        Some(other) => {
            problems.invalid(
                &audience_at,
                "a non-empty list of audiences (a token's `aud` or `client_id` must be one of \
                 them)",
                other,
            );
            None
        }
    };
    let identity_source = single_source(
        object,
        at,
        SingleSource::HeaderOrQuery,
        "$request.header.NAME or $request.querystring.NAME (where the token is)",
        problems,
    )?
    .unwrap_or_else(|| IdentitySource::Header("Authorization".to_owned()));
    let jwks_uri = read_jwks_uri(object, at, problems);
    Some(AuthorizerKind::Jwt {
        issuer: issuer?,
        audiences: audiences?,
        identity_source,
        jwks_uri,
    })
}

/// `authorizerUri`: the authorizer component.
fn read_component(
    object: &Map<String, Value>,
    at: &str,
    problems: &mut Problems,
) -> Option<AuthorizerComponent> {
    let uri_at = pointer::child(at, "authorizerUri");
    match object.get("authorizerUri") {
        None => {
            problems.missing(
                &uri_at,
                format!(
                    "missing authorizerUri, the authorizer component (expected {})",
                    uri::AUTHORIZER_URI_EXPECTED
                ),
            );
            None
        }
        Some(Value::String(text)) => match uri::parse_authorizer_uri(text) {
            Ok((name, qualifier)) => Some(AuthorizerComponent { name, qualifier }),
            Err(why) => {
                let expected = if why.is_empty() {
                    uri::AUTHORIZER_URI_EXPECTED.to_owned()
                } else {
                    format!("{} ({why})", uri::AUTHORIZER_URI_EXPECTED)
                };
                problems.invalid(&uri_at, expected, &Value::from(text.as_str()));
                None
            }
        },
        Some(other) => {
            problems.invalid(&uri_at, uri::AUTHORIZER_URI_EXPECTED, other);
            None
        }
    }
}

/// `authorizerResultTtlInSeconds`: 0..=3600, 300 when absent. AWS's reference calls it a
/// string and its examples write a number: both are read.
fn read_ttl(object: &Map<String, Value>, at: &str, problems: &mut Problems) -> u32 {
    let Some(value) = object.get("authorizerResultTtlInSeconds") else {
        return DEFAULT_TTL_SECONDS;
    };
    let seconds = match value {
        Value::Number(number) => number.as_u64(),
        Value::String(text) if !text.is_empty() && text.chars().all(|c| c.is_ascii_digit()) => {
            text.parse::<u64>().ok()
        }
        _ => None,
    };
    match seconds.and_then(|s| u32::try_from(s).ok()) {
        Some(seconds) if seconds <= MAX_TTL_SECONDS => seconds,
        _ => {
            problems.invalid(
                &pointer::child(at, "authorizerResultTtlInSeconds"),
                format_args!(
                    "an integer from 0 to {MAX_TTL_SECONDS} (seconds; 0 disables caching)"
                ),
                value,
            );
            DEFAULT_TTL_SECONDS
        }
    }
}

/// `identityValidationExpression`: a regular expression the whole token must match.
fn read_validation_expression(
    object: &Map<String, Value>,
    at: &str,
    problems: &mut Problems,
) -> Option<String> {
    let value = object.get("identityValidationExpression")?;
    let expression_at = pointer::child(at, "identityValidationExpression");
    let Value::String(text) = value else {
        problems.invalid(&expression_at, "a regular expression (a string)", value);
        return None;
    };
    // Compiled alone and anchored, as the data plane matches it against the whole token;
    // a pattern such as `a)|(b` compiles only once wrapped and would change meaning.
    let compiled =
        regex::Regex::new(text).and_then(|_| regex::Regex::new(&format!("^(?:{text})$")));
    match compiled {
        Ok(_) => Some(text.clone()),
        Err(error) => {
            problems.invalid(
                &expression_at,
                format_args!("a regular expression ({})", regex_reason(&error)),
                value,
            );
            None
        }
    }
}

/// The one-line reason of a `regex` error (its display spans several lines).
fn regex_reason(error: &regex::Error) -> String {
    let text = error.to_string();
    text.lines()
        .rev()
        .find_map(|line| line.strip_prefix("error: "))
        .unwrap_or(text.lines().last().unwrap_or_default())
        .to_owned()
}

/// `x-tollgate-jwks-uri`: where the issuer's keys are.
fn read_jwks_uri(object: &Map<String, Value>, at: &str, problems: &mut Problems) -> Option<String> {
    let value = object.get(JWKS_URI)?;
    match value {
        Value::String(url) if is_http_url(url) => Some(url.clone()),
        other => {
            problems.invalid(
                &pointer::child(at, JWKS_URI),
                "the URL of the issuer's JSON Web Key Set (https://...)",
                other,
            );
            None
        }
    }
}

/// Which single identity sources an authorizer accepts.
#[derive(Clone, Copy, PartialEq, Eq)]
enum SingleSource {
    HeaderOnly,
    HeaderOrQuery,
}

/// `identitySource` when it names one value: `Some(None)` when absent, `None` on an error
/// (reported).
fn single_source(
    object: &Map<String, Value>,
    at: &str,
    accepted: SingleSource,
    expected: &str,
    problems: &mut Problems,
) -> Option<Option<IdentitySource>> {
    let Some(value) = object.get("identitySource") else {
        return Some(None);
    };
    let source_at = pointer::child(at, "identitySource");
    let parsed = value
        .as_str()
        .map(|text| parse_identity_sources(text).map_err(|why| format!("{expected} ({why})")));
    let source = match parsed {
        Some(Ok(sources)) => match sources.as_slice() {
            [source @ IdentitySource::Header(_)] => Some(source.clone()),
            [source @ IdentitySource::Query(_)] if accepted == SingleSource::HeaderOrQuery => {
                Some(source.clone())
            }
            _ => None,
        },
        Some(Err(why)) => {
            problems.invalid(&source_at, why, value);
            return None;
        }
        None => None,
    };
    if source.is_none() {
        problems.invalid(&source_at, expected, value);
        return None;
    }
    Some(source)
}

/// The scheme's header (`name` with `in: header`), for token and Cognito authorizers without
/// an `identitySource`. `None` on an error (reported).
fn scheme_header(
    scheme: &Map<String, Value>,
    scheme_at: &str,
    what: &str,
    problems: &mut Problems,
) -> Option<Option<String>> {
    match scheme.get("in") {
        None => return Some(None),
        Some(Value::String(location)) if location == "header" => {}
        Some(other) => {
            problems.invalid(
                &pointer::child(scheme_at, "in"),
                format_args!(
                    "header (a {what} authorizer reads its token from a header; or set the \
                     authorizer's identitySource)"
                ),
                other,
            );
            return None;
        }
    }
    match scheme.get("name") {
        Some(Value::String(name)) if is_header_name(name) => Some(Some(name.clone())),
        Some(other) => {
            problems.invalid(
                &pointer::child(scheme_at, "name"),
                "the name of the header holding the token",
                other,
            );
            None
        }
        None => Some(None),
    }
}

/// The issuer of a Cognito user pool, from the pool's ARN.
fn cognito_issuer(arn: &str) -> Result<String, String> {
    let fields: Vec<&str> = arn.splitn(6, ':').collect();
    let ["arn", partition, "cognito-idp", region, account, resource] = fields.as_slice() else {
        return Err("not a cognito-idp ARN".to_owned());
    };
    // Cognito's issuer host: cognito-idp.REGION.amazonaws.com (.com.cn in China).
    let domain = match *partition {
        "aws" | "aws-us-gov" => "amazonaws.com",
        "aws-cn" => "amazonaws.com.cn",
        other => return Err(format!("unknown partition `{other}`")),
    };
    let is_region = |text: &str| {
        !text.is_empty()
            && text
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    };
    if !is_region(region) {
        return Err(format!("region `{region}`"));
    }
    if account.is_empty() || !account.chars().all(|c| c.is_ascii_digit()) {
        return Err(format!("account `{account}`: 12 digits"));
    }
    let pool = resource
        .strip_prefix("userpool/")
        .ok_or_else(|| format!("`{resource}`: the resource is userpool/POOL_ID"))?;
    let is_pool_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-');
    if pool.is_empty() || !pool.chars().all(is_pool_char) {
        return Err(format!("pool id `{pool}`"));
    }
    Ok(format!("https://cognito-idp.{region}.{domain}/{pool}"))
}

/// An `http://` or `https://` URL with a host and no white space.
fn is_http_url(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"));
    rest.is_some_and(|rest| {
        !rest.starts_with(['/', '?', '#'])
            && !rest.is_empty()
            && !rest.chars().any(|c| c.is_whitespace() || c.is_control())
    })
}

/// An HTTP header name (an RFC 9110 token).
pub(crate) fn is_header_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c))
}

/// The two spellings of identity sources, which one list does not mix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Spelling {
    Rest,
    HttpApi,
}

/// Parses a comma-separated `identitySource` (spaces around the commas allowed; empty text
/// is no source). The error says what is wrong.
fn parse_identity_sources(text: &str) -> Result<Vec<IdentitySource>, String> {
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    let mut sources = Vec::new();
    let mut spelling = None;
    for part in text.split(',') {
        let part = part.trim();
        let (source, written) = parse_identity_source(part)?;
        match spelling {
            None => spelling = Some(written),
            Some(first) if first != written => {
                return Err(
                    "one list uses one spelling: method.request.… / stageVariables.… / \
                     context.… (REST) or $request.… / $stageVariables.… / $context.… (HTTP API)"
                        .to_owned(),
                );
            }
            Some(_) => {}
        }
        if sources.contains(&source) {
            return Err(format!("`{part}` is listed twice"));
        }
        sources.push(source);
    }
    Ok(sources)
}

fn parse_identity_source(text: &str) -> Result<(IdentitySource, Spelling), String> {
    let (rest, spelling) = match text.strip_prefix('$') {
        Some(rest) => (rest, Spelling::HttpApi),
        None => (text, Spelling::Rest),
    };
    let request_prefix = match spelling {
        Spelling::Rest => "method.request.",
        Spelling::HttpApi => "request.",
    };
    let unknown = || {
        if text.is_empty() {
            "an empty entry".to_owned()
        } else {
            format!("`{text}` is none of these")
        }
    };
    if let Some(request) = rest.strip_prefix(request_prefix) {
        let (location, name) = request.split_once('.').ok_or_else(unknown)?;
        let source = match location {
            "header" if is_header_name(name) => IdentitySource::Header(name.to_owned()),
            "querystring" if is_query_name(name) => IdentitySource::Query(name.to_owned()),
            "header" | "querystring" => return Err(format!("`{text}`: `{name}` is not a name")),
            _ => return Err(unknown()),
        };
        return Ok((source, spelling));
    }
    if let Some(name) = rest.strip_prefix("stageVariables.") {
        if !is_stage_variable_name(name) {
            return Err(format!(
                "`{text}`: a stage variable name is made of A-Z, a-z, 0-9 and `_`"
            ));
        }
        return Ok((IdentitySource::StageVariable(name.to_owned()), spelling));
    }
    if let Some(name) = rest.strip_prefix("context.") {
        let is_context_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.');
        if name.is_empty()
            || name.starts_with('.')
            || name.ends_with('.')
            || !name.chars().all(is_context_char)
        {
            return Err(format!("`{text}`: `{name}` is not a context variable name"));
        }
        return Ok((IdentitySource::Context(name.to_owned()), spelling));
    }
    Err(unknown())
}

fn is_query_name(name: &str) -> bool {
    !name.is_empty()
        && !name
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, ',' | '&' | '=' | '#'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_sources_in_both_spellings() {
        assert_eq!(
            parse_identity_sources(
                "method.request.header.X-Tenant, method.request.querystring.key,\
                 stageVariables.zone , context.identity.sourceIp"
            ),
            Ok(vec![
                IdentitySource::Header("X-Tenant".to_owned()),
                IdentitySource::Query("key".to_owned()),
                IdentitySource::StageVariable("zone".to_owned()),
                IdentitySource::Context("identity.sourceIp".to_owned()),
            ])
        );
        assert_eq!(
            parse_identity_sources("$request.header.Authorization,$context.routeKey"),
            Ok(vec![
                IdentitySource::Header("Authorization".to_owned()),
                IdentitySource::Context("routeKey".to_owned()),
            ])
        );
        assert_eq!(parse_identity_sources("  "), Ok(vec![]));
    }

    #[test]
    fn malformed_identity_sources() {
        for bad in [
            "method.request.header.A, $request.header.B",
            "method.request.path.id",
            "method.request.header.",
            "method.request.header.a b",
            "request.header.A",
            "$method.request.header.A",
            "stageVariables.a-b",
            "context.",
            "a,,b",
            "method.request.header.A, method.request.header.A",
        ] {
            assert!(
                parse_identity_sources(bad).is_err(),
                "{bad} should be refused"
            );
        }
    }

    #[test]
    fn cognito_issuers() {
        assert_eq!(
            cognito_issuer("arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbC"),
            Ok("https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC".to_owned())
        );
        assert_eq!(
            cognito_issuer("arn:aws-cn:cognito-idp:cn-north-1:123456789012:userpool/cn-north-1_x"),
            Ok("https://cognito-idp.cn-north-1.amazonaws.com.cn/cn-north-1_x".to_owned())
        );
        for bad in [
            "arn:aws:cognito-identity:eu-west-1:123456789012:userpool/p",
            "arn:aws:cognito-idp:eu-west-1:123456789012:pool/p",
            "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/",
            "arn:aws:cognito-idp::123456789012:userpool/p",
            "arn:other:cognito-idp:eu-west-1:123456789012:userpool/p",
            "userpool/p",
        ] {
            assert!(cognito_issuer(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn http_urls() {
        assert!(is_http_url("https://issuer.example.com"));
        assert!(is_http_url("http://localhost:8080/realms/x"));
        assert!(!is_http_url("https://"));
        assert!(!is_http_url("https:///x"));
        assert!(!is_http_url("ftp://x"));
        assert!(!is_http_url("https://a b"));
    }
}
