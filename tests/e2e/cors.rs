//! CORS through the real binary, both of API Gateway's ways:
//! - HTTP API style, `x-amazon-apigateway-cors`: the gateway answers preflights itself (on
//!   any path, without an `OPTIONS` route), adds the headers to actual responses of allowed
//!   origins — errors included — and replaces a backend's own CORS headers;
//! - REST style: an `OPTIONS` MOCK method whose integration response sets the
//!   `Access-Control-Allow-*` headers (response parameters), and gateway responses that add
//!   `Access-Control-Allow-Origin` to errors.
//!
//! AWS behaviour pinned: API Gateway Developer Guide, "Configuring CORS for an HTTP API"
//! ("API Gateway automatically sends a response to preflight OPTIONS requests, even if there
//! isn't an OPTIONS route configured"; "API Gateway ignores CORS headers returned from your
//! backend integration") and "Enabling CORS for a REST API resource".

use tollgate_tests::{Answer, Gateway, TempData, deploy, send};

const HTTP_API_CORS: &str = r#"
openapi: 3.0.1
info: {title: cors, version: "1"}
x-amazon-apigateway-cors:
  allowOrigins: [https://app.example.com, "http://*"]
  allowMethods: [GET, POST]
  allowHeaders: [content-type, x-trace]
  exposeHeaders: [x-request-id]
  maxAge: 600
  allowCredentials: true
paths:
  /items:
    get:
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: {application/json: '{"statusCode": 200}'}
        responses:
          default:
            statusCode: "200"
            responseParameters:
              method.response.header.Access-Control-Allow-Origin: "'https://backend.example'"
            responseTemplates: {application/json: '{"items": []}'}
"#;

fn serve(data: &TempData) -> Gateway {
    Gateway::start(&["serve", "--data-dir", data.path().to_str().unwrap()])
}

fn header<'a>(answer: &'a Answer, name: &str) -> Option<&'a str> {
    answer.header(name)
}

#[tokio::test]
async fn preflights_are_answered_by_the_gateway_for_allowed_origins() {
    let data = TempData::new();
    deploy(&data, HTTP_API_CORS, "dev", &[], &[]);
    let gateway = serve(&data);
    let preflight = [
        ("origin", "https://app.example.com"),
        ("access-control-request-method", "POST"),
        ("access-control-request-headers", "content-type"),
    ];
    // `/items` has no OPTIONS method, and `/nowhere` no route at all.
    for path in ["/dev/items", "/dev/nowhere"] {
        let answer = send("OPTIONS", &gateway.url(path), &preflight, "").await;
        assert_eq!(answer.status, 204, "{path}: {}", answer.text());
        assert_eq!(answer.text(), "");
        assert_eq!(
            header(&answer, "access-control-allow-origin"),
            Some("https://app.example.com")
        );
        assert_eq!(
            header(&answer, "access-control-allow-methods"),
            Some("GET,POST")
        );
        assert_eq!(
            header(&answer, "access-control-allow-headers"),
            Some("content-type,x-trace")
        );
        assert_eq!(header(&answer, "access-control-max-age"), Some("600"));
        assert_eq!(
            header(&answer, "access-control-allow-credentials"),
            Some("true")
        );
        assert_eq!(header(&answer, "vary"), Some("Origin"));
    }
    // A scheme wildcard allows any origin of that scheme.
    let answer = send(
        "OPTIONS",
        &gateway.url("/dev/items"),
        &[
            ("origin", "http://localhost:3000"),
            ("access-control-request-method", "GET"),
        ],
        "",
    )
    .await;
    assert_eq!(
        header(&answer, "access-control-allow-origin"),
        Some("http://localhost:3000")
    );
}

#[tokio::test]
async fn a_disallowed_origin_gets_no_cors_headers() {
    let data = TempData::new();
    deploy(&data, HTTP_API_CORS, "dev", &[], &[]);
    let gateway = serve(&data);
    let answer = send(
        "OPTIONS",
        &gateway.url("/dev/items"),
        &[
            ("origin", "https://evil.example"),
            ("access-control-request-method", "GET"),
        ],
        "",
    )
    .await;
    assert_eq!(answer.status, 204);
    assert_eq!(header(&answer, "access-control-allow-origin"), None);
    assert_eq!(header(&answer, "access-control-allow-methods"), None);
    let answer = send(
        "GET",
        &gateway.url("/dev/items"),
        &[("origin", "https://evil.example")],
        "",
    )
    .await;
    assert_eq!(
        (answer.status, answer.text().as_str()),
        (200, r#"{"items": []}"#)
    );
    // The backend's own header is dropped too: with CORS configured, the gateway decides.
    assert_eq!(header(&answer, "access-control-allow-origin"), None);
}

#[tokio::test]
async fn actual_responses_and_errors_carry_the_headers() {
    let data = TempData::new();
    deploy(&data, HTTP_API_CORS, "dev", &[], &[]);
    let gateway = serve(&data);
    let origin = [("origin", "https://app.example.com")];
    let answer = send("GET", &gateway.url("/dev/items"), &origin, "").await;
    assert_eq!(
        (answer.status, answer.text().as_str()),
        (200, r#"{"items": []}"#)
    );
    // The integration's `https://backend.example` is replaced by the configured answer.
    assert_eq!(
        header(&answer, "access-control-allow-origin"),
        Some("https://app.example.com")
    );
    assert_eq!(
        header(&answer, "access-control-expose-headers"),
        Some("x-request-id")
    );
    assert_eq!(
        header(&answer, "access-control-allow-credentials"),
        Some("true")
    );
    // An error the gateway answers itself carries them as well.
    let answer = send("DELETE", &gateway.url("/dev/items"), &origin, "").await;
    assert_eq!(
        (answer.status, answer.text().as_str()),
        (403, r#"{"message":"Missing Authentication Token"}"#)
    );
    assert_eq!(
        header(&answer, "access-control-allow-origin"),
        Some("https://app.example.com")
    );
    // Without an Origin header there is nothing to add.
    let answer = send("GET", &gateway.url("/dev/items"), &[], "").await;
    assert_eq!(header(&answer, "access-control-allow-origin"), None);
}

const REST_CORS: &str = r#"
openapi: 3.0.1
info: {title: rest-cors, version: "1"}
x-amazon-apigateway-gateway-responses:
  DEFAULT_4XX:
    responseParameters:
      gatewayresponse.header.Access-Control-Allow-Origin: "'https://app.example.com'"
paths:
  /items:
    get:
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: {application/json: '{"statusCode": 200}'}
        responses:
          default:
            statusCode: "200"
            responseParameters:
              method.response.header.Access-Control-Allow-Origin: "'https://app.example.com'"
            responseTemplates: {application/json: '{"items": []}'}
    options:
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: {application/json: '{"statusCode": 200}'}
        responses:
          default:
            statusCode: "200"
            responseParameters:
              method.response.header.Access-Control-Allow-Origin: "'https://app.example.com'"
              method.response.header.Access-Control-Allow-Methods: "'GET,OPTIONS'"
              method.response.header.Access-Control-Allow-Headers: "'Content-Type,X-Api-Key'"
            responseTemplates: {application/json: ''}
"#;

#[tokio::test]
async fn rest_style_cors_runs_through_the_mock_options_method_and_gateway_responses() {
    let data = TempData::new();
    deploy(&data, REST_CORS, "dev", &[], &[]);
    let gateway = serve(&data);
    let answer = send(
        "OPTIONS",
        &gateway.url("/dev/items"),
        &[
            ("origin", "https://app.example.com"),
            ("access-control-request-method", "GET"),
        ],
        "",
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    assert_eq!(
        header(&answer, "access-control-allow-methods"),
        Some("GET,OPTIONS")
    );
    assert_eq!(
        header(&answer, "access-control-allow-headers"),
        Some("Content-Type,X-Api-Key")
    );
    assert_eq!(
        header(&answer, "access-control-allow-origin"),
        Some("https://app.example.com")
    );
    let answer = send(
        "GET",
        &gateway.url("/dev/items"),
        &[("origin", "https://app.example.com")],
        "",
    )
    .await;
    assert_eq!(
        header(&answer, "access-control-allow-origin"),
        Some("https://app.example.com")
    );
    // A 4XX error gets the header from the DEFAULT_4XX gateway response.
    let answer = send("POST", &gateway.url("/dev/items"), &[], "").await;
    assert_eq!(
        (answer.status, answer.text().as_str()),
        (403, r#"{"message":"Missing Authentication Token"}"#)
    );
    assert_eq!(
        header(&answer, "access-control-allow-origin"),
        Some("https://app.example.com")
    );
}
