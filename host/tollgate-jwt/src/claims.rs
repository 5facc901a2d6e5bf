//! The checks on verified claims: issuer, validity window, audience; and the scopes.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value};

use crate::{JwtAuthorizerConfig, JwtError};

/// How far `exp`, `nbf` and `iat` may be off the gateway's clock: the issuer's clock and
/// ours are never exactly together. Small, since NTP keeps real skews far below it and every
/// second of leeway is a second more for a stolen expired token.
pub const CLOCK_LEEWAY: Duration = Duration::from_secs(30);

pub(crate) fn check(
    claims: &Map<String, Value>,
    config: &JwtAuthorizerConfig,
    now: SystemTime,
) -> Result<(), JwtError> {
    match claims.get("iss") {
        Some(Value::String(iss)) if *iss == config.issuer => {}
        _ => return Err(JwtError::WrongIssuer),
    }

    let now = seconds_since_epoch(now);
    let leeway = CLOCK_LEEWAY.as_secs_f64();
    let exp = numeric_date(claims, "exp")?.ok_or(JwtError::MissingClaim("exp"))?;
    // RFC 7519: valid only *before* exp, and from nbf on.
    if now >= exp + leeway {
        return Err(JwtError::Expired);
    }
    if let Some(nbf) = numeric_date(claims, "nbf")?
        && now + leeway < nbf
    {
        return Err(JwtError::NotYetValid);
    }
    if let Some(iat) = numeric_date(claims, "iat")?
        && now + leeway < iat
    {
        return Err(JwtError::NotYetValid);
    }

    if !config.audiences.is_empty() && !audience_matches(claims, &config.audiences) {
        return Err(JwtError::WrongAudience);
    }
    Ok(())
}

fn seconds_since_epoch(time: SystemTime) -> f64 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(after) => after.as_secs_f64(),
        Err(before) => -before.duration().as_secs_f64(),
    }
}

/// A NumericDate claim: seconds since the epoch, possibly fractional.
fn numeric_date(claims: &Map<String, Value>, name: &'static str) -> Result<Option<f64>, JwtError> {
    match claims.get(name) {
        None => Ok(None),
        Some(Value::Number(n)) => n
            .as_f64()
            .map(Some)
            .ok_or_else(|| JwtError::Malformed(format!("the {name} claim is out of range"))),
        Some(_) => Err(JwtError::Malformed(format!(
            "the {name} claim is not a number"
        ))),
    }
}

/// As AWS HTTP APIs: `aud` (a string or a list) when present, otherwise `client_id` (Cognito
/// access tokens carry no `aud`).
fn audience_matches(claims: &Map<String, Value>, audiences: &[String]) -> bool {
    let accepted = |value: &Value| {
        value
            .as_str()
            .is_some_and(|a| audiences.iter().any(|x| x == a))
    };
    match claims.get("aud") {
        Some(Value::Array(list)) => list.iter().any(accepted),
        Some(aud) => accepted(aud),
        None => claims.get("client_id").is_some_and(accepted),
    }
}

/// `scope` (OAuth 2: space-separated) if present, else `scp` (a list, or space-separated).
pub(crate) fn scopes(claims: &Map<String, Value>) -> Vec<String> {
    claims
        .get("scope")
        .or_else(|| claims.get("scp"))
        .map(|value| match value {
            Value::String(s) => s.split_whitespace().map(str::to_owned).collect(),
            Value::Array(list) => list
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect(),
            _ => Vec::new(),
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const T: u64 = 1_700_000_000;

    fn at(seconds: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(seconds)
    }

    fn config(audiences: &[&str]) -> JwtAuthorizerConfig {
        JwtAuthorizerConfig {
            issuer: "https://issuer.example".into(),
            audiences: audiences.iter().map(|a| a.to_string()).collect(),
            jwks_uri: None,
        }
    }

    fn claims(extra: Value) -> Map<String, Value> {
        let mut claims = json!({"iss": "https://issuer.example", "exp": T})
            .as_object()
            .unwrap()
            .clone();
        claims.extend(extra.as_object().unwrap().clone());
        claims
    }

    #[test]
    fn expiry_has_the_leeway_and_no_more() {
        let leeway = CLOCK_LEEWAY.as_secs();
        let c = claims(json!({}));
        assert_eq!(check(&c, &config(&[]), at(T - 1)), Ok(()));
        assert_eq!(check(&c, &config(&[]), at(T + leeway - 1)), Ok(()));
        assert_eq!(
            check(&c, &config(&[]), at(T + leeway)),
            Err(JwtError::Expired)
        );
        let fractional = claims(json!({"exp": T as f64 + 0.5}));
        assert_eq!(check(&fractional, &config(&[]), at(T + leeway)), Ok(()));
    }

    #[test]
    fn nbf_and_iat_have_the_leeway_and_no_more() {
        let leeway = CLOCK_LEEWAY.as_secs();
        for claim in ["nbf", "iat"] {
            let c = claims(json!({ claim: T - 100, "exp": T + 1000 }));
            assert_eq!(
                check(&c, &config(&[]), at(T - 100 - leeway)),
                Ok(()),
                "{claim}"
            );
            assert_eq!(
                check(&c, &config(&[]), at(T - 100 - leeway - 1)),
                Err(JwtError::NotYetValid),
                "{claim}"
            );
        }
    }

    #[test]
    fn exp_is_required_and_dates_must_be_numbers() {
        let mut c = claims(json!({}));
        c.remove("exp");
        assert_eq!(
            check(&c, &config(&[]), at(T)),
            Err(JwtError::MissingClaim("exp"))
        );
        let c = claims(json!({"exp": "soon"}));
        assert!(matches!(
            check(&c, &config(&[]), at(T)),
            Err(JwtError::Malformed(_))
        ));
        let c = claims(json!({"nbf": "now"}));
        assert!(matches!(
            check(&c, &config(&[]), at(T - 100)),
            Err(JwtError::Malformed(_))
        ));
    }

    #[test]
    fn issuer_must_match_exactly() {
        for iss in [
            json!("https://issuer.example/"),
            json!(null),
            json!(["https://issuer.example"]),
        ] {
            let c = claims(json!({ "iss": iss }));
            assert_eq!(
                check(&c, &config(&[]), at(T - 1)),
                Err(JwtError::WrongIssuer),
                "{iss}"
            );
        }
        let mut c = claims(json!({}));
        c.remove("iss");
        assert_eq!(
            check(&c, &config(&[]), at(T - 1)),
            Err(JwtError::WrongIssuer)
        );
    }

    #[test]
    fn audience_from_aud_or_else_client_id() {
        let cfg = config(&["api", "other"]);
        let now = at(T - 1);
        for (extra, ok) in [
            (json!({"aud": "api"}), true),
            (json!({"aud": ["x", "other"]}), true),
            (json!({"aud": "x"}), false),
            (json!({"aud": ["x"]}), false),
            (json!({"aud": 7}), false),
            (json!({"client_id": "api"}), true),
            (json!({"client_id": "x"}), false),
            // client_id counts only without aud, as in AWS.
            (json!({"aud": "x", "client_id": "api"}), false),
            (json!({}), false),
        ] {
            let expected = if ok {
                Ok(())
            } else {
                Err(JwtError::WrongAudience)
            };
            assert_eq!(
                check(&claims(extra.clone()), &cfg, now),
                expected,
                "{extra}"
            );
        }
        // No configured audience: nothing to match.
        assert_eq!(
            check(&claims(json!({"aud": "x"})), &config(&[]), now),
            Ok(())
        );
    }

    #[test]
    fn scopes_from_scope_or_scp() {
        let of = |v: Value| scopes(v.as_object().unwrap());
        assert_eq!(of(json!({"scope": " read  write "})), ["read", "write"]);
        assert_eq!(of(json!({"scp": ["read", "write"]})), ["read", "write"]);
        assert_eq!(of(json!({"scp": "read write"})), ["read", "write"]);
        assert_eq!(of(json!({"scope": "a", "scp": ["b"]})), ["a"]);
        assert!(of(json!({})).is_empty());
    }
}
