//! The admin API itself (`docs/admin-api.md`): its own listener, the bearer token (given in
//! `TOLLGATE_ADMIN_TOKEN` or generated into the data directory and found there by the CLI),
//! and the shapes of its answers and errors.

use serde_json::{Value, json};
use tollgate_tests::components::{self, SWAP_A_BODY, SWAP_B_BODY};
use tollgate_tests::{
    ADMIN_TOKEN, Gateway, TempData, expect_success, function_api, send, tollgate, tollgate_with_env,
};

fn serve(data: &TempData) -> Gateway {
    Gateway::start(&["serve", "--data-dir", data.path().to_str().unwrap()])
}

fn serve_without_token(data: &TempData) -> Gateway {
    Gateway::start_without_admin_token(
        &["serve", "--data-dir", data.path().to_str().unwrap()],
        &[("TOLLGATE_LOG", "info,access=off")],
    )
}

fn assert_message(answer: &tollgate_tests::Answer, status: u16) -> String {
    assert_eq!(answer.status, status, "{}", answer.text());
    assert_eq!(
        answer.header("content-type"),
        Some("application/json"),
        "{}",
        answer.text()
    );
    answer.json()["message"]
        .as_str()
        .unwrap_or_else(|| panic!("no message in {}", answer.text()))
        .to_string()
}

#[tokio::test]
async fn admin_requests_without_the_right_token_are_refused() {
    let data = TempData::new();
    let gateway = serve(&data);
    assert_ne!(gateway.address, gateway.admin_address);

    let health = send("GET", &gateway.admin_url("/v1/health"), &[], "").await;
    assert_eq!(health.status, 200, "{}", health.text());
    assert_eq!(health.json(), json!({"status": "ok"}));

    let wrong = format!("Bearer {ADMIN_TOKEN}x");
    let basic = format!("Basic {ADMIN_TOKEN}");
    for headers in [
        vec![],
        vec![("authorization", wrong.as_str())],
        vec![("authorization", basic.as_str())],
        vec![("authorization", "Bearer ")],
    ] {
        let answer = send("GET", &gateway.admin_url("/v1/apis"), &headers, "").await;
        assert_message(&answer, 401);
        let body = json!({
            "definition": function_api("swap", "1", &[("/swap", "function:swap")]),
            "stage": "prod",
        });
        let deploy = send(
            "POST",
            &gateway.admin_url("/v1/deployments"),
            &headers,
            body.to_string(),
        )
        .await;
        assert_message(&deploy, 401);
        let publish = send(
            "POST",
            &gateway.admin_url("/v1/functions/swap/versions"),
            &headers,
            std::fs::read(components::SWAP_A).unwrap(),
        )
        .await;
        assert_message(&publish, 401);
    }
    // Nothing was changed by the refused requests.
    let apis = gateway.admin_ok("GET", "/v1/apis", None).await;
    assert_eq!(apis, json!({"items": []}));
    assert_eq!(
        gateway.admin_ok("GET", "/v1/functions", None).await,
        json!({"items": []})
    );

    // The CLI with a wrong token fails.
    let admin = gateway.admin_url("");
    let output = tollgate_with_env(
        &["function", "list", "--admin", &admin],
        &[("TOLLGATE_ADMIN_TOKEN", "wrong")],
    );
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );

    // The admin API is not on the data plane's listener.
    let data_plane = send("GET", &gateway.url("/v1/health"), &[], "").await;
    assert_ne!(data_plane.status, 200, "{}", data_plane.text());
}

#[tokio::test]
async fn a_generated_token_lives_in_the_data_directory_and_the_cli_finds_the_gateway() {
    let data = TempData::new();
    let dir = data.path().to_str().unwrap().to_string();
    let mut gateway = serve_without_token(&data);
    let token_file = data.path().join("admin-token");
    assert!(token_file.exists(), "no {}", token_file.display());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&token_file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "mode {mode:o}");
    }
    let token = std::fs::read_to_string(&token_file)
        .unwrap()
        .trim()
        .to_string();
    assert!(token.len() >= 16, "a short token: {token:?}");

    // Printed once, when it is created.
    let mut printed = gateway.stdout();
    for _ in 0..50 {
        if printed.contains(&token) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        printed = format!("{}\n{}", gateway.stdout(), gateway.stderr());
    }
    assert!(
        printed.contains(&token),
        "the new token is not printed:\n{printed}"
    );

    assert_message(
        &send("GET", &gateway.admin_url("/v1/apis"), &[], "").await,
        401,
    );
    gateway.use_admin_token(&token);
    gateway.admin_ok("GET", "/v1/apis", None).await;
    let admin_url = std::fs::read_to_string(data.path().join("admin.url")).unwrap();
    assert!(
        admin_url.contains(&gateway.admin_address.to_string()),
        "admin.url: {admin_url}"
    );

    // The CLI with only `--data-dir` (no `--admin`, no token in its environment) talks to
    // the running gateway: its changes are live at once.
    let run = |args: &[&str]| {
        let mut all = args.to_vec();
        all.extend(["--data-dir", dir.as_str()]);
        expect_success(&tollgate(&all), &args.join(" "))
    };
    assert!(run(&["function", "publish", "swap", components::SWAP_A]).contains("version 1"));
    let file = data.write(
        "api.yaml",
        &function_api("swap", "1", &[("/swap", "function:swap:1")]),
    );
    run(&["deploy", file.to_str().unwrap(), "--stage", "prod"]);
    let served = send("GET", &gateway.url("/prod/swap"), &[], "").await;
    assert_eq!(served.text(), SWAP_A_BODY);
    let functions = gateway.admin_ok("GET", "/v1/functions", None).await;
    assert_eq!(functions["items"][0]["name"], "swap", "{functions}");
    assert!(
        run(&["deployments", "list", "--stage", "prod"]).contains(
            gateway.stage("swap", "prod").await["deploymentId"]
                .as_str()
                .unwrap()
        )
    );

    // A restart keeps the token (and does not print it again).
    assert!(gateway.terminate().success());
    let mut gateway = serve_without_token(&data);
    let again = std::fs::read_to_string(&token_file).unwrap();
    assert_eq!(again.trim(), token);
    gateway.use_admin_token(&token);
    gateway.admin_ok("GET", "/v1/apis", None).await;
    assert_eq!(
        send("GET", &gateway.url("/prod/swap"), &[], "")
            .await
            .text(),
        SWAP_A_BODY
    );
    let printed = format!("{}\n{}", gateway.stdout(), gateway.stderr());
    assert!(!printed.contains(&token), "printed again:\n{printed}");
    // The CLI finds the restarted gateway (a new admin port) through the data directory.
    assert!(run(&["function", "publish", "swap", components::SWAP_B]).contains("version 2"));
    drop(gateway);

    // `TOLLGATE_ADMIN_TOKEN` at start wins over the file.
    let gateway = serve(&data);
    gateway.admin_ok("GET", "/v1/apis", None).await;
    let bearer = format!("Bearer {token}");
    assert_message(
        &send(
            "GET",
            &gateway.admin_url("/v1/apis"),
            &[("authorization", bearer.as_str())],
            "",
        )
        .await,
        401,
    );
}

#[tokio::test]
async fn endpoints_answer_the_documented_shapes() {
    let data = TempData::new();
    let gateway = serve(&data);

    // Functions: versions and aliases.
    let first = gateway
        .publish_bytes("swap", std::fs::read(components::SWAP_A).unwrap())
        .await;
    assert_eq!(first.status, 201, "{}", first.text());
    let first = first.json();
    assert_eq!(first["name"], "swap");
    assert_eq!(first["version"], 1);
    let hash_a = first["hash"].as_str().expect("hash").to_string();
    assert!(first["createdEpochMillis"].is_u64(), "{first}");
    assert!(
        first.as_object().unwrap().contains_key("description"),
        "{first}"
    );
    let same = gateway
        .publish_bytes("swap", std::fs::read(components::SWAP_A).unwrap())
        .await;
    assert_eq!(same.status, 200, "{}", same.text());
    assert_eq!(same.json()["version"], 1);
    assert_eq!(same.json()["hash"], hash_a.as_str());
    let second = gateway
        .admin_bytes(
            "POST",
            "/v1/functions/swap/versions?description=second",
            "application/wasm",
            std::fs::read(components::SWAP_B).unwrap(),
        )
        .await;
    assert_eq!(second.status, 201, "{}", second.text());
    assert_eq!(second.json()["version"], 2);
    assert_eq!(second.json()["description"], "second");
    assert_ne!(second.json()["hash"], hash_a.as_str());

    let alias = gateway.set_alias("swap", "live", 1).await;
    assert_eq!(
        alias,
        json!({"function": "swap", "alias": "live", "version": 1})
    );
    let functions = gateway.admin_ok("GET", "/v1/functions", None).await;
    let swap = &functions["items"][0];
    assert_eq!(swap["name"], "swap", "{functions}");
    assert_eq!(swap["versions"].as_array().unwrap().len(), 2, "{functions}");
    assert_eq!(swap["versions"][0]["version"], 1, "{functions}");
    assert_eq!(swap["aliases"], json!([alias]), "{functions}");

    // Deploy: 201 with the deployment and the stage; the same again: 200 unchanged.
    let definition = function_api("swap", "1", &[("/swap", "function:swap:live")]);
    let body = json!({
        "definition": definition,
        "sourceName": "api.yaml",
        "stage": "prod",
        "description": "first",
        "variables": {"k": "v"},
    });
    let created = gateway
        .admin("POST", "/v1/deployments", Some(body.clone()))
        .await;
    assert_eq!(created.status, 201, "{}", created.text());
    let created = created.json();
    let deployment = &created["deployment"];
    let id = deployment["id"].as_str().expect("id").to_string();
    assert!(!id.is_empty());
    assert_eq!(deployment["apiId"], "swap");
    assert_eq!(deployment["description"], "first");
    assert!(deployment["createdEpochMillis"].is_u64(), "{created}");
    let hashes: Vec<&Value> = deployment["componentHashes"]
        .as_object()
        .unwrap_or_else(|| panic!("componentHashes: {created}"))
        .values()
        .collect();
    assert_eq!(hashes, [&json!(hash_a)], "{created}");
    assert_eq!(deployment["variables"], json!({"k": "v"}), "{created}");
    let stage = &created["stage"];
    assert_eq!(stage["name"], "prod");
    assert_eq!(stage["deploymentId"], id.as_str());
    assert_eq!(stage["variables"], json!({"k": "v"}));
    assert!(stage["history"].is_array(), "{created}");
    assert!(stage["canary"].is_null(), "{created}");

    let unchanged = gateway.admin("POST", "/v1/deployments", Some(body)).await;
    assert_eq!(unchanged.status, 200, "{}", unchanged.text());
    assert_eq!(unchanged.json()["unchanged"], true);
    assert_eq!(unchanged.json()["stage"]["deploymentId"], id.as_str());
    assert_eq!(
        send("GET", &gateway.url("/prod/swap"), &[], "")
            .await
            .text(),
        SWAP_A_BODY
    );

    // An explicit API id.
    let other = gateway
        .admin(
            "POST",
            "/v1/deployments",
            Some(json!({"definition": definition, "apiId": "other", "stage": "test"})),
        )
        .await;
    assert_eq!(other.status, 201, "{}", other.text());
    assert_eq!(other.json()["deployment"]["apiId"], "other");
    let apis = gateway.admin_ok("GET", "/v1/apis", None).await;
    let mut listed: Vec<(String, Vec<String>)> = apis["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|api| {
            let stages = api["stages"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["name"].as_str().unwrap().to_string())
                .collect();
            (api["id"].as_str().unwrap().to_string(), stages)
        })
        .collect();
    listed.sort();
    assert_eq!(
        listed,
        [
            ("other".to_string(), vec!["test".to_string()]),
            ("swap".to_string(), vec!["prod".to_string()])
        ],
        "{apis}"
    );

    // Stages, variables, rollback.
    let stages = gateway.admin_ok("GET", "/v1/apis/swap/stages", None).await;
    assert_eq!(stages["items"].as_array().unwrap().len(), 1, "{stages}");
    assert_eq!(stages["items"][0]["name"], "prod");
    let patched = gateway
        .admin_ok(
            "PATCH",
            "/v1/apis/swap/stages/prod/variables",
            Some(json!({"set": {"a": "1"}, "unset": ["k"]})),
        )
        .await;
    assert_eq!(patched["variables"], json!({"a": "1"}), "{patched}");
    let second_id = gateway
        .deploy_ok(
            &function_api("swap", "2", &[("/swap", "function:swap:2")]),
            "prod",
            None,
        )
        .await;
    assert_eq!(
        send("GET", &gateway.url("/prod/swap"), &[], "")
            .await
            .text(),
        SWAP_B_BODY
    );
    let stage = gateway.stage("swap", "prod").await;
    assert_eq!(stage["deploymentId"], second_id.as_str());
    assert!(
        stage["history"].as_array().unwrap().contains(&json!(id)),
        "{stage}"
    );
    let rolled = gateway
        .admin_ok(
            "POST",
            "/v1/apis/swap/stages/prod/rollback",
            Some(json!({})),
        )
        .await;
    assert_eq!(rolled["name"], "prod");
    assert_eq!(rolled["deploymentId"], id.as_str(), "{rolled}");
    assert_eq!(
        send("GET", &gateway.url("/prod/swap"), &[], "")
            .await
            .text(),
        SWAP_A_BODY
    );

    // 404: unknown API, stage, deployment, function (checked at the end).
    let mut not_found: Vec<String> = Vec::new();
    for (method, path, body) in [
        ("GET", "/v1/apis/nope/deployments".to_string(), None),
        ("GET", "/v1/apis/nope/stages".to_string(), None),
        ("GET", "/v1/apis/swap/stages/nope".to_string(), None),
        (
            "POST",
            "/v1/apis/swap/stages/nope/rollback".to_string(),
            Some(json!({})),
        ),
        (
            "PATCH",
            "/v1/apis/swap/stages/nope/variables".to_string(),
            Some(json!({"set": {"a": "1"}})),
        ),
        (
            "POST",
            "/v1/apis/swap/stages/prod/rollback".to_string(),
            Some(json!({"deploymentId": "nonexistent"})),
        ),
        (
            "PUT",
            "/v1/apis/swap/stages/prod/canary".to_string(),
            Some(json!({"deploymentId": "nonexistent", "percent": 10})),
        ),
        (
            "PUT",
            "/v1/functions/nope/aliases/live".to_string(),
            Some(json!({"version": 1})),
        ),
    ] {
        let answer = gateway.admin(method, &path, body).await;
        if answer.status == 404 {
            assert!(!assert_message(&answer, 404).is_empty(), "{method} {path}");
        } else {
            not_found.push(format!(
                "{method} {path}: {} {}",
                answer.status,
                answer.text()
            ));
        }
    }

    // 400: a definition that does not import names the file, line and pointer.
    let broken = function_api("swap", "3", &[("/swap", "function:swap:1")])
        .replace("type: aws_proxy", "type: lambda");
    let answer = gateway
        .admin(
            "POST",
            "/v1/deployments",
            Some(json!({"definition": broken, "sourceName": "api.yaml", "stage": "prod"})),
        )
        .await;
    let message = assert_message(&answer, 400);
    assert!(message.contains("api.yaml:"), "{message}");
    assert!(
        message.contains("/paths/~1swap/get/x-amazon-apigateway-integration/type"),
        "{message}"
    );
    // A body that is not the documented JSON.
    let answer = send(
        "POST",
        &gateway.admin_url("/v1/deployments"),
        &[("authorization", &format!("Bearer {ADMIN_TOKEN}"))],
        "{not json",
    )
    .await;
    assert_message(&answer, 400);
    assert_eq!(
        gateway.stage("swap", "prod").await["deploymentId"],
        id.as_str()
    );

    // `?stage=S` lists the deployments the stage served or serves, newest first: the one
    // rolled back from is one it served.
    let served = gateway.deployment_ids("swap", Some("prod")).await;
    if served != [second_id.clone(), id.clone()] {
        not_found.push(format!(
            "GET /v1/apis/swap/deployments?stage=prod lists {served:?}, not [{second_id:?}, {id:?}]"
        ));
    }
    assert!(
        not_found.is_empty(),
        "answers that differ from docs/admin-api.md:\n{}",
        not_found.join("\n")
    );
}
