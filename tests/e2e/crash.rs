//! A crash at any moment never leaves a stage pointing at a half-written deployment
//! (issue 3). A task streams changes through the admin API — new function versions, deploys
//! to two stages, alias moves — while the test kills the gateway with SIGKILL mid-stream,
//! eight times. After each restart every stage serves a complete deployment, every
//! acknowledged change survived, and every deployment the gateway lists is complete: served
//! as a 100 % canary, each answers with its body.

use std::sync::mpsc;

use serde_json::{Value, json};
use tollgate_tests::components::{self, SWAP_A_BODY, SWAP_B_BODY};
use tollgate_tests::{ADMIN_TOKEN, Gateway, TempData, function_api, send, with_custom_section};

const API: &str = "crash";
const STAGES: [&str; 2] = ["prod", "dev"];

fn serve(data: &TempData) -> Gateway {
    Gateway::start(&["serve", "--data-dir", data.path().to_str().unwrap()])
}

/// A deployment's description says what it serves: `a`, `b`, or `alias` (the alias `live`).
fn definition(revision: &str, uri: &str) -> String {
    function_api(API, revision, &[("/swap", uri)])
}

/// A change the driver acknowledged (or, for an alias move, is about to send).
#[derive(Debug)]
enum Acked {
    Deployed { stage: String, id: String },
    AliasAttempt,
    Alias(u64),
}

/// Sends changes until the gateway stops answering; reports each acknowledged one.
async fn stream_changes(admin: String, round: usize, acked: mpsc::Sender<Acked>) {
    let authorization = format!("Bearer {ADMIN_TOKEN}");
    let headers = [
        ("authorization", authorization.as_str()),
        ("content-type", "application/json"),
    ];
    let swap_a = std::fs::read(components::SWAP_A).expect("swap-a");
    let mut alias = 1;
    for step in 0usize.. {
        let stage = STAGES[(step / 4) % STAGES.len()];
        let revision = format!("{round}-{step}");
        let request = match step % 4 {
            // A never-seen component, published and deployed.
            0 => {
                let wasm = with_custom_section(&swap_a, "crash-test", revision.as_bytes());
                let published = try_send(
                    "POST",
                    format!("{admin}/v1/functions/swap/versions"),
                    &[
                        ("authorization", authorization.as_str()),
                        ("content-type", "application/wasm"),
                    ],
                    wasm,
                )
                .await;
                let Some((201, version)) = published else {
                    return;
                };
                let number = version["version"].as_u64().expect("version");
                json!({
                    "definition": definition(&revision, &format!("function:swap:{number}")),
                    "stage": stage, "description": "a",
                })
            }
            1 => json!({
                "definition": definition(&revision, "function:swap:2"),
                "stage": stage, "description": "b",
            }),
            2 => {
                alias = 3 - alias;
                let _ = acked.send(Acked::AliasAttempt);
                match try_send(
                    "PUT",
                    format!("{admin}/v1/functions/swap/aliases/live"),
                    &headers,
                    json!({ "version": alias }).to_string().into_bytes(),
                )
                .await
                {
                    Some((200, _)) => {
                        let _ = acked.send(Acked::Alias(alias));
                        continue;
                    }
                    _ => return,
                }
            }
            _ => json!({
                "definition": definition(&revision, "function:swap:live"),
                "stage": stage, "description": "alias",
            }),
        };
        match try_send(
            "POST",
            format!("{admin}/v1/deployments"),
            &headers,
            request.to_string().into_bytes(),
        )
        .await
        {
            Some((201, answer)) => {
                let id = answer["deployment"]["id"].as_str().expect("id").to_string();
                let _ = acked.send(Acked::Deployed {
                    stage: stage.to_string(),
                    id,
                });
            }
            Some((status, answer)) => panic!("deploy answered {status}: {answer}"),
            None => return,
        }
    }
}

/// Sends one admin request; `None` when the gateway is gone (connection refused or reset).
async fn try_send(
    method: &str,
    url: String,
    headers: &[(&str, &str)],
    body: Vec<u8>,
) -> Option<(u16, Value)> {
    let answer = tollgate_tests::try_send(method, &url, headers, body)
        .await
        .ok()?;
    let json = serde_json::from_slice(&answer.body).unwrap_or(Value::Null);
    Some((answer.status, json))
}

fn body_for(description: &str, alias: u64) -> &'static str {
    match (description, alias) {
        ("a", _) | ("alias", 1) => SWAP_A_BODY,
        ("b", _) | ("alias", 2) => SWAP_B_BODY,
        _ => panic!("unexpected description {description:?} (alias {alias})"),
    }
}

/// Checks the restarted gateway against everything acknowledged before the kill.
async fn check(gateway: &Gateway, acked: &[Acked]) {
    let functions = gateway.admin_ok("GET", "/v1/functions", None).await;
    let aliases = &functions["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "swap")
        .expect("function swap")["aliases"];
    let alias = aliases
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["alias"] == "live")
        .expect("alias live")["version"]
        .as_u64()
        .unwrap();
    // The alias is the last acknowledged value, unless a move was in flight at the kill.
    if let Some(Acked::Alias(last)) = acked
        .iter()
        .rev()
        .find(|a| matches!(a, Acked::Alias(_) | Acked::AliasAttempt))
    {
        assert_eq!(alias, *last, "the acknowledged alias move is lost");
    }

    let listed = gateway
        .admin_ok("GET", &format!("/v1/apis/{API}/deployments"), None)
        .await;
    let deployments: Vec<(String, String)> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["id"].as_str().unwrap().to_string(),
                d["description"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    let position = |id: &str| deployments.iter().position(|(d, _)| d == id);
    let description = |id: &str| {
        deployments
            .iter()
            .find(|(d, _)| d == id)
            .map(|(_, description)| description.clone())
            .unwrap_or_else(|| panic!("deployment {id} is not listed in {listed}"))
    };
    let acknowledged = acked
        .iter()
        .filter(|a| matches!(a, Acked::Deployed { .. }))
        .count();
    eprintln!(
        "{} deployments listed, {acknowledged} acknowledged",
        deployments.len()
    );
    // Every acknowledged deployment survived.
    for change in acked {
        if let Acked::Deployed { id, .. } = change {
            assert!(
                position(id).is_some(),
                "acknowledged {id} is lost: {listed}"
            );
        }
    }

    for stage in STAGES {
        let current = gateway.stage(API, stage).await;
        let serving = current["deploymentId"].as_str().unwrap().to_string();
        // Not older than the last deployment acknowledged for it.
        if let Some(last) = acked.iter().rev().find_map(|a| match a {
            Acked::Deployed { stage: s, id } if s == stage => Some(id.clone()),
            _ => None,
        }) {
            assert!(
                position(&serving) <= position(&last),
                "{stage} serves {serving}, older than the acknowledged {last}"
            );
        }
        let answer = send("GET", &gateway.url(&format!("/{stage}/swap")), &[], "").await;
        assert_eq!(answer.status, 200, "{stage}: {}", answer.text());
        assert_eq!(
            answer.text(),
            body_for(&description(&serving), alias),
            "{stage} serves {serving}"
        );
    }

    // Every listed deployment is complete and its definition imports: served as a 100 %
    // canary of `prod`, it answers with its body.
    for (id, description) in &deployments {
        gateway
            .admin_ok(
                "PUT",
                &format!("/v1/apis/{API}/stages/prod/canary"),
                Some(json!({ "deploymentId": id, "percent": 100 })),
            )
            .await;
        let answer = send("GET", &gateway.url("/prod/swap"), &[], "").await;
        assert_eq!(answer.status, 200, "{id}: {}", answer.text());
        assert_eq!(answer.text(), body_for(description, alias), "{id}");
    }
    gateway
        .admin_ok(
            "DELETE",
            &format!("/v1/apis/{API}/stages/prod/canary"),
            None,
        )
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_kill_during_deploys_leaves_every_stage_serving_a_complete_deployment() {
    let data = TempData::new();
    let mut gateway = serve(&data);
    gateway.publish("swap", components::SWAP_A).await;
    gateway.publish("swap", components::SWAP_B).await;
    gateway.set_alias("swap", "live", 1).await;
    let mut acked = vec![Acked::Alias(1)];
    for stage in STAGES {
        let created = gateway
            .admin_ok(
                "POST",
                "/v1/deployments",
                Some(json!({
                    "definition": definition(stage, "function:swap:1"),
                    "stage": stage, "description": "a",
                })),
            )
            .await;
        acked.push(Acked::Deployed {
            stage: stage.to_string(),
            id: created["deployment"]["id"].as_str().unwrap().to_string(),
        });
    }

    // When to kill: after N acknowledged changes (the driver is then sending change N; when
    // N is a multiple of 4, that is publishing a never-seen component and deploying it),
    // plus a delay that moves the kill across the processing of that change. Only the
    // moment of the kill depends on these; nothing waits for a state change by sleeping.
    let kills: [(usize, u64); 8] = [
        (4, 0),
        (5, 300),
        (8, 1_000),
        (12, 3_000),
        (6, 500),
        (16, 2_000),
        (9, 0),
        (20, 8_000),
    ];
    for (round, (kill_after, delay_micros)) in kills.into_iter().enumerate() {
        let (tx, rx) = mpsc::channel();
        let driver = tokio::spawn(stream_changes(gateway.admin_url(""), round, tx));
        let mut seen = 0;
        while seen < kill_after {
            let change = tokio::task::block_in_place(|| {
                rx.recv_timeout(std::time::Duration::from_secs(120))
            })
            .unwrap_or_else(|_| panic!("no change acknowledged; stderr:\n{}", gateway.stderr()));
            if !matches!(change, Acked::AliasAttempt) {
                seen += 1;
            }
            acked.push(change);
        }
        tokio::time::sleep(std::time::Duration::from_micros(delay_micros)).await;
        gateway.kill();
        driver.await.expect("the driver");
        acked.extend(rx.try_iter());

        gateway = serve(&data);
        check(&gateway, &acked).await;
    }
}
