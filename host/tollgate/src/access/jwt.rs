//! Step 6 for JWT / Cognito authorizers: the token from the identity source, verified by
//! `tollgate-jwt` against the issuer's keys; its claims become `$context.authorizer.claims`.
//! Verifiers (and the key sets they cache) are kept by the gateway across reloads, one per
//! issuer and key source.

use dashmap::DashMap;
use serde_json::{Map, Value};
use tollgate_definition::IdentitySource;
use tollgate_jwt::{JwtAuthorizerConfig, JwtVerifier};

use crate::gateway_response::GatewayError;
use crate::pipeline::RoutedRequest;

/// A JWT authorizer of a stage.
pub struct JwtAuthorizer {
    pub name: String,
    pub config: JwtAuthorizerConfig,
    pub identity_source: IdentitySource,
}

/// The gateway's verifiers, by issuer, audiences and key source.
#[derive(Default)]
pub struct JwtVerifiers {
    verifiers: DashMap<String, JwtVerifier>,
}

impl JwtVerifiers {
    fn verifier(&self, config: &JwtAuthorizerConfig) -> JwtVerifier {
        let key = format!(
            "{}\u{1f}{}\u{1f}{}",
            config.issuer,
            config.audiences.join("\u{1e}"),
            config.jwks_uri.as_deref().unwrap_or_default()
        );
        self.verifiers
            .entry(key)
            .or_insert_with(|| JwtVerifier::new(config.clone()))
            .clone()
    }
}

/// Verifies the request's token and its scopes; answers `$context.authorizer`
/// (`{"claims": {...}, "scopes": [...]}`).
pub async fn authorize(
    authorizer: &JwtAuthorizer,
    scopes: &[String],
    routed: &RoutedRequest<'_>,
    verifiers: &JwtVerifiers,
) -> Result<Map<String, Value>, GatewayError> {
    let token = super::authorizer::identity_source_value(&authorizer.identity_source, routed)
        .filter(|token| !token.trim().is_empty())
        .ok_or(GatewayError::Unauthorized)?;
    let verified = verifiers
        .verifier(&authorizer.config)
        .verify(&token, crate::clock::now())
        .await
        .map_err(|error| {
            if error.is_configuration_error() {
                GatewayError::AuthorizerFailure {
                    reason: format!("authorizer {}: {error}", authorizer.name),
                }
            } else {
                tracing::debug!(request_id = %routed.request.request_id, %error, "token refused");
                GatewayError::Unauthorized
            }
        })?;
    if !verified.has_any_scope(scopes) {
        return Err(GatewayError::InsufficientScope);
    }
    let mut context = Map::new();
    context.insert("claims".to_string(), Value::Object(verified.claims));
    context.insert(
        "scopes".to_string(),
        Value::Array(verified.scopes.into_iter().map(Value::String).collect()),
    );
    Ok(context)
}
