//! The issuer's key set: parsed from a JWKS, cached, refreshed, and fetched once for all
//! the requests that need it at the same time.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use arc_swap::ArcSwap;
use jsonwebtoken::{Algorithm, AlgorithmFamily, DecodingKey};
use serde_json::Value;

use crate::JwtError;
use crate::fetch::Fetcher;
use crate::token::accepted_algorithm;

/// How long a fetched key set is used before it is fetched again. AWS caches for up to two
/// hours; one hour makes a key the issuer withdrew stop working sooner, for one request an
/// hour.
pub const KEY_CACHE_TTL: Duration = Duration::from_secs(60 * 60);

/// A token whose `kid` is not in the cached set makes the set be fetched again (the issuer
/// may have rotated), but not sooner than this after the previous fetch: tokens with made-up
/// `kid`s must not turn the gateway into a load generator against the issuer.
pub const UNKNOWN_KEY_REFETCH_INTERVAL: Duration = Duration::from_secs(30);

/// After a failed fetch, the next is tried no sooner than this; meanwhile requests fail at
/// once (or use the previous set, see [`STALE_KEYS_MAX_AGE`]) instead of each waiting for a
/// fetch of its own.
pub const FAILED_FETCH_RETRY_INTERVAL: Duration = Duration::from_secs(5);

/// When a refresh fails, the previous set keeps serving until it is this old: an outage of
/// the issuer's key endpoint does not lock every caller out.
pub const STALE_KEYS_MAX_AGE: Duration = Duration::from_secs(24 * 60 * 60);

/// One public key of the set, with what it may verify.
#[derive(Debug)]
pub(crate) struct VerificationKey {
    pub(crate) decoding: DecodingKey,
    /// The JWK's `alg`, when it pins one.
    alg: Option<Algorithm>,
    curve: Option<Curve>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Curve {
    P256,
    P384,
}

impl VerificationKey {
    /// Whether this key can verify a token of `alg`: the right key type, the algorithm the
    /// JWK pins (if any), and for ECDSA the algorithm's curve.
    pub(crate) fn accepts(&self, alg: Algorithm) -> bool {
        let curve_ok = match alg {
            Algorithm::ES256 => self.curve == Some(Curve::P256),
            Algorithm::ES384 => self.curve == Some(Curve::P384),
            _ => true,
        };
        alg.family() == self.decoding.family() && self.alg.is_none_or(|a| a == alg) && curve_ok
    }
}

/// Why a fetched document is not a key set.
#[derive(Debug, thiserror::Error)]
pub(crate) enum KeySetError {
    #[error("not JSON: {0}")]
    NotJson(#[from] serde_json::Error),
    #[error("no \"keys\" array")]
    NoKeys,
}

/// The usable keys of a JWKS by `kid`.
#[derive(Debug, Default)]
pub(crate) struct KeySet {
    keys: HashMap<String, Arc<VerificationKey>>,
}

impl KeySet {
    /// Keys this verifier cannot use (encryption keys, other key types, no `kid`) are
    /// skipped rather than failing the set: issuers publish such keys beside the ones that
    /// sign.
    pub(crate) fn parse(document: &[u8]) -> Result<KeySet, KeySetError> {
        let document: Value = serde_json::from_slice(document)?;
        let keys = document
            .get("keys")
            .and_then(Value::as_array)
            .ok_or(KeySetError::NoKeys)?;
        let mut set = KeySet::default();
        for jwk in keys {
            match parse_key(jwk) {
                Some((kid, key)) => {
                    set.keys.entry(kid).or_insert_with(|| Arc::new(key));
                }
                None => {
                    let kid = jwk.get("kid").and_then(|k| k.as_str());
                    tracing::debug!(?kid, "skipping a JWK that cannot verify signatures here");
                }
            }
        }
        Ok(set)
    }

    pub(crate) fn len(&self) -> usize {
        self.keys.len()
    }
}

fn parse_key(jwk: &Value) -> Option<(String, VerificationKey)> {
    let text = |name: &str| jwk.get(name).and_then(Value::as_str);
    if text("use").is_some_and(|u| u != "sig") {
        return None;
    }
    let kid = text("kid")?.to_owned();
    let alg = match text("alg") {
        None => None,
        Some(name) => Some(accepted_algorithm(name)?),
    };
    let (decoding, curve) = match text("kty")? {
        "RSA" => (
            DecodingKey::from_rsa_components(text("n")?, text("e")?).ok()?,
            None,
        ),
        "EC" => {
            let curve = match text("crv")? {
                "P-256" => Curve::P256,
                "P-384" => Curve::P384,
                _ => return None,
            };
            let key = DecodingKey::from_ec_components(text("x")?, text("y")?).ok()?;
            (key, Some(curve))
        }
        _ => return None,
    };
    debug_assert!(matches!(
        decoding.family(),
        AlgorithmFamily::Rsa | AlgorithmFamily::Ec
    ));
    Some((
        kid,
        VerificationKey {
            decoding,
            alg,
            curve,
        },
    ))
}

/// One snapshot of the cache; replaced whole, never changed in place.
#[derive(Debug, Default)]
struct CacheState {
    keys: Option<Arc<KeySet>>,
    /// When `keys` were fetched.
    fetched_at: Option<SystemTime>,
    last_attempt: Option<SystemTime>,
    /// Why the last attempt failed; `None` when it succeeded.
    last_error: Option<String>,
}

enum Lookup {
    Fresh(Arc<VerificationKey>),
    /// Found, but the set is past its TTL.
    Stale(Arc<VerificationKey>),
    Missing,
}

/// Time from `earlier` to `now`; zero when the wall clock went back, so that requests
/// carrying slightly out-of-order `now`s never each trigger a fetch (a clock stepped back
/// only delays the next refresh by as much).
fn elapsed(earlier: SystemTime, now: SystemTime) -> Duration {
    now.duration_since(earlier).unwrap_or_default()
}

impl CacheState {
    fn usable_keys(&self, now: SystemTime) -> Option<&KeySet> {
        let fetched_at = self.fetched_at?;
        let keys = self.keys.as_deref()?;
        (elapsed(fetched_at, now) < STALE_KEYS_MAX_AGE).then_some(keys)
    }

    fn lookup(&self, kid: &str, now: SystemTime) -> Lookup {
        let Some(key) = self.usable_keys(now).and_then(|keys| keys.keys.get(kid)) else {
            return Lookup::Missing;
        };
        let fresh = self
            .fetched_at
            .is_some_and(|at| elapsed(at, now) < KEY_CACHE_TTL);
        if fresh {
            Lookup::Fresh(key.clone())
        } else {
            Lookup::Stale(key.clone())
        }
    }

    fn may_fetch(&self, now: SystemTime) -> bool {
        let Some(last) = self.last_attempt else {
            return true;
        };
        let interval = if self.last_error.is_some() {
            FAILED_FETCH_RETRY_INTERVAL
        } else {
            UNKNOWN_KEY_REFETCH_INTERVAL
        };
        elapsed(last, now) >= interval
    }

    fn missing(&self, kid: &str, now: SystemTime) -> JwtError {
        if self.usable_keys(now).is_some() {
            JwtError::UnknownKey(kid.to_owned())
        } else {
            JwtError::KeysUnavailable(
                self.last_error
                    .clone()
                    .unwrap_or_else(|| "the cached key set is too old".into()),
            )
        }
    }
}

/// The cached key set of one issuer.
pub(crate) struct KeyCache {
    fetcher: Fetcher,
    state: ArcSwap<CacheState>,
    /// Held while fetching: requests that need a fetch wait on it and then use its result
    /// instead of fetching again.
    fetching: tokio::sync::Mutex<()>,
}

impl KeyCache {
    pub(crate) fn new(fetcher: Fetcher) -> KeyCache {
        KeyCache {
            fetcher,
            state: ArcSwap::from_pointee(CacheState::default()),
            fetching: tokio::sync::Mutex::new(()),
        }
    }

    /// The key named `kid`, fetching the set first if it is absent, past its TTL, or
    /// lacks `kid` — each within the limits above.
    pub(crate) async fn key(
        &self,
        kid: &str,
        now: SystemTime,
    ) -> Result<Arc<VerificationKey>, JwtError> {
        let state = self.state.load_full();
        let guard = match state.lookup(kid, now) {
            Lookup::Fresh(key) => return Ok(key),
            Lookup::Stale(key) => match self.fetching.try_lock() {
                Ok(guard) => guard,
                // Someone is refreshing already; the old key serves meanwhile.
                Err(_) => return Ok(key),
            },
            Lookup::Missing if !state.may_fetch(now) => return Err(state.missing(kid, now)),
            Lookup::Missing => self.fetching.lock().await,
        };
        // The fetch this request waited for may have brought the key, or failed: either
        // way it counts as this request's fetch.
        let state = self.state.load_full();
        let state = match state.lookup(kid, now) {
            Lookup::Fresh(key) => return Ok(key),
            Lookup::Stale(_) | Lookup::Missing if state.may_fetch(now) => self.fetch(now).await,
            Lookup::Stale(_) | Lookup::Missing => state,
        };
        drop(guard);
        match state.lookup(kid, now) {
            Lookup::Fresh(key) | Lookup::Stale(key) => Ok(key),
            Lookup::Missing => Err(state.missing(kid, now)),
        }
    }

    /// Fetches the set and records the outcome; the caller holds `fetching`.
    async fn fetch(&self, now: SystemTime) -> Arc<CacheState> {
        let previous = self.state.load_full();
        let next = match self.fetcher.key_set().await {
            Ok(keys) => {
                tracing::debug!(keys = keys.len(), source = %self.fetcher, "fetched the issuer's keys");
                CacheState {
                    keys: Some(Arc::new(keys)),
                    fetched_at: Some(now),
                    last_attempt: Some(now),
                    last_error: None,
                }
            }
            Err(error) => {
                let error = error.to_string();
                tracing::warn!(source = %self.fetcher, %error, "fetching the issuer's keys failed");
                CacheState {
                    keys: previous.keys.clone(),
                    fetched_at: previous.fetched_at,
                    last_attempt: Some(now),
                    last_error: Some(error),
                }
            }
        };
        let next = Arc::new(next);
        self.state.store(next.clone());
        next
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unusable_keys_are_skipped_not_fatal() {
        let set = KeySet::parse(
            br#"{"keys":[
                {"kty":"RSA","kid":"rsa","n":"AQAB","e":"AQAB"},
                {"kty":"EC","kid":"ec","crv":"P-256","x":"AQ","y":"AQ","alg":"ES256"},
                {"kty":"RSA","kid":"enc","use":"enc","n":"AQAB","e":"AQAB"},
                {"kty":"RSA","n":"AQAB","e":"AQAB"},
                {"kty":"oct","kid":"secret","k":"c2VjcmV0"},
                {"kty":"OKP","kid":"ed","crv":"Ed25519","x":"AQ"},
                {"kty":"EC","kid":"k1","crv":"secp256k1","x":"AQ","y":"AQ"},
                {"kty":"RSA","kid":"oaep","alg":"RSA-OAEP","n":"AQAB","e":"AQAB"},
                "not a key"
            ]}"#,
        )
        .unwrap();
        let mut kids: Vec<_> = set.keys.keys().map(String::as_str).collect();
        kids.sort();
        assert_eq!(kids, ["ec", "rsa"]);
        assert!(set.keys["ec"].accepts(Algorithm::ES256));
        assert!(!set.keys["ec"].accepts(Algorithm::ES384));
        assert!(!set.keys["ec"].accepts(Algorithm::RS256));
        assert!(set.keys["rsa"].accepts(Algorithm::PS512));
        assert!(!set.keys["rsa"].accepts(Algorithm::ES256));
    }

    #[test]
    fn a_document_without_keys_is_an_error() {
        assert!(matches!(KeySet::parse(b"{}"), Err(KeySetError::NoKeys)));
        assert!(matches!(
            KeySet::parse(b"<html>"),
            Err(KeySetError::NotJson(_))
        ));
    }
}
