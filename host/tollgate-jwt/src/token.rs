//! The compact JWS itself: the header read before any key is chosen, and the signature
//! check that yields the claims.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Map, Value};

use crate::JwtError;

/// What the header says, checked against the accepted algorithms.
#[derive(Debug)]
pub(crate) struct TokenHeader {
    pub(crate) alg: Algorithm,
    pub(crate) kid: String,
}

/// The raw header value without a leading `Bearer ` (any case) and surrounding blanks.
pub(crate) fn strip_bearer(raw: &str) -> &str {
    let raw = raw.trim();
    match raw.get(..7) {
        Some(prefix) if prefix.eq_ignore_ascii_case("bearer ") => raw[7..].trim_start(),
        _ => raw,
    }
}

/// The algorithms a token may use. Public-key only: an HMAC secret would have to be shared
/// with the issuer, and `none` is no signature at all.
pub(crate) fn accepted_algorithm(name: &str) -> Option<Algorithm> {
    Some(match name {
        "RS256" => Algorithm::RS256,
        "RS384" => Algorithm::RS384,
        "RS512" => Algorithm::RS512,
        "PS256" => Algorithm::PS256,
        "PS384" => Algorithm::PS384,
        "PS512" => Algorithm::PS512,
        "ES256" => Algorithm::ES256,
        "ES384" => Algorithm::ES384,
        _ => return None,
    })
}

/// Reads the header ourselves rather than with `jsonwebtoken::decode_header`, which cannot
/// parse `alg: none` and so could not tell it from garbage.
pub(crate) fn parse_header(token: &str) -> Result<TokenHeader, JwtError> {
    let mut parts = token.split('.');
    let (Some(header), Some(_), Some(_), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(JwtError::Malformed(
            "a JWT has three dot-separated parts".into(),
        ));
    };
    let header = URL_SAFE_NO_PAD
        .decode(header)
        .map_err(|e| JwtError::Malformed(format!("the header is not base64url: {e}")))?;
    let header: Map<String, Value> = serde_json::from_slice(&header)
        .map_err(|e| JwtError::Malformed(format!("the header is not a JSON object: {e}")))?;
    let alg = match header.get("alg") {
        Some(Value::String(name)) => {
            accepted_algorithm(name).ok_or_else(|| JwtError::UnsupportedAlgorithm(name.clone()))?
        }
        _ => return Err(JwtError::Malformed("the header has no alg".into())),
    };
    let kid = match header.get("kid") {
        Some(Value::String(kid)) => kid.clone(),
        _ => return Err(JwtError::MissingKeyId),
    };
    Ok(TokenHeader { alg, kid })
}

/// Checks the signature and returns the claims. Only the signature: `jsonwebtoken` reads
/// the clock itself, and the claims are checked against the caller's `now` in `claims`.
pub(crate) fn verified_claims(
    token: &str,
    alg: Algorithm,
    key: &DecodingKey,
) -> Result<Map<String, Value>, JwtError> {
    let mut validation = Validation::new(alg);
    validation.required_spec_claims.clear();
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    jsonwebtoken::decode::<Map<String, Value>>(token, key, &validation)
        .map(|data| data.claims)
        .map_err(|e| {
            use jsonwebtoken::errors::ErrorKind;
            match e.kind() {
                // A key that cannot check this algorithm (wrong type or curve) is a token
                // signed by someone else as far as the caller is concerned.
                ErrorKind::InvalidSignature
                | ErrorKind::InvalidAlgorithm
                | ErrorKind::InvalidEcdsaKey
                | ErrorKind::InvalidRsaKey(_)
                | ErrorKind::InvalidKeyFormat => JwtError::BadSignature,
                _ => JwtError::Malformed(e.to_string()),
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(json: &str) -> String {
        URL_SAFE_NO_PAD.encode(json)
    }

    #[test]
    fn bearer_prefix_is_stripped_in_any_case() {
        assert_eq!(strip_bearer("Bearer abc"), "abc");
        assert_eq!(strip_bearer("bEaReR   abc "), "abc");
        assert_eq!(strip_bearer("abc"), "abc");
        assert_eq!(strip_bearer("Bearerabc"), "Bearerabc");
    }

    #[test]
    fn header_needs_an_accepted_alg_and_a_kid() {
        let token = |header: &str| format!("{}.e30.c2ln", encode(header));
        let ok = parse_header(&token(r#"{"alg":"ES256","kid":"k"}"#)).unwrap();
        assert_eq!((ok.alg, ok.kid.as_str()), (Algorithm::ES256, "k"));
        for alg in ["none", "HS256", "EdDSA"] {
            assert_eq!(
                parse_header(&token(&format!(r#"{{"alg":"{alg}","kid":"k"}}"#))).unwrap_err(),
                JwtError::UnsupportedAlgorithm(alg.into())
            );
        }
        assert_eq!(
            parse_header(&token(r#"{"alg":"RS256"}"#)).unwrap_err(),
            JwtError::MissingKeyId
        );
        assert!(matches!(
            parse_header(&token(r#"{"kid":"k"}"#)),
            Err(JwtError::Malformed(_))
        ));
        for garbage in ["", "a.b", "a.b.c.d.e", "!!.e30.c2ln"] {
            assert!(
                matches!(parse_header(garbage), Err(JwtError::Malformed(_))),
                "{garbage}"
            );
        }
    }
}
