//! The deployment model through the real binary (`docs/admin-api.md`): deploying to a
//! running gateway with the CLI, listing and rolling back deployments, stage variables in
//! integration URIs and in the Lambda-proxy event, function versions and aliases, two stages
//! of one API side by side, several APIs at once, refused deployments that change nothing,
//! offline deploys served by a gateway started later, and persistence across a restart.

use serde_json::{Value, json};
use tollgate_tests::components::{self, SWAP_A_BODY, SWAP_B_BODY};
use tollgate_tests::{Gateway, TempData, Upstream, expect_success, function_api, send, tollgate};

fn serve(data: &TempData) -> Gateway {
    Gateway::start(&["serve", "--data-dir", data.path().to_str().unwrap()])
}

/// `GET path` (with extra headers) must answer 200; returns the body.
async fn body_of(gateway: &Gateway, path: &str, headers: &[(&str, &str)]) -> String {
    let answer = send("GET", &gateway.url(path), headers, "").await;
    assert_eq!(
        answer.status,
        200,
        "GET {path} {headers:?}: {}",
        answer.text()
    );
    answer.text()
}

/// The position of each of `ids` in `text`, in order; panics when one is missing.
fn positions(text: &str, ids: &[String]) -> Vec<usize> {
    ids.iter()
        .map(|id| {
            text.find(id.as_str())
                .unwrap_or_else(|| panic!("{id} is not listed in:\n{text}"))
        })
        .collect()
}

fn stderr_of(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[tokio::test]
async fn cli_deploys_to_a_running_gateway_lists_newest_first_and_rolls_back() {
    let data = TempData::new();
    let gateway = serve(&data);

    let first = gateway.cli_ok(&["function", "publish", "swap", components::SWAP_A]);
    assert!(first.contains("version 1"), "{first}");
    let second = gateway.cli_ok(&["function", "publish", "swap", components::SWAP_B]);
    assert!(second.contains("version 2"), "{second}");

    let files = [
        ("first", "1", "function:swap:1", SWAP_A_BODY),
        ("second", "2", "function:swap:2", SWAP_B_BODY),
        ("third", "3", "function:swap:1", SWAP_A_BODY),
    ];
    for (name, revision, uri, body) in files {
        let file = data.write(
            &format!("{name}.yaml"),
            &function_api("swap", revision, &[("/swap", uri)]),
        );
        gateway.cli_ok(&[
            "deploy",
            file.to_str().unwrap(),
            "--stage",
            "prod",
            "--description",
            name,
        ]);
        // Served by the running gateway as soon as the command returns, without a restart.
        assert_eq!(body_of(&gateway, "/prod/swap", &[]).await, body, "{name}");
    }

    // Newest first, through the API and through the CLI.
    let listed = gateway
        .admin_ok("GET", "/v1/apis/swap/deployments?stage=prod", None)
        .await;
    let items = listed["items"].as_array().expect("items");
    let descriptions: Vec<&str> = items
        .iter()
        .map(|d| d["description"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(descriptions, ["third", "second", "first"], "{listed}");
    let created: Vec<u64> = items
        .iter()
        .map(|d| {
            d["createdEpochMillis"]
                .as_u64()
                .expect("createdEpochMillis")
        })
        .collect();
    assert!(created.windows(2).all(|w| w[0] >= w[1]), "{listed}");
    let ids: Vec<String> = items
        .iter()
        .map(|d| d["id"].as_str().unwrap().to_string())
        .collect();
    let cli_list = gateway.cli_ok(&["deployments", "list", "--stage", "prod"]);
    let at = positions(&cli_list, &ids);
    assert!(
        at.windows(2).all(|w| w[0] < w[1]),
        "not newest first:\n{cli_list}"
    );

    // `rollback prod`: back to the previous deployment.
    gateway.cli_ok(&["rollback", "prod"]);
    assert_eq!(body_of(&gateway, "/prod/swap", &[]).await, SWAP_B_BODY);
    assert_eq!(
        gateway.stage("swap", "prod").await["deploymentId"],
        ids[1].as_str()
    );

    // `rollback prod --to ID`: to a given one.
    gateway.cli_ok(&["rollback", "prod", "--to", &ids[2]]);
    assert_eq!(body_of(&gateway, "/prod/swap", &[]).await, SWAP_A_BODY);
    assert_eq!(
        gateway.stage("swap", "prod").await["deploymentId"],
        ids[2].as_str()
    );

    // An unknown target is an error naming the known deployments, and changes nothing.
    let unknown = gateway.cli(&["rollback", "prod", "--to", "nonexistent"]);
    assert_eq!(unknown.status.code(), Some(1), "{}", stderr_of(&unknown));
    let message = stderr_of(&unknown);
    assert!(message.contains("nonexistent"), "{message}");
    for id in &ids {
        assert!(
            message.contains(id.as_str()),
            "{id} not named in: {message}"
        );
    }
    assert_eq!(body_of(&gateway, "/prod/swap", &[]).await, SWAP_A_BODY);
    assert_eq!(
        gateway.stage("swap", "prod").await["deploymentId"],
        ids[2].as_str()
    );
}

const VARIABLES_API: &str = r#"
openapi: 3.0.1
info: { title: variables, version: "1" }
paths:
  /up/{proxy+}:
    get:
      parameters: [{ name: proxy, in: path, required: true, schema: { type: string } }]
      x-amazon-apigateway-integration:
        type: http_proxy
        httpMethod: GET
        uri: "http://${stageVariables.host}/{proxy}"
        requestParameters: { "integration.request.path.proxy": "method.request.path.proxy" }
  /event:
    get:
      x-amazon-apigateway-integration: { type: aws_proxy, httpMethod: POST, uri: "function:echo" }
"#;

#[tokio::test]
async fn stage_variables_reach_integration_uris_and_events_and_changes_apply_at_once() {
    let first = Upstream::start().await;
    let second = Upstream::start().await;
    let data = TempData::new();
    let gateway = serve(&data);
    gateway.cli_ok(&["function", "publish", "echo", components::EVENT_ECHO]);
    let file = data.write("api.yaml", VARIABLES_API);
    gateway.cli_ok(&[
        "deploy",
        file.to_str().unwrap(),
        "--stage",
        "prod",
        "--var",
        &format!("host={}", first.address),
        "--var",
        "color=red",
    ]);

    // In the integration URI.
    let proxied = send("GET", &gateway.url("/prod/up/hello"), &[], "").await;
    assert_eq!(proxied.status, 200, "{}", proxied.text());
    assert_eq!(proxied.json()["path"], "/hello");
    assert_eq!(proxied.json()["upstream"], first.address.to_string());
    // In the Lambda-proxy event.
    let event: Value = serde_json::from_str(&body_of(&gateway, "/prod/event", &[]).await).unwrap();
    assert_eq!(
        event["stageVariables"],
        json!({"host": first.address.to_string(), "color": "red"})
    );

    // `stage vars set` takes effect on the running gateway when the command returns.
    gateway.cli_ok(&["stage", "vars", "set", "prod", "color=blue"]);
    let event: Value = serde_json::from_str(&body_of(&gateway, "/prod/event", &[]).await).unwrap();
    assert_eq!(event["stageVariables"]["color"], "blue");
    assert_eq!(event["stageVariables"]["host"], first.address.to_string());

    gateway.cli_ok(&[
        "stage",
        "vars",
        "set",
        "prod",
        &format!("host={}", second.address),
    ]);
    let proxied = send("GET", &gateway.url("/prod/up/again"), &[], "").await;
    assert_eq!(proxied.status, 200, "{}", proxied.text());
    assert_eq!(proxied.json()["upstream"], second.address.to_string());
    assert_eq!(proxied.json()["path"], "/again");

    // `stage vars unset` removes one; the stage reports what it has.
    gateway.cli_ok(&["stage", "vars", "unset", "prod", "color"]);
    let event: Value = serde_json::from_str(&body_of(&gateway, "/prod/event", &[]).await).unwrap();
    assert_eq!(
        event["stageVariables"],
        json!({"host": second.address.to_string()})
    );
    assert_eq!(
        gateway.stage("variables", "prod").await["variables"],
        json!({"host": second.address.to_string()})
    );
    // No new deployment was made by any of this.
    assert_eq!(
        gateway
            .deployment_ids("variables", Some("prod"))
            .await
            .len(),
        1
    );
}

#[tokio::test]
async fn aliases_and_versions_resolve_per_stage_and_moving_an_alias_needs_no_deployment() {
    let data = TempData::new();
    let gateway = serve(&data);
    let a = gateway.cli_ok(&["function", "publish", "swap", components::SWAP_A]);
    let b = gateway.cli_ok(&["function", "publish", "swap", components::SWAP_B]);
    assert!(a.contains("version 1") && b.contains("version 2"), "{a}{b}");
    let functions = gateway.admin_ok("GET", "/v1/functions", None).await;
    let swap = functions["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "swap")
        .unwrap_or_else(|| panic!("no function swap in {functions}"));
    let versions: Vec<u64> = swap["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["version"].as_u64().unwrap())
        .collect();
    assert_eq!(versions, [1, 2]);

    gateway.cli_ok(&["function", "alias", "swap", "live", "--version", "1"]);
    let by_alias = data.write(
        "alias.yaml",
        &function_api("swap", "1", &[("/swap", "function:swap:live")]),
    );
    let by_variable = data.write(
        "variable.yaml",
        &function_api(
            "swap",
            "2",
            &[("/swap", "function:swap:${stageVariables.alias}")],
        ),
    );
    for stage in ["prod", "dev"] {
        gateway.cli_ok(&["deploy", by_alias.to_str().unwrap(), "--stage", stage]);
    }
    gateway.cli_ok(&[
        "deploy",
        by_variable.to_str().unwrap(),
        "--stage",
        "pinned",
        "--var",
        "alias=1",
    ]);
    for stage in ["prod", "dev", "pinned"] {
        assert_eq!(
            body_of(&gateway, &format!("/{stage}/swap"), &[]).await,
            SWAP_A_BODY,
            "{stage}"
        );
    }
    let deployments_before = gateway.deployment_ids("swap", None).await;
    let prod_before = gateway.stage("swap", "prod").await["deploymentId"].clone();

    // Moving the alias changes every stage that uses it, with no new deployment.
    gateway.cli_ok(&["function", "alias", "swap", "live", "--version", "2"]);
    assert_eq!(body_of(&gateway, "/prod/swap", &[]).await, SWAP_B_BODY);
    assert_eq!(body_of(&gateway, "/dev/swap", &[]).await, SWAP_B_BODY);
    assert_eq!(
        body_of(&gateway, "/pinned/swap", &[]).await,
        SWAP_A_BODY,
        "a stage naming version 1 does not follow the alias"
    );
    assert_eq!(
        gateway.deployment_ids("swap", None).await,
        deployments_before
    );
    assert_eq!(
        gateway.stage("swap", "prod").await["deploymentId"],
        prod_before
    );

    // `function:swap:${stageVariables.alias}`: a version, then the alias, through the variable.
    gateway.cli_ok(&["stage", "vars", "set", "pinned", "alias=2"]);
    assert_eq!(body_of(&gateway, "/pinned/swap", &[]).await, SWAP_B_BODY);
    gateway.cli_ok(&["stage", "vars", "set", "pinned", "alias=live"]);
    assert_eq!(body_of(&gateway, "/pinned/swap", &[]).await, SWAP_B_BODY);
    gateway.cli_ok(&["function", "alias", "swap", "live", "--version", "1"]);
    for stage in ["prod", "dev", "pinned"] {
        assert_eq!(
            body_of(&gateway, &format!("/{stage}/swap"), &[]).await,
            SWAP_A_BODY,
            "{stage} after moving the alias back"
        );
    }

    // A variable naming a missing alias is refused and changes nothing.
    let refused = gateway.cli(&["stage", "vars", "set", "pinned", "alias=ghost"]);
    assert_eq!(refused.status.code(), Some(1), "{}", stderr_of(&refused));
    assert!(
        stderr_of(&refused).contains("ghost"),
        "{}",
        stderr_of(&refused)
    );
    assert_eq!(body_of(&gateway, "/pinned/swap", &[]).await, SWAP_A_BODY);
    assert_eq!(
        gateway.stage("swap", "pinned").await["variables"]["alias"],
        "live"
    );

    let listed = gateway.cli_ok(&["function", "list"]);
    assert!(
        listed.contains("swap:1") && listed.contains("swap:2") && listed.contains("live"),
        "{listed}"
    );
}

#[tokio::test]
async fn two_stages_of_one_api_serve_different_deployments_side_by_side() {
    let data = TempData::new();
    let gateway = serve(&data);
    gateway.publish("legacy", components::SWAP_A).await;
    gateway.publish("current", components::SWAP_B).await;
    gateway.publish("echo", components::EVENT_ECHO).await;
    let v1 = gateway
        .deploy_ok(
            &function_api("pets", "1", &[("/pets", "function:legacy")]),
            "v1",
            None,
        )
        .await;
    let v2 = gateway
        .deploy_ok(
            &function_api(
                "pets",
                "2",
                &[
                    ("/pets", "function:current"),
                    ("/pets/{id}", "function:echo"),
                ],
            ),
            "v2",
            None,
        )
        .await;
    assert_ne!(v1, v2);

    // Both at once, interleaved, over the same keep-alive connection and concurrently.
    let mut connection = tollgate_tests::Connection::open(gateway.address).await;
    for _ in 0..10 {
        assert_eq!(connection.get("/v1/pets", &[]).await.text(), SWAP_A_BODY);
        assert_eq!(connection.get("/v2/pets", &[]).await.text(), SWAP_B_BODY);
    }
    let (one, two) = tokio::join!(
        tollgate_tests::send_many(gateway.address, "/v1/pets", &[], 4, 100),
        tollgate_tests::send_many(gateway.address, "/v2/pets", &[], 4, 100),
    );
    assert!(
        one.iter()
            .flatten()
            .all(|a| a.status == 200 && a.text() == SWAP_A_BODY)
    );
    assert!(
        two.iter()
            .flatten()
            .all(|a| a.status == 200 && a.text() == SWAP_B_BODY)
    );

    // Each stage has its own routes.
    let event: Value = serde_json::from_str(&body_of(&gateway, "/v2/pets/7", &[]).await).unwrap();
    assert_eq!(event["pathParameters"]["id"], "7");
    assert_eq!(event["requestContext"]["stage"], "v2");
    let missing = send("GET", &gateway.url("/v1/pets/7"), &[], "").await;
    assert_eq!(missing.status, 403);
    assert_eq!(
        missing.json(),
        json!({"message": "Missing Authentication Token"})
    );

    let stages = gateway.admin_ok("GET", "/v1/apis/pets/stages", None).await;
    let mut served: Vec<(String, String)> = stages["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap().to_string(),
                s["deploymentId"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    served.sort();
    assert_eq!(
        served,
        [("v1".to_string(), v1), ("v2".to_string(), v2)],
        "{stages}"
    );
    let listed = gateway.cli_ok(&["stage", "list"]);
    assert!(listed.contains("v1") && listed.contains("v2"), "{listed}");
}

#[tokio::test]
async fn several_apis_are_served_at_once_and_picked_by_host_or_localstack_path() {
    let data = TempData::new();
    let gateway = serve(&data);
    gateway.publish("swap", components::SWAP_A).await;
    gateway.publish("swap", components::SWAP_B).await;
    let alpha = data.write(
        "alpha.yaml",
        &function_api("Alpha API", "1", &[("/swap", "function:swap:1")]),
    );
    let beta = data.write(
        "beta.yaml",
        &function_api("beta", "1", &[("/swap", "function:swap:2")]),
    );
    gateway.cli_ok(&["deploy", alpha.to_str().unwrap(), "--stage", "prod"]);
    gateway.cli_ok(&["deploy", beta.to_str().unwrap(), "--stage", "prod"]);
    // The same file under an explicit id is a third API.
    gateway.cli_ok(&[
        "deploy",
        beta.to_str().unwrap(),
        "--stage",
        "prod",
        "--api-id",
        "gamma",
    ]);

    let apis = gateway.admin_ok("GET", "/v1/apis", None).await;
    let mut ids: Vec<&str> = apis["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    ids.sort_unstable();
    assert_eq!(ids, ["alpha-api", "beta", "gamma"], "{apis}");

    for (api, body) in [
        ("alpha-api", SWAP_A_BODY),
        ("beta", SWAP_B_BODY),
        ("gamma", SWAP_B_BODY),
    ] {
        let host = format!("{api}.execute-api.localhost");
        assert_eq!(
            body_of(&gateway, "/prod/swap", &[("host", &host)]).await,
            body,
            "by host {host}"
        );
        assert_eq!(
            body_of(
                &gateway,
                &format!("/restapis/{api}/prod/_user_request_/swap"),
                &[]
            )
            .await,
            body,
            "by the LocalStack path of {api}"
        );
    }
    let unknown = send(
        "GET",
        &gateway.url("/restapis/nope/prod/_user_request_/swap"),
        &[],
        "",
    )
    .await;
    assert_eq!(unknown.status, 403, "{}", unknown.text());

    // With several APIs, a command naming none is an error listing them.
    let ambiguous = gateway.cli(&["deployments", "list", "--stage", "prod"]);
    assert_eq!(ambiguous.status.code(), Some(1));
    let message = stderr_of(&ambiguous);
    for id in ["alpha-api", "beta", "gamma"] {
        assert!(message.contains(id), "{id} not named in: {message}");
    }
    gateway.cli_ok(&["deployments", "list", "--stage", "prod", "--api-id", "beta"]);
}

#[tokio::test]
async fn refused_deployments_leave_the_stage_serving_what_it_served() {
    let data = TempData::new();
    let gateway = serve(&data);
    gateway.publish("swap", components::SWAP_A).await;
    gateway.set_alias("swap", "live", 1).await;
    let good = gateway
        .deploy_ok(
            &function_api("swap", "1", &[("/swap", "function:swap:live")]),
            "prod",
            None,
        )
        .await;

    let unchanged = |gateway: &Gateway| {
        let gateway_url = gateway.url("/prod/swap");
        async move {
            let answer = send("GET", &gateway_url, &[], "").await;
            assert_eq!(answer.status, 200, "{}", answer.text());
            assert_eq!(answer.text(), SWAP_A_BODY);
        }
    };

    // A definition that does not import: the error names the file and the JSON pointer.
    let broken = function_api("swap", "2", &[("/swap", "function:swap:1")])
        .replace("type: aws_proxy", "type: lambda");
    let file = data.write("broken.yaml", &broken);
    let output = gateway.cli(&["deploy", file.to_str().unwrap(), "--stage", "prod"]);
    assert_eq!(output.status.code(), Some(1));
    let message = stderr_of(&output);
    assert!(message.contains("broken.yaml"), "{message}");
    assert!(
        message.contains("/paths/~1swap/get/x-amazon-apigateway-integration/type"),
        "{message}"
    );
    unchanged(&gateway).await;
    let answer = gateway.deploy_definition(&broken, "prod", None).await;
    assert_eq!(answer.status, 400, "{}", answer.text());
    let message = answer.json()["message"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(message.contains("api.yaml"), "{message}");
    unchanged(&gateway).await;

    // Missing function, version, alias.
    for (uri, named) in [
        ("function:nope", "nope"),
        ("function:swap:9", "swap:9"),
        ("function:swap:ghost", "ghost"),
    ] {
        let definition = function_api("swap", "3", &[("/swap", uri)]);
        let file = data.write("missing.yaml", &definition);
        let output = gateway.cli(&["deploy", file.to_str().unwrap(), "--stage", "prod"]);
        assert_eq!(output.status.code(), Some(1), "{uri}");
        assert!(
            stderr_of(&output).contains(named),
            "{uri}: {}",
            stderr_of(&output)
        );
        let answer = gateway.deploy_definition(&definition, "prod", None).await;
        assert_eq!(answer.status, 400, "{uri}: {}", answer.text());
        assert!(answer.json()["message"].as_str().unwrap().contains(named));
        unchanged(&gateway).await;
    }

    // A component of the wrong world (a mapper) is refused as a function, at publish or at
    // deploy.
    let published = gateway
        .publish_bytes(
            "mapper",
            std::fs::read(components::IDENTITY_MAPPER).unwrap(),
        )
        .await;
    if published.status == 200 || published.status == 201 {
        let answer = gateway
            .deploy_definition(
                &function_api("swap", "4", &[("/swap", "function:mapper")]),
                "prod",
                None,
            )
            .await;
        assert_eq!(answer.status, 400, "{}", answer.text());
    } else {
        assert_eq!(published.status, 400, "{}", published.text());
        assert!(published.json()["message"].is_string());
    }
    unchanged(&gateway).await;
    // Bytes that are not a component at all.
    let garbage = gateway.publish_bytes("garbage", &b"not wasm"[..]).await;
    assert_eq!(garbage.status, 400, "{}", garbage.text());
    let output = gateway.cli(&["function", "publish", "garbage", file.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));

    // The alias cannot be moved to a missing version either.
    let moved = gateway
        .admin(
            "PUT",
            "/v1/functions/swap/aliases/live",
            Some(json!({"version": 9})),
        )
        .await;
    assert!((400..500).contains(&moved.status), "{}", moved.text());
    unchanged(&gateway).await;

    let stage = gateway.stage("swap", "prod").await;
    assert_eq!(stage["deploymentId"], good.as_str());
    assert_eq!(gateway.deployment_ids("swap", None).await, [good]);
}

#[tokio::test]
async fn offline_deploys_are_served_by_a_gateway_started_later() {
    let data = TempData::new();
    let dir = data.path().to_str().unwrap();
    let file = data.write(
        "api.yaml",
        &function_api("swap", "1", &[("/swap", "function:swap:live")]),
    );
    let run = |args: &[&str]| {
        let mut all = args.to_vec();
        all.extend(["--data-dir", dir]);
        expect_success(&tollgate(&all), &args.join(" "))
    };
    assert!(run(&["function", "publish", "swap", components::SWAP_A]).contains("version 1"));
    assert!(run(&["function", "publish", "swap", components::SWAP_B]).contains("version 2"));
    run(&["function", "alias", "swap", "live", "--version", "2"]);
    run(&[
        "deploy",
        file.to_str().unwrap(),
        "--stage",
        "prod",
        "--var",
        "k=v",
    ]);
    run(&["stage", "vars", "set", "prod", "other=1"]);
    let listed = run(&["deployments", "list", "--stage", "prod"]);
    assert_eq!(
        listed.lines().filter(|l| !l.trim().is_empty()).count(),
        1,
        "{listed}"
    );

    let gateway = serve(&data);
    assert_eq!(body_of(&gateway, "/prod/swap", &[]).await, SWAP_B_BODY);
    let stage = gateway.stage("swap", "prod").await;
    assert_eq!(stage["variables"], json!({"k": "v", "other": "1"}));
    let ids = gateway.deployment_ids("swap", Some("prod")).await;
    assert_eq!(ids.len(), 1);
    assert!(listed.contains(ids[0].as_str()), "{listed}");
}

#[tokio::test]
async fn stages_deployments_variables_aliases_and_canaries_survive_a_restart() {
    let data = TempData::new();
    let gateway = serve(&data);
    gateway.publish("swap", components::SWAP_A).await;
    gateway.publish("swap", components::SWAP_B).await;
    gateway.publish("echo", components::EVENT_ECHO).await;
    gateway.set_alias("swap", "live", 2).await;
    let by_alias = function_api(
        "swap",
        "1",
        &[("/swap", "function:swap:live"), ("/event", "function:echo")],
    );
    let fixed = function_api(
        "swap",
        "2",
        &[("/swap", "function:swap:1"), ("/event", "function:echo")],
    );
    let canary_id = gateway.deploy_ok(&by_alias, "prod", None).await;
    let base_id = gateway.deploy_ok(&fixed, "prod", None).await;
    gateway.deploy_ok(&by_alias, "other", None).await;
    gateway
        .admin_ok(
            "PATCH",
            "/v1/apis/swap/stages/prod/variables",
            Some(json!({"set": {"color": "red", "shared": "x"}})),
        )
        .await;
    gateway
        .admin_ok(
            "PUT",
            "/v1/apis/swap/stages/prod/canary",
            Some(
                json!({"deploymentId": canary_id, "percent": 100, "variables": {"color": "green"}}),
            ),
        )
        .await;

    let check = |gateway: &Gateway| {
        let prod_swap = gateway.url("/prod/swap");
        let prod_event = gateway.url("/prod/event");
        let other_swap = gateway.url("/other/swap");
        async move {
            for _ in 0..5 {
                let answer = send("GET", &prod_swap, &[], "").await;
                assert_eq!(answer.text(), SWAP_B_BODY, "the 100 % canary serves");
                let event = send("GET", &prod_event, &[], "").await.json();
                assert_eq!(event["stageVariables"]["color"], "green");
                assert_eq!(event["stageVariables"]["shared"], "x");
            }
            assert_eq!(send("GET", &other_swap, &[], "").await.text(), SWAP_B_BODY);
        }
    };
    check(&gateway).await;
    let stages_before = gateway.admin_ok("GET", "/v1/apis/swap/stages", None).await;
    let deployments_before = gateway
        .admin_ok("GET", "/v1/apis/swap/deployments", None)
        .await;
    let functions_before = gateway.admin_ok("GET", "/v1/functions", None).await;
    let prod_before = gateway.stage("swap", "prod").await;
    assert_eq!(prod_before["deploymentId"], base_id.as_str());
    assert_eq!(prod_before["canary"]["deploymentId"], canary_id.as_str());
    assert_eq!(prod_before["canary"]["percent"].as_f64(), Some(100.0));
    let status = gateway.terminate();
    assert!(status.success(), "{status}");

    let gateway = serve(&data);
    check(&gateway).await;
    assert_eq!(
        gateway.admin_ok("GET", "/v1/apis/swap/stages", None).await,
        stages_before
    );
    assert_eq!(
        gateway
            .admin_ok("GET", "/v1/apis/swap/deployments", None)
            .await,
        deployments_before
    );
    assert_eq!(
        gateway.admin_ok("GET", "/v1/functions", None).await,
        functions_before
    );

    // And the restored state is live state: the canary and the alias still move.
    gateway
        .admin_ok(
            "PATCH",
            "/v1/apis/swap/stages/prod/canary",
            Some(json!({"percent": 0})),
        )
        .await;
    assert_eq!(body_of(&gateway, "/prod/swap", &[]).await, SWAP_A_BODY);
    let event: Value = serde_json::from_str(&body_of(&gateway, "/prod/event", &[]).await).unwrap();
    assert_eq!(event["stageVariables"]["color"], "red");
    gateway.set_alias("swap", "live", 1).await;
    assert_eq!(body_of(&gateway, "/other/swap", &[]).await, SWAP_A_BODY);
}
