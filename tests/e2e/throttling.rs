//! Step 5 of the pipeline (issue 5): account → stage → method token buckets, each answering
//! 429 `{"message":"Too Many Requests"}` when empty. Every limit here is set the way a user
//! sets it (`tollgate stage throttle`, `tollgate serve --account-rate/--account-burst`) on a
//! running gateway, and judged from the answers alone.
//!
//! Two kinds of measurement, neither a timing threshold: limits with a rate far below one
//! request per test (0.01/s) admit exactly their burst, whatever the machine's speed; the one
//! rate-accuracy test counts admitted requests against `burst + rate × elapsed` over the wall
//! time it measured (`tollgate_tests::load`).

use std::time::Duration;

use tollgate_tests::load::{
    self, TOO_MANY_REQUESTS, assert_bucket, assert_burst, sequential, tally, windows,
};
use tollgate_tests::{Gateway, TempData, deploy, send};

/// What every method of the test APIs answers.
const ADMITTED: &str = r#"{"ok":true}"#;

/// A MOCK API titled `title` (its id) with `GET /a`, `/b`, `/c`, each answering [`ADMITTED`];
/// `revision` makes a different document of the same API.
fn definition(title: &str, revision: &str) -> String {
    let mut text =
        format!("openapi: 3.0.1\ninfo: {{ title: {title}, version: \"{revision}\" }}\npaths:\n");
    for path in ["/a", "/b", "/c"] {
        text.push_str(&format!(
            r#"  {path}:
    get:
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: {{ application/json: '{{"statusCode": 200}}' }}
        responses:
          default:
            statusCode: "200"
            responseTemplates: {{ application/json: '{ADMITTED}' }}
"#
        ));
    }
    text
}

/// Deploys `alpha` (and `beta` when `two`) to stage `prod` in `data`, then serves it with
/// `extra` arguments.
fn serve(data: &TempData, two: bool, extra: &[&str]) -> Gateway {
    deploy(data, &definition("alpha", "1"), "prod", &[], &[]);
    if two {
        deploy(data, &definition("beta", "1"), "prod", &[], &[]);
    }
    restart(data, extra)
}

fn restart(data: &TempData, extra: &[&str]) -> Gateway {
    let mut args = vec!["serve", "--data-dir", data.path().to_str().unwrap()];
    args.extend_from_slice(extra);
    Gateway::start(&args)
}

/// `tollgate stage throttle API prod [--method M] --rate R --burst B` through the gateway.
fn throttle(gateway: &Gateway, api: &str, method: Option<&str>, rate: &str, burst: &str) {
    let mut args = vec!["stage", "throttle", api, "prod"];
    if let Some(method) = method {
        args.extend(["--method", method]);
    }
    args.extend(["--rate", rate, "--burst", burst]);
    gateway.cli_ok(&args);
}

/// The `Host` header that names `api` (two APIs serve a stage `prod`, so a request must say
/// which).
fn host(api: &str) -> String {
    format!("{api}.execute-api.localhost")
}

/// Sends `count` requests one after another to `path` of `api`.
async fn requests(gateway: &Gateway, api: &str, path: &str, count: usize) -> Vec<load::Timed> {
    let host = host(api);
    sequential(gateway.address, path, &[("host", host.as_str())], count).await
}

/// Sends `count` requests one after another to `path` of `api`; how many were admitted
/// (every other answer must be the throttling 429).
async fn admitted(gateway: &Gateway, api: &str, path: &str, count: usize) -> usize {
    let answers = requests(gateway, api, path, count).await;
    tally(&answers, ADMITTED, TOO_MANY_REQUESTS).0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_stage_throttle_admits_its_burst_then_holds_its_rate_within_ten_percent() {
    let data = TempData::new();
    let gateway = serve(&data, false, &[]);
    throttle(&gateway, "alpha", None, "10", "20");

    // The burst: 40 requests at once from 8 connections against a full bucket of 20.
    let burst = load::concurrent(gateway.address, "/prod/a", &[], 8, 40).await;
    let (burst_admitted, _) = tally(&burst, ADMITTED, TOO_MANY_REQUESTS);
    let refill = (10.0 * windows(&burst).outer).floor() as usize;
    assert!(
        (20..=20 + refill).contains(&burst_admitted),
        "burst 20 (+{refill} refilled while the burst lasted) admits 20 to {}, not {burst_admitted}",
        20 + refill
    );

    // Then 3 s of demand far above the rate: over everything sent since the bucket was full,
    // the admitted count stays within 10 % of 20 + 10/s × elapsed.
    let mut all = burst;
    all.extend(
        load::sustained(
            gateway.address,
            "/prod/a",
            &[],
            4,
            Duration::from_secs(3),
            Duration::from_millis(5),
        )
        .await,
    );
    assert_bucket(
        "stage alpha/prod at 10/s burst 20",
        &all,
        ADMITTED,
        10.0,
        20,
        0.1,
    );
}

#[tokio::test]
async fn a_method_setting_overrides_the_stage_default_for_that_method_only() {
    let data = TempData::new();
    let gateway = serve(&data, false, &[]);
    // `*/*` is the stage's default (AWS's method settings key); `/b/GET` one method's.
    throttle(&gateway, "alpha", Some("*/*"), "0.01", "2");
    throttle(&gateway, "alpha", Some("/b/GET"), "0.01", "5");

    // /b has a bucket of its own: it admits its 5, and using them takes nothing from the
    // default bucket...
    let b = requests(&gateway, "alpha", "/prod/b", 10).await;
    assert_eq!(assert_burst("/b/GET", &b, ADMITTED, 0.01, 5), 5);
    // ...which still admits its 2 for /a.
    let a = requests(&gateway, "alpha", "/prod/a", 10).await;
    assert_eq!(
        assert_burst("/a/GET (stage default)", &a, ADMITTED, 0.01, 2),
        2
    );
    // Both are empty now.
    assert_eq!(admitted(&gateway, "alpha", "/prod/b", 3).await, 0);
    assert_eq!(admitted(&gateway, "alpha", "/prod/a", 3).await, 0);
}

#[tokio::test]
async fn the_account_limit_is_shared_by_every_api() {
    let data = TempData::new();
    let gateway = serve(
        &data,
        true,
        &["--account-rate", "0.01", "--account-burst", "10"],
    );
    // No stage limits: the account's burst of 10 is all there is, for both APIs together.
    assert_eq!(admitted(&gateway, "alpha", "/prod/a", 6).await, 6);
    assert_eq!(
        admitted(&gateway, "beta", "/prod/a", 10).await,
        4,
        "beta gets what alpha left of the account's 10"
    );
    assert_eq!(
        admitted(&gateway, "alpha", "/prod/b", 5).await,
        0,
        "alpha: the account is empty"
    );
}

#[tokio::test]
async fn a_stage_limit_on_one_api_leaves_another_api_alone() {
    let data = TempData::new();
    let gateway = serve(&data, true, &[]);
    throttle(&gateway, "alpha", None, "0.01", "3");
    assert_eq!(admitted(&gateway, "alpha", "/prod/a", 20).await, 3);
    assert_eq!(admitted(&gateway, "beta", "/prod/a", 20).await, 20);
}

#[tokio::test]
async fn with_a_stage_limit_on_each_api_flooding_one_does_not_starve_the_other() {
    let data = TempData::new();
    // The account's burst (10) covers both stages' bursts (4 + 4); AWS applies stage and
    // method limits before the account's, so a request alpha's stage refuses takes nothing
    // from the account.
    let gateway = serve(
        &data,
        true,
        &["--account-rate", "0.01", "--account-burst", "10"],
    );
    throttle(&gateway, "alpha", None, "0.01", "4");
    throttle(&gateway, "beta", None, "0.01", "4");
    assert_eq!(
        admitted(&gateway, "alpha", "/prod/a", 30).await,
        4,
        "alpha's flood"
    );
    assert_eq!(
        admitted(&gateway, "beta", "/prod/a", 30).await,
        4,
        "beta still gets its stage's burst: alpha's refused flood must not use up the account"
    );
}

#[tokio::test]
async fn a_zero_rate_and_burst_refuses_every_request_until_cleared() {
    let data = TempData::new();
    let gateway = serve(&data, false, &[]);
    throttle(&gateway, "alpha", Some("/b/GET"), "0", "0");
    let refused = send("GET", &gateway.url("/prod/b"), &[], "").await;
    assert_eq!(
        (refused.status, refused.text().as_str()),
        TOO_MANY_REQUESTS,
        "/b closed"
    );
    assert_eq!(
        refused.header("x-amzn-errortype"),
        Some("TooManyRequestsException")
    );
    assert_eq!(
        admitted(&gateway, "alpha", "/prod/b", 5).await,
        0,
        "/b closed"
    );
    assert_eq!(
        admitted(&gateway, "alpha", "/prod/a", 5).await,
        5,
        "/a unlimited"
    );
    throttle(&gateway, "alpha", None, "0", "0");
    assert_eq!(
        admitted(&gateway, "alpha", "/prod/a", 5).await,
        0,
        "the stage closed"
    );
    assert_eq!(
        admitted(&gateway, "alpha", "/prod/c", 5).await,
        0,
        "the stage closed"
    );

    gateway.cli_ok(&["stage", "throttle", "alpha", "prod", "--clear"]);
    gateway.cli_ok(&[
        "stage", "throttle", "alpha", "prod", "--method", "/b/GET", "--clear",
    ]);
    for path in ["/prod/a", "/prod/b", "/prod/c"] {
        assert_eq!(
            admitted(&gateway, "alpha", path, 5).await,
            5,
            "{path} after --clear"
        );
    }
}

#[tokio::test]
async fn throttle_settings_survive_a_restart() {
    let data = TempData::new();
    let gateway = serve(&data, false, &[]);
    throttle(&gateway, "alpha", None, "0.01", "3");
    throttle(&gateway, "alpha", Some("/b/GET"), "0.01", "5");
    let listed = gateway.cli_ok(&["stage", "list", "--api-id", "alpha"]);
    assert!(
        listed.contains("; throttle 0.01/s burst 3; /b/GET 0.01/s burst 5"),
        "{listed}"
    );
    gateway.terminate();

    // Buckets live in memory, so the restarted gateway starts them full: what it admits shows
    // the limits it read back from the store.
    let gateway = restart(&data, &[]);
    let a = requests(&gateway, "alpha", "/prod/a", 10).await;
    assert_eq!(assert_burst("/a after restart", &a, ADMITTED, 0.01, 3), 3);
    let b = requests(&gateway, "alpha", "/prod/b", 10).await;
    assert_eq!(assert_burst("/b after restart", &b, ADMITTED, 0.01, 5), 5);
    let listed = gateway.cli_ok(&["stage", "list", "--api-id", "alpha"]);
    assert!(
        listed.contains("; throttle 0.01/s burst 3; /b/GET 0.01/s burst 5"),
        "{listed}"
    );
}

#[tokio::test]
async fn a_redeploy_does_not_refill_a_bucket() {
    let data = TempData::new();
    let gateway = serve(&data, false, &[]);
    throttle(&gateway, "alpha", None, "0.01", "3");
    throttle(&gateway, "alpha", Some("/b/GET"), "0.01", "4");
    assert_eq!(admitted(&gateway, "alpha", "/prod/a", 10).await, 3);
    assert_eq!(admitted(&gateway, "alpha", "/prod/b", 10).await, 4);

    // A new deployment of the stage, then at once more requests: the buckets are the
    // stage's, not the deployment's, and stay empty.
    let before = gateway.stage("alpha", "prod").await["deploymentId"].clone();
    let id = gateway
        .deploy_ok(&definition("alpha", "2"), "prod", None)
        .await;
    assert_ne!(before, id.as_str(), "the redeploy made a new deployment");
    assert_eq!(
        admitted(&gateway, "alpha", "/prod/a", 5).await,
        0,
        "/a after redeploy"
    );
    assert_eq!(
        admitted(&gateway, "alpha", "/prod/b", 5).await,
        0,
        "/b after redeploy"
    );
    assert_eq!(
        admitted(&gateway, "alpha", "/prod/c", 5).await,
        0,
        "/c after redeploy"
    );
}
