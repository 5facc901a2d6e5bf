//! The JWT / OIDC authorizer: what an AWS HTTP API `jwt` authorizer and a REST API Cognito
//! user-pool authorizer check, against the issuer's published keys (JWKS).
//!
//! A token is accepted when its header names an accepted public-key algorithm and a `kid`
//! found in the issuer's key set, its signature verifies with that key, `iss` is the
//! issuer, `exp` is not past and `nbf`/`iat` not in the future (within [`CLOCK_LEEWAY`]),
//! and — when audiences are configured — `aud`, or without `aud` `client_id`, names one.
//! Scopes are only reported ([`VerifiedToken::has_any_scope`]); requiring them is the
//! route's business.
//!
//! Keys are fetched on first use and cached ([`KEY_CACHE_TTL`], [`UNKNOWN_KEY_REFETCH_INTERVAL`],
//! [`FAILED_FETCH_RETRY_INTERVAL`], [`STALE_KEYS_MAX_AGE`], [`FETCH_TIMEOUT`]). All the
//! times are measured on the `now` the caller passes, so tests can move time.

mod claims;
mod error;
mod fetch;
mod keys;
mod token;

use std::fmt;
use std::sync::Arc;
use std::time::SystemTime;

use serde_json::{Map, Value};

pub use claims::CLOCK_LEEWAY;
pub use error::JwtError;
pub use fetch::FETCH_TIMEOUT;
pub use keys::{
    FAILED_FETCH_RETRY_INTERVAL, KEY_CACHE_TTL, STALE_KEYS_MAX_AGE, UNKNOWN_KEY_REFETCH_INTERVAL,
};

/// What an authorizer names: the issuer and the audiences it accepts, and where its keys are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JwtAuthorizerConfig {
    /// Compared exactly with the token's `iss`.
    pub issuer: String,
    /// Empty: no audience check.
    pub audiences: Vec<String>,
    /// `None`: OIDC discovery at `{issuer}/.well-known/openid-configuration` → `jwks_uri`.
    pub jwks_uri: Option<String>,
}

/// One per (issuer, key source); cheap to clone; shared by all requests; caches the key set.
#[derive(Clone)]
pub struct JwtVerifier {
    inner: Arc<Inner>,
}

struct Inner {
    config: JwtAuthorizerConfig,
    keys: keys::KeyCache,
}

impl fmt::Debug for JwtVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JwtVerifier")
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

/// A token that passed every check.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedToken {
    /// All the claims, as sent (for `$context.authorizer.claims`).
    pub claims: Map<String, Value>,
    /// From `scope` (space-separated) or, without it, `scp` (a list or space-separated).
    pub scopes: Vec<String>,
}

impl VerifiedToken {
    /// Whether the token has one of `required`; true when nothing is required (AWS's
    /// `authorizationScopes`: any one of them suffices).
    pub fn has_any_scope(&self, required: &[String]) -> bool {
        required.is_empty() || required.iter().any(|r| self.scopes.contains(r))
    }
}

impl JwtVerifier {
    /// Fetches nothing yet: the keys are fetched by the first [`JwtVerifier::verify`].
    /// Needs a Tokio runtime only when verifying.
    pub fn new(config: JwtAuthorizerConfig) -> Self {
        let keys = keys::KeyCache::new(fetch::Fetcher::new(&config));
        JwtVerifier {
            inner: Arc::new(Inner { config, keys }),
        }
    }

    pub fn config(&self) -> &JwtAuthorizerConfig {
        &self.inner.config
    }

    /// Verifies a token (the raw header value; a leading "Bearer " is stripped
    /// case-insensitively).
    pub async fn verify(&self, token: &str, now: SystemTime) -> Result<VerifiedToken, JwtError> {
        let token = token::strip_bearer(token);
        let header = token::parse_header(token)?;
        let key = self.inner.keys.key(&header.kid, now).await?;
        if !key.accepts(header.alg) {
            return Err(JwtError::BadSignature);
        }
        let claims = token::verified_claims(token, header.alg, &key.decoding)?;
        claims::check(&claims, &self.inner.config, now)?;
        let scopes = claims::scopes(&claims);
        Ok(VerifiedToken { claims, scopes })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_one_required_scope_suffices() {
        let token = VerifiedToken {
            claims: Map::new(),
            scopes: vec!["read".into(), "write".into()],
        };
        assert!(token.has_any_scope(&[]));
        assert!(token.has_any_scope(&["admin".into(), "write".into()]));
        assert!(!token.has_any_scope(&["admin".into()]));
        let none = VerifiedToken {
            claims: Map::new(),
            scopes: vec![],
        };
        assert!(none.has_any_scope(&[]));
        assert!(!none.has_any_scope(&["read".into()]));
    }
}
