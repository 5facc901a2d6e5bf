//! A guest that traps, loops forever, allocates without bound, or answers garbage fails its
//! own request with AWS's status and body, and the gateway keeps serving the next one.

use tollgate_tests::{Gateway, TempData, components, deploy, send};

const API: &str = r#"
openapi: 3.0.1
info: { title: failures, version: "1" }
paths:
  /trap:
    get:
      x-amazon-apigateway-integration: { type: aws_proxy, httpMethod: POST, uri: "function:trap" }
  /loop:
    get:
      x-amazon-apigateway-integration: { type: aws_proxy, httpMethod: POST, uri: "function:spin", timeoutInMillis: 500 }
  /bomb:
    get:
      x-amazon-apigateway-integration: { type: aws_proxy, httpMethod: POST, uri: "function:bomb" }
  /malformed:
    get:
      x-amazon-apigateway-integration: { type: aws_proxy, httpMethod: POST, uri: "function:malformed" }
  /ok:
    get:
      x-amazon-apigateway-integration: { type: aws_proxy, httpMethod: POST, uri: "function:echo" }
"#;

fn start() -> (TempData, Gateway) {
    let data = TempData::new();
    deploy(
        &data,
        API,
        "dev",
        &[
            ("trap", components::TRAP),
            ("spin", components::SPIN_LOOP),
            ("bomb", components::MEMORY_BOMB),
            ("malformed", components::MALFORMED_OUTPUT),
            ("echo", components::EVENT_ECHO),
        ],
        &[],
    );
    let gateway = Gateway::start(&["serve", "--data-dir", data.path().to_str().unwrap()]);
    (data, gateway)
}

async fn assert_still_serving(gateway: &Gateway) {
    let ok = send("GET", &gateway.url("/dev/ok"), &[], "").await;
    assert_eq!(ok.status, 200, "the next request is served normally");
}

fn assert_internal_server_error(answer: &tollgate_tests::Answer, status: u16) {
    assert_eq!(answer.status, status, "{}", answer.text());
    assert_eq!(answer.header("content-type"), Some("application/json"));
    assert!(answer.header("x-amzn-requestid").is_some());
}

#[tokio::test]
async fn a_trapping_guest_answers_502_and_the_gateway_keeps_serving() {
    let (_data, mut gateway) = start();
    let answer = send("GET", &gateway.url("/dev/trap"), &[], "").await;
    assert_internal_server_error(&answer, 502);
    assert_eq!(
        answer.json(),
        serde_json::json!({"message": "Internal server error"})
    );
    assert_still_serving(&gateway).await;
    assert!(gateway.is_running());
}

#[tokio::test]
async fn an_endless_loop_answers_504_at_the_integration_timeout() {
    let (_data, mut gateway) = start();
    let answer = send("GET", &gateway.url("/dev/loop"), &[], "").await;
    assert_internal_server_error(&answer, 504);
    assert_eq!(
        answer.json(),
        serde_json::json!({"message": "Endpoint request timed out"})
    );
    assert_still_serving(&gateway).await;
    assert!(gateway.is_running());
}

#[tokio::test]
async fn a_memory_bomb_answers_502_and_the_gateway_keeps_serving() {
    let (_data, mut gateway) = start();
    let answer = send("GET", &gateway.url("/dev/bomb"), &[], "").await;
    assert_internal_server_error(&answer, 502);
    assert_eq!(
        answer.json(),
        serde_json::json!({"message": "Internal server error"})
    );
    assert_still_serving(&gateway).await;
    assert!(gateway.is_running());
}

#[tokio::test]
async fn malformed_function_output_answers_502() {
    let (_data, gateway) = start();
    for kind in [
        "not-json",
        "no-status",
        "extra-field",
        "body-not-string",
        "error",
    ] {
        let answer = send(
            "GET",
            &gateway.url(&format!("/dev/malformed?kind={kind}")),
            &[],
            "",
        )
        .await;
        assert_internal_server_error(&answer, 502);
        assert_eq!(
            answer.json(),
            serde_json::json!({"message": "Internal server error"}),
            "kind {kind}"
        );
    }
    assert_still_serving(&gateway).await;
}

#[tokio::test]
async fn concurrent_failures_do_not_disturb_healthy_requests() {
    let (_data, gateway) = start();
    let mut tasks = Vec::new();
    for i in 0..12 {
        let url = gateway.url(match i % 3 {
            0 => "/dev/trap",
            1 => "/dev/bomb",
            _ => "/dev/ok",
        });
        tasks.push(tokio::spawn(async move {
            (i, send("GET", &url, &[], "").await.status)
        }));
    }
    for task in tasks {
        let (i, status) = task.await.unwrap();
        let expected = if i % 3 == 2 { 200 } else { 502 };
        assert_eq!(status, expected, "request {i}");
    }
}
