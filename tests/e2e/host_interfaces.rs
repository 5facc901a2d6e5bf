//! The host interfaces a function imports (`key-value`, `stage`, `log`), exercised by the
//! real `kv-probe` component through the real binary.

use tollgate_tests::{Gateway, TempData, components, deploy, send};

const API: &str = r#"
openapi: 3.0.1
info: { title: host-interfaces, version: "1" }
paths:
  /a:
    get:
      x-amazon-apigateway-integration: { type: aws_proxy, httpMethod: POST, uri: "function:probe-a" }
  /b:
    get:
      x-amazon-apigateway-integration: { type: aws_proxy, httpMethod: POST, uri: "function:probe-b" }
"#;

fn start(data: &TempData) -> Gateway {
    Gateway::start(&["serve", "--data-dir", data.path().to_str().unwrap()])
}

async fn probe(gateway: &Gateway, function: &str, query: &str) -> serde_json::Value {
    let answer = send(
        "GET",
        &gateway.url(&format!("/dev/{function}?{query}")),
        &[],
        "",
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    answer.json()
}

#[tokio::test]
async fn key_value_get_set_list_delete_in_the_functions_own_namespace() {
    let data = TempData::new();
    deploy(
        &data,
        API,
        "dev",
        &[
            ("probe-a", components::KV_PROBE),
            ("probe-b", components::KV_PROBE),
        ],
        &["greeting=hello"],
    );
    let gateway = start(&data);

    probe(&gateway, "a", "op=set&key=k:1&value=one").await;
    probe(&gateway, "a", "op=set&key=k:2&value=two").await;
    probe(&gateway, "a", "op=set&key=other&value=x").await;
    assert_eq!(probe(&gateway, "a", "op=get&key=k:1").await["value"], "one");
    assert_eq!(
        probe(&gateway, "a", "op=list&prefix=k:").await["keys"],
        serde_json::json!(["k:1", "k:2"])
    );
    assert_eq!(
        probe(&gateway, "a", "op=list&prefix=k:&limit=1").await["keys"],
        serde_json::json!(["k:1"])
    );

    // Another function has its own namespace: it sees none of a's keys.
    assert_eq!(
        probe(&gateway, "b", "op=get&key=k:1").await["value"],
        serde_json::Value::Null
    );
    assert_eq!(
        probe(&gateway, "b", "op=list&prefix=").await["keys"],
        serde_json::json!([])
    );

    assert_eq!(
        probe(&gateway, "a", "op=delete&key=k:1").await["existed"],
        true
    );
    assert_eq!(
        probe(&gateway, "a", "op=delete&key=k:1").await["existed"],
        false
    );
    assert_eq!(
        probe(&gateway, "a", "op=get&key=k:1").await["value"],
        serde_json::Value::Null
    );
}

#[tokio::test]
async fn stage_variables_reach_the_stage_interface() {
    let data = TempData::new();
    deploy(
        &data,
        API,
        "dev",
        &[
            ("probe-a", components::KV_PROBE),
            ("probe-b", components::KV_PROBE),
        ],
        &["greeting=hello"],
    );
    let gateway = start(&data);
    assert_eq!(
        probe(&gateway, "a", "op=var&name=greeting").await["value"],
        "hello"
    );
    assert_eq!(
        probe(&gateway, "a", "op=var&name=missing").await["value"],
        serde_json::Value::Null
    );
    assert_eq!(
        probe(&gateway, "a", "op=vars").await["variables"],
        serde_json::json!({"greeting": "hello"})
    );
}

#[tokio::test]
async fn guest_log_records_reach_the_gateway_log_with_the_request_id() {
    let data = TempData::new();
    deploy(
        &data,
        API,
        "dev",
        &[
            ("probe-a", components::KV_PROBE),
            ("probe-b", components::KV_PROBE),
        ],
        &[],
    );
    let gateway = start(&data);
    let answer = send(
        "GET",
        &gateway.url("/dev/a?op=log&message=hello-from-guest"),
        &[],
        "",
    )
    .await;
    assert_eq!(answer.status, 200);
    let request_id = answer.header("x-amzn-requestid").unwrap().to_string();
    // The record is written before the response is sent; give the reader thread a moment.
    let mut log = String::new();
    for _ in 0..50 {
        log.push_str(&gateway.stderr());
        if log.contains("hello-from-guest") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let line = log
        .lines()
        .find(|l| l.contains("hello-from-guest"))
        .unwrap_or_else(|| panic!("guest log line missing from:\n{log}"));
    assert!(line.contains(&request_id), "{line}");
    assert!(line.contains("probe-a"), "{line}");
}
