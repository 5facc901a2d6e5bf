//! Step 4 of the pipeline (issue 5): API keys and usage plans, end to end. A method that
//! requires a key answers 403 `{"message":"Forbidden"}` unless the request's `x-api-key` is an
//! enabled key in a usage plan of the stage; a plan's quota answers 429
//! `{"message":"Limit Exceeded"}` once used up, never lets more through than its limit (even
//! under concurrent requests), never forgets a count it answered (restart, `kill -9`), and
//! starts again with the next period; a plan's per-key throttle (and its per-method
//! override) answers 429 `{"message":"Too Many Requests"}`.
//!
//! Keys and plans are managed the way a user does it, with `tollgate apikey` / `usageplan` /
//! `usage` through the running gateway's admin API. Periods end by restarting the gateway with
//! its clock moved forward (`TOLLGATE_CLOCK_OFFSET_SECONDS`).

use std::collections::HashMap;
use std::time::Duration;

use tollgate_tests::load::{
    self, TOO_MANY_REQUESTS, assert_bucket, assert_burst, sequential, tally, windows,
};
use tollgate_tests::{Answer, Gateway, Load, TempData, deploy, send};

/// What `GET /other` answers.
const OK: &str = r#"{"ok":true}"#;
/// 403 for a missing, unknown or unplanned key.
const FORBIDDEN: (u16, &str) = (403, r#"{"message":"Forbidden"}"#);
/// 429 for a used-up quota.
const LIMIT_EXCEEDED: (u16, &str) = (429, r#"{"message":"Limit Exceeded"}"#);

/// `GET /whoami` and `GET /other` require a key; `GET /open` does not. `/whoami` shows the
/// key the gateway identified (`$context.identity.apiKey` and `apiKeyId`).
const DEFINITION: &str = r#"
openapi: 3.0.1
info: { title: keys, version: "1" }
paths:
  /whoami:
    get:
      security: [ { api_key: [] } ]
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: { application/json: '{"statusCode": 200}' }
        responses:
          default:
            statusCode: "200"
            responseTemplates:
              application/json: '{"apiKey": "$context.identity.apiKey", "apiKeyId": "$context.identity.apiKeyId"}'
  /other:
    get:
      security: [ { api_key: [] } ]
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: { application/json: '{"statusCode": 200}' }
        responses:
          default: { statusCode: "200", responseTemplates: { application/json: '{"ok":true}' } }
  /open:
    get:
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: { application/json: '{"statusCode": 200}' }
        responses:
          default: { statusCode: "200", responseTemplates: { application/json: '{"open":true}' } }
components:
  securitySchemes:
    api_key: { type: apiKey, name: x-api-key, in: header }
"#;

/// Deploys the API to stages `prod` and `dev` and serves them.
fn serve(data: &TempData) -> Gateway {
    deploy(data, DEFINITION, "prod", &[], &[]);
    deploy(data, DEFINITION, "dev", &[], &[]);
    restart(data, 0)
}

/// Serves `data` again, its clock `offset_seconds` ahead.
fn restart(data: &TempData, offset_seconds: u64) -> Gateway {
    let offset = offset_seconds.to_string();
    Gateway::start_with_env(
        &["serve", "--data-dir", data.path().to_str().unwrap()],
        &[
            ("TOLLGATE_LOG", "info,access=off"),
            ("TOLLGATE_CLOCK_OFFSET_SECONDS", offset.as_str()),
        ],
    )
}

/// `tollgate apikey create NAME --value VALUE`; the value, as printed.
fn create_key(gateway: &Gateway, name: &str) -> String {
    let value = format!("{name}-key-0123456789abcdefghij");
    let printed = gateway.cli_ok(&["apikey", "create", name, "--value", &value]);
    assert_eq!(printed.trim(), value, "apikey create prints the value");
    value
}

/// The id `tollgate apikey list` shows for a key (`NAME\tID\tenabled\tCREATED`).
fn key_id(gateway: &Gateway, name: &str) -> String {
    let listed = gateway.cli_ok(&["apikey", "list"]);
    listed
        .lines()
        .find_map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            (fields.first() == Some(&name)).then(|| fields[1].to_string())
        })
        .unwrap_or_else(|| panic!("no key {name} in:\n{listed}"))
}

/// `tollgate usageplan create NAME --api-stage keys/STAGE ARGS...`, then `add-key` for each.
fn plan(gateway: &Gateway, name: &str, stage: &str, args: &[&str], keys: &[&str]) {
    let api_stage = format!("keys/{stage}");
    let mut all = vec![
        "usageplan",
        "create",
        name,
        "--api-stage",
        api_stage.as_str(),
    ];
    all.extend_from_slice(args);
    gateway.cli_ok(&all);
    for key in keys {
        gateway.cli_ok(&["usageplan", "add-key", name, key]);
    }
}

/// `used` and `remaining` of `tollgate usage KEY` (the key is in exactly one plan).
fn usage(gateway: &Gateway, key: &str) -> (u64, u64) {
    let printed = gateway.cli_ok(&["usage", key]);
    let lines: Vec<&str> = printed.lines().collect();
    assert_eq!(lines.len(), 1, "one plan for {key}:\n{printed}");
    let fields: HashMap<&str, &str> = lines[0]
        .split_whitespace()
        .filter_map(|pair| pair.split_once('='))
        .collect();
    let number = |name: &str| -> u64 {
        fields
            .get(name)
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no {name}= in {printed}"))
    };
    (number("used"), number("remaining"))
}

/// `GET /{stage}{path}` with `x-api-key: key` (none when `None`).
async fn get(gateway: &Gateway, stage: &str, path: &str, key: Option<&str>) -> Answer {
    let headers: Vec<(&str, &str)> = key.map(|k| ("x-api-key", k)).into_iter().collect();
    send(
        "GET",
        &gateway.url(&format!("/{stage}{path}")),
        &headers,
        "",
    )
    .await
}

fn assert_answer(answer: &Answer, expected: (u16, &str), error_type: Option<&str>, what: &str) {
    assert_eq!((answer.status, answer.text().as_str()), expected, "{what}");
    assert_eq!(answer.header("x-amzn-errortype"), error_type, "{what}");
}

/// Sends `count` `GET /prod/other` with `key`, one after another; how many were admitted and
/// how many refused with 429 `Limit Exceeded` (nothing else may come back).
async fn spend(gateway: &Gateway, key: &str, count: usize) -> (usize, usize) {
    let answers = sequential(gateway.address, "/prod/other", &[("x-api-key", key)], count).await;
    tally(&answers, OK, LIMIT_EXCEEDED)
}

#[tokio::test]
async fn a_method_that_requires_a_key_admits_only_an_enabled_key_in_a_plan_of_its_stage() {
    let data = TempData::new();
    let gateway = serve(&data);
    let alice = create_key(&gateway, "alice");
    let bob = create_key(&gateway, "bob");
    let carol = create_key(&gateway, "carol");
    plan(&gateway, "basic", "prod", &[], &["alice"]);
    plan(&gateway, "dev-only", "dev", &[], &["carol"]);

    let forbidden = [
        (None, "no x-api-key"),
        (Some(""), "an empty x-api-key"),
        (Some("no-such-key-0123456789abcdef"), "an unknown key"),
        (Some(bob.as_str()), "a key in no usage plan"),
        (
            Some(carol.as_str()),
            "a key whose plan covers another stage",
        ),
    ];
    for (key, what) in forbidden {
        let answer = get(&gateway, "prod", "/whoami", key).await;
        assert_answer(&answer, FORBIDDEN, Some("ForbiddenException"), what);
    }

    let answer = get(&gateway, "prod", "/whoami", Some(&alice)).await;
    let expected = format!(
        r#"{{"apiKey": "{alice}", "apiKeyId": "{}"}}"#,
        key_id(&gateway, "alice")
    );
    assert_answer(&answer, (200, expected.as_str()), None, "alice on prod");
    let answer = get(&gateway, "dev", "/whoami", Some(&carol)).await;
    let expected = format!(
        r#"{{"apiKey": "{carol}", "apiKeyId": "{}"}}"#,
        key_id(&gateway, "carol")
    );
    assert_answer(&answer, (200, expected.as_str()), None, "carol on dev");
    // A method without the requirement needs no key.
    let answer = get(&gateway, "prod", "/open", None).await;
    assert_answer(&answer, (200, r#"{"open":true}"#), None, "/open");

    // A deleted key stops working at once.
    gateway.cli_ok(&["apikey", "delete", "alice"]);
    let answer = get(&gateway, "prod", "/whoami", Some(&alice)).await;
    assert_answer(
        &answer,
        FORBIDDEN,
        Some("ForbiddenException"),
        "deleted key",
    );
}

#[tokio::test]
async fn a_quota_admits_exactly_its_limit_per_key_then_answers_limit_exceeded() {
    let data = TempData::new();
    let gateway = serve(&data);
    let alice = create_key(&gateway, "alice");
    let bob = create_key(&gateway, "bob");
    plan(
        &gateway,
        "five",
        "prod",
        &["--quota", "5/DAY"],
        &["alice", "bob"],
    );
    assert_eq!(usage(&gateway, "alice"), (0, 5));

    assert_eq!(spend(&gateway, &alice, 3).await, (3, 0));
    // What `tollgate usage` says while the gateway runs is what it served.
    assert_eq!(usage(&gateway, "alice"), (3, 2));
    assert_eq!(spend(&gateway, &alice, 2).await, (2, 0));
    let refused = get(&gateway, "prod", "/other", Some(&alice)).await;
    assert_answer(
        &refused,
        LIMIT_EXCEEDED,
        Some("LimitExceededException"),
        "the 6th request",
    );
    assert_eq!(spend(&gateway, &alice, 3).await, (0, 3));
    // Refused requests use nothing.
    assert_eq!(usage(&gateway, "alice"), (5, 0));
    // Every method of the stage draws on the same quota.
    let answer = get(&gateway, "prod", "/whoami", Some(&alice)).await;
    assert_answer(
        &answer,
        LIMIT_EXCEEDED,
        Some("LimitExceededException"),
        "/whoami",
    );

    // Bob has a quota of his own in the same plan.
    assert_eq!(usage(&gateway, "bob"), (0, 5));
    assert_eq!(spend(&gateway, &bob, 7).await, (5, 2));
    assert_eq!(usage(&gateway, "bob"), (5, 0));
}

#[tokio::test]
async fn a_quota_count_survives_a_restart() {
    let data = TempData::new();
    let gateway = serve(&data);
    let alice = create_key(&gateway, "alice");
    plan(
        &gateway,
        "five",
        "prod",
        &["--quota", "5", "--period", "DAY"],
        &["alice"],
    );
    assert_eq!(spend(&gateway, &alice, 3).await, (3, 0));
    gateway.terminate();

    let gateway = restart(&data, 0);
    assert_eq!(usage(&gateway, "alice"), (3, 2));
    assert_eq!(spend(&gateway, &alice, 4).await, (2, 2));
    assert_eq!(usage(&gateway, "alice"), (5, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_kill_loses_no_count_of_an_answered_request() {
    const QUOTA: u64 = 1000;
    const CONNECTIONS: usize = 8;
    let data = TempData::new();
    let gateway = serve(&data);
    let alice = create_key(&gateway, "alice");
    let quota = format!("{QUOTA}/DAY");
    plan(&gateway, "big", "prod", &["--quota", &quota], &["alice"]);

    // Requests stream in on 8 connections while the gateway is killed with SIGKILL.
    let running = Load::start(
        gateway.address,
        "/prod/other",
        &[("x-api-key", alice.as_str())],
        CONNECTIONS,
    )
    .await;
    running.wait_for_completed(100).await;
    gateway.kill();
    let samples = running.stop(0).await;
    let answered = samples
        .iter()
        .filter(|s| matches!(&s.result, Ok((200, body)) if body.as_ref() == OK.as_bytes()))
        .count() as u64;
    for sample in &samples {
        if let Ok((status, body)) = &sample.result {
            assert_eq!(
                (*status, body.as_ref()),
                (200, OK.as_bytes()),
                "only admitted answers before the kill"
            );
        }
    }
    assert!(answered >= 100, "{answered} answered before the kill");

    // Every answered request was counted; at most one request per connection was counted
    // without its answer arriving (in flight at the kill).
    let gateway = restart(&data, 0);
    let (used, remaining) = usage(&gateway, "alice");
    assert!(
        (answered..=answered + CONNECTIONS as u64).contains(&used),
        "{answered} requests were answered 200 before the kill; the restarted gateway counts {used}"
    );
    assert_eq!(used + remaining, QUOTA);

    // The rest of the quota, and not one request more.
    let left = (QUOTA - answered) as usize + 20;
    let answers = load::concurrent(
        gateway.address,
        "/prod/other",
        &[("x-api-key", alice.as_str())],
        CONNECTIONS,
        left,
    )
    .await;
    let (admitted, _) = tally(&answers, OK, LIMIT_EXCEEDED);
    assert_eq!(admitted as u64, remaining, "after the restart");
    assert_eq!(usage(&gateway, "alice"), (QUOTA, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 16)]
async fn concurrent_requests_never_exceed_the_quota() {
    const QUOTA: usize = 50;
    let data = TempData::new();
    let gateway = serve(&data);
    let alice = create_key(&gateway, "alice");
    let bob = create_key(&gateway, "bob");
    plan(
        &gateway,
        "fifty",
        "prod",
        &["--quota", "50/DAY"],
        &["alice", "bob"],
    );

    // 16 connections per key, all released at once, 20 requests each.
    let alice_headers = [("x-api-key", alice.as_str())];
    let bob_headers = [("x-api-key", bob.as_str())];
    let (alice_answers, bob_answers) = tokio::join!(
        load::concurrent(gateway.address, "/prod/other", &alice_headers, 16, 320),
        load::concurrent(gateway.address, "/prod/other", &bob_headers, 16, 320),
    );
    assert_eq!(tally(&alice_answers, OK, LIMIT_EXCEEDED), (QUOTA, 270));
    assert_eq!(tally(&bob_answers, OK, LIMIT_EXCEEDED), (QUOTA, 270));
    assert_eq!(usage(&gateway, "alice"), (50, 0));
    assert_eq!(usage(&gateway, "bob"), (50, 0));
}

#[tokio::test]
async fn a_quota_starts_again_when_its_period_ends() {
    const DAY: u64 = 86_400;
    let data = TempData::new();
    let gateway = serve(&data);
    let alice = create_key(&gateway, "alice");
    let bob = create_key(&gateway, "bob");
    let carol = create_key(&gateway, "carol");
    plan(&gateway, "daily", "prod", &["--quota", "2/DAY"], &["alice"]);
    plan(&gateway, "weekly", "prod", &["--quota", "2/WEEK"], &["bob"]);
    plan(
        &gateway,
        "monthly",
        "prod",
        &["--quota", "2/MONTH"],
        &["carol"],
    );
    for key in [&alice, &bob, &carol] {
        assert_eq!(spend(&gateway, key, 3).await, (2, 1));
    }
    gateway.terminate();

    // Tomorrow: the daily quota is new, and `tollgate usage` reports tomorrow's period.
    let gateway = restart(&data, DAY);
    assert_eq!(spend(&gateway, &alice, 1).await, (1, 0));
    assert_eq!(usage(&gateway, "alice"), (1, 1), "alice's usage tomorrow");
    assert_eq!(spend(&gateway, &alice, 2).await, (1, 1));
    gateway.terminate();

    // A week later (every weekly period has ended): the weekly quota is new.
    let gateway = restart(&data, 7 * DAY);
    assert_eq!(spend(&gateway, &bob, 3).await, (2, 1));
    assert_eq!(spend(&gateway, &alice, 3).await, (2, 1));
    gateway.terminate();

    // 31 days later (always in a later month): the monthly quota is new.
    let gateway = restart(&data, 31 * DAY);
    assert_eq!(spend(&gateway, &carol, 3).await, (2, 1));
    assert_eq!(usage(&gateway, "carol"), (2, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_plan_throttle_gives_each_key_its_burst_then_holds_its_rate_within_ten_percent() {
    let data = TempData::new();
    let gateway = serve(&data);
    let alice = create_key(&gateway, "alice");
    let bob = create_key(&gateway, "bob");
    plan(
        &gateway,
        "throttled",
        "prod",
        &["--rate", "10", "--burst", "20"],
        &["alice", "bob"],
    );
    let headers = [("x-api-key", alice.as_str())];

    // The burst: 40 at once against a full bucket of 20.
    let burst = load::concurrent(gateway.address, "/prod/other", &headers, 8, 40).await;
    let (burst_admitted, _) = tally(&burst, OK, TOO_MANY_REQUESTS);
    let refill = (10.0 * windows(&burst).outer).floor() as usize;
    assert!(
        (20..=20 + refill).contains(&burst_admitted),
        "burst 20 (+{refill} refilled while the burst lasted) admits 20 to {}, not {burst_admitted}",
        20 + refill
    );
    // Then 3 s of demand far above the rate.
    let mut all = burst;
    all.extend(
        load::sustained(
            gateway.address,
            "/prod/other",
            &headers,
            4,
            Duration::from_secs(3),
            Duration::from_millis(5),
        )
        .await,
    );
    assert_bucket("alice's key at 10/s burst 20", &all, OK, 10.0, 20, 0.1);

    // Bob's bucket is his own, full.
    let bob_answers = sequential(
        gateway.address,
        "/prod/other",
        &[("x-api-key", bob.as_str())],
        25,
    )
    .await;
    assert_burst("bob's key", &bob_answers, OK, 10.0, 20);
}

#[tokio::test]
async fn a_per_method_plan_throttle_overrides_the_plans_throttle() {
    let data = TempData::new();
    let gateway = serve(&data);
    let alice = create_key(&gateway, "alice");
    let bob = create_key(&gateway, "bob");
    plan(
        &gateway,
        "methods",
        "prod",
        &["--rate", "0.01", "--burst", "2"],
        &["alice", "bob"],
    );
    gateway.cli_ok(&[
        "usageplan",
        "throttle",
        "methods",
        "--api-stage",
        "keys/prod",
        "--method",
        "/other/GET",
        "--rate",
        "0.01",
        "--burst",
        "5",
    ]);
    let alice_headers = [("x-api-key", alice.as_str())];
    // GET /other: the method's 5...
    let other = sequential(gateway.address, "/prod/other", &alice_headers, 10).await;
    assert_eq!(assert_burst("alice /other", &other, OK, 0.01, 5), 5);
    // ...drawn from a bucket of its own: GET /whoami still has the plan's 2.
    let whoami = sequential(gateway.address, "/prod/whoami", &alice_headers, 10).await;
    let expected = format!(
        r#"{{"apiKey": "{alice}", "apiKeyId": "{}"}}"#,
        key_id(&gateway, "alice")
    );
    assert_eq!(
        assert_burst("alice /whoami", &whoami, &expected, 0.01, 2),
        2
    );
    // Per key: bob's /other bucket is full.
    let bob_other = sequential(
        gateway.address,
        "/prod/other",
        &[("x-api-key", bob.as_str())],
        10,
    )
    .await;
    assert_eq!(assert_burst("bob /other", &bob_other, OK, 0.01, 5), 5);

    // Cleared, /other falls back to the plan's throttle: alice's plan bucket is empty.
    gateway.cli_ok(&[
        "usageplan",
        "throttle",
        "methods",
        "--api-stage",
        "keys/prod",
        "--method",
        "/other/GET",
        "--clear",
    ]);
    let after = sequential(gateway.address, "/prod/other", &alice_headers, 3).await;
    assert_eq!(tally(&after, OK, TOO_MANY_REQUESTS), (0, 3));
}
