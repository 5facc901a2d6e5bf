//! Resource policies (`x-amazon-apigateway-policy`) through the real binary, as API Gateway
//! evaluates them ("Control access to a REST API with API Gateway resource policies", "How
//! API Gateway resource policies affect authorization workflow"): source-IP conditions
//! against the connection's address, an explicit deny winning over any allow and decided
//! before the authorizer runs, the `execute-api:/STAGE/VERB/PATH` shorthand, the policy
//! combined with a Lambda authorizer's as in the guide's Table A, AWS's 403 bodies, and a
//! policy that does not parse refused at deploy with the place of the error.

use tollgate_tests::access::{AuthorizerCalls, deploy_output, serve_with_authorizer};
use tollgate_tests::{Answer, Gateway, TempData, send};

/// Asserts status and body (text, exactly), printing both on failure.
fn assert_answer(answer: &Answer, status: u16, body: &str) {
    assert_eq!(
        (answer.status, answer.text().as_str()),
        (status, body),
        "unexpected answer (headers: {:?})",
        answer.headers
    );
}

/// The ARN of a method of the test API (id `policy-api`) on stage `dev`.
fn arn(verb: &str, path: &str) -> String {
    format!("arn:aws:execute-api:us-east-1:000000000000:policy-api/dev/{verb}/{path}")
}

/// The 403 body for an anonymous caller the resource policy refused.
fn anonymous_denied(verb: &str, path: &str, explicit: bool) -> String {
    let explicit = if explicit {
        " with an explicit deny"
    } else {
        ""
    };
    format!(
        r#"{{"Message":"User: anonymous is not authorized to perform: execute-api:Invoke on resource: {}{explicit}"}}"#,
        arn(verb, path)
    )
}

const AUTHORIZER_DENY: &str =
    r#"{"Message":"User is not authorized to access this resource with an explicit deny"}"#;
const AUTHORIZER_NOT_ALLOWED: &str =
    r#"{"Message":"User is not authorized to access this resource"}"#;

/// The test API with `policy` (the YAML of `x-amazon-apigateway-policy`'s statements, indented
/// for a list under `Statement:`): `/open` (GET, POST) without authorization, `/guarded`
/// (GET) behind the scripted token authorizer.
fn policy_api(statements: &str) -> String {
    format!(
        r#"
openapi: 3.0.1
info: {{ title: policy-api, version: "1" }}
x-amazon-apigateway-policy:
  Version: "2012-10-17"
  Statement:
{statements}
paths:
  /open:
    get:
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: {{ application/json: '{{"statusCode": 200}}' }}
        responses:
          default:
            statusCode: "200"
            responseTemplates: {{ application/json: '{{"open": "get"}}' }}
    post:
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: {{ application/json: '{{"statusCode": 200}}' }}
        responses:
          default:
            statusCode: "200"
            responseTemplates: {{ application/json: '{{"open": "post"}}' }}
  /guarded:
    get:
      security: [ {{ tokens: [] }} ]
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: {{ application/json: '{{"statusCode": 200}}' }}
        responses:
          default:
            statusCode: "200"
            responseTemplates: {{ application/json: '{{"guarded": "$context.authorizer.principalId"}}' }}
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
"#
    )
}

/// One statement on every method of the API (`execute-api:/*`), optionally with a
/// source-IP condition (`IpAddress` or `NotIpAddress` and a CIDR).
fn statement(effect: &str, condition: Option<(&str, &str)>) -> String {
    let mut text = format!(
        "    - Effect: {effect}\n      Principal: \"*\"\n      Action: execute-api:Invoke\n      Resource: execute-api:/*\n"
    );
    if let Some((operator, cidr)) = condition {
        text.push_str(&format!(
            "      Condition:\n        {operator}:\n          aws:SourceIp: {cidr}\n"
        ));
    }
    text
}

fn serve(data: &TempData, statements: &str) -> (Gateway, AuthorizerCalls) {
    serve_with_authorizer(data, &policy_api(statements), &[])
}

async fn call(gateway: &Gateway, verb: &str, path: &str, headers: &[(&str, &str)]) -> Answer {
    send(verb, &gateway.url(path), headers, "").await
}

async fn guarded(gateway: &Gateway, token: &str) -> Answer {
    call(gateway, "GET", "/dev/guarded", &[("authorization", token)]).await
}

// "Resource policy examples", "Allow API traffic based on source IP address": the test
// client connects from 127.0.0.1, inside 127.0.0.0/8.
#[tokio::test]
async fn a_policy_allowing_the_callers_network_lets_it_in() {
    let data = TempData::new();
    let (gateway, _log) = serve(
        &data,
        &statement("Allow", Some(("IpAddress", "127.0.0.0/8"))),
    );

    assert_answer(
        &call(&gateway, "GET", "/dev/open", &[]).await,
        200,
        r#"{"open": "get"}"#,
    );
    assert_answer(
        &call(&gateway, "POST", "/dev/open", &[]).await,
        200,
        r#"{"open": "post"}"#,
    );
}

// Same example, from outside the allowed network: nothing allows the request (implicit deny),
// 403 `{"Message":"User: anonymous is not authorized to perform: execute-api:Invoke on
// resource: ARN"}` (Knowledge Center, "403 errors with a resource policy"). The address is
// the connection's: an `X-Forwarded-For` header changes nothing.
#[tokio::test]
async fn a_policy_allowing_only_another_network_is_403() {
    let data = TempData::new();
    let (gateway, _log) = serve(
        &data,
        &statement("Allow", Some(("IpAddress", "192.0.2.0/24"))),
    );

    let answer = call(&gateway, "GET", "/dev/open", &[]).await;
    assert_answer(&answer, 403, &anonymous_denied("GET", "open", false));
    assert_eq!(
        answer.header("x-amzn-errortype"),
        Some("AccessDeniedException")
    );
    let answer = call(
        &gateway,
        "GET",
        "/dev/open",
        &[("x-forwarded-for", "192.0.2.7")],
    )
    .await;
    assert_answer(&answer, 403, &anonymous_denied("GET", "open", false));
    let answer = call(&gateway, "POST", "/dev/open", &[]).await;
    assert_answer(&answer, 403, &anonymous_denied("POST", "open", false));
}

// "Deny API traffic based on source IP address": an Allow for everyone with a Deny for one
// address; the Deny wins (IAM evaluation: an explicit deny overrides any allow) and the
// message says "with an explicit deny".
#[tokio::test]
async fn an_explicit_deny_wins_over_an_allow() {
    let data = TempData::new();
    let statements = format!(
        "{}{}",
        statement("Allow", None),
        statement("Deny", Some(("IpAddress", "127.0.0.1/32")))
    );
    let (gateway, _log) = serve(&data, &statements);

    let answer = call(&gateway, "GET", "/dev/open", &[]).await;
    assert_answer(&answer, 403, &anonymous_denied("GET", "open", true));
    assert_eq!(
        answer.header("x-amzn-errortype"),
        Some("AccessDeniedException")
    );

    // A Deny for every address but another network's (`NotIpAddress`) denies us too.
    let data = TempData::new();
    let statements = format!(
        "{}{}",
        statement("Allow", None),
        statement("Deny", Some(("NotIpAddress", "192.0.2.0/24")))
    );
    let (gateway, _log) = serve(&data, &statements);
    let answer = call(&gateway, "POST", "/dev/open", &[]).await;
    assert_answer(&answer, 403, &anonymous_denied("POST", "open", true));
}

// "How API Gateway resource policies affect authorization workflow", Lambda authorizer:
// "API Gateway first evaluates the policy and checks for any explicit denials. If found, the
// caller is denied access immediately" — the authorizer is never called.
#[tokio::test]
async fn an_explicit_deny_is_decided_before_the_authorizer_runs() {
    let data = TempData::new();
    let statements = format!(
        "{}{}",
        statement("Allow", None),
        statement("Deny", Some(("IpAddress", "127.0.0.0/8")))
    );
    let (gateway, mut log) = serve(&data, &statements);

    let answer = call(
        &gateway,
        "GET",
        "/dev/guarded",
        &[("authorization", "allow")],
    )
    .await;
    assert_answer(&answer, 403, &anonymous_denied("GET", "guarded", true));
    // `trap` would be a 500 had the authorizer run.
    let answer = call(
        &gateway,
        "GET",
        "/dev/guarded",
        &[("authorization", "trap")],
    )
    .await;
    assert_answer(&answer, 403, &anonymous_denied("GET", "guarded", true));
    assert_eq!(log.count(&gateway).await, 0);
}

// Same section, Table A (Lambda authorizer and resource policy, same account): the policy
// allows and the authorizer's policy is silent → allowed; the authorizer denies → denied;
// the resource policy is silent and the authorizer allows → allowed; both silent → denied.
#[tokio::test]
async fn the_resource_policy_and_the_authorizers_policy_combine_as_aws_table_a() {
    let data = TempData::new();
    let (gateway, mut log) = serve(
        &data,
        &statement("Allow", Some(("IpAddress", "127.0.0.0/8"))),
    );

    // Resource policy Allow.
    assert_answer(
        &guarded(&gateway, "none").await,
        200,
        r#"{"guarded": "alice"}"#,
    );
    assert_answer(
        &guarded(&gateway, "allow").await,
        200,
        r#"{"guarded": "alice"}"#,
    );
    assert_answer(&guarded(&gateway, "deny").await, 403, AUTHORIZER_DENY);
    // A missing token is still the authorizer's 401.
    let answer = call(&gateway, "GET", "/dev/guarded", &[]).await;
    assert_answer(&answer, 401, r#"{"message":"Unauthorized"}"#);
    assert_eq!(
        log.take(&gateway).await,
        ["token=none", "token=allow", "token=deny"]
    );

    // Resource policy silent (it allows only another network).
    let data = TempData::new();
    let (gateway, mut log) = serve(
        &data,
        &statement("Allow", Some(("IpAddress", "192.0.2.0/24"))),
    );
    assert_answer(
        &guarded(&gateway, "allow").await,
        200,
        r#"{"guarded": "alice"}"#,
    );
    assert_answer(
        &guarded(&gateway, "none").await,
        403,
        AUTHORIZER_NOT_ALLOWED,
    );
    assert_answer(&guarded(&gateway, "deny").await, 403, AUTHORIZER_DENY);
    assert_eq!(
        log.take(&gateway).await,
        ["token=allow", "token=none", "token=deny"]
    );
    // The same policy still refuses the anonymous, unauthorized method.
    let answer = call(&gateway, "GET", "/dev/open", &[]).await;
    assert_answer(&answer, 403, &anonymous_denied("GET", "open", false));
}

// "Create and attach an API Gateway resource policy": a `Resource` of
// `execute-api:/STAGE/VERB/PATH` is shorthand for this API's method ARNs; `*` matches any
// stage, verb or path.
#[tokio::test]
async fn the_execute_api_shorthand_names_stages_verbs_and_paths() {
    let data = TempData::new();
    let statements = "    - Effect: Allow\n      Principal: \"*\"\n      Action: execute-api:Invoke\n      Resource: execute-api:/*/GET/*\n";
    let (gateway, _log) = serve(&data, statements);
    assert_answer(
        &call(&gateway, "GET", "/dev/open", &[]).await,
        200,
        r#"{"open": "get"}"#,
    );
    let answer = call(&gateway, "POST", "/dev/open", &[]).await;
    assert_answer(&answer, 403, &anonymous_denied("POST", "open", false));

    // Another stage's methods only: nothing on `dev` is allowed.
    let data = TempData::new();
    let statements = "    - Effect: Allow\n      Principal: \"*\"\n      Action: execute-api:Invoke\n      Resource: [\"execute-api:/prod/*\"]\n";
    let (gateway, _log) = serve(&data, statements);
    let answer = call(&gateway, "GET", "/dev/open", &[]).await;
    assert_answer(&answer, 403, &anonymous_denied("GET", "open", false));

    // One method of one path.
    let data = TempData::new();
    let statements = "    - Effect: Allow\n      Principal: \"*\"\n      Action: execute-api:Invoke\n      Resource: execute-api:/dev/POST/open\n";
    let (gateway, _log) = serve(&data, statements);
    assert_answer(
        &call(&gateway, "POST", "/dev/open", &[]).await,
        200,
        r#"{"open": "post"}"#,
    );
    let answer = call(&gateway, "GET", "/dev/open", &[]).await;
    assert_answer(&answer, 403, &anonymous_denied("GET", "open", false));
}

// A policy that does not parse is refused when deployed, with the JSON pointer of the error
// inside the definition and what was expected; the stage keeps serving what it served.
#[tokio::test]
async fn a_policy_that_does_not_parse_is_refused_at_deploy() {
    let data = TempData::new();
    let (gateway, _log) = serve(
        &data,
        &statement("Allow", Some(("IpAddress", "127.0.0.0/8"))),
    );

    let refused = [
        (
            statement("Maybe", None),
            "/x-amazon-apigateway-policy/Statement/0/Effect: expected Allow or Deny; found \"Maybe\"",
        ),
        (
            statement("Allow", Some(("IpAddressish", "127.0.0.0/8"))),
            "/x-amazon-apigateway-policy/Statement/0/Condition/IpAddressish: unknown condition operator \"IpAddressish\"",
        ),
        (
            statement("Allow", Some(("IpAddress", "not-an-address"))),
            "/x-amazon-apigateway-policy/Statement/0/Condition/IpAddress/aws:SourceIp: expected an IP address or CIDR block, found \"not-an-address\"",
        ),
    ];
    for (statements, pointer) in refused {
        let output = deploy_output(&gateway, &data, &policy_api(&statements), "dev", &[]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            !output.status.success(),
            "a bad policy was deployed:\n{statements}\nstderr: {stderr}"
        );
        assert!(stderr.contains(pointer), "{pointer} not in: {stderr}");
    }
    // Still the first policy.
    assert_answer(
        &call(&gateway, "GET", "/dev/open", &[]).await,
        200,
        r#"{"open": "get"}"#,
    );
}
