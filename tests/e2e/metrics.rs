//! Metrics in Prometheus format with API Gateway's metric names, per API, stage, method,
//! resource and canary side, served on the admin listener at `/metrics`.

use tollgate_tests::{Gateway, TempData, components, function_api, send};

fn value(metrics: &str, name: &str, labels: &str) -> Option<f64> {
    metrics
        .lines()
        .find(|line| line.starts_with(&format!("{name}{{")) && line.contains(labels))
        .and_then(|line| line.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

#[tokio::test]
async fn requests_are_counted_per_stage_resource_method_and_canary_side() {
    let data = TempData::new();
    let gateway = Gateway::start(&["serve", "--data-dir", data.path().to_str().unwrap()]);
    gateway.cli_ok(&["function", "publish", "echo", components::EVENT_ECHO]);
    gateway.cli_ok(&["function", "publish", "trap", components::TRAP]);
    let api = function_api(
        "metered",
        "1",
        &[("/hello", "function:echo"), ("/boom", "function:trap")],
    );
    let first = gateway.deploy_ok(&api, "dev", None).await;
    for _ in 0..3 {
        assert_eq!(
            send("GET", &gateway.url("/dev/hello"), &[], "")
                .await
                .status,
            200
        );
    }
    assert_eq!(
        send("GET", &gateway.url("/dev/boom"), &[], "").await.status,
        502
    );
    assert_eq!(
        send("GET", &gateway.url("/dev/nowhere"), &[], "")
            .await
            .status,
        403
    );

    // A second deployment as a 100 % canary: its requests carry canary="true".
    let second_api = function_api("metered", "2", &[("/hello", "function:echo")]);
    let second = gateway.deploy_ok(&second_api, "other", None).await;
    assert_ne!(first, second);
    gateway.cli_ok(&[
        "canary",
        "create",
        "dev",
        "--deployment",
        &second,
        "--percent",
        "100",
        "--api-id",
        "metered",
    ]);
    for _ in 0..2 {
        assert_eq!(
            send("GET", &gateway.url("/dev/hello"), &[], "")
                .await
                .status,
            200
        );
    }

    let metrics = send("GET", &gateway.admin_url("/metrics"), &[], "").await;
    assert_eq!(metrics.status, 200, "/metrics needs no token");
    assert!(
        metrics
            .header("content-type")
            .unwrap()
            .starts_with("text/plain")
    );
    let text = metrics.text();
    let main_hello = r#"api="metered",stage="dev",method="GET",resource="/hello",canary="false""#;
    let canary_hello = r#"api="metered",stage="dev",method="GET",resource="/hello",canary="true""#;
    let boom = r#"resource="/boom",canary="false""#;
    let unrouted = r#"resource="",canary="false""#;
    assert_eq!(
        value(&text, "apigateway_Count_total", main_hello),
        Some(3.0),
        "{text}"
    );
    assert_eq!(
        value(&text, "apigateway_Count_total", canary_hello),
        Some(2.0),
        "{text}"
    );
    assert_eq!(
        value(&text, "apigateway_5XXError_total", boom),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        value(&text, "apigateway_4XXError_total", unrouted),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        value(&text, "apigateway_Latency_count", main_hello),
        Some(3.0),
        "{text}"
    );
    assert_eq!(
        value(&text, "apigateway_IntegrationLatency_count", canary_hello),
        Some(2.0),
        "{text}"
    );
}
