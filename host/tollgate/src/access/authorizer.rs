//! Step 6: the method's authorizer. A WASM authorizer (token or request type) is called with
//! the identity it is configured for and answers a principal, an IAM-style policy and a
//! context; the answer is cached per identity for the authorizer's TTL and its policy decides
//! each request's method ARN (as API Gateway caches the policy, not the decision). JWT and
//! SigV4 authorizers live in `jwt.rs` and `iam.rs`.

use std::sync::Arc;
use std::time::Duration;

use moka::sync::Cache;
use regex::Regex;
use serde_json::{Map, Value};
use tollgate_definition::{AuthorizerKind, IdentitySource};
use tollgate_policy::{Decision, PolicyDocument, PolicyKind, RequestFacts};
use tollgate_runtime::{
    AuthorizerRequest, AuthorizerResponse, CallError, Invocation, KeyValueGrant, Plugin,
};

use crate::gateway_response::GatewayError;
use crate::pipeline::RoutedRequest;
use crate::stage::ResolvedComponent;

/// How long a WASM authorizer may run (API Gateway gives a Lambda authorizer at most the
/// integration limit; an authorizer is on every request's path, so it gets less).
pub const AUTHORIZER_TIMEOUT: Duration = Duration::from_secs(10);

/// The most decisions kept in memory, over all authorizers.
const DECISION_CACHE_CAPACITY: u64 = 100_000;

/// An authorizer of a stage, resolved: its component loaded, its expression compiled.
pub enum ResolvedAuthorizer {
    /// A WASM authorizer (token or request type).
    Component(ComponentAuthorizer),
    /// A JWT / Cognito authorizer.
    Jwt(super::jwt::JwtAuthorizer),
    /// SigV4 with the gateway's access keys.
    Iam,
}

/// A WASM authorizer.
pub struct ComponentAuthorizer {
    /// The security scheme's name.
    pub name: String,
    pub plugin: Arc<Plugin>,
    /// `name:version`, for logs.
    pub label: String,
    /// The reference as written, stage variables substituted (`auth`, `auth:prod`).
    pub reference: String,
    pub identity: Identity,
    /// 0 disables caching.
    pub ttl_seconds: u32,
    pub key_value: KeyValueGrant,
}

/// What a WASM authorizer is given, and what its decisions are cached by.
pub enum Identity {
    /// `TOKEN`: one header, optionally matched against a regular expression first.
    Token {
        header: String,
        validation: Option<Regex>,
    },
    /// `REQUEST`: the listed sources.
    Request { sources: Vec<IdentitySource> },
}

impl ComponentAuthorizer {
    /// The definition's authorizer, with its component already resolved.
    pub fn new(
        name: &str,
        kind: &AuthorizerKind,
        component: ResolvedComponent,
        key_value: KeyValueGrant,
    ) -> Result<ComponentAuthorizer, String> {
        let (identity, ttl_seconds) = match kind {
            AuthorizerKind::Token {
                header,
                validation_expression,
                ttl_seconds,
                ..
            } => {
                let validation = validation_expression
                    .as_deref()
                    .map(|expression| {
                        Regex::new(&format!("^(?:{expression})$")).map_err(|e| {
                            format!("authorizer {name}: identityValidationExpression: {e}")
                        })
                    })
                    .transpose()?;
                (
                    Identity::Token {
                        header: header.clone(),
                        validation,
                    },
                    *ttl_seconds,
                )
            }
            AuthorizerKind::Request {
                identity_sources,
                ttl_seconds,
                ..
            } => (
                Identity::Request {
                    sources: identity_sources.clone(),
                },
                *ttl_seconds,
            ),
            AuthorizerKind::Jwt { .. } | AuthorizerKind::Iam => {
                return Err(format!("authorizer {name} is not a component authorizer"));
            }
        };
        Ok(ComponentAuthorizer {
            name: name.to_string(),
            plugin: component.plugin,
            label: component.label,
            reference: component.reference,
            identity,
            ttl_seconds,
            key_value,
        })
    }
}

/// A WASM authorizer's answer, as cached.
pub struct CachedDecision {
    pub principal_id: String,
    pub policy: PolicyDocument,
    pub context: Vec<(String, String)>,
    pub usage_identifier_key: Option<String>,
    ttl: Duration,
}

/// Every WASM authorizer's cached answers, by stage, deployment, authorizer and identity.
pub struct DecisionCache {
    cache: Cache<String, Arc<CachedDecision>>,
}

struct PerEntryTtl;

impl moka::Expiry<String, Arc<CachedDecision>> for PerEntryTtl {
    fn expire_after_create(
        &self,
        _key: &String,
        value: &Arc<CachedDecision>,
        _created_at: std::time::Instant,
    ) -> Option<Duration> {
        Some(value.ttl)
    }
}

impl Default for DecisionCache {
    fn default() -> Self {
        DecisionCache {
            cache: Cache::builder()
                .max_capacity(DECISION_CACHE_CAPACITY)
                .expire_after(PerEntryTtl)
                .build(),
        }
    }
}

/// What the authorizer step hands on: the authorizer's principal and context, its policy's
/// decision for this request's method ARN, and the usage-plan key it named.
pub struct ComponentOutcome {
    pub decision: Decision,
    pub authorizer: Map<String, Value>,
    pub usage_identifier_key: Option<String>,
}

/// Runs a WASM authorizer for a request (from the cache when it can).
pub async fn authorize(
    authorizer: &ComponentAuthorizer,
    routed: &RoutedRequest<'_>,
    method_arn: &str,
    cache: &DecisionCache,
) -> Result<ComponentOutcome, GatewayError> {
    let identity = identity_values(authorizer, routed)?;
    let key = format!(
        "{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}",
        routed.stage.api_id,
        routed.stage.stage,
        routed.stage.deployment_id,
        authorizer.name,
        identity.join("\u{1e}")
    );
    let cached = if authorizer.ttl_seconds > 0 {
        cache.cache.get(&key)
    } else {
        None
    };
    let decision = match cached {
        Some(decision) => decision,
        None => {
            let decision = Arc::new(call(authorizer, routed, method_arn).await?);
            if authorizer.ttl_seconds > 0 {
                cache.cache.insert(key, decision.clone());
            }
            decision
        }
    };
    let verdict = decision.policy.evaluate(&RequestFacts {
        action: "execute-api:Invoke",
        resource: method_arn,
        principal: None,
        source_ip: routed.request.source_ip,
        condition_values: &[],
    });
    let mut context = Map::new();
    context.insert(
        "principalId".to_string(),
        Value::String(decision.principal_id.clone()),
    );
    for (name, value) in &decision.context {
        context.insert(name.clone(), Value::String(value.clone()));
    }
    Ok(ComponentOutcome {
        decision: verdict,
        authorizer: context,
        usage_identifier_key: decision.usage_identifier_key.clone(),
    })
}

/// The identity values a request carries for the authorizer; a missing one is 401 without a
/// call, as API Gateway answers (for a request authorizer only when caching is on: with
/// caching off its sources are not required).
fn identity_values(
    authorizer: &ComponentAuthorizer,
    routed: &RoutedRequest<'_>,
) -> Result<Vec<String>, GatewayError> {
    match &authorizer.identity {
        Identity::Token { header, validation } => {
            let token = routed
                .request
                .header(header)
                .filter(|token| !token.is_empty())
                .ok_or(GatewayError::Unauthorized)?;
            if validation
                .as_ref()
                .is_some_and(|regex| !regex.is_match(token))
            {
                return Err(GatewayError::Unauthorized);
            }
            Ok(vec![token.to_string()])
        }
        Identity::Request { sources } => {
            let mut values = Vec::with_capacity(sources.len());
            for source in sources {
                let value = identity_source_value(source, routed);
                match value {
                    Some(value) if !value.is_empty() => values.push(value),
                    _ if authorizer.ttl_seconds > 0 => return Err(GatewayError::Unauthorized),
                    _ => values.push(String::new()),
                }
            }
            Ok(values)
        }
    }
}

/// The value of one identity source for a request.
pub fn identity_source_value(
    source: &IdentitySource,
    routed: &RoutedRequest<'_>,
) -> Option<String> {
    match source {
        IdentitySource::Header(name) => routed.request.header(name).map(str::to_string),
        IdentitySource::Query(name) => routed
            .request
            .query_pairs()
            .into_iter()
            .rev()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value),
        IdentitySource::StageVariable(name) => routed.stage.stage_variables.get(name).cloned(),
        IdentitySource::Context(name) => {
            let context = crate::mapping::context::context_json(routed);
            let mut value = &context;
            for part in name.split('.') {
                value = value.get(part)?;
            }
            match value {
                Value::Null => None,
                Value::String(text) => Some(text.clone()),
                other => Some(other.to_string()),
            }
        }
    }
}

/// Calls the component and checks its answer. Nothing that fails here is cached.
async fn call(
    authorizer: &ComponentAuthorizer,
    routed: &RoutedRequest<'_>,
    method_arn: &str,
) -> Result<CachedDecision, GatewayError> {
    let (kind, token, headers, query, path_parameters) = match &authorizer.identity {
        Identity::Token { header, .. } => (
            "TOKEN",
            routed.request.header(header).map(str::to_string),
            Vec::new(),
            Vec::new(),
            Vec::new(),
        ),
        Identity::Request { .. } => (
            "REQUEST",
            None,
            routed
                .request
                .headers
                .iter()
                .map(|(name, value)| {
                    (
                        name.as_str().to_string(),
                        String::from_utf8_lossy(value.as_bytes()).into_owned(),
                    )
                })
                .collect(),
            routed.request.query_pairs(),
            routed.path_parameters.clone(),
        ),
    };
    let request = AuthorizerRequest {
        kind: kind.to_string(),
        authorization_token: token,
        method_arn: method_arn.to_string(),
        headers,
        query,
        path_parameters,
        context: crate::mapping::mapper::request_context(routed),
    };
    let invocation = Invocation {
        request_id: routed.request.request_id.clone(),
        plugin: format!("authorizer {}", authorizer.label),
        stage_variables: routed.stage.stage_variables.clone(),
        key_value: Some(authorizer.key_value.clone()),
        config: Default::default(),
        timeout: AUTHORIZER_TIMEOUT,
    };
    let answer = authorizer
        .plugin
        .authorize(invocation, request)
        .await
        .map_err(|error| failure(authorizer, error))?;
    let response: AuthorizerResponse = match answer {
        Ok(response) => response,
        // The one error a Lambda authorizer raises on purpose: "Unauthorized" is a 401.
        Err(message) if message == "Unauthorized" => return Err(GatewayError::Unauthorized),
        Err(message) => {
            return Err(GatewayError::AuthorizerFailure {
                reason: format!(
                    "authorizer {} returned an error: {message}",
                    authorizer.label
                ),
            });
        }
    };
    let policy = serde_json::from_str::<Value>(&response.policy_document)
        .map_err(|e| e.to_string())
        .and_then(|document| {
            PolicyDocument::from_json_as(&document, PolicyKind::Identity).map_err(|e| e.to_string())
        })
        .map_err(|reason| GatewayError::AuthorizerFailure {
            reason: format!(
                "authorizer {} returned an invalid policy document: {reason}",
                authorizer.label
            ),
        })?;
    Ok(CachedDecision {
        principal_id: response.principal_id,
        policy,
        context: response.context,
        usage_identifier_key: response.usage_identifier_key,
        ttl: Duration::from_secs(u64::from(authorizer.ttl_seconds)),
    })
}

fn failure(authorizer: &ComponentAuthorizer, error: CallError) -> GatewayError {
    GatewayError::AuthorizerFailure {
        reason: format!("authorizer {}: {error}", authorizer.label),
    }
}
