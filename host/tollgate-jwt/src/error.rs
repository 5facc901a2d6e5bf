//! Why a token was refused.

/// Why [`crate::JwtVerifier::verify`] refused a token. Every variant but
/// [`JwtError::KeysUnavailable`] is the caller's fault (AWS answers those with 401); the
/// messages are fit for a `WWW-Authenticate` `error_description`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JwtError {
    /// Not a compact JWS (three base64url parts, a JSON header and claims object).
    #[error("the token is malformed: {0}")]
    Malformed(String),
    /// `alg` is not one of RS256/384/512, PS256/384/512, ES256/384 (`none` and HS* included).
    #[error("the token's algorithm {0:?} is not accepted")]
    UnsupportedAlgorithm(String),
    /// The header has no `kid`, so no key of the issuer can be chosen.
    #[error("the token's header has no key id (kid)")]
    MissingKeyId,
    /// No key with the token's `kid` in the issuer's key set, even after a refetch.
    #[error("the issuer has no key {0:?}")]
    UnknownKey(String),
    /// The signature does not verify with the key the token names (or that key cannot
    /// verify the token's algorithm).
    #[error("the token's signature is invalid")]
    BadSignature,
    /// A required claim is absent.
    #[error("the token has no {0} claim")]
    MissingClaim(&'static str),
    /// `exp` is past (beyond the leeway).
    #[error("the token has expired")]
    Expired,
    /// `nbf`, or `iat`, is in the future (beyond the leeway).
    #[error("the token is not valid yet")]
    NotYetValid,
    /// `iss` is absent or not the configured issuer.
    #[error("the token's issuer is not accepted")]
    WrongIssuer,
    /// Neither `aud` nor, without `aud`, `client_id` names a configured audience.
    #[error("the token's audience is not accepted")]
    WrongAudience,
    /// The issuer's key set could not be fetched (and no usable copy is cached): the
    /// gateway's problem, not the caller's.
    #[error("the issuer's keys are unavailable: {0}")]
    KeysUnavailable(String),
}

impl JwtError {
    /// True when the cause is on the gateway's side (keys could not be fetched) rather than
    /// the caller's token: answer 500, not 401.
    pub fn is_configuration_error(&self) -> bool {
        matches!(self, JwtError::KeysUnavailable(_))
    }
}
