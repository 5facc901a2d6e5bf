//! Every integration type through the real binary: MOCK, HTTP, HTTP_PROXY (against a real
//! backend), AWS_PROXY to a Tollgate function and to a standard wasi:http component; path
//! parameters and greedy `{proxy+}`; the Lambda-proxy event as a function sees it.

use tollgate_tests::{Gateway, TempData, Upstream, components, deploy, send};

fn serve(data: &TempData) -> Gateway {
    Gateway::start(&["serve", "--data-dir", data.path().to_str().unwrap()])
}

const API: &str = r#"
openapi: 3.0.1
info: { title: integrations, version: "1" }
x-amazon-apigateway-binary-media-types: ["application/octet-stream"]
paths:
  /mock:
    get:
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: { "application/json": '{"statusCode": 200}' }
        responses:
          default:
            statusCode: "200"
            responseParameters: { "method.response.header.x-mock": "'yes'" }
            responseTemplates: { "application/json": '{"mocked": true}' }
  /mock-created:
    get:
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: { "application/json": '{"statusCode": 201}' }
        responses:
          "201": { statusCode: "201", responseTemplates: { "application/json": '{"created": true}' } }
          default: { statusCode: "200" }
  /proxy/{proxy+}:
    x-amazon-apigateway-any-method:
      parameters: [{ name: proxy, in: path, required: true, schema: { type: string } }]
      x-amazon-apigateway-integration:
        type: http_proxy
        httpMethod: ANY
        uri: "http://${stageVariables.backend}/{proxy}"
        requestParameters: { "integration.request.path.proxy": "method.request.path.proxy" }
  /slow:
    get:
      x-amazon-apigateway-integration:
        type: http_proxy
        httpMethod: GET
        uri: "http://${stageVariables.backend}/slow/2000"
        timeoutInMillis: 300
  /mapped/{id}:
    get:
      parameters:
        - { name: id, in: path, required: true, schema: { type: string } }
        - { name: q, in: query, schema: { type: string } }
      x-amazon-apigateway-integration:
        type: http
        httpMethod: POST
        uri: "http://${stageVariables.backend}/things/{thing}"
        requestParameters:
          integration.request.path.thing: method.request.path.id
          integration.request.querystring.search: method.request.querystring.q
          integration.request.header.x-stage: "'fixed'"
        responses:
          "4\\d{2}": { statusCode: "400" }
          default:
            statusCode: "200"
            responseParameters: { "method.response.header.x-from-backend": "integration.response.header.x-upstream" }
  /mapped-status/{code}:
    get:
      x-amazon-apigateway-integration:
        type: http
        httpMethod: GET
        uri: "http://${stageVariables.backend}/status/{code}"
        requestParameters: { integration.request.path.code: method.request.path.code }
        responses:
          "4\\d{2}": { statusCode: "400" }
          default: { statusCode: "200" }
  /pets/{id}:
    get:
      x-amazon-apigateway-integration: { type: aws_proxy, httpMethod: POST, uri: "function:echo" }
  /pets/mine:
    get:
      x-amazon-apigateway-integration: { type: aws_proxy, httpMethod: POST, uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:echo/invocations" }
  /echo:
    x-amazon-apigateway-any-method:
      x-amazon-apigateway-integration: { type: aws_proxy, httpMethod: POST, uri: "function:echo" }
  /wasi-http/{proxy+}:
    x-amazon-apigateway-any-method:
      x-amazon-apigateway-integration: { type: aws_proxy, httpMethod: POST, uri: "function:hello" }
"#;

async fn setup() -> (TempData, Upstream, Gateway) {
    let upstream = Upstream::start().await;
    let data = TempData::new();
    deploy(
        &data,
        API,
        "test",
        &[
            ("echo", components::EVENT_ECHO),
            ("hello", components::WASI_HTTP_HELLO),
        ],
        &[&format!("backend={}", upstream.address)],
    );
    let gateway = serve(&data);
    (data, upstream, gateway)
}

#[tokio::test]
async fn mock_answers_from_its_default_response() {
    let (_data, _upstream, gateway) = setup().await;
    let answer = send("GET", &gateway.url("/test/mock"), &[], "").await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.json(), serde_json::json!({"mocked": true}));
    assert_eq!(answer.header("x-mock"), Some("yes"));
    let created = send("GET", &gateway.url("/test/mock-created"), &[], "").await;
    assert_eq!(created.status, 201);
    assert_eq!(created.json(), serde_json::json!({"created": true}));
}

#[tokio::test]
async fn http_proxy_passes_method_path_query_headers_and_body() {
    let (_data, _upstream, gateway) = setup().await;
    let answer = send(
        "PUT",
        &gateway.url("/test/proxy/a/b%20c?x=1&x=2"),
        &[("x-custom", "kept"), ("connection", "keep-alive")],
        "payload",
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    assert_eq!(answer.header("x-upstream"), Some("echo"));
    let echo = answer.json();
    assert_eq!(echo["method"], "PUT");
    assert_eq!(echo["path"], "/a/b%20c");
    assert_eq!(echo["query"], "x=1&x=2");
    assert_eq!(echo["headers"]["x-custom"], "kept");
    assert_eq!(echo["headers"]["x-forwarded-for"], "127.0.0.1");
    assert_eq!(echo["body"], "payload");
}

#[tokio::test]
async fn http_proxy_passes_backend_status_through() {
    let (_data, _upstream, gateway) = setup().await;
    let answer = send("GET", &gateway.url("/test/proxy/status/418"), &[], "").await;
    assert_eq!(answer.status, 418);
}

#[tokio::test]
async fn integration_timeout_answers_504() {
    let (_data, _upstream, gateway) = setup().await;
    let answer = send("GET", &gateway.url("/test/slow"), &[], "").await;
    assert_eq!(answer.status, 504);
    assert_eq!(
        answer.json(),
        serde_json::json!({"message": "Endpoint request timed out"})
    );
}

#[tokio::test]
async fn http_integration_maps_parameters_and_selects_responses() {
    let (_data, _upstream, gateway) = setup().await;
    let answer = send(
        "GET",
        &gateway.url("/test/mapped/42?q=red&ignored=1"),
        &[("x-dropped", "1")],
        "",
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    assert_eq!(answer.header("x-from-backend"), Some("echo"));
    let echo = answer.json();
    assert_eq!(echo["method"], "POST");
    assert_eq!(echo["path"], "/things/42");
    assert_eq!(echo["query"], "search=red");
    assert_eq!(echo["headers"]["x-stage"], "fixed");
    assert!(
        echo["headers"].get("x-dropped").is_none(),
        "unmapped headers are not sent"
    );

    let selected = send("GET", &gateway.url("/test/mapped-status/404"), &[], "").await;
    assert_eq!(
        selected.status, 400,
        "selection pattern 4\\d{{2}} picks the 400 response"
    );
    let fallback = send("GET", &gateway.url("/test/mapped-status/503"), &[], "").await;
    assert_eq!(
        fallback.status, 200,
        "no pattern matches 503: the default response"
    );
}

#[tokio::test]
async fn function_receives_the_exact_lambda_proxy_event() {
    let (_data, _upstream, gateway) = setup().await;
    let answer = send(
        "GET",
        &gateway.url("/test/pets/7?kind=cat&kind=dog&single=1"),
        &[("x-trace", "abc"), ("user-agent", "e2e-test")],
        "",
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    let event = answer.json();
    assert_eq!(event["resource"], "/pets/{id}");
    assert_eq!(event["path"], "/pets/7");
    assert_eq!(event["httpMethod"], "GET");
    assert_eq!(event["headers"]["x-trace"], "abc");
    assert_eq!(
        event["multiValueHeaders"]["x-trace"],
        serde_json::json!(["abc"])
    );
    assert_eq!(event["queryStringParameters"]["kind"], "dog");
    assert_eq!(event["queryStringParameters"]["single"], "1");
    assert_eq!(
        event["multiValueQueryStringParameters"]["kind"],
        serde_json::json!(["cat", "dog"])
    );
    assert_eq!(event["pathParameters"], serde_json::json!({"id": "7"}));
    assert!(event["stageVariables"]["backend"].is_string());
    let context = &event["requestContext"];
    assert_eq!(
        context["requestId"],
        answer.header("x-amzn-requestid").unwrap()
    );
    assert_eq!(context["stage"], "test");
    assert_eq!(context["resourcePath"], "/pets/{id}");
    assert_eq!(context["httpMethod"], "GET");
    assert_eq!(context["path"], "/test/pets/7");
    assert_eq!(context["identity"]["sourceIp"], "127.0.0.1");
    assert_eq!(context["identity"]["userAgent"], "e2e-test");
    assert!(context["requestTimeEpoch"].as_u64().unwrap() > 1_600_000_000_000);
    assert_eq!(event["body"], serde_json::Value::Null);
    assert_eq!(event["isBase64Encoded"], false);
}

#[tokio::test]
async fn literal_segments_beat_parameters_and_aws_lambda_arns_resolve() {
    let (_data, _upstream, gateway) = setup().await;
    let answer = send("GET", &gateway.url("/test/pets/mine"), &[], "").await;
    assert_eq!(answer.status, 200);
    let event = answer.json();
    assert_eq!(event["resource"], "/pets/mine");
    assert_eq!(event["pathParameters"], serde_json::Value::Null);
}

#[tokio::test]
async fn function_bodies_text_and_binary() {
    let (_data, _upstream, gateway) = setup().await;
    let text = send(
        "POST",
        &gateway.url("/test/echo"),
        &[("content-type", "application/json")],
        r#"{"a":1}"#,
    )
    .await;
    assert_eq!(text.json()["body"], r#"{"a":1}"#);
    assert_eq!(text.json()["isBase64Encoded"], false);
    let binary = send(
        "POST",
        &gateway.url("/test/echo"),
        &[("content-type", "application/octet-stream")],
        vec![0u8, 159, 146, 150],
    )
    .await;
    assert_eq!(binary.json()["body"], "AJ+Slg==");
    assert_eq!(binary.json()["isBase64Encoded"], true);
}

#[tokio::test]
async fn a_standard_wasi_http_component_serves_as_a_function() {
    let (_data, _upstream, gateway) = setup().await;
    let answer = send(
        "POST",
        &gateway.url("/test/wasi-http/x/y?z=1"),
        &[("x-echo", "hi")],
        "",
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    assert_eq!(answer.header("x-served-by"), Some("wasi-http"));
    let text = answer.text();
    assert!(text.contains("POST"), "{text}");
    assert!(text.contains("/wasi-http/x/y?z=1"), "{text}");
    assert!(text.contains("hi"), "{text}");
}

#[tokio::test]
async fn http2_cleartext_is_served() {
    let (_data, _upstream, gateway) = setup().await;
    let client: hyper_util::client::legacy::Client<_, http_body_util::Full<bytes::Bytes>> =
        hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
            .http2_only(true)
            .build_http();
    let response = client
        .get(gateway.url("/test/mock").parse().unwrap())
        .await
        .expect("HTTP/2 request");
    assert_eq!(response.version(), http::Version::HTTP_2);
    assert_eq!(response.status(), 200);
}
