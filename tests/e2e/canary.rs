//! Canary releases (issue 3, `docs/admin-api.md`): a second deployment takes a percentage
//! of a stage's requests, each request split independently; the canary's stage-variable
//! overrides apply to its side only; the access log says which side served each request;
//! update, promote and delete.

use serde_json::{Value, json};
use tollgate_tests::components::{self, SWAP_A_BODY, SWAP_B_BODY};
use tollgate_tests::{Gateway, TempData, function_api, send, send_many};

const CONNECTIONS: usize = 4;

/// A gateway whose stage `prod` serves the base deployment (`/swap` → version a, `/event` →
/// the event echo with resource `/event`), with a second deployment ready for the canary
/// (`/swap` → version b, `/{name}` → the event echo: its events say resource `/{name}`).
/// Returns (gateway, base id, canary id).
async fn setup(data: &TempData, env: &[(&str, &str)]) -> (Gateway, String, String) {
    let gateway =
        Gateway::start_with_env(&["serve", "--data-dir", data.path().to_str().unwrap()], env);
    gateway.publish("swap", components::SWAP_A).await;
    gateway.publish("swap", components::SWAP_B).await;
    gateway.publish("echo", components::EVENT_ECHO).await;
    let canary = gateway
        .deploy_ok(
            &function_api(
                "shop",
                "canary",
                &[("/swap", "function:swap:2"), ("/{name}", "function:echo")],
            ),
            "prod",
            None,
        )
        .await;
    let base = gateway
        .deploy_ok(
            &function_api(
                "shop",
                "base",
                &[("/swap", "function:swap:1"), ("/event", "function:echo")],
            ),
            "prod",
            None,
        )
        .await;
    assert_ne!(base, canary);
    (gateway, base, canary)
}

/// Sends `total` requests to `/prod/swap`; returns the number served by the canary
/// (version b), checking every answer is 200 from one side or the other, and that each
/// connection saw both sides when `both_per_connection`.
async fn canary_share(gateway: &Gateway, total: usize, both_per_connection: bool) -> usize {
    let answers = send_many(gateway.address, "/prod/swap", &[], CONNECTIONS, total).await;
    let mut canary = 0;
    for (connection, answers) in answers.iter().enumerate() {
        let mut sides = [0usize; 2];
        for answer in answers {
            assert_eq!(answer.status, 200, "{}", answer.text());
            let text = answer.text();
            assert!(text == SWAP_A_BODY || text == SWAP_B_BODY, "{text}");
            sides[usize::from(text == SWAP_B_BODY)] += 1;
        }
        if both_per_connection {
            // Each request is split on its own, not each connection.
            assert!(
                sides[0] > 0 && sides[1] > 0,
                "connection {connection} saw only one side: {sides:?}"
            );
        }
        canary += sides[1];
    }
    canary
}

/// Whether `count` canary responses out of `total` fit a binomial share of `percent` within
/// six standard deviations (a bound this test cannot miss by chance: p < 2e-9).
fn assert_share(count: usize, total: usize, percent: f64) {
    let p = percent / 100.0;
    let mean = total as f64 * p;
    let sigma = (total as f64 * p * (1.0 - p)).sqrt();
    let (low, high) = (mean - 6.0 * sigma, mean + 6.0 * sigma);
    assert!(
        (low..=high).contains(&(count as f64)),
        "{count} of {total} requests went to a {percent} % canary; expected {low:.0}..={high:.0}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_canary_takes_its_percentage_of_requests_each_split_independently() {
    let data = TempData::new();
    let (gateway, _base, canary) = setup(&data, &[]).await;
    gateway.cli_ok(&[
        "canary",
        "create",
        "prod",
        "--deployment",
        &canary,
        "--percent",
        "25",
    ]);
    let stage = gateway.stage("shop", "prod").await;
    assert_eq!(stage["canary"]["deploymentId"], canary.as_str());
    assert_eq!(stage["canary"]["percent"].as_f64(), Some(25.0));
    let count = canary_share(&gateway, 1200, true).await;
    assert_share(count, 1200, 25.0);

    gateway.cli_ok(&["canary", "update", "prod", "--percent", "50"]);
    assert_eq!(
        gateway.stage("shop", "prod").await["canary"]["percent"].as_f64(),
        Some(50.0)
    );
    let count = canary_share(&gateway, 1200, true).await;
    assert_share(count, 1200, 50.0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn zero_percent_serves_no_canary_and_a_hundred_percent_only_the_canary() {
    let data = TempData::new();
    let (gateway, _base, canary) = setup(&data, &[]).await;
    gateway.cli_ok(&[
        "canary",
        "create",
        "prod",
        "--deployment",
        &canary,
        "--percent",
        "0",
    ]);
    assert_eq!(canary_share(&gateway, 240, false).await, 0);
    gateway.cli_ok(&["canary", "update", "prod", "--percent", "100"]);
    assert_eq!(canary_share(&gateway, 240, false).await, 240);
    gateway.cli_ok(&["canary", "update", "prod", "--percent", "0"]);
    assert_eq!(canary_share(&gateway, 240, false).await, 0);
}

/// The events of `total` requests to `/prod/event`, split by side: (base, canary), told
/// apart by the resource each deployment routes them to.
async fn events_by_side(gateway: &Gateway, total: usize) -> (Vec<Value>, Vec<Value>) {
    let answers = send_many(gateway.address, "/prod/event", &[], CONNECTIONS, total).await;
    let (mut base, mut canary) = (Vec::new(), Vec::new());
    for answer in answers.into_iter().flatten() {
        assert_eq!(answer.status, 200, "{}", answer.text());
        let event = answer.json();
        match event["resource"].as_str() {
            Some("/event") => base.push(event),
            Some("/{name}") => canary.push(event),
            other => panic!("unexpected resource {other:?}: {event}"),
        }
    }
    (base, canary)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn canary_variable_overrides_apply_to_the_canary_side_only() {
    let data = TempData::new();
    let (gateway, _base, canary) = setup(&data, &[]).await;
    gateway.cli_ok(&["stage", "vars", "set", "prod", "color=red", "shared=base"]);
    gateway.cli_ok(&[
        "canary",
        "create",
        "prod",
        "--deployment",
        &canary,
        "--percent",
        "50",
        "--var",
        "color=green",
    ]);
    let (base_events, canary_events) = events_by_side(&gateway, 200).await;
    assert!(!base_events.is_empty() && !canary_events.is_empty());
    for event in &base_events {
        assert_eq!(
            event["stageVariables"],
            json!({"color": "red", "shared": "base"}),
            "base side"
        );
    }
    for event in &canary_events {
        // The overrides replace the stage's value of the variables they name; the others
        // are the stage's.
        assert_eq!(
            event["stageVariables"],
            json!({"color": "green", "shared": "base"}),
            "canary side"
        );
    }
    // The stage's own variables are unchanged; the canary reports its overrides.
    let stage = gateway.stage("shop", "prod").await;
    assert_eq!(
        stage["variables"],
        json!({"color": "red", "shared": "base"})
    );
    assert_eq!(stage["canary"]["variables"], json!({"color": "green"}));

    gateway.cli_ok(&["canary", "update", "prod", "--var", "color=blue"]);
    let (base_events, canary_events) = events_by_side(&gateway, 200).await;
    assert!(!base_events.is_empty() && !canary_events.is_empty());
    assert!(
        base_events
            .iter()
            .all(|e| e["stageVariables"]["color"] == "red")
    );
    assert!(
        canary_events
            .iter()
            .all(|e| e["stageVariables"]["color"] == "blue")
    );
    assert_eq!(
        gateway.stage("shop", "prod").await["canary"]["percent"].as_f64(),
        Some(50.0)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_access_log_says_which_side_served_each_request() {
    let data = TempData::new();
    let (gateway, _base, canary) = setup(
        &data,
        &[("TOLLGATE_LOG", "info"), ("TOLLGATE_LOG_FORMAT", "json")],
    )
    .await;
    // Without a canary, no request is a canary request.
    let plain = send("GET", &gateway.url("/prod/swap"), &[], "").await;
    let plain_id = plain.header("x-amzn-requestid").unwrap().to_string();
    gateway
        .admin_ok(
            "PUT",
            "/v1/apis/shop/stages/prod/canary",
            Some(json!({"deploymentId": canary, "percent": 50})),
        )
        .await;
    let mut sides = Vec::new();
    for _ in 0..60 {
        let answer = send("GET", &gateway.url("/prod/swap"), &[], "").await;
        assert_eq!(answer.status, 200);
        let id = answer
            .header("x-amzn-requestid")
            .expect("x-amzn-RequestId")
            .to_string();
        sides.push((id, answer.text() == SWAP_B_BODY));
    }
    assert!(sides.iter().any(|(_, c)| *c) && sides.iter().any(|(_, c)| !*c));
    let mut ids: Vec<String> = sides.iter().map(|(id, _)| id.clone()).collect();
    ids.push(plain_id.clone());
    let records = gateway.access_records(&ids).await;
    assert_eq!(
        records[&plain_id]["fields"]["canary"], false,
        "{}",
        records[&plain_id]
    );
    for (id, canary) in &sides {
        let record = &records[id];
        assert_eq!(record["fields"]["canary"], *canary, "{record}");
        assert_eq!(record["fields"]["stage"], "prod", "{record}");
        assert_eq!(record["fields"]["status"], 200, "{record}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn promote_makes_the_canary_the_stage_and_delete_removes_it() {
    let data = TempData::new();
    let (gateway, base, canary) = setup(&data, &[]).await;
    gateway.cli_ok(&["stage", "vars", "set", "prod", "color=red"]);

    // Nothing to update, promote or delete yet: 409.
    for (method, path, body) in [
        (
            "PATCH",
            "/v1/apis/shop/stages/prod/canary",
            Some(json!({"percent": 5})),
        ),
        ("POST", "/v1/apis/shop/stages/prod/canary/promote", None),
    ] {
        let answer = gateway.admin(method, path, body).await;
        assert_eq!(answer.status, 409, "{method} {path}: {}", answer.text());
        assert!(answer.json()["message"].is_string());
    }

    gateway.cli_ok(&[
        "canary",
        "create",
        "prod",
        "--deployment",
        &canary,
        "--percent",
        "10",
        "--var",
        "color=green",
    ]);
    gateway.cli_ok(&["canary", "promote", "prod"]);
    let stage = gateway.stage("shop", "prod").await;
    assert_eq!(stage["deploymentId"], canary.as_str(), "{stage}");
    assert!(stage["canary"].is_null(), "{stage}");
    assert_eq!(stage["variables"]["color"], "green", "{stage}");
    // Every request is served by the promoted deployment (version b).
    assert_eq!(canary_share(&gateway, 240, false).await, 240);
    // The former base is in the history: a rollback returns to it.
    assert!(
        stage["history"]
            .as_array()
            .unwrap()
            .iter()
            .any(|id| id == base.as_str()),
        "{stage}"
    );

    // A canary of the former base at 100 %, then deleted: the stage is what it was.
    gateway
        .admin_ok(
            "PUT",
            "/v1/apis/shop/stages/prod/canary",
            Some(json!({"deploymentId": base, "percent": 100})),
        )
        .await;
    // (`canary_share` counts version b: none while the former base takes everything.)
    assert_eq!(canary_share(&gateway, 100, false).await, 0);
    gateway.cli_ok(&["canary", "delete", "prod"]);
    let stage = gateway.stage("shop", "prod").await;
    assert!(stage["canary"].is_null(), "{stage}");
    assert_eq!(stage["deploymentId"], canary.as_str());
    assert_eq!(canary_share(&gateway, 240, false).await, 240);
}
