//! JWT authorizers through the real binary, against a real OpenID Connect issuer on loopback
//! (`tollgate_tests::jwks`), as API Gateway's JWT authorizers behave ("Control access to HTTP
//! APIs with JWT authorizers"; for REST APIs the Cognito user-pool authorizer does the same
//! checks): the token from the identity source, its signature against the issuer's JWKS
//! (RS256 and ES256), `iss`, `aud` (or `client_id`), `exp`, `nbf`; 401 for any failure; the
//! route's scopes (403 Forbidden when the token has none of them); the claims as
//! `$context.authorizer.claims.*` and in the Lambda event; keys found by OIDC discovery or at
//! an explicit `x-tollgate-jwks-uri`, cached, fetched again for a new `kid`; an issuer that
//! cannot be reached is the gateway's failure (500), not the caller's.

use serde_json::json;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tollgate_tests::jwks::{JwksServer, SigningKey};
use tollgate_tests::{Answer, Gateway, TempData, components, deploy, send};

/// Asserts status and body (text, exactly), printing both on failure.
fn assert_answer(answer: &Answer, status: u16, body: &str) {
    assert_eq!(
        (answer.status, answer.text().as_str()),
        (status, body),
        "unexpected answer (headers: {:?})",
        answer.headers
    );
}

const UNAUTHORIZED: &str = r#"{"message":"Unauthorized"}"#;
const FORBIDDEN: &str = r#"{"message":"Forbidden"}"#;
const AUTHORIZER_FAILED: &str = r#"{"message":null}"#;

/// The audience the authorizers accept.
const AUDIENCE: &str = "my-api";

/// The API (id `jwt-api`) for an issuer at `ISSUER`: `jwt` names its JWKS explicitly
/// (`x-tollgate-jwks-uri`), `discovered` finds it through
/// `{issuer}/.well-known/openid-configuration`. `/me` needs a valid token, `/read` the scope
/// `read`, `/admin` the scope `admin` or `root`.
const API: &str = r#"
openapi: 3.0.1
info: { title: jwt-api, version: "1" }
paths:
  /me:
    get:
      security: [ { jwt: [] } ]
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: { application/json: '{"statusCode": 200}' }
        responses:
          default:
            statusCode: "200"
            responseTemplates:
              application/json: '{"sub": "$context.authorizer.claims.sub", "team": "$context.authorizer.claims.team"}'
  /read:
    get:
      security: [ { jwt: [read] } ]
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: { application/json: '{"statusCode": 200}' }
        responses:
          default:
            statusCode: "200"
            responseTemplates: { application/json: '{"read": "$context.authorizer.claims.sub"}' }
  /admin:
    get:
      security: [ { jwt: [admin, root] } ]
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: { application/json: '{"statusCode": 200}' }
        responses:
          default:
            statusCode: "200"
            responseTemplates: { application/json: '{"admin": "$context.authorizer.claims.sub"}' }
  /event:
    get:
      security: [ { jwt: [] } ]
      x-amazon-apigateway-integration: { type: aws_proxy, httpMethod: POST, uri: "function:echo" }
  /discovered:
    get:
      security: [ { discovered: [] } ]
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: { application/json: '{"statusCode": 200}' }
        responses:
          default:
            statusCode: "200"
            responseTemplates: { application/json: '{"discovered": "$context.authorizer.claims.sub"}' }
components:
  securitySchemes:
    jwt:
      type: oauth2
      flows: {}
      x-amazon-apigateway-authorizer:
        type: jwt
        jwtConfiguration:
          issuer: "ISSUER"
          audience: [my-api]
        identitySource: $request.header.Authorization
        x-tollgate-jwks-uri: "ISSUER/jwks.json"
    discovered:
      type: oauth2
      flows: {}
      x-amazon-apigateway-authorizer:
        type: jwt
        jwtConfiguration:
          issuer: "ISSUER"
          audience: [my-api]
        identitySource: $request.header.Authorization
"#;

/// A gateway serving [`API`] for `issuer` on stage `dev`, `tc-event-echo` as `function:echo`.
fn serve(data: &TempData, issuer: &JwksServer) -> Gateway {
    deploy(
        data,
        &API.replace("ISSUER", &issuer.issuer()),
        "dev",
        &[("echo", components::EVENT_ECHO)],
        &[],
    );
    Gateway::start(&["serve", "--data-dir", data.path().to_str().unwrap()])
}

async fn get(gateway: &Gateway, path: &str, token: &str) -> Answer {
    send(
        "GET",
        &gateway.url(path),
        &[("authorization", &format!("Bearer {token}"))],
        "",
    )
    .await
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs()
}

// A valid token signed with either published key (RS256, ES256) is accepted, and its claims
// are `$context.authorizer.claims.*` ("Control access to HTTP APIs with JWT authorizers":
// "API Gateway ... passes the claims to the integration"; REST `$context.authorizer.claims`).
// The key set is fetched once, at the explicit JWKS URI, and cached.
#[tokio::test]
async fn valid_rs256_and_es256_tokens_are_accepted_with_their_claims() {
    let rsa = SigningKey::rs256("rsa-1");
    let ec = SigningKey::es256("ec-1");
    let issuer = JwksServer::start(&[&rsa, &ec]);
    let data = TempData::new();
    let gateway = serve(&data, &issuer);

    let token = issuer
        .minter(&rsa)
        .mint(json!({"sub": "user-rsa", "aud": AUDIENCE, "team": "blue"}));
    assert_answer(
        &get(&gateway, "/dev/me", &token).await,
        200,
        r#"{"sub": "user-rsa", "team": "blue"}"#,
    );
    let token = issuer
        .minter(&ec)
        .mint(json!({"sub": "user-ec", "aud": [AUDIENCE, "other"], "team": "red"}));
    assert_answer(
        &get(&gateway, "/dev/me", &token).await,
        200,
        r#"{"sub": "user-ec", "team": "red"}"#,
    );
    // Without "Bearer ": the header's value is the token.
    let answer = send(
        "GET",
        &gateway.url("/dev/me"),
        &[("authorization", token.as_str())],
        "",
    )
    .await;
    assert_answer(&answer, 200, r#"{"sub": "user-ec", "team": "red"}"#);

    assert_eq!(issuer.jwks_fetches(), 1, "the key set is cached");
    assert_eq!(
        issuer.discovery_fetches(),
        0,
        "an explicit JWKS URI needs no discovery"
    );
}

// The claims reach a Lambda-proxy function as `requestContext.authorizer.claims` (with the
// token's scopes beside them).
#[tokio::test]
async fn the_lambda_event_carries_the_claims() {
    let key = SigningKey::rs256("key-1");
    let issuer = JwksServer::start(&[&key]);
    let data = TempData::new();
    let gateway = serve(&data, &issuer);

    let token = issuer
        .minter(&key)
        .mint(json!({"sub": "user-1", "aud": AUDIENCE, "scope": "read write"}));
    let answer = get(&gateway, "/dev/event", &token).await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    let event = answer.json();
    let authorizer = &event["requestContext"]["authorizer"];
    assert_eq!(authorizer["claims"]["sub"], "user-1", "{event}");
    assert_eq!(authorizer["claims"]["aud"], AUDIENCE, "{event}");
    assert_eq!(authorizer["claims"]["iss"], issuer.issuer(), "{event}");
    assert_eq!(authorizer["scopes"], json!(["read", "write"]), "{event}");
}

// "Control access to HTTP APIs with JWT authorizers": without a token in the identity source
// the request is refused with 401 before any key is fetched.
#[tokio::test]
async fn a_missing_token_is_401() {
    let key = SigningKey::rs256("key-1");
    let issuer = JwksServer::start(&[&key]);
    let data = TempData::new();
    let gateway = serve(&data, &issuer);

    let answer = send("GET", &gateway.url("/dev/me"), &[], "").await;
    assert_answer(&answer, 401, UNAUTHORIZED);
    assert_eq!(
        answer.header("x-amzn-errortype"),
        Some("UnauthorizedException")
    );
    let answer = send("GET", &gateway.url("/dev/me"), &[("authorization", "")], "").await;
    assert_answer(&answer, 401, UNAUTHORIZED);
    // The token elsewhere than the identity source is no token.
    let token = issuer
        .minter(&key)
        .mint(json!({"sub": "u", "aud": AUDIENCE}));
    let answer = send(
        "GET",
        &gateway.url(&format!("/dev/me?access_token={token}")),
        &[],
        "",
    )
    .await;
    assert_answer(&answer, 401, UNAUTHORIZED);
    assert_eq!(issuer.jwks_fetches(), 0);
}

// Same source, "validates the token": every failed check is 401 `{"message":"Unauthorized"}`
// — expired, not yet valid, another audience, another issuer, a signature that does not
// verify with the key the token names, a `kid` the issuer does not have, not a JWT at all.
#[tokio::test]
async fn invalid_tokens_are_401() {
    let key = SigningKey::rs256("key-1");
    let stranger = SigningKey::rs256("key-1");
    let issuer = JwksServer::start(&[&key]);
    let data = TempData::new();
    let gateway = serve(&data, &issuer);
    let minter = issuer.minter(&key);
    let now = now();

    // The reference: the same minter makes a token that passes.
    let valid = minter.mint(json!({"sub": "u", "aud": AUDIENCE}));
    assert_answer(
        &get(&gateway, "/dev/me", &valid).await,
        200,
        r#"{"sub": "u", "team": ""}"#,
    );

    let refused = [
        (
            "expired",
            minter.mint(json!({"sub": "u", "aud": AUDIENCE, "iat": now - 7200, "exp": now - 3600})),
        ),
        (
            "not yet valid",
            minter.mint(json!({"sub": "u", "aud": AUDIENCE, "nbf": now + 3600})),
        ),
        (
            "wrong audience",
            minter.mint(json!({"sub": "u", "aud": "someone-else"})),
        ),
        ("no audience", minter.mint(json!({"sub": "u"}))),
        (
            "wrong issuer",
            minter.mint(json!({"sub": "u", "aud": AUDIENCE, "iss": "http://evil.example"})),
        ),
        (
            "signed by another key with the same kid",
            issuer
                .minter(&stranger)
                .mint(json!({"sub": "u", "aud": AUDIENCE})),
        ),
        (
            "unknown kid",
            key.mint_with_kid(
                "key-9",
                json!({"sub": "u", "aud": AUDIENCE, "iss": issuer.issuer(), "exp": now + 3600}),
            ),
        ),
        ("tampered claims", tamper(&valid)),
        ("not a JWT", "not-a-jwt".to_string()),
    ];
    for (what, token) in refused {
        let answer = get(&gateway, "/dev/me", &token).await;
        assert_eq!(
            (answer.status, answer.text().as_str()),
            (401, UNAUTHORIZED),
            "{what}"
        );
    }
    // A token without `aud` is accepted when its `client_id` is an audience (AWS: "If the aud
    // claim isn't present, the client_id claim must match").
    let token = minter.mint(json!({"sub": "client-user", "client_id": AUDIENCE}));
    assert_answer(
        &get(&gateway, "/dev/me", &token).await,
        200,
        r#"{"sub": "client-user", "team": ""}"#,
    );
}

/// `token` with its claims replaced by different ones (`sub` changed), the signature kept.
fn tamper(token: &str) -> String {
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let parts: Vec<&str> = token.split('.').collect();
    let claims = URL_SAFE_NO_PAD.decode(parts[1]).expect("base64url claims");
    let mut claims: serde_json::Value = serde_json::from_slice(&claims).expect("JSON claims");
    claims["sub"] = json!("admin");
    let claims = URL_SAFE_NO_PAD.encode(claims.to_string());
    format!("{}.{claims}.{}", parts[0], parts[2])
}

// "Control access to HTTP APIs with JWT authorizers": a route's authorization scopes — the
// token must have at least one of them (`scope`, space-separated); a valid token without any
// is 403 `{"message":"Forbidden"}`.
#[tokio::test]
async fn a_token_without_the_routes_scope_is_403() {
    let key = SigningKey::es256("key-1");
    let issuer = JwksServer::start(&[&key]);
    let data = TempData::new();
    let gateway = serve(&data, &issuer);
    let minter = issuer.minter(&key);

    let reader = minter.mint(json!({"sub": "reader", "aud": AUDIENCE, "scope": "write read"}));
    assert_answer(
        &get(&gateway, "/dev/read", &reader).await,
        200,
        r#"{"read": "reader"}"#,
    );
    let answer = get(&gateway, "/dev/admin", &reader).await;
    assert_answer(&answer, 403, FORBIDDEN);
    assert_eq!(
        answer.header("x-amzn-errortype"),
        Some("ForbiddenException")
    );

    let writer = minter.mint(json!({"sub": "writer", "aud": AUDIENCE, "scope": "write"}));
    assert_answer(&get(&gateway, "/dev/read", &writer).await, 403, FORBIDDEN);
    let unscoped = minter.mint(json!({"sub": "nobody", "aud": AUDIENCE}));
    assert_answer(&get(&gateway, "/dev/read", &unscoped).await, 403, FORBIDDEN);
    // A route without scopes takes any valid token.
    assert_answer(
        &get(&gateway, "/dev/me", &unscoped).await,
        200,
        r#"{"sub": "nobody", "team": ""}"#,
    );

    // Any one of the route's scopes suffices.
    let root = minter.mint(json!({"sub": "root", "aud": AUDIENCE, "scope": "root"}));
    assert_answer(
        &get(&gateway, "/dev/admin", &root).await,
        200,
        r#"{"admin": "root"}"#,
    );
    // `scp` (a list) is read when there is no `scope`.
    let listed = minter.mint(json!({"sub": "listed", "aud": AUDIENCE, "scp": ["admin"]}));
    assert_answer(
        &get(&gateway, "/dev/admin", &listed).await,
        200,
        r#"{"admin": "listed"}"#,
    );
    // A scope is a whole word: "readers" is not "read".
    let near = minter.mint(json!({"sub": "near", "aud": AUDIENCE, "scope": "readers"}));
    assert_answer(&get(&gateway, "/dev/read", &near).await, 403, FORBIDDEN);
    // An invalid token is 401 even where a scope is required.
    assert_answer(
        &get(&gateway, "/dev/read", "not-a-jwt").await,
        401,
        UNAUTHORIZED,
    );
}

// Without `x-tollgate-jwks-uri` the keys are found by OpenID Connect discovery: the issuer's
// `/.well-known/openid-configuration` names the `jwks_uri` (AWS: "API Gateway uses the
// issuer's discovery document"). Discovery and key set are cached.
#[tokio::test]
async fn keys_are_found_through_the_issuers_discovery_document() {
    let key = SigningKey::rs256("key-1");
    let issuer = JwksServer::start(&[&key]);
    let data = TempData::new();
    let gateway = serve(&data, &issuer);

    let token = issuer
        .minter(&key)
        .mint(json!({"sub": "found", "aud": AUDIENCE}));
    for _ in 0..2 {
        assert_answer(
            &get(&gateway, "/dev/discovered", &token).await,
            200,
            r#"{"discovered": "found"}"#,
        );
    }
    assert_eq!(issuer.discovery_fetches(), 1);
    assert_eq!(issuer.jwks_fetches(), 1);
}

// The issuer rotates its keys: a token naming a `kid` not in the cached set makes the gateway
// fetch the set again — but not sooner than `UNKNOWN_KEY_REFETCH_INTERVAL` after the previous
// fetch, so tokens with made-up `kid`s cannot make it hammer the issuer. (This test waits
// that interval, 30 s.)
#[tokio::test]
async fn a_new_key_is_fetched_when_a_token_names_it() {
    let old = SigningKey::rs256("old");
    let new = SigningKey::es256("new");
    let issuer = JwksServer::start(&[&old]);
    let data = TempData::new();
    let gateway = serve(&data, &issuer);

    let old_token = issuer
        .minter(&old)
        .mint(json!({"sub": "old", "aud": AUDIENCE}));
    assert_answer(
        &get(&gateway, "/dev/me", &old_token).await,
        200,
        r#"{"sub": "old", "team": ""}"#,
    );
    assert_eq!(issuer.jwks_fetches(), 1);

    issuer.publish(&new);
    let new_token = issuer
        .minter(&new)
        .mint(json!({"sub": "new", "aud": AUDIENCE}));
    // Right after a fetch, an unknown kid is refused without another fetch.
    assert_answer(
        &get(&gateway, "/dev/me", &new_token).await,
        401,
        UNAUTHORIZED,
    );
    assert_eq!(issuer.jwks_fetches(), 1);

    tokio::time::sleep(tollgate_jwt::UNKNOWN_KEY_REFETCH_INTERVAL + Duration::from_secs(1)).await;
    assert_answer(
        &get(&gateway, "/dev/me", &new_token).await,
        200,
        r#"{"sub": "new", "team": ""}"#,
    );
    assert_eq!(issuer.jwks_fetches(), 2, "one extra fetch for the new kid");
    // Both keys are now cached.
    assert_answer(
        &get(&gateway, "/dev/me", &old_token).await,
        200,
        r#"{"sub": "old", "team": ""}"#,
    );
    assert_answer(
        &get(&gateway, "/dev/me", &new_token).await,
        200,
        r#"{"sub": "new", "team": ""}"#,
    );
    assert_eq!(issuer.jwks_fetches(), 2);
}

// When the issuer's keys cannot be fetched, the token cannot be judged: that is the gateway's
// failure, AUTHORIZER_CONFIGURATION_ERROR (500 `{"message":null}`), not the caller's 401. Once
// the issuer is back (and the retry interval has passed) the same token is accepted.
#[tokio::test]
async fn an_unreachable_issuer_on_first_use_is_500() {
    let key = SigningKey::rs256("key-1");
    let issuer = JwksServer::start(&[&key]);
    issuer.set_down(true);
    let data = TempData::new();
    let gateway = serve(&data, &issuer);

    let token = issuer
        .minter(&key)
        .mint(json!({"sub": "u", "aud": AUDIENCE}));
    let answer = get(&gateway, "/dev/me", &token).await;
    assert_answer(&answer, 500, AUTHORIZER_FAILED);
    assert_eq!(
        answer.header("x-amzn-errortype"),
        Some("AuthorizerConfigurationException")
    );
    let answer = get(&gateway, "/dev/discovered", &token).await;
    assert_answer(&answer, 500, AUTHORIZER_FAILED);
    assert!(issuer.jwks_fetches() >= 1, "the gateway tried the JWKS URI");
    assert!(
        issuer.discovery_fetches() >= 1,
        "the gateway tried discovery"
    );

    issuer.set_down(false);
    tokio::time::sleep(tollgate_jwt::FAILED_FETCH_RETRY_INTERVAL + Duration::from_millis(500))
        .await;
    assert_answer(
        &get(&gateway, "/dev/me", &token).await,
        200,
        r#"{"sub": "u", "team": ""}"#,
    );
    assert_answer(
        &get(&gateway, "/dev/discovered", &token).await,
        200,
        r#"{"discovered": "u"}"#,
    );
}
