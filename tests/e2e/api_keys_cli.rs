//! The control plane of API keys, usage plans, throttles and SigV4 access keys
//! (`docs/admin-api.md`): every command on a data directory and through a running gateway's
//! admin API, every error with its exit code or status and message, and that no API key
//! value or access-key secret is ever written to the data directory in clear.

use std::path::Path;
use std::process::Output;

use serde_json::{Value, json};
use tollgate_tests::{
    ADMIN_TOKEN, Gateway, TempData, deploy, expect_success, tollgate, tollgate_with_env,
};

const API: &str = r#"
openapi: 3.0.1
info: { title: pets, version: "1" }
paths:
  /pets:
    get:
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: { "application/json": '{"statusCode": 200}' }
        responses: { default: { statusCode: "200" } }
  /pets/{id}:
    get:
      parameters: [{ name: id, in: path, required: true, schema: { type: string } }]
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: { "application/json": '{"statusCode": 200}' }
        responses: { default: { statusCode: "200" } }
"#;

const POLICY: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    { "Effect": "Allow", "Action": "execute-api:Invoke", "Resource": "arn:aws:execute-api:*:*:pets/prod/GET/pets" }
  ]
}"#;

const BAD_POLICY: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [ { "Effect": "Maybe", "Action": "execute-api:Invoke", "Resource": "*" } ]
}"#;

/// A data directory with API `pets` deployed to stages `prod` and `dev`.
fn data_with_api() -> TempData {
    let data = TempData::new();
    deploy(&data, API, "prod", &[], &[]);
    deploy(&data, API, "dev", &[], &[]);
    data
}

fn serve(data: &TempData) -> Gateway {
    Gateway::start(&["serve", "--data-dir", data.path().to_str().unwrap()])
}

/// Where the commands of a test act: the data directory, or a running gateway.
enum On<'a> {
    Offline(&'a TempData),
    Gateway(&'a Gateway),
}

impl On<'_> {
    fn run(&self, args: &[&str]) -> Output {
        match self {
            On::Offline(data) => {
                let mut all = args.to_vec();
                all.extend(["--data-dir", data.path().to_str().unwrap()]);
                tollgate(&all)
            }
            On::Gateway(gateway) => gateway.cli(args),
        }
    }

    fn ok(&self, args: &[&str]) -> String {
        expect_success(&self.run(args), &format!("tollgate {}", args.join(" ")))
    }

    /// Runs a command that must fail with `code`; returns its stderr.
    fn fails(&self, args: &[&str], code: i32) -> String {
        let output = self.run(args);
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        assert_eq!(
            output.status.code(),
            Some(code),
            "tollgate {}: stdout {} stderr {stderr}",
            args.join(" "),
            String::from_utf8_lossy(&output.stdout)
        );
        stderr
    }

    /// The status the admin API answered with, as the CLI reports it; none offline.
    fn status(&self, status: u16) -> String {
        match self {
            On::Offline(_) => String::new(),
            On::Gateway(_) => format!("(admin API answered {status})"),
        }
    }
}

/// Every file of the data directory (recursively) as bytes, to search for secrets.
fn data_dir_bytes(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("list the data directory") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            out.extend(data_dir_bytes(&path));
        } else {
            let bytes = std::fs::read(&path).unwrap_or_default();
            out.push((path.display().to_string(), bytes));
        }
    }
    out
}

fn assert_not_in_clear(dir: &Path, secret: &str) {
    assert!(
        dir.join("tollgate.redb").is_file(),
        "no database in {}",
        dir.display()
    );
    for (file, bytes) in data_dir_bytes(dir) {
        assert!(
            !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
            "{secret} is in {file} in clear"
        );
    }
}

fn assert_message(answer: &tollgate_tests::Answer, status: u16, contains: &str) {
    assert_eq!(answer.status, status, "{}", answer.text());
    let message = answer.json()["message"].as_str().unwrap_or("").to_string();
    assert!(message.contains(contains), "{message:?} lacks {contains:?}");
}

// ----- API keys -----

fn api_key_commands(on: &On<'_>, dir: &Path) {
    let generated = on.ok(&["apikey", "create", "partner"]);
    let value = generated
        .strip_suffix('\n')
        .expect("the value and a newline");
    assert_eq!(value.len(), 40, "{generated:?}");
    assert!(value.bytes().all(|b| b.is_ascii_alphanumeric()), "{value}");
    assert_not_in_clear(dir, value);

    let chosen = "a-value-of-my-own-choosing-123";
    assert_eq!(
        on.ok(&["apikey", "create", "mine", "--value", chosen]),
        format!("{chosen}\n")
    );
    assert_not_in_clear(dir, chosen);

    let listed = on.ok(&["apikey", "list"]);
    let names: Vec<&str> = listed
        .lines()
        .filter_map(|line| line.split('\t').next())
        .collect();
    assert_eq!(names, ["mine", "partner"], "{listed}");
    assert!(listed.contains("\tenabled\t"), "{listed}");
    assert!(
        !listed.contains(value) && !listed.contains(chosen),
        "{listed}"
    );

    let taken = on.fails(&["apikey", "create", "partner"], 1);
    assert!(
        taken.contains("an API key named partner already exists")
            && taken.contains(&on.status(409)),
        "{taken}"
    );
    let same_value = on.fails(&["apikey", "create", "copy", "--value", chosen], 1);
    assert!(
        same_value.contains("already has this value") && same_value.contains(&on.status(409)),
        "{same_value}"
    );
    let short = on.fails(&["apikey", "create", "short", "--value", "0123456789"], 1);
    assert!(
        short.contains("invalid API key value: it is 10 characters long; AWS requires 20 to 128")
            && short.contains(&on.status(400)),
        "{short}"
    );
    let bad_name = on.fails(&["apikey", "create", "a b"], 1);
    assert!(
        bad_name.contains("invalid API key name `a b`") && bad_name.contains(&on.status(400)),
        "{bad_name}"
    );

    assert_eq!(
        on.ok(&["apikey", "delete", "mine"]),
        "deleted API key mine\n"
    );
    let gone = on.fails(&["apikey", "delete", "mine"], 1);
    assert!(
        gone.contains("API key `mine` not found") && gone.contains(&on.status(404)),
        "{gone}"
    );
    let listed = on.ok(&["apikey", "list"]);
    assert!(
        listed.starts_with("partner\t") && listed.lines().count() == 1,
        "{listed}"
    );
}

#[test]
fn api_key_commands_on_a_data_directory() {
    let data = TempData::new();
    api_key_commands(&On::Offline(&data), data.path());
}

#[tokio::test]
async fn api_key_commands_through_a_running_gateway() {
    let data = TempData::new();
    let gateway = serve(&data);
    api_key_commands(&On::Gateway(&gateway), data.path());

    // The admin API itself: 201 with the value, then never again.
    let created = gateway
        .admin("POST", "/v1/apikeys", Some(json!({"name": "raw"})))
        .await;
    assert_eq!(created.status, 201, "{}", created.text());
    let body = created.json();
    assert_eq!(body["name"], "raw");
    assert_eq!(body["enabled"], true);
    let value = body["value"].as_str().expect("value").to_string();
    assert_not_in_clear(data.path(), &value);
    let listed = gateway.admin_ok("GET", "/v1/apikeys", None).await;
    assert!(!listed.to_string().contains(&value), "{listed}");
    assert!(listed["items"][0].get("value").is_none(), "{listed}");

    let conflict = gateway
        .admin("POST", "/v1/apikeys", Some(json!({"name": "raw"})))
        .await;
    assert_message(&conflict, 409, "already exists");
    let short = gateway
        .admin(
            "POST",
            "/v1/apikeys",
            Some(json!({"name": "s", "value": "short"})),
        )
        .await;
    assert_message(&short, 400, "AWS requires 20 to 128");
    let unknown_field = gateway
        .admin("POST", "/v1/apikeys", Some(json!({"nom": "x"})))
        .await;
    assert_message(&unknown_field, 400, "request body");
    let missing = gateway.admin("DELETE", "/v1/apikeys/nope", None).await;
    assert_message(&missing, 404, "API key `nope` not found");
    let deleted = gateway.admin_ok("DELETE", "/v1/apikeys/raw", None).await;
    assert_eq!(deleted["name"], "raw");

    // Without the token, nothing.
    let anonymous = tollgate_tests::send("GET", &gateway.admin_url("/v1/apikeys"), &[], "").await;
    assert_eq!(anonymous.status, 401);
}

// ----- usage plans and usage -----

fn usage_plan_commands(on: &On<'_>) {
    on.ok(&["apikey", "create", "partner"]);
    on.ok(&["apikey", "create", "other"]);

    let created = on.ok(&[
        "usageplan",
        "create",
        "gold",
        "--api-stage",
        "pets/prod",
        "--api-stage",
        "pets/dev",
        "--rate",
        "10",
        "--burst",
        "20",
        "--quota",
        "1000/DAY",
    ]);
    assert!(
        created.starts_with("usage plan gold (")
            && created.contains("stages pets/prod,pets/dev; throttle 10/s burst 20; quota 1000/DAY offset 0; keys none"),
        "{created}"
    );
    let silver = on.ok(&[
        "usageplan",
        "create",
        "silver",
        "--api-stage",
        "pets/prod",
        "--quota",
        "50",
        "--period",
        "week",
        "--quota-offset",
        "1",
    ]);
    assert!(
        silver.contains("throttle none; quota 50/WEEK offset 1"),
        "{silver}"
    );

    // Errors: a stage that does not exist, a name taken, bad numbers.
    let no_stage = on.fails(
        &["usageplan", "create", "x", "--api-stage", "pets/staging"],
        1,
    );
    assert!(
        no_stage.contains("stage `staging (of API pets)` not found")
            && no_stage.contains(&on.status(404)),
        "{no_stage}"
    );
    let taken = on.fails(
        &["usageplan", "create", "gold", "--api-stage", "pets/prod"],
        1,
    );
    assert!(
        taken.contains("a usage plan named gold already exists") && taken.contains(&on.status(409)),
        "{taken}"
    );
    let offset = on.fails(
        &[
            "usageplan",
            "create",
            "x",
            "--api-stage",
            "pets/prod",
            "--quota",
            "5/WEEK",
            "--quota-offset",
            "7",
        ],
        1,
    );
    assert!(
        offset.contains("invalid quota offset: 7 is past the WEEK period: expected 0 to 6")
            && offset.contains(&on.status(400)),
        "{offset}"
    );
    let negative = on.fails(
        &[
            "usageplan",
            "create",
            "x",
            "--api-stage",
            "pets/prod",
            "--rate=-1",
            "--burst",
            "1",
        ],
        1,
    );
    assert!(negative.contains("invalid throttle rate"), "{negative}");

    // Keys.
    let added = on.ok(&["usageplan", "add-key", "gold", "partner"]);
    assert!(added.contains("keys partner"), "{added}");
    let twice = on.fails(&["usageplan", "add-key", "gold", "partner"], 1);
    assert!(
        twice.contains("API key partner is already in usage plan gold")
            && twice.contains(&on.status(409)),
        "{twice}"
    );
    let shared = on.fails(&["usageplan", "add-key", "silver", "partner"], 1);
    assert!(
        shared.contains("a key can be in only one plan per API stage")
            && shared.contains("pets/prod")
            && shared.contains(&on.status(409)),
        "{shared}"
    );
    on.ok(&["usageplan", "add-key", "silver", "other"]);
    let no_key = on.fails(&["usageplan", "add-key", "gold", "nope"], 1);
    assert!(
        no_key.contains("API key `nope` not found") && no_key.contains(&on.status(404)),
        "{no_key}"
    );
    let no_plan = on.fails(&["usageplan", "add-key", "nope", "partner"], 1);
    assert!(
        no_plan.contains("usage plan `nope` not found") && no_plan.contains(&on.status(404)),
        "{no_plan}"
    );

    // Method throttles.
    let throttled = on.ok(&[
        "usageplan",
        "throttle",
        "gold",
        "--api-stage",
        "pets/prod",
        "--method",
        "/pets/{id}/GET",
        "--rate",
        "0.5",
        "--burst",
        "1",
    ]);
    assert!(
        throttled.contains("\n  pets/prod /pets/{id}/GET 0.5/s burst 1\n"),
        "{throttled}"
    );
    let not_served = on.fails(
        &[
            "usageplan",
            "throttle",
            "gold",
            "--api-stage",
            "pets/prod",
            "--method",
            "/dogs/GET",
            "--rate",
            "1",
            "--burst",
            "1",
        ],
        1,
    );
    assert!(
        not_served.contains("method /dogs/GET is not served by stage prod of API pets")
            && not_served.contains("/pets/GET, /pets/{id}/GET")
            && not_served.contains(&on.status(404)),
        "{not_served}"
    );
    let not_in_plan = on.fails(
        &[
            "usageplan",
            "throttle",
            "silver",
            "--api-stage",
            "pets/dev",
            "--method",
            "/pets/GET",
            "--rate",
            "1",
            "--burst",
            "1",
        ],
        1,
    );
    assert!(
        not_in_plan.contains("pets/dev (in usage plan silver)")
            && not_in_plan.contains(&on.status(404)),
        "{not_in_plan}"
    );
    let bad_key = on.fails(
        &[
            "usageplan",
            "throttle",
            "gold",
            "--api-stage",
            "pets/prod",
            "--method",
            "/pets",
            "--rate",
            "1",
            "--burst",
            "1",
        ],
        1,
    );
    assert!(
        bad_key.contains("invalid method key `/pets`: expected {resourcePath}/{httpMethod}")
            && bad_key.contains(&on.status(400)),
        "{bad_key}"
    );
    let cleared = on.ok(&[
        "usageplan",
        "throttle",
        "gold",
        "--api-stage",
        "pets/prod",
        "--method",
        "/pets/{id}/GET",
        "--clear",
    ]);
    assert_eq!(cleared.lines().count(), 1, "{cleared}");

    // Listing and usage.
    let listed = on.ok(&["usageplan", "list"]);
    assert_eq!(listed.lines().count(), 2, "{listed}");
    assert!(
        listed
            .lines()
            .next()
            .unwrap()
            .starts_with("usage plan gold ("),
        "{listed}"
    );
    let usage = on.ok(&["usage", "partner"]);
    let line = usage.trim_end();
    assert!(
        line.starts_with("plan=gold limit=1000 period=DAY used=0 remaining=1000 start=")
            && line.contains("T00:00:00Z end=")
            && line.ends_with("T00:00:00Z"),
        "{usage}"
    );
    let other = on.ok(&["usage", "other"]);
    assert!(
        other.starts_with("plan=silver limit=50 period=WEEK used=0 remaining=50 start="),
        "{other}"
    );
    on.ok(&["apikey", "create", "loner"]);
    assert_eq!(
        on.ok(&["usage", "loner"]),
        "API key loner is in no usage plan\n"
    );
    let no_usage = on.fails(&["usage", "nope"], 1);
    assert!(
        no_usage.contains("API key `nope` not found") && no_usage.contains(&on.status(404)),
        "{no_usage}"
    );

    // Deleting a key takes it out of its plans; deleting a plan is final.
    on.ok(&["apikey", "delete", "other"]);
    let listed = on.ok(&["usageplan", "list"]);
    assert!(listed.contains("keys none"), "{listed}");
    assert_eq!(
        on.ok(&["usageplan", "delete", "silver"]),
        "deleted usage plan silver\n"
    );
    let gone = on.fails(&["usageplan", "delete", "silver"], 1);
    assert!(
        gone.contains("usage plan `silver` not found") && gone.contains(&on.status(404)),
        "{gone}"
    );
    assert_eq!(on.ok(&["usageplan", "list"]).lines().count(), 1);
}

#[test]
fn usage_plan_commands_on_a_data_directory() {
    let data = data_with_api();
    usage_plan_commands(&On::Offline(&data));
}

#[tokio::test]
async fn usage_plan_commands_through_a_running_gateway() {
    let data = data_with_api();
    let gateway = serve(&data);
    usage_plan_commands(&On::Gateway(&gateway));

    // `tollgate usage` finds the gateway holding the data directory by itself.
    let dir = data.path().to_str().unwrap();
    let found = tollgate_with_env(
        &["usage", "partner", "--data-dir", dir],
        &[("TOLLGATE_ADMIN_TOKEN", ADMIN_TOKEN)],
    );
    let stdout = expect_success(
        &found,
        "usage through the gateway holding the data directory",
    );
    assert!(stdout.starts_with("plan=gold limit=1000"), "{stdout}");

    // The admin API's shapes.
    let usage = gateway.admin_ok("GET", "/v1/usage/partner", None).await;
    assert_eq!(usage["apiKey"]["name"], "partner");
    let item = &usage["items"][0];
    assert_eq!(item["usagePlan"], "gold");
    assert_eq!(
        item["quota"],
        json!({"limit": 1000, "period": "DAY", "offset": 0})
    );
    assert_eq!(item["used"], 0);
    assert_eq!(item["remaining"], 1000);
    let start = item["periodStartEpochSeconds"].as_u64().unwrap();
    let end = item["periodEndEpochSeconds"].as_u64().unwrap();
    assert_eq!(end - start, 86_400);
    assert_eq!(start % 86_400, 0);

    let created = gateway
        .admin(
            "POST",
            "/v1/usageplans",
            Some(json!({
                "name": "bronze",
                "apiStages": [{"apiId": "pets", "stage": "dev"}],
                "throttle": {"rateLimit": 2.5, "burstLimit": 5},
                "quota": {"limit": 10, "period": "MONTH", "offset": 14},
            })),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text());
    let plan = created.json();
    assert_eq!(plan["throttle"], json!({"rateLimit": 2.5, "burstLimit": 5}));
    assert_eq!(
        plan["apiStages"][0],
        json!({"apiId": "pets", "stage": "dev", "throttle": {}})
    );
    let added = gateway
        .admin(
            "POST",
            "/v1/usageplans/bronze/keys",
            Some(json!({"keyName": "loner"})),
        )
        .await;
    assert_eq!(added.status, 201, "{}", added.text());
    assert_eq!(added.json()["apiKeys"][0]["name"], "loner");
    let throttled = gateway
        .admin_ok(
            "PUT",
            "/v1/usageplans/bronze/throttles",
            Some(json!({
                "apiId": "pets", "stage": "dev", "method": "/pets/GET",
                "throttle": {"rateLimit": 1, "burstLimit": 2},
            })),
        )
        .await;
    assert_eq!(
        throttled["apiStages"][0]["throttle"]["/pets/GET"],
        json!({"rateLimit": 1.0, "burstLimit": 2})
    );
    let one = gateway.admin_ok("GET", "/v1/usageplans/bronze", None).await;
    assert_eq!(one, throttled);
    let bad_period = gateway
        .admin(
            "POST",
            "/v1/usageplans",
            Some(json!({"name": "x", "apiStages": [], "quota": {"limit": 1, "period": "YEAR"}})),
        )
        .await;
    assert_message(&bad_period, 400, "request body");
    let missing = gateway.admin("GET", "/v1/usageplans/nope", None).await;
    assert_message(&missing, 404, "usage plan `nope` not found");
    let no_stage = gateway
        .admin(
            "POST",
            "/v1/usageplans",
            Some(json!({"name": "x", "apiStages": [{"apiId": "shop", "stage": "prod"}]})),
        )
        .await;
    assert_message(&no_stage, 404, "stage `prod (of API shop)` not found");
    let deleted = gateway
        .admin_ok("DELETE", "/v1/usageplans/bronze", None)
        .await;
    assert_eq!(deleted["name"], "bronze");
}

#[test]
fn a_bad_quota_form_is_a_usage_error_naming_the_expected_form() {
    let data = data_with_api();
    let on = On::Offline(&data);
    for form in ["1000/YEAR", "lots/DAY", "1000/", "-5"] {
        let stderr = on.fails(
            &[
                "usageplan",
                "create",
                "x",
                "--api-stage",
                "pets/prod",
                &format!("--quota={form}"),
            ],
            2,
        );
        assert!(stderr.contains("N/DAY|WEEK|MONTH"), "{form}: {stderr}");
    }
    let no_period = on.fails(
        &[
            "usageplan",
            "create",
            "x",
            "--api-stage",
            "pets/prod",
            "--quota",
            "1000",
        ],
        1,
    );
    assert!(
        no_period.contains("--quota 1000 needs a period: expected N/DAY|WEEK|MONTH"),
        "{no_period}"
    );
    let disagree = on.fails(
        &[
            "usageplan",
            "create",
            "x",
            "--api-stage",
            "pets/prod",
            "--quota",
            "1000/DAY",
            "--period",
            "WEEK",
        ],
        1,
    );
    assert!(disagree.contains("disagree"), "{disagree}");
    let bad_stage = on.fails(&["usageplan", "create", "x", "--api-stage", "pets"], 2);
    assert!(bad_stage.contains("expected API_ID/STAGE"), "{bad_stage}");
    let no_stage = on.fails(&["usageplan", "create", "x"], 2);
    assert!(no_stage.contains("--api-stage"), "{no_stage}");
    let rate_alone = on.fails(
        &[
            "usageplan",
            "create",
            "x",
            "--api-stage",
            "pets/prod",
            "--rate",
            "1",
        ],
        2,
    );
    assert!(rate_alone.contains("--burst"), "{rate_alone}");
    // Nothing was created by the refused commands.
    assert_eq!(on.ok(&["usageplan", "list"]), "");
}

// ----- stage throttles -----

fn stage_throttle_commands(on: &On<'_>) {
    let set = on.ok(&[
        "stage", "throttle", "pets", "prod", "--rate", "100", "--burst", "200",
    ]);
    assert!(
        set.trim_end().ends_with("; throttle 100/s burst 200"),
        "{set}"
    );
    let method = on.ok(&[
        "stage",
        "throttle",
        "pets",
        "prod",
        "--method",
        "/pets/get",
        "--rate",
        "1.5",
        "--burst",
        "3",
    ]);
    assert!(
        method
            .trim_end()
            .ends_with("; throttle 100/s burst 200; /pets/GET 1.5/s burst 3"),
        "{method}"
    );
    let every = on.ok(&[
        "stage", "throttle", "pets", "prod", "--method", "*/*", "--rate", "50", "--burst", "50",
    ]);
    assert!(every.contains("; */* 50/s burst 50"), "{every}");
    on.ok(&[
        "stage", "throttle", "pets", "prod", "--method", "*/*", "--clear",
    ]);
    let cleared = on.ok(&["stage", "throttle", "pets", "prod", "--clear"]);
    assert!(
        cleared
            .trim_end()
            .ends_with("(variables none); /pets/GET 1.5/s burst 3"),
        "{cleared}"
    );
    let listed = on.ok(&["stage", "list", "--api-id", "pets"]);
    assert!(listed.contains("/pets/GET 1.5/s burst 3"), "{listed}");

    let no_stage = on.fails(
        &[
            "stage", "throttle", "pets", "qa", "--rate", "1", "--burst", "1",
        ],
        1,
    );
    assert!(
        no_stage.contains("stage qa of API pets does not exist")
            && no_stage.contains(&on.status(404)),
        "{no_stage}"
    );
    let not_served = on.fails(
        &[
            "stage",
            "throttle",
            "pets",
            "prod",
            "--method",
            "/pets/POST",
            "--rate",
            "1",
            "--burst",
            "1",
        ],
        1,
    );
    assert!(
        not_served.contains("method /pets/POST is not served by stage prod of API pets")
            && not_served.contains(&on.status(404)),
        "{not_served}"
    );
    let bad_key = on.fails(
        &[
            "stage", "throttle", "pets", "prod", "--method", "pets", "--rate", "1", "--burst", "1",
        ],
        1,
    );
    assert!(
        bad_key.contains("invalid method key `pets`") && bad_key.contains(&on.status(400)),
        "{bad_key}"
    );
    let nothing = on.fails(&["stage", "throttle", "pets", "prod"], 2);
    assert!(
        nothing.contains("--rate") && nothing.contains("--clear"),
        "{nothing}"
    );
    let both = on.fails(
        &[
            "stage", "throttle", "pets", "prod", "--rate", "1", "--burst", "1", "--clear",
        ],
        2,
    );
    assert!(both.contains("--clear"), "{both}");
}

#[test]
fn stage_throttle_commands_on_a_data_directory() {
    let data = data_with_api();
    stage_throttle_commands(&On::Offline(&data));
}

#[tokio::test]
async fn stage_throttle_commands_through_a_running_gateway() {
    let data = data_with_api();
    let gateway = serve(&data);
    stage_throttle_commands(&On::Gateway(&gateway));

    let stage = gateway
        .admin_ok(
            "PUT",
            "/v1/apis/pets/stages/dev/throttle",
            Some(json!({"throttle": {"rateLimit": 7, "burstLimit": 8}})),
        )
        .await;
    assert_eq!(
        stage["throttle"],
        json!({"rateLimit": 7.0, "burstLimit": 8})
    );
    assert_eq!(stage["methodThrottles"], json!({}));
    let cleared = gateway
        .admin_ok(
            "PUT",
            "/v1/apis/pets/stages/dev/throttle",
            Some(json!({"throttle": null})),
        )
        .await;
    assert_eq!(cleared["throttle"], Value::Null);
    let negative = gateway
        .admin(
            "PUT",
            "/v1/apis/pets/stages/dev/throttle",
            Some(json!({"throttle": {"rateLimit": -1, "burstLimit": 8}})),
        )
        .await;
    assert_message(&negative, 400, "invalid throttle rate");
    let unknown = gateway
        .admin(
            "PUT",
            "/v1/apis/nope/stages/dev/throttle",
            Some(json!({"throttle": null})),
        )
        .await;
    assert_message(&unknown, 404, "stage dev of API nope does not exist");
}

// ----- access keys -----

fn access_key_commands(on: &On<'_>, data: &TempData) {
    let policy = data.write("alice-policy.json", POLICY);
    let bad = data.write("bad-policy.json", BAD_POLICY);
    let broken = data.write("broken-policy.json", "{\"Statement\": [");

    let created = on.ok(&[
        "accesskey",
        "create",
        "alice",
        "--policy",
        policy.to_str().unwrap(),
    ]);
    let key: Value = serde_json::from_str(created.trim_end()).expect("JSON on stdout");
    let object = key.as_object().expect("an object");
    assert_eq!(
        object.keys().map(String::as_str).collect::<Vec<_>>(),
        ["accessKeyId", "secretAccessKey", "principal"]
    );
    let id = key["accessKeyId"].as_str().unwrap().to_string();
    let secret = key["secretAccessKey"].as_str().unwrap().to_string();
    assert_eq!(key["principal"], "alice");
    assert!(id.starts_with("AKIA") && id.len() == 20, "{id}");
    assert_eq!(secret.len(), 40, "{secret}");
    assert_not_in_clear(data.path(), &secret);
    let key_file = data.path().join("secret.key");
    assert_eq!(std::fs::read(&key_file).expect("secret.key").len(), 32);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    }

    let listed = on.ok(&["accesskey", "list"]);
    assert!(
        listed.starts_with(&format!("{id}\talice\tenabled\t")),
        "{listed}"
    );
    assert!(!listed.contains(&secret), "{listed}");

    let refused = on.fails(
        &[
            "accesskey",
            "create",
            "bob",
            "--policy",
            bad.to_str().unwrap(),
        ],
        1,
    );
    assert!(
        refused.contains("bad-policy.json: /Statement/0/Effect:")
            && refused.contains("Maybe")
            && refused.contains(&on.status(400)),
        "{refused}"
    );
    let not_json = on.fails(
        &[
            "accesskey",
            "create",
            "bob",
            "--policy",
            broken.to_str().unwrap(),
        ],
        1,
    );
    assert!(
        not_json.contains("broken-policy.json: not JSON") && not_json.contains("line 1"),
        "{not_json}"
    );
    let missing_file = on.fails(
        &[
            "accesskey",
            "create",
            "bob",
            "--policy",
            "/nonexistent/policy.json",
        ],
        1,
    );
    assert!(
        missing_file.contains("/nonexistent/policy.json"),
        "{missing_file}"
    );
    let bad_principal = on.fails(
        &[
            "accesskey",
            "create",
            "bob smith",
            "--policy",
            policy.to_str().unwrap(),
        ],
        1,
    );
    assert!(
        bad_principal.contains("invalid principal `bob smith`")
            && bad_principal.contains(&on.status(400)),
        "{bad_principal}"
    );
    assert_eq!(on.ok(&["accesskey", "list"]).lines().count(), 1);

    assert_eq!(
        on.ok(&["accesskey", "delete", &id]),
        format!("deleted access key {id}\n")
    );
    let gone = on.fails(&["accesskey", "delete", &id], 1);
    assert!(
        gone.contains(&format!("access key {id} does not exist")) && gone.contains(&on.status(404)),
        "{gone}"
    );
    assert_eq!(on.ok(&["accesskey", "list"]), "");
}

#[test]
fn access_key_commands_on_a_data_directory() {
    let data = TempData::new();
    access_key_commands(&On::Offline(&data), &data);
}

#[tokio::test]
async fn access_key_commands_through_a_running_gateway() {
    let data = TempData::new();
    let gateway = serve(&data);
    access_key_commands(&On::Gateway(&gateway), &data);

    let policy: Value = serde_json::from_str(POLICY).unwrap();
    let created = gateway
        .admin(
            "POST",
            "/v1/accesskeys",
            Some(json!({"principal": "carol", "policy": policy})),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text());
    let key = created.json();
    let secret = key["secretAccessKey"].as_str().unwrap().to_string();
    assert_eq!(key["principal"], "carol");
    assert_eq!(key["policy"], policy);
    assert_not_in_clear(data.path(), &secret);
    let listed = gateway.admin_ok("GET", "/v1/accesskeys", None).await;
    assert!(!listed.to_string().contains(&secret), "{listed}");
    assert!(listed["items"][0].get("secretAccessKey").is_none());

    let bad = gateway
        .admin(
            "POST",
            "/v1/accesskeys",
            Some(json!({
                "principal": "carol",
                "policy": serde_json::from_str::<Value>(BAD_POLICY).unwrap(),
                "sourceName": "carol.json",
            })),
        )
        .await;
    assert_message(&bad, 400, "carol.json: /Statement/0/Effect:");
    let no_statement = gateway
        .admin(
            "POST",
            "/v1/accesskeys",
            Some(json!({"principal": "carol", "policy": {"Version": "2012-10-17"}})),
        )
        .await;
    assert_eq!(no_statement.status, 400, "{}", no_statement.text());
    let missing = gateway
        .admin("DELETE", "/v1/accesskeys/AKIANOPE", None)
        .await;
    assert_message(&missing, 404, "access key AKIANOPE does not exist");
}
