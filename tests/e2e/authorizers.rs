//! WASM authorizers through the real binary, as API Gateway's Lambda authorizers behave
//! ("Use API Gateway Lambda authorizers", "Input to an API Gateway Lambda authorizer",
//! "Output from an API Gateway Lambda authorizer"): `TOKEN` and `REQUEST` types, the policy
//! and context they answer (`$context.authorizer.*` in templates, mappers and the Lambda-proxy
//! event), 401 / 403 / 500 as AWS answers them, the decision cache (per identity, per
//! authorizer, its TTL, the cached policy evaluated per method ARN, flushed by a deployment),
//! usage-plan keys named by the authorizer, and customised gateway responses.
//!
//! Every test drives `tests/components/scripted-authorizer`, whose answer the token chooses
//! and which logs each call; the calls are counted in the gateway's log
//! (`tollgate_tests::access::AuthorizerCalls`).

use tollgate_tests::access::{AuthorizerCalls, deploy_to, serve_with_authorizer};
use tollgate_tests::{Answer, Gateway, TempData, components, send};

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
const EXPLICIT_DENY: &str =
    r#"{"Message":"User is not authorized to access this resource with an explicit deny"}"#;
const NOT_ALLOWED: &str = r#"{"Message":"User is not authorized to access this resource"}"#;
const AUTHORIZER_FAILED: &str = r#"{"message":null}"#;

/// What `/who` answers for the scripted authorizer's `allow` (principal `alice`, context
/// `user=alice`, `tier=gold`).
const ALICE: &str = r#"{"principal": "alice", "user": "alice", "tier": "gold"}"#;

/// The API of these tests (id `authorizers`). Authorizers: `tokens` (TOKEN on
/// `Authorization`, TTL 300), `validated` (the same with an identityValidationExpression),
/// `short` (TTL 1), `uncached` (TTL 0), `tenants` (REQUEST on header `x-tenant` and query
/// `token`, TTL 300), `tenants_uncached` (the same, TTL 0).
const API: &str = r#"
openapi: 3.0.1
info: { title: authorizers, version: "1" }
paths:
  /:
    get:
      security: [ { tokens: [] } ]
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: { application/json: '{"statusCode": 200}' }
        responses:
          default:
            statusCode: "200"
            responseTemplates: { application/json: '{"root": "$context.authorizer.principalId"}' }
  /who:
    get:
      security: [ { tokens: [] } ]
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: { application/json: '{"statusCode": 200}' }
        responses:
          default:
            statusCode: "200"
            responseTemplates:
              application/json: '{"principal": "$context.authorizer.principalId", "user": "$context.authorizer.user", "tier": "$context.authorizer.tier"}'
    post:
      security: [ { tokens: [] } ]
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: { application/json: '{"statusCode": 200}' }
        responses:
          default:
            statusCode: "200"
            responseTemplates:
              application/json: '{"posted": "$context.authorizer.principalId"}'
  /event:
    get:
      security: [ { tokens: [] } ]
      x-amazon-apigateway-integration: { type: aws_proxy, httpMethod: POST, uri: "function:echo" }
  /rendered:
    post:
      security: [ { tokens: [] } ]
      x-amazon-apigateway-integration:
        type: aws
        httpMethod: POST
        uri: "function:raw"
        requestTemplates:
          application/json: '{"who": "$context.authorizer.principalId", "tier": "$context.authorizer.tier", "body": $input.json(''$'')}'
        responses: { default: { statusCode: "200" } }
  /validated:
    get:
      security: [ { validated: [] } ]
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: { application/json: '{"statusCode": 200}' }
        responses:
          default:
            statusCode: "200"
            responseTemplates: { application/json: '{"validated": "$context.authorizer.principalId"}' }
  /short:
    get:
      security: [ { short: [] } ]
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: { application/json: '{"statusCode": 200}' }
        responses:
          default:
            statusCode: "200"
            responseTemplates: { application/json: '{"short": "$context.authorizer.principalId"}' }
  /uncached:
    get:
      security: [ { uncached: [] } ]
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: { application/json: '{"statusCode": 200}' }
        responses:
          default:
            statusCode: "200"
            responseTemplates: { application/json: '{"uncached": "$context.authorizer.principalId"}' }
  /tenant:
    get:
      security: [ { tenants: [] } ]
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: { application/json: '{"statusCode": 200}' }
        responses:
          default:
            statusCode: "200"
            responseTemplates:
              application/json: '{"principal": "$context.authorizer.principalId", "tenant": "$context.authorizer.tenant"}'
  /tenant-uncached:
    get:
      security: [ { tenants_uncached: [] } ]
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: { application/json: '{"statusCode": 200}' }
        responses:
          default:
            statusCode: "200"
            responseTemplates:
              application/json: '{"principal": "$context.authorizer.principalId", "user": "$context.authorizer.user"}'
  /open:
    get:
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: { application/json: '{"statusCode": 200}' }
        responses:
          default:
            statusCode: "200"
            responseTemplates: { application/json: '{"open": true}' }
components:
  securitySchemes:
    tokens:
      type: apiKey
      name: Authorization
      in: header
      x-amazon-apigateway-authtype: custom
      x-amazon-apigateway-authorizer:
        type: token
        authorizerUri: "authorizer:authz"
        authorizerResultTtlInSeconds: 300
    validated:
      type: apiKey
      name: Authorization
      in: header
      x-amazon-apigateway-authtype: custom
      x-amazon-apigateway-authorizer:
        type: token
        authorizerUri: "authorizer:authz"
        identityValidationExpression: "(allow|deny)"
        authorizerResultTtlInSeconds: 300
    short:
      type: apiKey
      name: Authorization
      in: header
      x-amazon-apigateway-authtype: custom
      x-amazon-apigateway-authorizer:
        type: token
        authorizerUri: "authorizer:authz"
        authorizerResultTtlInSeconds: 1
    uncached:
      type: apiKey
      name: Authorization
      in: header
      x-amazon-apigateway-authtype: custom
      x-amazon-apigateway-authorizer:
        type: token
        authorizerUri: "authorizer:authz"
        authorizerResultTtlInSeconds: 0
    tenants:
      type: apiKey
      name: Unused
      in: header
      x-amazon-apigateway-authtype: custom
      x-amazon-apigateway-authorizer:
        type: request
        authorizerUri: "authorizer:authz"
        identitySource: method.request.header.X-Tenant, method.request.querystring.token
        authorizerResultTtlInSeconds: 300
    tenants_uncached:
      type: apiKey
      name: Unused
      in: header
      x-amazon-apigateway-authtype: custom
      x-amazon-apigateway-authorizer:
        type: request
        authorizerUri: "authorizer:authz"
        identitySource: method.request.header.X-Tenant, method.request.querystring.token
        authorizerResultTtlInSeconds: 0
"#;

fn setup(data: &TempData) -> (Gateway, AuthorizerCalls) {
    serve_with_authorizer(data, API, &[])
}

async fn get(gateway: &Gateway, path: &str, token: Option<&str>) -> Answer {
    let headers: Vec<(&str, &str)> = token
        .map(|t| vec![("authorization", t)])
        .unwrap_or_default();
    send("GET", &gateway.url(path), &headers, "").await
}

async fn post(gateway: &Gateway, path: &str, token: &str, body: &str) -> Answer {
    send(
        "POST",
        &gateway.url(path),
        &[
            ("authorization", token),
            ("content-type", "application/json"),
        ],
        body.to_string(),
    )
    .await
}

/// `calls` as owned strings, for comparing with [`AuthorizerCalls::take`].
fn calls(calls: &[&str]) -> Vec<String> {
    calls.iter().map(|c| (*c).to_string()).collect()
}

// "Output from an API Gateway Lambda authorizer": the principal and the `context` map are
// available as `$context.authorizer.principalId` and `$context.authorizer.<key>` in mapping
// templates; an Allow policy lets the request through to the integration.
#[tokio::test]
async fn an_allowing_authorizer_passes_its_principal_and_context_to_templates() {
    let data = TempData::new();
    let (gateway, mut log) = setup(&data);

    let answer = get(&gateway, "/dev/who", Some("allow")).await;
    assert_answer(&answer, 200, ALICE);
    assert_eq!(log.take(&gateway).await, calls(&["token=allow"]));

    // An integration request template sees the same values.
    let answer = post(&gateway, "/dev/rendered", "allow", r#"{"n": 1}"#).await;
    assert_answer(
        &answer,
        200,
        r#"{"who": "alice", "tier": "gold", "body": {"n":1}}"#,
    );
    // Same authorizer, same token: the cached decision (whose policy allows the whole stage).
    assert_eq!(log.take(&gateway).await, calls(&[]));

    // A method without authorization never calls the authorizer.
    assert_answer(
        &get(&gateway, "/dev/open", None).await,
        200,
        r#"{"open": true}"#,
    );
    assert_eq!(log.count(&gateway).await, 0);
}

// "Output from an API Gateway Lambda authorizer": for a Lambda proxy integration the
// authorizer's principal and context reach the function as `requestContext.authorizer`
// (`principalId` and each context key).
#[tokio::test]
async fn the_lambda_event_carries_the_authorizer_context() {
    let data = TempData::new();
    let (gateway, mut log) = setup(&data);

    let answer = get(&gateway, "/dev/event", Some("allow")).await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    let event = answer.json();
    let authorizer = event["requestContext"]["authorizer"]
        .as_object()
        .unwrap_or_else(|| panic!("no requestContext.authorizer in {event}"));
    assert_eq!(authorizer["principalId"], "alice", "{event}");
    assert_eq!(authorizer["user"], "alice", "{event}");
    assert_eq!(authorizer["tier"], "gold", "{event}");
    // AWS adds only `integrationLatency` beside the principal and the context.
    for key in authorizer.keys() {
        assert!(
            ["principalId", "user", "tier", "integrationLatency"].contains(&key.as_str()),
            "unexpected requestContext.authorizer.{key} in {event}"
        );
    }
    assert_eq!(log.take(&gateway).await, calls(&["token=allow"]));
}

// "Output from an API Gateway Lambda authorizer" / Knowledge Center "403 errors with a Lambda
// authorizer": a policy that explicitly denies answers 403 "User is not authorized to access
// this resource with an explicit deny"; the denying policy is cached like any other.
#[tokio::test]
async fn an_explicit_deny_is_403_and_is_cached() {
    let data = TempData::new();
    let (gateway, mut log) = setup(&data);

    let answer = get(&gateway, "/dev/who", Some("deny")).await;
    assert_answer(&answer, 403, EXPLICIT_DENY);
    assert_eq!(
        answer.header("x-amzn-errortype"),
        Some("AccessDeniedException")
    );
    assert_eq!(log.take(&gateway).await, calls(&["token=deny"]));

    let again = get(&gateway, "/dev/who", Some("deny")).await;
    assert_answer(&again, 403, EXPLICIT_DENY);
    assert_eq!(
        log.count(&gateway).await,
        0,
        "a cached Deny is not asked again"
    );
}

// Same source: a policy with no statement matching the method ARN is an implicit deny, 403
// "User is not authorized to access this resource".
#[tokio::test]
async fn a_policy_without_a_matching_statement_is_an_implicit_deny() {
    let data = TempData::new();
    let (gateway, mut log) = setup(&data);

    let answer = get(&gateway, "/dev/who", Some("none")).await;
    assert_answer(&answer, 403, NOT_ALLOWED);
    assert_eq!(
        answer.header("x-amzn-errortype"),
        Some("AccessDeniedException")
    );
    assert_eq!(log.take(&gateway).await, calls(&["token=none"]));
}

// "Use API Gateway Lambda authorizers" (TOKEN type): a request without the identity header,
// or with an empty one, is refused with 401 without calling the authorizer.
#[tokio::test]
async fn a_missing_token_is_401_without_calling_the_authorizer() {
    let data = TempData::new();
    let (gateway, mut log) = setup(&data);

    let answer = get(&gateway, "/dev/who", None).await;
    assert_answer(&answer, 401, UNAUTHORIZED);
    assert_eq!(
        answer.header("x-amzn-errortype"),
        Some("UnauthorizedException")
    );
    assert_answer(
        &get(&gateway, "/dev/who", Some("")).await,
        401,
        UNAUTHORIZED,
    );
    // The token in another header is no token.
    let answer = send("GET", &gateway.url("/dev/who"), &[("x-token", "allow")], "").await;
    assert_answer(&answer, 401, UNAUTHORIZED);
    assert_eq!(log.count(&gateway).await, 0);
}

// `identityValidationExpression` ("x-amazon-apigateway-authorizer object"): a token that does
// not match is refused with 401 before the authorizer is called; one that matches is passed
// on.
#[tokio::test]
async fn a_token_failing_the_validation_expression_is_401_without_a_call() {
    let data = TempData::new();
    let (gateway, mut log) = setup(&data);

    // `trap` would be a 500 if the authorizer ran.
    assert_answer(
        &get(&gateway, "/dev/validated", Some("trap")).await,
        401,
        UNAUTHORIZED,
    );
    // The expression must match the whole token.
    assert_answer(
        &get(&gateway, "/dev/validated", Some("allowed")).await,
        401,
        UNAUTHORIZED,
    );
    assert_eq!(log.count(&gateway).await, 0);

    assert_answer(
        &get(&gateway, "/dev/validated", Some("allow")).await,
        200,
        r#"{"validated": "alice"}"#,
    );
    assert_eq!(log.take(&gateway).await, calls(&["token=allow"]));
}

// "Use API Gateway Lambda authorizers": the authorizer raising "Unauthorized" answers 401
// `{"message":"Unauthorized"}`.
#[tokio::test]
async fn unauthorized_from_the_authorizer_is_401() {
    let data = TempData::new();
    let (gateway, mut log) = setup(&data);

    let answer = get(&gateway, "/dev/who", Some("unauthorized")).await;
    assert_answer(&answer, 401, UNAUTHORIZED);
    assert_eq!(
        answer.header("x-amzn-errortype"),
        Some("UnauthorizedException")
    );
    assert_eq!(log.take(&gateway).await, calls(&["token=unauthorized"]));
}

// Any other authorizer error, and an answer that is not a policy, is AWS's
// AUTHORIZER_CONFIGURATION_ERROR: 500 `{"message":null}`. Nothing that failed is cached:
// the next request with the same token asks again.
#[tokio::test]
async fn authorizer_failures_are_500_and_never_cached() {
    let data = TempData::new();
    let (gateway, mut log) = setup(&data);

    for token in ["error", "badpolicy", "notjson"] {
        for _ in 0..2 {
            let answer = get(&gateway, "/dev/who", Some(token)).await;
            assert_answer(&answer, 500, AUTHORIZER_FAILED);
            assert_eq!(
                answer.header("x-amzn-errortype"),
                Some("AuthorizerConfigurationException")
            );
        }
        let expected = format!("token={token}");
        assert_eq!(
            log.take(&gateway).await,
            vec![expected.clone(), expected],
            "both requests with {token} called the authorizer"
        );
    }
}

// DESIGN.md, "The WASM runtime": a trap fails that one request and never the process. For an
// authorizer the request is AWS's authorizer failure, 500 `{"message":null}`, not cached.
#[tokio::test]
async fn a_trapping_authorizer_is_500_and_the_gateway_keeps_serving() {
    let data = TempData::new();
    let (mut gateway, mut log) = setup(&data);

    for _ in 0..2 {
        assert_answer(
            &get(&gateway, "/dev/who", Some("trap")).await,
            500,
            AUTHORIZER_FAILED,
        );
    }
    assert_eq!(
        log.take(&gateway).await,
        calls(&["token=trap", "token=trap"])
    );

    assert!(gateway.is_running());
    assert_answer(&get(&gateway, "/dev/who", Some("allow")).await, 200, ALICE);
    assert_eq!(log.take(&gateway).await, calls(&["token=allow"]));
}

// An authorizer that never answers is ended by the gateway's authorizer timeout
// (`AUTHORIZER_TIMEOUT`, 10 s) and answers 500 `{"message":null}`; the gateway goes on
// serving. (This test takes the timeout's 10 s.)
#[tokio::test]
async fn an_endless_authorizer_is_500_after_its_timeout() {
    let data = TempData::new();
    let (mut gateway, mut log) = setup(&data);

    let answer = get(&gateway, "/dev/uncached", Some("loop")).await;
    assert_answer(&answer, 500, AUTHORIZER_FAILED);
    assert_eq!(
        answer.header("x-amzn-errortype"),
        Some("AuthorizerConfigurationException")
    );
    assert_eq!(log.take(&gateway).await, calls(&["token=loop"]));

    assert!(gateway.is_running());
    assert_answer(&get(&gateway, "/dev/who", Some("allow")).await, 200, ALICE);
}

// "Configure a Lambda authorizer" (authorizerResultTtlInSeconds): the decision is cached per
// identity for the TTL; a different token is a different entry.
#[tokio::test]
async fn the_same_token_within_the_ttl_calls_the_authorizer_once() {
    let data = TempData::new();
    let (gateway, mut log) = setup(&data);

    for _ in 0..3 {
        assert_answer(&get(&gateway, "/dev/who", Some("allow")).await, 200, ALICE);
    }
    assert_eq!(log.take(&gateway).await, calls(&["token=allow"]));

    // Another token is another cache entry; the first is still cached.
    assert_answer(
        &get(&gateway, "/dev/who", Some("deny")).await,
        403,
        EXPLICIT_DENY,
    );
    assert_answer(&get(&gateway, "/dev/who", Some("allow")).await, 200, ALICE);
    assert_eq!(log.take(&gateway).await, calls(&["token=deny"]));

    // Another authorizer with the same token has a cache of its own.
    assert_answer(
        &get(&gateway, "/dev/validated", Some("allow")).await,
        200,
        r#"{"validated": "alice"}"#,
    );
    assert_eq!(log.take(&gateway).await, calls(&["token=allow"]));
}

// A cached decision lives for the authorizer's TTL and no longer.
#[tokio::test]
async fn a_cached_decision_expires_after_its_ttl() {
    let data = TempData::new();
    let (gateway, mut log) = setup(&data);

    assert_answer(
        &get(&gateway, "/dev/short", Some("allow")).await,
        200,
        r#"{"short": "alice"}"#,
    );
    assert_eq!(log.take(&gateway).await, calls(&["token=allow"]));
    // The TTL is 1 s; after 1.5 s the entry is gone.
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert_answer(
        &get(&gateway, "/dev/short", Some("allow")).await,
        200,
        r#"{"short": "alice"}"#,
    );
    assert_eq!(log.take(&gateway).await, calls(&["token=allow"]));
}

// authorizerResultTtlInSeconds 0 disables caching: every request calls the authorizer.
#[tokio::test]
async fn a_ttl_of_zero_calls_the_authorizer_every_time() {
    let data = TempData::new();
    let (gateway, mut log) = setup(&data);

    for _ in 0..3 {
        assert_answer(
            &get(&gateway, "/dev/uncached", Some("allow")).await,
            200,
            r#"{"uncached": "alice"}"#,
        );
    }
    assert_eq!(
        log.take(&gateway).await,
        calls(&["token=allow", "token=allow", "token=allow"])
    );
}

// API Gateway caches the returned policy, not the decision: the cached policy is evaluated
// against each request's method ARN ("Output from an API Gateway Lambda authorizer": a policy
// for one method, cached, denies the caller's other methods). A policy allowing `GET` only
// lets the cached caller GET and refuses a POST, with no new call.
#[tokio::test]
async fn a_cached_policy_is_evaluated_for_each_method_arn() {
    let data = TempData::new();
    let (gateway, mut log) = setup(&data);

    assert_answer(
        &get(&gateway, "/dev/who", Some("allow-get")).await,
        200,
        ALICE,
    );
    assert_eq!(log.take(&gateway).await, calls(&["token=allow-get"]));

    let answer = post(&gateway, "/dev/who", "allow-get", "{}").await;
    assert_answer(&answer, 403, NOT_ALLOWED);
    let answer = post(&gateway, "/dev/rendered", "allow-get", "{}").await;
    assert_answer(&answer, 403, NOT_ALLOWED);
    // Another GET is allowed by the same cached policy.
    let event = get(&gateway, "/dev/event", Some("allow-get")).await;
    assert_eq!(event.status, 200, "{}", event.text());
    assert_eq!(
        event.json()["requestContext"]["authorizer"]["principalId"],
        "alice"
    );
    // The root resource's ARN ends `/GET/`, which `GET/*` covers.
    assert_answer(
        &get(&gateway, "/dev/", Some("allow-get")).await,
        200,
        r#"{"root": "alice"}"#,
    );
    assert_eq!(log.count(&gateway).await, 0);

    // `allow` allows every method of the stage.
    assert_answer(
        &post(&gateway, "/dev/who", "allow", "{}").await,
        200,
        r#"{"posted": "alice"}"#,
    );
    assert_eq!(log.take(&gateway).await, calls(&["token=allow"]));
}

// "Output from an API Gateway Lambda authorizer": the policy's `Resource` is a method ARN,
// `arn:aws:execute-api:{region}:{account}:{api-id}/{stage}/{VERB}/{path}` (the path without
// its leading `/`), with `*` wildcards in any part. The authorizer here names ARNs it did not
// get from the gateway, so the gateway's own method ARNs are what is checked.
#[tokio::test]
async fn policies_name_methods_by_their_aws_method_arns() {
    let data = TempData::new();
    let (gateway, _log) = setup(&data);
    let arn = "arn:aws:execute-api:us-east-1:000000000000:authorizers";

    let get_who = format!("allow:{arn}/dev/GET/who");
    assert_answer(&get(&gateway, "/dev/who", Some(&get_who)).await, 200, ALICE);
    assert_answer(
        &post(&gateway, "/dev/who", &get_who, "{}").await,
        403,
        NOT_ALLOWED,
    );
    assert_answer(
        &get(&gateway, "/dev/", Some(&get_who)).await,
        403,
        NOT_ALLOWED,
    );

    let any_verb = format!("allow:{arn}/dev/*/who");
    assert_answer(
        &post(&gateway, "/dev/who", &any_verb, "{}").await,
        200,
        r#"{"posted": "alice"}"#,
    );
    let root = format!("allow:{arn}/dev/GET/");
    assert_answer(
        &get(&gateway, "/dev/", Some(&root)).await,
        200,
        r#"{"root": "alice"}"#,
    );
    assert_answer(
        &get(&gateway, "/dev/who", Some(&root)).await,
        403,
        NOT_ALLOWED,
    );

    let any_region = "allow:arn:aws:execute-api:*:*:authorizers/dev/GET/*";
    assert_answer(
        &get(&gateway, "/dev/who", Some(any_region)).await,
        200,
        ALICE,
    );

    let other_stage = format!("allow:{arn}/prod/GET/who");
    assert_answer(
        &get(&gateway, "/dev/who", Some(&other_stage)).await,
        403,
        NOT_ALLOWED,
    );
    let other_api = "allow:arn:aws:execute-api:us-east-1:000000000000:other-api/dev/GET/who";
    assert_answer(
        &get(&gateway, "/dev/who", Some(other_api)).await,
        403,
        NOT_ALLOWED,
    );
}

// Decisions are cached per deployment: after a new deployment of the stage (which may change
// the authorizer or its configuration) the same token asks the authorizer again, once.
#[tokio::test]
async fn a_new_deployment_starts_with_an_empty_cache() {
    let data = TempData::new();
    let (gateway, mut log) = setup(&data);

    assert_answer(&get(&gateway, "/dev/who", Some("allow")).await, 200, ALICE);
    assert_eq!(log.take(&gateway).await, calls(&["token=allow"]));

    deploy_to(
        &gateway,
        &data,
        &API.replace("version: \"1\"", "version: \"2\""),
        "dev",
        &[],
    );
    assert_answer(&get(&gateway, "/dev/who", Some("allow")).await, 200, ALICE);
    assert_answer(&get(&gateway, "/dev/who", Some("allow")).await, 200, ALICE);
    assert_eq!(log.take(&gateway).await, calls(&["token=allow"]));
}

// "Use API Gateway Lambda authorizers" (REQUEST type): the authorizer gets the request's
// headers and query string; with caching on, every identity source is required (a missing
// or empty one is 401 without a call) and together they are the cache key.
#[tokio::test]
async fn a_request_authorizer_is_cached_by_all_its_identity_sources() {
    let data = TempData::new();
    let (gateway, mut log) = setup(&data);
    let tenant = |tenant: &'static str, query: &'static str| {
        let gateway = &gateway;
        async move {
            let headers: Vec<(&str, &str)> = if tenant.is_empty() {
                vec![]
            } else {
                vec![("x-tenant", tenant)]
            };
            send(
                "GET",
                &gateway.url(&format!("/dev/tenant{query}")),
                &headers,
                "",
            )
            .await
        }
    };

    let answer = tenant("acme", "?token=allow").await;
    assert_answer(&answer, 200, r#"{"principal": "alice", "tenant": "acme"}"#);
    assert_answer(
        &tenant("acme", "?token=allow").await,
        200,
        r#"{"principal": "alice", "tenant": "acme"}"#,
    );
    assert_eq!(
        log.take(&gateway).await,
        calls(&["token=allow tenant=acme"])
    );

    // A different value of either source is a different cache entry.
    assert_answer(
        &tenant("globex", "?token=allow").await,
        200,
        r#"{"principal": "alice", "tenant": "globex"}"#,
    );
    assert_answer(&tenant("acme", "?token=deny").await, 403, EXPLICIT_DENY);
    assert_eq!(
        log.take(&gateway).await,
        calls(&["token=allow tenant=globex", "token=deny tenant=acme"])
    );

    // A missing (or empty) source: 401 without a call.
    assert_answer(&tenant("", "?token=allow").await, 401, UNAUTHORIZED);
    assert_answer(&tenant("acme", "").await, 401, UNAUTHORIZED);
    assert_answer(&tenant("acme", "?token=").await, 401, UNAUTHORIZED);
    assert_answer(&tenant("acme", "?other=allow").await, 401, UNAUTHORIZED);
    assert_eq!(log.count(&gateway).await, 0);
}

// A repeated header or query parameter is one identity value, the last one (as API
// Gateway's single-value maps: the Lambda event's `headers` / `queryStringParameters`, and
// `method.request.*`): the decision cached under that value must be the authorizer's decision
// for that value, or a caller could plant a decision made for one identity under another's.
#[tokio::test]
async fn a_repeated_identity_value_is_decided_as_it_is_cached() {
    let data = TempData::new();
    let (gateway, mut log) = setup(&data);

    // The query's last `token` is `allow`.
    let answer = send(
        "GET",
        &gateway.url("/dev/tenant?token=deny&token=allow"),
        &[("x-tenant", "acme")],
        "",
    )
    .await;
    assert_answer(&answer, 200, r#"{"principal": "alice", "tenant": "acme"}"#);
    assert_eq!(
        log.take(&gateway).await,
        calls(&["token=allow tenant=acme"])
    );
    // ... and the entry cached for (acme, allow) allows.
    let answer = send(
        "GET",
        &gateway.url("/dev/tenant?token=allow"),
        &[("x-tenant", "acme")],
        "",
    )
    .await;
    assert_answer(&answer, 200, r#"{"principal": "alice", "tenant": "acme"}"#);

    // The last `x-tenant` is `initech`; the entry cached for it carries `initech`.
    let answer = send(
        "GET",
        &gateway.url("/dev/tenant?token=allow"),
        &[("x-tenant", "evil"), ("x-tenant", "initech")],
        "",
    )
    .await;
    assert_answer(
        &answer,
        200,
        r#"{"principal": "alice", "tenant": "initech"}"#,
    );
    let answer = send(
        "GET",
        &gateway.url("/dev/tenant?token=allow"),
        &[("x-tenant", "initech")],
        "",
    )
    .await;
    assert_answer(
        &answer,
        200,
        r#"{"principal": "alice", "tenant": "initech"}"#,
    );
    assert_eq!(
        log.take(&gateway).await,
        calls(&["token=allow tenant=initech"])
    );
}

// With caching off (TTL 0) a REQUEST authorizer's identity sources are not required: the
// authorizer is called anyway and decides (API Gateway's REST API reference, `identitySource`:
// "required ... when caching is enabled").
#[tokio::test]
async fn an_uncached_request_authorizer_is_called_without_its_identity_sources() {
    let data = TempData::new();
    let (gateway, mut log) = setup(&data);

    let answer = send(
        "GET",
        &gateway.url("/dev/tenant-uncached?token=allow"),
        &[],
        "",
    )
    .await;
    assert_answer(&answer, 200, r#"{"principal": "alice", "user": "alice"}"#);
    let answer = send("GET", &gateway.url("/dev/tenant-uncached"), &[], "").await;
    assert_answer(&answer, 401, UNAUTHORIZED);
    assert_eq!(log.take(&gateway).await, calls(&["token=allow", "token="]));
}

/// A method whose AWS integration runs the VTL mapper (`x-tollgate-mapper`) on the request
/// only: `function:raw` answers what the mapper produced.
const MAPPER_API: &str = r#"
openapi: 3.0.1
info: { title: authorizers-mapped, version: "1" }
paths:
  /mapped:
    get:
      security: [ { tokens: [] } ]
      x-tollgate-mapper:
        uri: "mapper:vtl"
        response: false
        config:
          request-template: |-
            {"principal": "$context.authorizer.principalId", "user": "$context.authorizer.user", "tier": "$context.authorizer.tier"}
      x-amazon-apigateway-integration:
        type: aws
        httpMethod: POST
        uri: "function:raw"
        responses: { default: { statusCode: "200" } }
components:
  securitySchemes:
    tokens:
      type: apiKey
      name: Authorization
      in: header
      x-amazon-apigateway-authtype: custom
      x-amazon-apigateway-authorizer:
        type: token
        authorizerUri: "authorizer:authz"
        authorizerResultTtlInSeconds: 300
"#;

// A WASM mapper (`x-tollgate-mapper`) gets the authorizer's principal and context in its
// request context, as a template gets `$context.authorizer`.
#[tokio::test]
async fn a_mapper_sees_the_authorizer_context() {
    let data = TempData::new();
    let (gateway, mut log) = setup(&data);
    gateway.cli_ok(&["plugin", "publish", "vtl", components::VTL_MAPPER]);
    deploy_to(&gateway, &data, MAPPER_API, "mapped", &[]);

    let answer = get(&gateway, "/mapped/mapped", Some("allow")).await;
    assert_answer(&answer, 200, ALICE);
    assert_eq!(log.take(&gateway).await, calls(&["token=allow"]));
}

/// An API that takes its usage-plan keys from the authorizer (id `authorizer-keys`).
const KEYS_API: &str = r#"
openapi: 3.0.1
info: { title: authorizer-keys, version: "1" }
x-amazon-apigateway-api-key-source: AUTHORIZER
paths:
  /metered:
    get:
      security: [ { tokens: [], api_key: [] } ]
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: { application/json: '{"statusCode": 200}' }
        responses:
          default:
            statusCode: "200"
            responseTemplates:
              application/json: '{"key": "$context.identity.apiKey", "principal": "$context.authorizer.principalId"}'
components:
  securitySchemes:
    api_key:
      type: apiKey
      name: x-api-key
      in: header
    tokens:
      type: apiKey
      name: Authorization
      in: header
      x-amazon-apigateway-authtype: custom
      x-amazon-apigateway-authorizer:
        type: token
        authorizerUri: "authorizer:authz"
        authorizerResultTtlInSeconds: 300
"#;

const KEY_VALUE: &str = "metered-key-value-0123456789";

// `x-amazon-apigateway-api-key-source: AUTHORIZER` ("Choose an API key source"): the key is
// the authorizer's `usageIdentifierKey`, not the `x-api-key` header, and the usage plan of that
// key applies (here its quota of 2 a day). Without a key, or with a key no plan of this stage
// holds, the request is 403 Forbidden.
#[tokio::test]
async fn the_authorizer_names_the_usage_plan_key() {
    let data = TempData::new();
    let (gateway, mut log) = serve_with_authorizer(&data, KEYS_API, &[]);
    gateway.cli_ok(&["apikey", "create", "metered", "--value", KEY_VALUE]);
    gateway.cli_ok(&[
        "usageplan",
        "create",
        "two-a-day",
        "--api-stage",
        "authorizer-keys/dev",
        "--quota",
        "2/DAY",
    ]);
    gateway.cli_ok(&["usageplan", "add-key", "two-a-day", "metered"]);

    let token = format!("key:{KEY_VALUE}");
    let metered = format!(r#"{{"key": "{KEY_VALUE}", "principal": "alice"}}"#);
    for _ in 0..2 {
        assert_answer(
            &get(&gateway, "/dev/metered", Some(&token)).await,
            200,
            &metered,
        );
    }
    let answer = get(&gateway, "/dev/metered", Some(&token)).await;
    assert_answer(&answer, 429, r#"{"message":"Limit Exceeded"}"#);
    assert_eq!(
        answer.header("x-amzn-errortype"),
        Some("LimitExceededException")
    );
    assert_eq!(log.take(&gateway).await, vec![format!("token={token}")]);

    // The header is not the key source: a valid key sent as x-api-key does not count.
    let answer = send(
        "GET",
        &gateway.url("/dev/metered"),
        &[("authorization", "allow"), ("x-api-key", KEY_VALUE)],
        "",
    )
    .await;
    assert_answer(&answer, 403, r#"{"message":"Forbidden"}"#);
    // A key that no usage plan of the stage holds.
    let answer = get(
        &gateway,
        "/dev/metered",
        Some("key:unknown-key-value-0123456789"),
    )
    .await;
    assert_answer(&answer, 403, r#"{"message":"Forbidden"}"#);
    assert_eq!(
        log.take(&gateway).await,
        calls(&["token=allow", "token=key:unknown-key-value-0123456789"])
    );
}

/// The same authorizer with UNAUTHORIZED and ACCESS_DENIED customised (id
/// `authorizers-custom`, stage `custom`).
const CUSTOM_RESPONSES_API: &str = r#"
openapi: 3.0.1
info: { title: authorizers-custom, version: "1" }
x-amazon-apigateway-gateway-responses:
  UNAUTHORIZED:
    responseParameters:
      gatewayresponse.header.Access-Control-Allow-Origin: "'https://app.example.com'"
  ACCESS_DENIED:
    statusCode: 403
    responseParameters:
      gatewayresponse.header.Access-Control-Allow-Origin: "'https://app.example.com'"
    responseTemplates:
      application/json: '{"denied": $context.error.messageString, "type": "$context.error.responseType", "principal": "$context.authorizer.principalId", "tier": "$context.authorizer.tier"}'
paths:
  /who:
    get:
      security: [ { tokens: [] } ]
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: { application/json: '{"statusCode": 200}' }
        responses:
          default:
            statusCode: "200"
            responseTemplates: { application/json: '{"who": "$context.authorizer.principalId"}' }
components:
  securitySchemes:
    tokens:
      type: apiKey
      name: Authorization
      in: header
      x-amazon-apigateway-authtype: custom
      x-amazon-apigateway-authorizer:
        type: token
        authorizerUri: "authorizer:authz"
        authorizerResultTtlInSeconds: 300
"#;

// "Gateway responses for REST APIs": UNAUTHORIZED and ACCESS_DENIED are customisable like
// any gateway response (the usual use: CORS headers on authorizer refusals). The status,
// headers and template apply; a type without a template keeps its default body. An
// ACCESS_DENIED template can read the denying authorizer's principal and context (AWS's
// documented way to send a custom message from a Lambda authorizer). An API without
// customisation sends no such header.
#[tokio::test]
async fn unauthorized_and_access_denied_responses_can_be_customised() {
    let data = TempData::new();
    let (gateway, mut log) = setup(&data);
    deploy_to(&gateway, &data, CUSTOM_RESPONSES_API, "custom", &[]);

    let answer = get(&gateway, "/custom/who", None).await;
    assert_answer(&answer, 401, UNAUTHORIZED);
    assert_eq!(
        answer.header("access-control-allow-origin"),
        Some("https://app.example.com")
    );
    let answer = get(&gateway, "/custom/who", Some("unauthorized")).await;
    assert_answer(&answer, 401, UNAUTHORIZED);
    assert_eq!(
        answer.header("access-control-allow-origin"),
        Some("https://app.example.com")
    );

    let answer = get(&gateway, "/custom/who", Some("deny")).await;
    assert_answer(
        &answer,
        403,
        r#"{"denied": "User is not authorized to access this resource with an explicit deny", "type": "ACCESS_DENIED", "principal": "alice", "tier": "gold"}"#,
    );
    assert_eq!(
        answer.header("access-control-allow-origin"),
        Some("https://app.example.com")
    );
    assert_eq!(
        answer.header("x-amzn-errortype"),
        Some("AccessDeniedException")
    );
    assert_answer(
        &get(&gateway, "/custom/who", Some("allow")).await,
        200,
        r#"{"who": "alice"}"#,
    );
    assert_eq!(
        log.take(&gateway).await,
        calls(&["token=unauthorized", "token=deny", "token=allow"])
    );

    // The uncustomised API: default bodies, no CORS header.
    let answer = get(&gateway, "/dev/who", Some("deny")).await;
    assert_answer(&answer, 403, EXPLICIT_DENY);
    assert_eq!(answer.header("access-control-allow-origin"), None);
    let answer = get(&gateway, "/dev/who", None).await;
    assert_answer(&answer, 401, UNAUTHORIZED);
    assert_eq!(answer.header("access-control-allow-origin"), None);
}
