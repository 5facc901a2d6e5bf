//! The CLI's user-facing paths: `up` with your own definition, stage variables in function
//! qualifiers, publishing, and the errors a user can hit.

use tollgate_tests::{
    ADMIN_TOKEN, Gateway, TempData, components, deploy, expect_success, send, tollgate,
    tollgate_with_env,
};

const API: &str = r#"
openapi: 3.0.1
info: { title: my api, version: "1" }
paths:
  /hello:
    get:
      x-amazon-apigateway-integration: { type: aws_proxy, httpMethod: POST, uri: "function:echo:${stageVariables.version}" }
"#;

#[tokio::test]
async fn up_serves_your_own_definition_functions_and_stage_variables() {
    let data = TempData::new();
    let file = data.write("api.yaml", API);
    let gateway = Gateway::start(&[
        "up",
        "--api",
        file.to_str().unwrap(),
        "--stage",
        "v1",
        "--var",
        "version=1",
        "--function",
        &format!("echo={}", components::EVENT_ECHO),
        "--data-dir",
        data.path().to_str().unwrap(),
    ]);
    let answer = send("GET", &gateway.url("/v1/hello"), &[], "").await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    assert_eq!(answer.json()["stageVariables"]["version"], "1");
    // A request naming the API by host works too.
    let by_host = send(
        "GET",
        &gateway.url("/v1/hello"),
        &[("host", "my-api.execute-api.localhost")],
        "",
    )
    .await;
    assert_eq!(by_host.status, 200);
    let other_api = send(
        "GET",
        &gateway.url("/v1/hello"),
        &[("host", "nope.execute-api.localhost")],
        "",
    )
    .await;
    assert_eq!(other_api.status, 403);
}

#[test]
fn a_qualifier_naming_a_missing_version_refuses_the_deployment() {
    let data = TempData::new();
    let file = data.write("api.yaml", API);
    let output = tollgate(&[
        "import",
        file.to_str().unwrap(),
        "--var",
        "version=7",
        "--function",
        &format!("echo={}", components::EVENT_ECHO),
        "--data-dir",
        data.path().to_str().unwrap(),
    ]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("function echo:7 is not published"),
        "{stderr}"
    );
    assert!(stderr.contains("api.yaml"), "{stderr}");
}

#[test]
fn publishing_unchanged_bytes_reuses_the_version_and_new_bytes_make_a_new_one() {
    let data = TempData::new();
    let publish = |file: &str| {
        let output = tollgate(&[
            "function",
            "publish",
            "f",
            file,
            "--data-dir",
            data.path().to_str().unwrap(),
        ]);
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    assert!(publish(components::EVENT_ECHO).starts_with("function f version 1 "));
    assert!(publish(components::EVENT_ECHO).starts_with("function f version 1 "));
    assert!(publish(components::KV_PROBE).starts_with("function f version 2 "));
    let listed = tollgate(&[
        "function",
        "list",
        "--data-dir",
        data.path().to_str().unwrap(),
    ]);
    let listed = String::from_utf8_lossy(&listed.stdout);
    assert!(
        listed.contains("f:1\t") && listed.contains("f:2\t"),
        "{listed}"
    );
}

#[tokio::test]
async fn while_a_gateway_holds_the_data_directory_the_cli_goes_through_its_admin_api() {
    let data = TempData::new();
    deploy(
        &data,
        API,
        "v1",
        &[("echo", components::EVENT_ECHO)],
        &["version=1"],
    );
    let _gateway = Gateway::start(&["serve", "--data-dir", data.path().to_str().unwrap()]);
    let dir = data.path().to_str().unwrap();
    // The store is locked by the gateway; the CLI finds its admin address in the data
    // directory, and without the token the gateway refuses it.
    let refused = tollgate(&["function", "list", "--data-dir", dir]);
    assert_eq!(refused.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("Unauthorized") && stderr.contains("401"),
        "{stderr}"
    );
    let listed = tollgate_with_env(
        &["function", "list", "--data-dir", dir],
        &[("TOLLGATE_ADMIN_TOKEN", ADMIN_TOKEN)],
    );
    let stdout = expect_success(&listed, "function list through the admin API");
    assert!(stdout.contains("echo:1\t"), "{stdout}");
}

#[test]
fn invalid_stage_variables_and_missing_files_are_clear_errors() {
    let data = TempData::new();
    let file = data.write("api.yaml", API);
    let bad_var = tollgate(&[
        "import",
        file.to_str().unwrap(),
        "--var",
        "bad-name=1",
        "--data-dir",
        data.path().to_str().unwrap(),
    ]);
    assert!(!bad_var.status.success());
    assert!(String::from_utf8_lossy(&bad_var.stderr).contains("letters, digits and underscores"));

    let missing = tollgate(&[
        "import",
        "/nonexistent/api.yaml",
        "--data-dir",
        data.path().to_str().unwrap(),
    ]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("/nonexistent/api.yaml"));
}

#[tokio::test]
async fn the_access_log_records_each_request_as_json_with_aws_context_names() {
    let data = TempData::new();
    deploy(
        &data,
        API,
        "v1",
        &[("echo", components::EVENT_ECHO)],
        &["version=1"],
    );
    let gateway = Gateway::start_with_env(
        &["serve", "--data-dir", data.path().to_str().unwrap()],
        &[("TOLLGATE_LOG", "info"), ("TOLLGATE_LOG_FORMAT", "json")],
    );
    let answer = send("GET", &gateway.url("/v1/nowhere"), &[], "").await;
    assert_eq!(answer.status, 403);
    let request_id = answer.header("x-amzn-requestid").unwrap().to_string();
    let mut log = String::new();
    let mut record = None;
    for _ in 0..50 {
        log.push_str(&gateway.stderr());
        log.push('\n');
        record = log
            .lines()
            .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
            .find(|r| r["fields"]["requestId"] == request_id.as_str());
        if record.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let record = record.unwrap_or_else(|| panic!("no access record for {request_id} in:\n{log}"));
    assert_eq!(record["target"], "access");
    assert_eq!(record["fields"]["status"], 403);
    assert_eq!(record["fields"]["httpMethod"], "GET");
    assert_eq!(record["fields"]["path"], "/v1/nowhere");
    assert_eq!(record["fields"]["stage"], "v1");
}
