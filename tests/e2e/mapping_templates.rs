//! Mapping templates through the real binary, as API Gateway defines them: request templates
//! chosen by `Content-Type` under `passthroughBehavior`, `$input` / `$context` /
//! `$stageVariables` in a template sent to a real HTTP backend (the exact bytes it received
//! are asserted), response templates chosen by `Accept`, integration response selection
//! (backend status for HTTP, the error message for AWS function integrations),
//! `responseParameters`, `$context.responseOverride`, MOCK integrations driven by a template,
//! `contentHandling`, render-time and deploy-time template errors, and the WASM VTL mapper
//! (`x-tollgate-mapper` with `plugins/vtl-mapper`).
//!
//! The AWS behaviour each test pins is cited from the API Gateway Developer Guide (section
//! titles as published) or from recordings made against AWS.

use base64::Engine as _;
use tollgate_tests::{
    Answer, Gateway, Received, Reply, ScriptedUpstream, TempData, components, deploy, send,
    tollgate,
};

fn serve(data: &TempData) -> Gateway {
    Gateway::start(&["serve", "--data-dir", data.path().to_str().unwrap()])
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

/// The bytes `[0, 1, 2, 255, 254]`, and the same as standard base64.
const BINARY: &[u8] = &[0, 1, 2, 255, 254];
const BINARY_BASE64: &str = "AAEC//4=";

/// The backend of these tests: `/status/{code}` answers that status with `{"code": code}`;
/// `/word` answers `{"word":"hello"}` with `x-backend: scripted`; `/b64` answers
/// [`BINARY_BASE64`] as text; anything else `{"ok":true}`.
fn script(request: &Received) -> Reply {
    if let Some(code) = request.path.strip_prefix("/status/") {
        let code: u16 = code.parse().unwrap_or(500);
        return Reply::new(code, "application/json", format!("{{\"code\": {code}}}"));
    }
    match request.path.as_str() {
        "/word" => Reply::new(200, "application/json", r#"{"word":"hello"}"#)
            .header("x-backend", "scripted"),
        "/b64" => Reply::new(200, "text/plain", BINARY_BASE64),
        _ => Reply::new(200, "application/json", r#"{"ok":true}"#).header("x-backend", "scripted"),
    }
}

/// HTTP integrations to the scripted backend (`${stageVariables.backend}`), stage variable
/// `who` set to `tester`.
const HTTP_API: &str = r#"
openapi: 3.0.1
info: { title: mapping-templates, version: "1" }
paths:
  /by-type:
    post:
      x-amazon-apigateway-integration:
        type: http
        httpMethod: POST
        uri: "http://${stageVariables.backend}/by-type"
        requestTemplates:
          application/json: |-
            {"kind": "json", "name": "$input.path('$.name')"}
          text/plain: |-
            plain:$input.body
        responses: { default: { statusCode: "200" } }
  /strict:
    post:
      x-amazon-apigateway-integration:
        type: http
        httpMethod: POST
        uri: "http://${stageVariables.backend}/strict"
        passthroughBehavior: WHEN_NO_TEMPLATES
        requestTemplates:
          application/json: |-
            {"strict": $input.json('$.n')}
        responses: { default: { statusCode: "200" } }
  /open:
    post:
      x-amazon-apigateway-integration:
        type: http
        httpMethod: POST
        uri: "http://${stageVariables.backend}/open"
        passthroughBehavior: WHEN_NO_TEMPLATES
        responses: { default: { statusCode: "200" } }
  /never:
    post:
      x-amazon-apigateway-integration:
        type: http
        httpMethod: POST
        uri: "http://${stageVariables.backend}/never"
        passthroughBehavior: NEVER
        requestTemplates:
          application/json: |-
            {"never": true}
        responses: { default: { statusCode: "200" } }
  /never-untemplated:
    post:
      x-amazon-apigateway-integration:
        type: http
        httpMethod: POST
        uri: "http://${stageVariables.backend}/never-untemplated"
        passthroughBehavior: NEVER
        responses: { default: { statusCode: "200" } }
  /params/{name}:
    post:
      x-amazon-apigateway-integration:
        type: http
        httpMethod: POST
        uri: "http://${stageVariables.backend}/params"
        requestTemplates:
          application/json: |-
            {"path": "$input.params('name')", "query": "$input.params('both')", "header": "$input.params('x-only')", "a": $input.json('$.a'), "b": "$input.path('$.a.b')", "n": $input.path('$.a.n'), "requestId": "$context.requestId", "stage": "$context.stage", "who": "$stageVariables.who", "resource": "$context.resourcePath", "method": "$context.httpMethod"}
        responses: { default: { statusCode: "200" } }
  /negotiate:
    get:
      x-amazon-apigateway-integration:
        type: http
        httpMethod: GET
        uri: "http://${stageVariables.backend}/word"
        responses:
          default:
            statusCode: "200"
            responseTemplates:
              application/json: |-
                {"said": $input.json('$.word')}
              application/xml: |-
                <said>$input.path('$.word')</said>
  /status/{code}:
    get:
      x-amazon-apigateway-integration:
        type: http
        httpMethod: GET
        uri: "http://${stageVariables.backend}/status/{code}"
        requestParameters: { integration.request.path.code: method.request.path.code }
        responses:
          "4\\d{2}":
            statusCode: "400"
            responseTemplates:
              application/json: |-
                {"clientError": $input.json('$.code')}
          "5\\d{2}":
            statusCode: "502"
            responseTemplates:
              application/json: |-
                {"serverError": $input.json('$.code')}
          default:
            statusCode: "200"
            responseTemplates:
              application/json: |-
                {"ok": $input.json('$.code')}
  /only-success/{code}:
    get:
      x-amazon-apigateway-integration:
        type: http
        httpMethod: GET
        uri: "http://${stageVariables.backend}/status/{code}"
        requestParameters: { integration.request.path.code: method.request.path.code }
        responses:
          "2\\d{2}":
            statusCode: "200"
            responseTemplates:
              application/json: |-
                {"ok": $input.json('$.code')}
  /headers:
    get:
      x-amazon-apigateway-integration:
        type: http
        httpMethod: GET
        uri: "http://${stageVariables.backend}/word"
        responses:
          default:
            statusCode: "200"
            responseParameters:
              method.response.header.x-from-backend: integration.response.header.x-backend
              method.response.header.x-static: "'fixed value'"
              method.response.header.x-who: stageVariables.who
  /override:
    get:
      x-amazon-apigateway-integration:
        type: http
        httpMethod: GET
        uri: "http://${stageVariables.backend}/word"
        responses:
          default:
            statusCode: "200"
            responseTemplates:
              application/json: |-
                #set($context.responseOverride.status = 418)#set($context.responseOverride.header.xoverride = "yes"){"teapot": $input.json('$.word')}
  /b64:
    get:
      x-amazon-apigateway-integration:
        type: http
        httpMethod: GET
        uri: "http://${stageVariables.backend}/b64"
        responses:
          default:
            statusCode: "200"
            contentHandling: CONVERT_TO_BINARY
  /render-fail:
    post:
      x-amazon-apigateway-integration:
        type: http
        httpMethod: POST
        uri: "http://${stageVariables.backend}/render-fail"
        requestTemplates:
          application/json: |-
            {"body": $input.json('$')}
        responses: { default: { statusCode: "200" } }
"#;

async fn http_setup() -> (TempData, ScriptedUpstream, Gateway) {
    let backend = ScriptedUpstream::start(script).await;
    let data = TempData::new();
    deploy(
        &data,
        HTTP_API,
        "dev",
        &[],
        &[&format!("backend={}", backend.host()), "who=tester"],
    );
    let gateway = serve(&data);
    (data, backend, gateway)
}

async fn post(gateway: &Gateway, path: &str, content_type: Option<&str>, body: &[u8]) -> Answer {
    let headers: Vec<(&str, &str)> = content_type
        .map(|ct| vec![("content-type", ct)])
        .unwrap_or_default();
    send("POST", &gateway.url(path), &headers, body.to_vec()).await
}

fn last(backend: &ScriptedUpstream) -> Received {
    backend
        .last()
        .expect("the backend received the integration request")
}

// "Method request behavior for payloads without mapping templates": the request template is
// the one for the request's Content-Type; a request without one is treated as
// `application/json` ("API Gateway defaults to application/json").
#[tokio::test]
async fn request_templates_are_chosen_by_content_type_and_json_is_the_default() {
    let (_data, backend, gateway) = http_setup().await;

    let answer = post(
        &gateway,
        "/dev/by-type",
        Some("application/json"),
        br#"{"name": "ada"}"#,
    )
    .await;
    assert_answer(&answer, 200, r#"{"ok":true}"#);
    assert_eq!(last(&backend).text(), r#"{"kind": "json", "name": "ada"}"#);

    let answer = post(&gateway, "/dev/by-type", Some("text/plain"), b"hello there").await;
    assert_answer(&answer, 200, r#"{"ok":true}"#);
    assert_eq!(last(&backend).text(), "plain:hello there");

    // No Content-Type: the application/json template.
    let answer = post(&gateway, "/dev/by-type", None, br#"{"name": "bob"}"#).await;
    assert_answer(&answer, 200, r#"{"ok":true}"#);
    assert_eq!(last(&backend).text(), r#"{"kind": "json", "name": "bob"}"#);
    assert_eq!(backend.requests().len(), 3);
}

// "Method request behavior for payloads without mapping templates", WHEN_NO_MATCH: "the
// request payload is not transformed and is sent to the backend as-is" when no template
// matches the Content-Type.
#[tokio::test]
async fn when_no_match_passes_an_unmatched_body_through_unchanged() {
    let (_data, backend, gateway) = http_setup().await;
    let answer = post(
        &gateway,
        "/dev/by-type",
        Some("application/xml"),
        b"<name>ada</name>",
    )
    .await;
    assert_answer(&answer, 200, r#"{"ok":true}"#);
    let received = last(&backend);
    assert_eq!(received.body.as_ref(), b"<name>ada</name>");
    assert_eq!(received.method, "POST");
    assert_eq!(received.path, "/by-type");
}

// Same section, WHEN_NO_TEMPLATES: "If a template is defined when this option is selected,
// the method request with a payload and content type that doesn't match any defined mapping
// template will be rejected with an HTTP 415 Unsupported Media Type response"; without any
// template the body passes through.
#[tokio::test]
async fn when_no_templates_refuses_an_unmatched_type_only_when_templates_exist() {
    let (_data, backend, gateway) = http_setup().await;

    let answer = post(
        &gateway,
        "/dev/strict",
        Some("application/xml"),
        b"<n>1</n>",
    )
    .await;
    assert_answer(&answer, 415, r#"{"message":"Unsupported Media Type"}"#);
    assert!(backend.requests().is_empty(), "{:?}", backend.requests());

    let answer = post(
        &gateway,
        "/dev/strict",
        Some("application/json"),
        br#"{"n": 7}"#,
    )
    .await;
    assert_answer(&answer, 200, r#"{"ok":true}"#);
    assert_eq!(last(&backend).text(), r#"{"strict": 7}"#);

    // No templates at all: any type passes through.
    let answer = post(&gateway, "/dev/open", Some("text/csv"), b"a,b\n1,2\n").await;
    assert_answer(&answer, 200, r#"{"ok":true}"#);
    assert_eq!(last(&backend).body.as_ref(), b"a,b\n1,2\n");
    assert_eq!(backend.requests().len(), 2);
}

// Same section, NEVER: a content type without a template is rejected with 415, whether
// templates exist (example 1, application/xml) or not (example 3, no template defined).
#[tokio::test]
async fn never_refuses_every_unmatched_type_with_415() {
    let (_data, backend, gateway) = http_setup().await;

    let answer = post(&gateway, "/dev/never", Some("text/plain"), b"x").await;
    assert_answer(&answer, 415, r#"{"message":"Unsupported Media Type"}"#);
    let answer = post(
        &gateway,
        "/dev/never-untemplated",
        Some("application/json"),
        br#"{"a": 1}"#,
    )
    .await;
    assert_answer(&answer, 415, r#"{"message":"Unsupported Media Type"}"#);
    assert!(backend.requests().is_empty(), "{:?}", backend.requests());

    // A matching type is transformed.
    let answer = post(&gateway, "/dev/never", Some("application/json"), b"{}").await;
    assert_answer(&answer, 200, r#"{"ok":true}"#);
    assert_eq!(last(&backend).text(), r#"{"never": true}"#);
}

// "API Gateway mapping template and access logging variable reference": `$input.params(x)`
// searches path, then query string, then header; `$input.json(x)` is the JSONPath result as
// JSON, `$input.path(x)` as an object; `$context.requestId` is the request's id (the one
// answered in `x-amzn-RequestId`); `$context.stage`, `$context.resourcePath`,
// `$context.httpMethod`; `$stageVariables.x` ("Stage variables for a REST API").
#[tokio::test]
async fn input_context_and_stage_variables_render_into_the_backend_request() {
    let (_data, backend, gateway) = http_setup().await;
    let answer = send(
        "POST",
        &gateway.url("/dev/params/from-path?name=from-query&both=query-wins"),
        &[
            ("content-type", "application/json"),
            ("name", "from-header"),
            ("both", "header-loses"),
            ("x-only", "header-only"),
        ],
        r#"{"a": {"b": "deep", "n": 42}}"#,
    )
    .await;
    assert_answer(&answer, 200, r#"{"ok":true}"#);
    let request_id = answer
        .header("x-amzn-requestid")
        .expect("every response carries x-amzn-RequestId")
        .to_string();
    assert_eq!(
        last(&backend).text(),
        format!(
            r#"{{"path": "from-path", "query": "query-wins", "header": "header-only", "a": {{"b":"deep","n":42}}, "b": "deep", "n": 42, "requestId": "{request_id}", "stage": "dev", "who": "tester", "resource": "/params/{{name}}", "method": "POST"}}"#
        )
    );

    // A second request has its own id.
    let again = send(
        "POST",
        &gateway.url("/dev/params/p2"),
        &[("content-type", "application/json")],
        r#"{"a": {"b": "x", "n": 1}}"#,
    )
    .await;
    assert_answer(&again, 200, r#"{"ok":true}"#);
    let second_id = again.header("x-amzn-requestid").unwrap().to_string();
    assert_ne!(second_id, request_id);
    assert!(
        last(&backend)
            .text()
            .contains(&format!(r#""requestId": "{second_id}""#)),
        "{}",
        last(&backend).text()
    );
}

// "Mapping template transformations for REST APIs": the response template is chosen by the
// request's Accept header, application/json when there is none; the chosen template's content
// type is the method response's Content-Type.
#[tokio::test]
async fn response_templates_are_chosen_by_accept_and_set_the_content_type() {
    let (_data, _backend, gateway) = http_setup().await;

    let xml = send(
        "GET",
        &gateway.url("/dev/negotiate"),
        &[("accept", "application/xml")],
        "",
    )
    .await;
    assert_answer(&xml, 200, "<said>hello</said>");
    assert_eq!(xml.header("content-type"), Some("application/xml"));

    let json_answer = send(
        "GET",
        &gateway.url("/dev/negotiate"),
        &[("accept", "application/json")],
        "",
    )
    .await;
    assert_answer(&json_answer, 200, r#"{"said": "hello"}"#);
    assert_eq!(json_answer.header("content-type"), Some("application/json"));

    let default = send("GET", &gateway.url("/dev/negotiate"), &[], "").await;
    assert_answer(&default, 200, r#"{"said": "hello"}"#);
    assert_eq!(default.header("content-type"), Some("application/json"));
}

// "Set up an integration response" / x-amazon-apigateway-integration.responses: for HTTP
// integrations the selection pattern is matched against the backend's status code; the
// first matching response wins, `default` otherwise; each has its own template.
#[tokio::test]
async fn http_backend_status_selects_the_integration_response_and_its_template() {
    let (_data, _backend, gateway) = http_setup().await;
    for (code, status, body) in [
        ("404", 400, r#"{"clientError": 404}"#),
        ("422", 400, r#"{"clientError": 422}"#),
        ("503", 502, r#"{"serverError": 503}"#),
        ("201", 200, r#"{"ok": 201}"#),
        ("200", 200, r#"{"ok": 200}"#),
    ] {
        let answer = send("GET", &gateway.url(&format!("/dev/status/{code}")), &[], "").await;
        assert_answer(&answer, status, body);
        assert_eq!(answer.header("content-type"), Some("application/json"));
    }
}

// "Gateway response types for API Gateway", API_CONFIGURATION_ERROR (500): "when integration
// response mapping can't match any template and no default template is configured".
#[tokio::test]
async fn no_matching_integration_response_and_no_default_answers_500() {
    let (_data, backend, gateway) = http_setup().await;
    let answer = send("GET", &gateway.url("/dev/only-success/201"), &[], "").await;
    assert_answer(&answer, 200, r#"{"ok": 201}"#);
    let answer = send("GET", &gateway.url("/dev/only-success/503"), &[], "").await;
    assert_answer(&answer, 500, r#"{"message":"Internal server error"}"#);
    assert_eq!(answer.header("content-type"), Some("application/json"));
    // The backend was called both times: the failure is in the mapping of its answer.
    assert_eq!(backend.requests().len(), 2);
}

// x-amazon-apigateway-integration.responseParameters: method response headers from an
// integration response header, a static value in single quotes, and a stage variable
// ("Parameter mapping for REST APIs in API Gateway").
#[tokio::test]
async fn response_parameters_map_backend_headers_static_values_and_stage_variables() {
    let (_data, _backend, gateway) = http_setup().await;
    let answer = send("GET", &gateway.url("/dev/headers"), &[], "").await;
    assert_answer(&answer, 200, r#"{"word":"hello"}"#);
    assert_eq!(answer.header("x-from-backend"), Some("scripted"));
    assert_eq!(answer.header("x-static"), Some("fixed value"));
    assert_eq!(answer.header("x-who"), Some("tester"));
    // Backend headers that are not mapped do not reach the client.
    assert_eq!(answer.header("x-backend"), None);
}

// "Override your API's request and response parameters and status codes for REST APIs":
// `$context.responseOverride.status` and `.header.NAME` set in a response template replace
// the integration response's status and add the header.
#[tokio::test]
async fn a_response_template_overrides_the_status_and_a_header() {
    let (_data, _backend, gateway) = http_setup().await;
    let answer = send("GET", &gateway.url("/dev/override"), &[], "").await;
    assert_answer(&answer, 418, r#"{"teapot": "hello"}"#);
    assert_eq!(answer.header("xoverride"), Some("yes"));
    assert_eq!(answer.header("content-type"), Some("application/json"));
}

// "Content type conversions in API Gateway", response table: a text integration response
// with contentHandling CONVERT_TO_BINARY (no binaryMediaTypes) reaches the client as the
// base64-decoded blob.
#[tokio::test]
async fn convert_to_binary_decodes_a_base64_backend_body() {
    let (_data, _backend, gateway) = http_setup().await;
    let answer = send("GET", &gateway.url("/dev/b64"), &[], "").await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    assert_eq!(answer.body.as_ref(), BINARY);
}

// A template that reads a body that is not JSON as JSON fails at render time: API Gateway
// answers 400 with a `{"message": ...}` body and never calls the backend. Recorded against
// AWS (ToQoz/api-gateway-mapping-template, test/_.md, examples 122ff6ce and 2b1f2df4):
// payloads `{a` and `[a` under `$input.path('$')` answered
// `400 {"message": "Could not process payload..."}` — a message about the payload, not the
// request validator's "Invalid request body" (which AWS reserves for BAD_REQUEST_BODY, the
// model validation failure: "Request validation for REST APIs in API Gateway").
#[tokio::test]
async fn a_template_that_cannot_parse_the_body_answers_400_with_a_message() {
    let (_data, backend, gateway) = http_setup().await;
    for body in [&b"{\"a\": "[..], &b"[1, 2"[..]] {
        let answer = post(&gateway, "/dev/render-fail", Some("application/json"), body).await;
        assert_eq!(answer.status, 400, "{}", answer.text());
        let message = answer.json()["message"]
            .as_str()
            .unwrap_or_else(|| panic!("no message in {}", answer.text()))
            .to_string();
        assert!(!message.is_empty());
        assert_ne!(
            message, "Invalid request body",
            "a render-time body parse failure is not a request-validation failure"
        );
    }
    assert!(backend.requests().is_empty(), "{:?}", backend.requests());
}

/// An API with `x-amazon-apigateway-binary-media-types` (request-side content handling).
const BINARY_API: &str = r#"
openapi: 3.0.1
info: { title: binary-mapping, version: "1" }
x-amazon-apigateway-binary-media-types: ["application/octet-stream"]
paths:
  /upload:
    post:
      x-amazon-apigateway-integration:
        type: http
        httpMethod: POST
        uri: "http://${stageVariables.backend}/upload"
        contentHandling: CONVERT_TO_TEXT
        responses: { default: { statusCode: "200" } }
  /raw:
    post:
      x-amazon-apigateway-integration:
        type: http
        httpMethod: POST
        uri: "http://${stageVariables.backend}/raw"
        responses: { default: { statusCode: "200" } }
"#;

// "Content type conversions in API Gateway", request table: binary data of a binary media
// type with CONVERT_TO_TEXT reaches the integration as a base64-encoded string; without
// contentHandling it passes as binary data, unchanged.
#[tokio::test]
async fn convert_to_text_sends_a_binary_body_base64_encoded() {
    let backend = ScriptedUpstream::start(script).await;
    let data = TempData::new();
    deploy(
        &data,
        BINARY_API,
        "dev",
        &[],
        &[&format!("backend={}", backend.host())],
    );
    let gateway = serve(&data);

    let answer = post(
        &gateway,
        "/dev/upload",
        Some("application/octet-stream"),
        BINARY,
    )
    .await;
    assert_answer(&answer, 200, r#"{"ok":true}"#);
    assert_eq!(last(&backend).text(), BINARY_BASE64);
    assert_eq!(
        base64::engine::general_purpose::STANDARD
            .decode(last(&backend).body)
            .unwrap(),
        BINARY
    );

    let answer = post(
        &gateway,
        "/dev/raw",
        Some("application/octet-stream"),
        BINARY,
    )
    .await;
    assert_answer(&answer, 200, r#"{"ok":true}"#);
    assert_eq!(last(&backend).body.as_ref(), BINARY);
}

/// MOCK integrations whose request template computes the `statusCode`.
const MOCK_API: &str = r#"
openapi: 3.0.1
info: { title: mock-templates, version: "1" }
paths:
  /things/{id}:
    get:
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates:
          application/json: |-
            #if($input.params('id') == 'missing'){"statusCode": 404}#else{"statusCode": 200}#end
        responses:
          "404":
            statusCode: "404"
            responseTemplates:
              application/json: |-
                {"found": false, "id": "$input.params('id')"}
          default:
            statusCode: "200"
            responseParameters:
              method.response.header.x-mock: "'yes'"
            responseTemplates:
              application/json: |-
                {"found": true, "id": "$input.params('id')", "stage": "$context.stage"}
"#;

// "Set up mock integrations in API Gateway": the request template's `statusCode` selects the
// integration response; its response template makes the body.
#[tokio::test]
async fn mock_request_template_selects_the_response_by_status_code() {
    let data = TempData::new();
    deploy(&data, MOCK_API, "dev", &[], &[]);
    let gateway = serve(&data);

    let found = send("GET", &gateway.url("/dev/things/7"), &[], "").await;
    assert_answer(&found, 200, r#"{"found": true, "id": "7", "stage": "dev"}"#);
    assert_eq!(found.header("x-mock"), Some("yes"));
    assert_eq!(found.header("content-type"), Some("application/json"));

    let missing = send("GET", &gateway.url("/dev/things/missing"), &[], "").await;
    assert_answer(&missing, 404, r#"{"found": false, "id": "missing"}"#);
    assert_eq!(missing.header("x-mock"), None);
}

/// AWS (non-proxy) integrations to `tc-fail-with`, which fails with the `message` it is given.
const FUNCTION_API: &str = r#"
openapi: 3.0.1
info: { title: function-errors, version: "1" }
paths:
  /fail:
    get:
      x-amazon-apigateway-integration:
        type: aws
        httpMethod: POST
        uri: "function:failer"
        requestTemplates:
          application/json: |-
            {"message": "$util.escapeJavaScript($input.params('message'))"}
        responses:
          "Not found: .*":
            statusCode: "404"
            responseTemplates:
              application/json: |-
                {"error": "$input.path('$.errorMessage')", "kind": "missing"}
          "Invalid.*":
            statusCode: "400"
            responseParameters:
              method.response.header.x-error: "'invalid'"
            responseTemplates:
              application/json: |-
                {"error": "$input.path('$.errorMessage')"}
          default:
            statusCode: "200"
"#;

// "Handle Lambda errors in API Gateway": for a Lambda custom (AWS) integration the selection
// patterns are matched against the function error's `errorMessage`; the error, as
// `{"errorMessage": ...}`, is the integration response body the template reads; an error no
// pattern matches, and a success, select the default response.
#[tokio::test]
async fn function_error_messages_select_the_integration_response() {
    let data = TempData::new();
    deploy(
        &data,
        FUNCTION_API,
        "dev",
        &[("failer", components::FAIL_WITH)],
        &[],
    );
    let gateway = serve(&data);

    let answer = send(
        "GET",
        &gateway.url("/dev/fail?message=Not%20found:%20item%207"),
        &[],
        "",
    )
    .await;
    assert_answer(
        &answer,
        404,
        r#"{"error": "Not found: item 7", "kind": "missing"}"#,
    );

    let answer = send(
        "GET",
        &gateway.url("/dev/fail?message=Invalid%20quantity"),
        &[],
        "",
    )
    .await;
    assert_answer(&answer, 400, r#"{"error": "Invalid quantity"}"#);
    assert_eq!(answer.header("x-error"), Some("invalid"));

    // An error no pattern matches: the default response, the error as its body.
    let answer = send("GET", &gateway.url("/dev/fail?message=Boom"), &[], "").await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    assert_eq!(answer.json()["errorMessage"], "Boom");

    // Success: the default response with the function's output.
    let answer = send("GET", &gateway.url("/dev/fail"), &[], "").await;
    assert_answer(&answer, 200, r#"{"message": ""}"#);
}

fn import_failure(definition: &str, extra: &[&str]) -> (Option<i32>, String) {
    let data = TempData::new();
    let file = data.write("api.yaml", definition);
    let mut args = vec![
        "deploy",
        file.to_str().unwrap(),
        "--stage",
        "dev",
        "--data-dir",
        data.path().to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let output = tollgate(&args);
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

// Tollgate compiles every template when a deployment is built (issue 4: "Template errors are
// reported with line and column"): a template that does not parse refuses the deployment.
#[test]
fn a_template_with_a_syntax_error_is_refused_at_deploy_with_line_and_column() {
    let definition = r#"
openapi: 3.0.1
info: { title: broken-template, version: "1" }
paths:
  /broken:
    post:
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates:
          application/json: "{\"statusCode\": 200}\n#if($input.params('x') == 1)\n{\"a\": 1}\n"
        responses: { default: { statusCode: "200" } }
"#;
    let (code, stderr) = import_failure(definition, &[]);
    assert_eq!(code, Some(1), "{stderr}");
    // The method, the template, and where in the template: the `#if` opened on line 2 is
    // still open at the end of the text (line 4, column 1).
    assert!(stderr.contains("POST /broken"), "{stderr}");
    assert!(
        stderr.contains("request template for application/json: line 4, column 1"),
        "{stderr}"
    );
    assert!(stderr.contains("#end"), "{stderr}");

    // A response template, with the error on its second line.
    let definition = r#"
openapi: 3.0.1
info: { title: broken-response-template, version: "1" }
paths:
  /broken:
    get:
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: { application/json: '{"statusCode": 200}' }
        responses:
          default:
            statusCode: "200"
            responseTemplates:
              application/json: "{\"ok\": true}\n#set($x = )\n"
"#;
    let (code, stderr) = import_failure(definition, &[]);
    assert_eq!(code, Some(1), "{stderr}");
    // `#set($x = )`: the `)` where an expression is expected, line 2, column 11.
    assert!(stderr.contains("GET /broken"), "{stderr}");
    assert!(
        stderr
            .contains("integration response 200 template for application/json: line 2, column 11"),
        "{stderr}"
    );
}

/// Methods whose HTTP integration runs the VTL mapper component (`mapper:vtl`) on the request
/// and the response, with the templates in its configuration.
const MAPPER_API: &str = r#"
openapi: 3.0.1
info: { title: wasm-mapper, version: "1" }
paths:
  /mapped:
    post:
      x-tollgate-mapper:
        uri: "mapper:vtl"
        config:
          request-template: |-
            {"mapped": "$input.path('$.name')", "stage": "$context.stage", "who": "$stageVariables.who"}
          response-template: |-
            #set($context.responseOverride.status = 201){"backendSaid": $input.json('$.word'), "via": "wasm"}
      x-amazon-apigateway-integration:
        type: http
        httpMethod: POST
        uri: "http://${stageVariables.backend}/word"
        responses: { default: { statusCode: "200" } }
  /query-http:
    get:
      parameters:
        - { name: q, in: query, schema: { type: string } }
      x-tollgate-mapper:
        uri: "mapper:vtl"
        response: false
        config:
          request-template: |-
            {"q": "$input.params('q')"}
      x-amazon-apigateway-integration:
        type: http
        httpMethod: POST
        uri: "http://${stageVariables.backend}/query"
        requestParameters: { integration.request.querystring.q: method.request.querystring.q }
        responses: { default: { statusCode: "200" } }
  /query-aws:
    get:
      x-tollgate-mapper:
        uri: "mapper:vtl"
        response: false
        config:
          request-template: |-
            {"q": "$input.params('q')"}
      x-amazon-apigateway-integration:
        type: aws
        httpMethod: POST
        uri: "function:echo"
        responses: { default: { statusCode: "200" } }
"#;

/// A gateway serving [`MAPPER_API`] on `dev`, with `plugins/vtl-mapper` published as the
/// plugin `vtl` and `tc-raw-echo` as the function `echo`.
fn mapper_example(data: &TempData, backend: &ScriptedUpstream) -> Gateway {
    let gateway = serve(data);
    gateway.cli_ok(&["plugin", "publish", "vtl", components::VTL_MAPPER]);
    gateway.cli_ok(&["function", "publish", "echo", components::RAW_ECHO]);
    let file = data.write("mapper-api.yaml", MAPPER_API);
    gateway.cli_ok(&[
        "deploy",
        file.to_str().unwrap(),
        "--stage",
        "dev",
        "--var",
        &format!("backend={}", backend.host()),
        "--var",
        "who=tester",
    ]);
    gateway
}

// `x-tollgate-mapper` (issue 4, "WASM mappers"): the VTL mapper component renders its
// `request-template` into the integration request and its `response-template` into the
// method response, `$context.responseOverride.status` included.
#[tokio::test]
async fn the_vtl_mapper_component_transforms_request_and_response() {
    let backend = ScriptedUpstream::start(script).await;
    let data = TempData::new();
    let gateway = mapper_example(&data, &backend);

    let answer = post(
        &gateway,
        "/dev/mapped",
        Some("application/json"),
        br#"{"name": "ada", "ignored": true}"#,
    )
    .await;
    assert_answer(&answer, 201, r#"{"backendSaid": "hello", "via": "wasm"}"#);
    let received = last(&backend);
    assert_eq!(received.path, "/word");
    assert_eq!(
        received.text(),
        r#"{"mapped": "ada", "stage": "dev", "who": "tester"}"#
    );
}

// The mapper contract (`docs/plugins.md`, `plugins/vtl-mapper/src/lib.rs`): a mapper sees the
// integration request. For an AWS function that is the method request's query string and
// headers; for an HTTP integration it is what `requestParameters` map (as in API Gateway,
// an HTTP integration request carries only mapped parameters), so the client's `q` reaches
// the VTL mapper's `$input.params('q')` once it is mapped.
#[tokio::test]
async fn the_vtl_mapper_reads_the_integration_request_query_string() {
    let backend = ScriptedUpstream::start(script).await;
    let data = TempData::new();
    let gateway = mapper_example(&data, &backend);

    // AWS integration: the function (`tc-raw-echo`) returns what the mapper rendered.
    let answer = send("GET", &gateway.url("/dev/query-aws?q=cats"), &[], "").await;
    assert_answer(&answer, 200, r#"{"q": "cats"}"#);

    // HTTP integration: the backend receives what the mapper rendered.
    let answer = send("GET", &gateway.url("/dev/query-http?q=cats"), &[], "").await;
    assert_answer(&answer, 200, r#"{"ok":true}"#);
    assert_eq!(last(&backend).text(), r#"{"q": "cats"}"#);
}

// A component that does not implement the `mapper` world cannot be a method's mapper: the
// deployment is refused, naming the component and what it is.
#[tokio::test]
async fn a_component_that_is_not_a_mapper_is_refused_as_a_mapper() {
    let data = TempData::new();
    let gateway = serve(&data);
    gateway.cli_ok(&["plugin", "publish", "notmapper", components::RAW_ECHO]);
    let definition = MAPPER_API
        .replace("mapper:vtl", "mapper:notmapper")
        .replace("title: wasm-mapper", "title: not-a-mapper");
    let file = data.write("bad-mapper.yaml", &definition);
    let output = gateway.cli(&[
        "deploy",
        file.to_str().unwrap(),
        "--stage",
        "dev",
        "--var",
        "backend=127.0.0.1:9",
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("x-tollgate-mapper"), "{stderr}");
    assert!(stderr.contains("not a mapper"), "{stderr}");
    assert!(stderr.contains("notmapper"), "{stderr}");

    // Nothing was deployed: the stage does not exist.
    let answer = send("POST", &gateway.url("/dev/mapped"), &[], "{}").await;
    assert_answer(
        &answer,
        403,
        r#"{"message":"Missing Authentication Token"}"#,
    );
}

#[test]
fn the_binary_fixture_is_base64_of_itself() {
    assert_eq!(
        base64::engine::general_purpose::STANDARD.encode(BINARY),
        BINARY_BASE64
    );
}
