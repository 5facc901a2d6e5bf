//! The verifier against a real issuer over HTTP: keys generated here, served by
//! `support::JwksServer`, tokens signed by `jsonwebtoken`.

mod support;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use support::{JwksServer, SigningKey};
use tollgate_jwt::{
    CLOCK_LEEWAY, FAILED_FETCH_RETRY_INTERVAL, JwtAuthorizerConfig, JwtError, JwtVerifier,
    KEY_CACHE_TTL, STALE_KEYS_MAX_AGE, UNKNOWN_KEY_REFETCH_INTERVAL,
};

const T: u64 = 1_800_000_000;

fn at(seconds: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(seconds)
}

fn verifier(server: &JwksServer, audiences: &[&str]) -> JwtVerifier {
    JwtVerifier::new(JwtAuthorizerConfig {
        issuer: server.issuer(),
        audiences: audiences.iter().map(|a| a.to_string()).collect(),
        jwks_uri: None,
    })
}

/// Valid from T to T + 1 h, from `server`, plus `extra`.
fn claims(server: &JwksServer, extra: Value) -> Value {
    let mut claims = json!({"iss": server.issuer(), "sub": "user-1", "iat": T, "exp": T + 3600});
    claims
        .as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    claims
}

#[tokio::test]
async fn valid_rs256_and_es256_tokens_are_accepted() {
    let (rsa, ec) = (SigningKey::rs256("rsa-1"), SigningKey::es256("ec-1"));
    let server = JwksServer::start(&[&rsa, &ec]).await;
    let verifier = verifier(&server, &["api"]);
    for key in [&rsa, &ec] {
        let token = key.mint(claims(
            &server,
            json!({"aud": "api", "scope": "read write"}),
        ));
        let verified = verifier
            .verify(&format!("Bearer {token}"), at(T + 10))
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", key.kid));
        assert_eq!(verified.claims["sub"], "user-1");
        assert_eq!(verified.scopes, ["read", "write"]);
        // The raw token, and "bearer" in another case, work too.
        assert!(verifier.verify(&token, at(T + 10)).await.is_ok());
        assert!(
            verifier
                .verify(&format!("BEARER {token}"), at(T + 10))
                .await
                .is_ok()
        );
    }
    assert_eq!(server.jwks_fetches(), 1);
}

#[tokio::test]
async fn validity_window_has_the_leeway_at_both_ends() {
    let key = SigningKey::es256("k");
    let server = JwksServer::start(&[&key]).await;
    let verifier = verifier(&server, &[]);
    let leeway = CLOCK_LEEWAY.as_secs();
    let token = key.mint(claims(&server, json!({"nbf": T})));
    let verify = |now| verifier.verify(&token, now);
    assert!(verify(at(T + 3600 + leeway - 1)).await.is_ok());
    assert_eq!(verify(at(T + 3600 + leeway)).await, Err(JwtError::Expired));
    assert_eq!(verify(at(T + 86_400)).await, Err(JwtError::Expired));
    assert!(verify(at(T - leeway)).await.is_ok());
    assert_eq!(verify(at(T - leeway - 1)).await, Err(JwtError::NotYetValid));

    let no_exp = key.mint(json!({"iss": server.issuer(), "iat": T}));
    assert_eq!(
        verifier.verify(&no_exp, at(T)).await,
        Err(JwtError::MissingClaim("exp"))
    );
}

#[tokio::test]
async fn issuer_and_audience_must_match() {
    let key = SigningKey::es256("k");
    let server = JwksServer::start(&[&key]).await;
    let verifier = verifier(&server, &["api", "other-api"]);
    let now = at(T + 1);
    let verify = |extra: Value| verifier.verify_owned(key.mint(claims(&server, extra)), now);

    assert_eq!(
        verify(json!({"iss": "https://elsewhere.example", "aud": "api"})).await,
        Err(JwtError::WrongIssuer)
    );
    assert!(verify(json!({"aud": ["x", "other-api"]})).await.is_ok());
    assert_eq!(
        verify(json!({"aud": "x"})).await,
        Err(JwtError::WrongAudience)
    );
    assert_eq!(verify(json!({})).await, Err(JwtError::WrongAudience));
    // Access tokens (Cognito) carry client_id instead of aud.
    assert!(verify(json!({"client_id": "api"})).await.is_ok());
    assert_eq!(
        verify(json!({"client_id": "x"})).await,
        Err(JwtError::WrongAudience)
    );
    assert_eq!(
        verify(json!({"aud": "x", "client_id": "api"})).await,
        Err(JwtError::WrongAudience)
    );
}

/// `verify` with an owned token, so a closure can build it and hand back the future.
trait VerifyOwned {
    fn verify_owned(
        &self,
        token: String,
        now: SystemTime,
    ) -> impl Future<Output = Result<tollgate_jwt::VerifiedToken, JwtError>>;
}

impl VerifyOwned for JwtVerifier {
    async fn verify_owned(
        &self,
        token: String,
        now: SystemTime,
    ) -> Result<tollgate_jwt::VerifiedToken, JwtError> {
        self.verify(&token, now).await
    }
}

#[tokio::test]
async fn scopes_come_from_scope_or_scp() {
    let key = SigningKey::es256("k");
    let server = JwksServer::start(&[&key]).await;
    let verifier = verifier(&server, &[]);
    for (extra, scopes) in [
        (
            json!({"scope": "pets/read pets/write"}),
            vec!["pets/read", "pets/write"],
        ),
        (
            json!({"scp": ["pets/read", "admin"]}),
            vec!["pets/read", "admin"],
        ),
        (json!({"scp": "a b"}), vec!["a", "b"]),
        (json!({}), vec![]),
    ] {
        let verified = verifier
            .verify(&key.mint(claims(&server, extra.clone())), at(T))
            .await
            .unwrap();
        assert_eq!(verified.scopes, scopes, "{extra}");
        assert_eq!(
            verified.has_any_scope(&["pets/read".into()]),
            scopes.contains(&"pets/read"),
            "{extra}"
        );
    }
}

#[tokio::test]
async fn unknown_kid_refetches_once_and_finds_the_rotated_key() {
    let (old, new) = (SigningKey::rs256("old"), SigningKey::es256("new"));
    let server = JwksServer::start(&[&old]).await;
    let verifier = verifier(&server, &[]);
    assert!(
        verifier
            .verify(&old.mint(claims(&server, json!({}))), at(T))
            .await
            .is_ok()
    );
    assert_eq!(server.jwks_fetches(), 1);

    server.set_keys(&[&old, &new]);
    let token = new.mint(claims(&server, json!({})));
    // Right after a fetch, an unknown kid does not refetch (the rate limit)...
    let soon = at(T + UNKNOWN_KEY_REFETCH_INTERVAL.as_secs() - 1);
    assert_eq!(
        verifier.verify(&token, soon).await,
        Err(JwtError::UnknownKey("new".into()))
    );
    assert_eq!(server.jwks_fetches(), 1);
    // ...after the interval it does, exactly once, and the new key is then cached.
    let later = at(T + UNKNOWN_KEY_REFETCH_INTERVAL.as_secs());
    assert!(verifier.verify(&token, later).await.is_ok());
    assert!(verifier.verify(&token, later).await.is_ok());
    assert_eq!(server.jwks_fetches(), 2);
}

#[tokio::test]
async fn unknown_kid_fails_after_one_refetch_and_refetches_are_rate_limited() {
    let key = SigningKey::es256("k");
    let server = JwksServer::start(&[&key]).await;
    let verifier = verifier(&server, &[]);
    assert!(
        verifier
            .verify(&key.mint(claims(&server, json!({}))), at(T))
            .await
            .is_ok()
    );

    let ghost = key.mint_as("ghost", claims(&server, json!({})));
    let interval = UNKNOWN_KEY_REFETCH_INTERVAL.as_secs();
    let t1 = T + interval;
    assert_eq!(
        verifier.verify(&ghost, at(t1)).await,
        Err(JwtError::UnknownKey("ghost".into()))
    );
    assert_eq!(server.jwks_fetches(), 2);
    for now in [t1, t1 + 1, t1 + interval - 1] {
        assert_eq!(
            verifier.verify(&ghost, at(now)).await,
            Err(JwtError::UnknownKey("ghost".into()))
        );
    }
    assert_eq!(server.jwks_fetches(), 2);
    assert!(verifier.verify(&ghost, at(t1 + interval)).await.is_err());
    assert_eq!(server.jwks_fetches(), 3);
    // The known key was never disturbed.
    assert!(
        verifier
            .verify(&key.mint(claims(&server, json!({}))), at(t1))
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn a_bad_signature_is_refused() {
    let (published, impostor) = (SigningKey::rs256("k"), SigningKey::rs256("impostor"));
    let server = JwksServer::start(&[&published]).await;
    let verifier = verifier(&server, &[]);
    // Signed by another key under the published kid.
    let forged = impostor.mint_as("k", claims(&server, json!({})));
    assert_eq!(
        verifier.verify(&forged, at(T)).await,
        Err(JwtError::BadSignature)
    );

    // A genuine token whose claims were changed afterwards.
    let genuine = published.mint(claims(&server, json!({"sub": "user-1"})));
    let parts: Vec<&str> = genuine.split('.').collect();
    let mut changed: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    changed["sub"] = json!("admin");
    let tampered = format!(
        "{}.{}.{}",
        parts[0],
        URL_SAFE_NO_PAD.encode(changed.to_string()),
        parts[2]
    );
    assert!(verifier.verify(&genuine, at(T)).await.is_ok());
    assert_eq!(
        verifier.verify(&tampered, at(T)).await,
        Err(JwtError::BadSignature)
    );
}

#[tokio::test]
async fn a_token_whose_alg_does_not_fit_its_key_is_refused() {
    let (rsa, ec) = (SigningKey::rs256("rsa"), SigningKey::es256("ec"));
    let server = JwksServer::start(&[&rsa]).await;
    let verifier = verifier(&server, &[]);
    // An ES256 signature naming the RSA key's kid.
    let token = ec.mint_as("rsa", claims(&server, json!({})));
    assert_eq!(
        verifier.verify(&token, at(T)).await,
        Err(JwtError::BadSignature)
    );
}

#[tokio::test]
async fn alg_none_and_hmac_are_refused_before_any_fetch() {
    let key = SigningKey::rs256("k");
    let server = JwksServer::start(&[&key]).await;
    let verifier = verifier(&server, &[]);
    let body = URL_SAFE_NO_PAD.encode(claims(&server, json!({})).to_string());

    let none = format!(
        "{}.{body}.",
        URL_SAFE_NO_PAD.encode(r#"{"alg":"none","kid":"k"}"#)
    );
    assert_eq!(
        verifier.verify(&none, at(T)).await,
        Err(JwtError::UnsupportedAlgorithm("none".into()))
    );

    // HS256 keyed with the issuer's public key: the classic key-confusion forgery.
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
    header.kid = Some("k".into());
    let secret = key.jwk["n"].as_str().unwrap().as_bytes();
    let hs256 = jsonwebtoken::encode(
        &header,
        &claims(&server, json!({})),
        &jsonwebtoken::EncodingKey::from_secret(secret),
    )
    .unwrap();
    assert_eq!(
        verifier.verify(&hs256, at(T)).await,
        Err(JwtError::UnsupportedAlgorithm("HS256".into()))
    );

    let no_kid = format!(
        "{}.{body}.c2ln",
        URL_SAFE_NO_PAD.encode(r#"{"alg":"RS256"}"#)
    );
    assert_eq!(
        verifier.verify(&no_kid, at(T)).await,
        Err(JwtError::MissingKeyId)
    );
    assert!(matches!(
        verifier.verify("Bearer not-a-jwt", at(T)).await,
        Err(JwtError::Malformed(_))
    ));
    assert_eq!(server.jwks_fetches() + server.discovery_fetches(), 0);
}

#[tokio::test]
async fn keys_come_from_discovery_or_the_explicit_jwks_uri() {
    let key = SigningKey::es256("k");
    let server = JwksServer::start(&[&key]).await;
    let token = key.mint(claims(&server, json!({})));

    let discovering = verifier(&server, &[]);
    assert!(discovering.verify(&token, at(T)).await.is_ok());
    assert_eq!((server.discovery_fetches(), server.jwks_fetches()), (1, 1));

    // An issuer written with a trailing slash still finds its discovery document.
    let slashed = JwtVerifier::new(JwtAuthorizerConfig {
        issuer: format!("{}/", server.issuer()),
        audiences: vec![],
        jwks_uri: None,
    });
    let slashed_token = key.mint(claims(
        &server,
        json!({"iss": format!("{}/", server.issuer())}),
    ));
    assert!(slashed.verify(&slashed_token, at(T)).await.is_ok());
    assert_eq!((server.discovery_fetches(), server.jwks_fetches()), (2, 2));

    let explicit = JwtVerifier::new(JwtAuthorizerConfig {
        issuer: server.issuer(),
        audiences: vec![],
        jwks_uri: Some(server.jwks_uri()),
    });
    assert!(explicit.verify(&token, at(T)).await.is_ok());
    assert_eq!((server.discovery_fetches(), server.jwks_fetches()), (2, 3));
}

#[tokio::test]
async fn unreachable_keys_are_a_configuration_error_and_are_retried_later() {
    let key = SigningKey::es256("k");
    let server = JwksServer::start(&[&key]).await;
    let verifier = verifier(&server, &[]);
    let token = key.mint(claims(&server, json!({})));

    server.set_down(true);
    let error = verifier.verify(&token, at(T)).await.unwrap_err();
    assert!(error.is_configuration_error(), "{error}");
    assert!(error.to_string().contains("503"), "{error}");
    assert_eq!(server.discovery_fetches(), 1);

    // Back up: not retried before the retry interval, then retried.
    server.set_down(false);
    let retry = FAILED_FETCH_RETRY_INTERVAL.as_secs();
    let error = verifier
        .verify(&token, at(T + retry - 1))
        .await
        .unwrap_err();
    assert!(error.is_configuration_error(), "{error}");
    assert_eq!(server.discovery_fetches(), 1);
    assert!(verifier.verify(&token, at(T + retry)).await.is_ok());
    assert_eq!(server.discovery_fetches(), 2);

    // Nothing listening at all, and a URL that is no URL.
    for jwks_uri in ["http://127.0.0.1:1/jwks.json", "not a url"] {
        let nowhere = JwtVerifier::new(JwtAuthorizerConfig {
            issuer: server.issuer(),
            audiences: vec![],
            jwks_uri: Some(jwks_uri.into()),
        });
        let error = nowhere.verify(&token, at(T)).await.unwrap_err();
        assert!(error.is_configuration_error(), "{error}");
    }
    assert!(!JwtError::BadSignature.is_configuration_error());
    assert!(!JwtError::UnknownKey("k".into()).is_configuration_error());
}

#[tokio::test]
async fn keys_are_refreshed_after_the_ttl_and_outlive_a_failed_refresh() {
    let key = SigningKey::es256("k");
    let server = JwksServer::start(&[&key]).await;
    let verifier = verifier(&server, &[]);
    let token = key.mint(json!({"iss": server.issuer(), "exp": T + 10 * 86_400}));
    let ttl = KEY_CACHE_TTL.as_secs();

    assert!(verifier.verify(&token, at(T)).await.is_ok());
    assert!(verifier.verify(&token, at(T + ttl - 1)).await.is_ok());
    assert_eq!(server.jwks_fetches(), 1);
    assert!(verifier.verify(&token, at(T + ttl)).await.is_ok());
    assert_eq!(server.jwks_fetches(), 2);

    // The issuer goes down at the next refresh: the cached set keeps serving.
    server.set_down(true);
    assert!(verifier.verify(&token, at(T + 2 * ttl)).await.is_ok());
    assert_eq!(server.discovery_fetches(), 3);
    // ...until it is too old.
    let too_old = T + ttl + STALE_KEYS_MAX_AGE.as_secs();
    let error = verifier.verify(&token, at(too_old)).await.unwrap_err();
    assert!(error.is_configuration_error(), "{error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_verifies_on_a_cold_cache_share_one_fetch() {
    let key = SigningKey::es256("k");
    let server = JwksServer::start(&[&key]).await;
    server.set_delay(Duration::from_millis(300));
    let verifier = verifier(&server, &[]);
    let token = key.mint(claims(&server, json!({})));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let (verifier, token) = (verifier.clone(), token.clone());
        tasks.spawn(async move { verifier.verify(&token, at(T)).await });
    }
    while let Some(result) = tasks.join_next().await {
        assert!(result.unwrap().is_ok());
    }
    assert_eq!((server.discovery_fetches(), server.jwks_fetches()), (1, 1));
}

#[tokio::test]
async fn a_hung_key_endpoint_fails_within_the_fetch_timeout() {
    let key = SigningKey::es256("k");
    let server = JwksServer::start(&[&key]).await;
    server.set_delay(tollgate_jwt::FETCH_TIMEOUT + Duration::from_secs(5));
    let verifier = verifier(&server, &[]);
    let started = std::time::Instant::now();
    let error = verifier
        .verify(&key.mint(claims(&server, json!({}))), at(T))
        .await
        .unwrap_err();
    assert!(error.is_configuration_error(), "{error}");
    assert!(started.elapsed() < tollgate_jwt::FETCH_TIMEOUT + Duration::from_secs(2));
}
