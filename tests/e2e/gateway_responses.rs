//! Gateway responses through the real binary ("Gateway responses for REST APIs in API
//! Gateway", "Gateway response types for API Gateway"): an API's
//! `x-amazon-apigateway-gateway-responses` customise the status, headers and body of the
//! errors API Gateway answers itself — per response type, with `DEFAULT_4XX` / `DEFAULT_5XX`
//! as the fallbacks of the types not customised — and an API without customisation answers
//! the default bodies.

use tollgate_tests::{Answer, Gateway, TempData, components, deploy, send};

/// Every error kind the tests provoke: no route (MISSING_AUTHENTICATION_TOKEN), a missing
/// required parameter (BAD_REQUEST_PARAMETERS), an invalid body (BAD_REQUEST_BODY), no
/// template under NEVER (UNSUPPORTED_MEDIA_TYPE), a function that traps (a 5XX).
const PATHS: &str = r#"
x-amazon-apigateway-request-validators:
  all: { validateRequestBody: true, validateRequestParameters: true }
x-amazon-apigateway-request-validator: all
components:
  schemas:
    Item:
      type: object
      required: [name]
      properties:
        name: { type: string }
paths:
  /items:
    get:
      parameters:
        - { name: q, in: query, required: true, schema: { type: string } }
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: { application/json: '{"statusCode": 200}' }
        responses: { default: { statusCode: "200", responseTemplates: { application/json: '{"items": []}' } } }
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema: { $ref: '#/components/schemas/Item' }
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: { application/json: '{"statusCode": 200}' }
        responses: { default: { statusCode: "200", responseTemplates: { application/json: '{"created": true}' } } }
  /never:
    post:
      x-amazon-apigateway-integration:
        type: mock
        passthroughBehavior: NEVER
        requestTemplates: { application/json: '{"statusCode": 200}' }
        responses: { default: { statusCode: "200" } }
  /crash:
    get:
      x-amazon-apigateway-integration: { type: aws_proxy, httpMethod: POST, uri: "function:trap" }
"#;

/// The customisations: MISSING_AUTHENTICATION_TOKEN (status, static, request-header and
/// stage-variable headers, template), BAD_REQUEST_BODY (status, template with the validation
/// error), and both fallbacks.
const CUSTOMISED: &str = r#"
openapi: 3.0.1
info: { title: customised-errors, version: "1" }
x-amazon-apigateway-gateway-responses:
  MISSING_AUTHENTICATION_TOKEN:
    statusCode: 404
    responseParameters:
      gatewayresponse.header.x-static: "'static'"
      gatewayresponse.header.x-client: method.request.header.x-client
      gatewayresponse.header.x-team: stageVariables.team
    responseTemplates:
      application/json: '{"error": $context.error.messageString, "type": "$context.error.responseType", "stage": "$context.stage"}'
  BAD_REQUEST_BODY:
    statusCode: 422
    responseTemplates:
      application/json: '{"message": $context.error.messageString, "detail": "$context.error.validationErrorString"}'
  DEFAULT_4XX:
    responseParameters:
      gatewayresponse.header.x-fallback: "'4xx'"
    responseTemplates:
      application/json: '{"fallback": $context.error.messageString, "type": "$context.error.responseType"}'
  DEFAULT_5XX:
    responseParameters:
      gatewayresponse.header.x-fallback: "'5xx'"
      gatewayresponse.header.x-team: stageVariables.team
    responseTemplates:
      application/json: '{"serverError": $context.error.messageString}'
"#;

const PLAIN: &str = r#"
openapi: 3.0.1
info: { title: default-errors, version: "1" }
"#;

fn start(head: &str) -> (TempData, Gateway) {
    let data = TempData::new();
    deploy(
        &data,
        &format!("{head}{PATHS}"),
        "dev",
        &[("trap", components::TRAP)],
        &["team=core"],
    );
    let gateway = Gateway::start(&["serve", "--data-dir", data.path().to_str().unwrap()]);
    (data, gateway)
}

/// Asserts status and body (text, exactly), printing both on failure.
fn assert_answer(answer: &Answer, status: u16, body: &str) {
    assert_eq!(
        (answer.status, answer.text().as_str()),
        (status, body),
        "unexpected answer (headers: {:?})",
        answer.headers
    );
}

// "Gateway response types for API Gateway": MISSING_AUTHENTICATION_TOKEN (default 403)
// customised with `statusCode: 404`; "x-amazon-apigateway-gateway-responses.responseParameters":
// header values from a static value, a method request header and a stage variable;
// "$context.error.messageString: The quoted value of $context.error.message";
// `$context.error.responseType` ("API Gateway mapping template and access logging variable
// reference").
#[tokio::test]
async fn missing_authentication_token_is_customised_with_status_headers_and_template() {
    let (_data, gateway) = start(CUSTOMISED);
    let answer = send(
        "GET",
        &gateway.url("/dev/nowhere"),
        &[("x-client", "client-7")],
        "",
    )
    .await;
    assert_answer(
        &answer,
        404,
        r#"{"error": "Missing Authentication Token", "type": "MISSING_AUTHENTICATION_TOKEN", "stage": "dev"}"#,
    );
    assert_eq!(answer.header("content-type"), Some("application/json"));
    assert_eq!(answer.header("x-static"), Some("static"));
    assert_eq!(answer.header("x-client"), Some("client-7"));
    assert_eq!(answer.header("x-team"), Some("core"));
    assert_eq!(answer.header("x-fallback"), None);
    assert!(answer.header("x-amzn-requestid").is_some());

    // A known resource with a method it does not have is the same response type.
    let answer = send("DELETE", &gateway.url("/dev/items"), &[], "").await;
    assert_eq!(answer.status, 404, "{}", answer.text());
    assert_eq!(answer.json()["type"], "MISSING_AUTHENTICATION_TOKEN");
    // Without the request header, that header is not set.
    assert_eq!(answer.header("x-client"), None);
    assert_eq!(answer.header("x-static"), Some("static"));
}

// BAD_REQUEST_BODY (default 400) customised with `statusCode: 422` and a template reading
// `$context.error.validationErrorString` ("A string containing a detailed validation error
// message"); the customised type wins over DEFAULT_4XX.
#[tokio::test]
async fn bad_request_body_is_customised_with_the_validation_error() {
    let (_data, gateway) = start(CUSTOMISED);
    let answer = send(
        "POST",
        &gateway.url("/dev/items"),
        &[("content-type", "application/json")],
        r#"{"title": "no name"}"#,
    )
    .await;
    assert_eq!(answer.status, 422, "{}", answer.text());
    let text = answer.text();
    let detail = text
        .strip_prefix(r#"{"message": "Invalid request body", "detail": ""#)
        .and_then(|rest| rest.strip_suffix(r#""}"#))
        .unwrap_or_else(|| panic!("not the customised template: {text}"));
    assert!(
        detail.contains("name"),
        "the validation error names the missing property: {detail}"
    );
    assert_eq!(answer.header("content-type"), Some("application/json"));
    assert_eq!(answer.header("x-fallback"), None);

    // A valid body is not affected.
    let answer = send(
        "POST",
        &gateway.url("/dev/items"),
        &[("content-type", "application/json")],
        r#"{"name": "ok"}"#,
    )
    .await;
    assert_answer(&answer, 200, r#"{"created": true}"#);
}

// "Gateway response types for API Gateway": BAD_REQUEST_PARAMETERS and
// UNSUPPORTED_MEDIA_TYPE, not customised, default to the DEFAULT_4XX type ("If the response
// type is unspecified, this response defaults to the DEFAULT_4XX type") and keep their own
// status codes (400, 415) since DEFAULT_4XX sets none.
#[tokio::test]
async fn default_4xx_is_the_fallback_of_client_errors_not_customised() {
    let (_data, gateway) = start(CUSTOMISED);
    let answer = send("GET", &gateway.url("/dev/items"), &[], "").await;
    assert_answer(
        &answer,
        400,
        r#"{"fallback": "Missing required request parameters: [q]", "type": "BAD_REQUEST_PARAMETERS"}"#,
    );
    assert_eq!(answer.header("x-fallback"), Some("4xx"));

    let answer = send(
        "POST",
        &gateway.url("/dev/never"),
        &[("content-type", "text/plain")],
        "x",
    )
    .await;
    assert_answer(
        &answer,
        415,
        r#"{"fallback": "Unsupported Media Type", "type": "UNSUPPORTED_MEDIA_TYPE"}"#,
    );
    assert_eq!(answer.header("x-fallback"), Some("4xx"));

    // A request that succeeds is not touched.
    let answer = send("GET", &gateway.url("/dev/items?q=1"), &[], "").await;
    assert_answer(&answer, 200, r#"{"items": []}"#);
    assert_eq!(answer.header("x-fallback"), None);
}

// DEFAULT_5XX is the fallback of the 5XX types: a function that traps answers API Gateway's
// 502 for a failed Lambda integration, with the DEFAULT_5XX headers and template.
#[tokio::test]
async fn default_5xx_customises_an_integration_failure() {
    let (_data, gateway) = start(CUSTOMISED);
    let answer = send("GET", &gateway.url("/dev/crash"), &[], "").await;
    assert_answer(&answer, 502, r#"{"serverError": "Internal server error"}"#);
    assert_eq!(answer.header("x-fallback"), Some("5xx"));
    assert_eq!(answer.header("x-team"), Some("core"));
    assert_eq!(answer.header("content-type"), Some("application/json"));
    // The gateway keeps serving.
    let answer = send("GET", &gateway.url("/dev/items?q=1"), &[], "").await;
    assert_answer(&answer, 200, r#"{"items": []}"#);
}

/// A request (method, path, headers, body) and the status and body it must get.
type Case = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
    &'static str,
    u16,
    &'static str,
);

// Without `x-amazon-apigateway-gateway-responses`, every error answers API Gateway's default
// gateway response: its default status and `{"message": $context.error.messageString}`.
#[tokio::test]
async fn an_api_without_customisation_answers_the_default_bodies() {
    let (_data, gateway) = start(PLAIN);
    let cases: [Case; 5] = [
        (
            "GET",
            "/dev/nowhere",
            &[],
            "",
            403,
            r#"{"message":"Missing Authentication Token"}"#,
        ),
        (
            "GET",
            "/dev/items",
            &[],
            "",
            400,
            r#"{"message":"Missing required request parameters: [q]"}"#,
        ),
        (
            "POST",
            "/dev/items",
            &[("content-type", "application/json")],
            "{}",
            400,
            r#"{"message":"Invalid request body"}"#,
        ),
        (
            "POST",
            "/dev/never",
            &[("content-type", "text/plain")],
            "x",
            415,
            r#"{"message":"Unsupported Media Type"}"#,
        ),
        (
            "GET",
            "/dev/crash",
            &[],
            "",
            502,
            r#"{"message":"Internal server error"}"#,
        ),
    ];
    for (method, path, headers, body, status, expected) in cases {
        let answer = send(method, &gateway.url(path), headers, body.to_owned()).await;
        assert_answer(&answer, status, expected);
        assert_eq!(answer.header("content-type"), Some("application/json"));
        assert!(answer.header("x-amzn-errortype").is_some(), "{path}");
        assert_eq!(answer.header("x-static"), None);
    }
}
