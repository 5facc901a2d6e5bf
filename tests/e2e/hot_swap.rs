//! The hot-swap guarantee (issue 3): a deploy, rollback, alias move or canary change never
//! fails or drops a request. Eight keep-alive connections send requests without pause while
//! the test swaps the stage between two versions of a function more than fifty times
//! through the admin API; every response must be 200 with exactly one of the two bodies, a
//! response sent after a change was acknowledged must come from it, and after the last
//! change every response on every connection comes from the last version.
//!
//! No timing thresholds: the test waits for the load to make progress between changes (so
//! requests really run between and during them), and judges each response by the changes
//! acknowledged before it was sent and after it was received.

use std::time::{Duration, Instant};

use serde_json::json;
use tollgate_tests::components::{self, SWAP_A_BODY, SWAP_B_BODY};
use tollgate_tests::{Gateway, Load, TempData, function_api, send};

const CONNECTIONS: usize = 8;
/// Responses the load must complete between two changes.
const BETWEEN_CHANGES: usize = CONNECTIONS;
const MIN_CHANGES: usize = 50;
/// The load keeps running for at least this long (it is not a bound on anything).
const MIN_DURATION: Duration = Duration::from_secs(5);
/// Requests every connection sends after the last change.
const FINAL_BATCH: usize = 25;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Version {
    A,
    B,
}

impl Version {
    fn body(self) -> &'static str {
        match self {
            Version::A => SWAP_A_BODY,
            Version::B => SWAP_B_BODY,
        }
    }
}

/// What the stage is made of, as the test changed it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Definition {
    /// `function:swap:live`
    Alias,
    /// `function:swap:1`
    One,
    /// `function:swap:2`
    Two,
}

struct Model {
    alias: Version,
    base: Definition,
    /// The definition of the canary's deployment, at 100 %, if any.
    canary: Option<Definition>,
}

impl Model {
    fn serves(&self, definition: Definition) -> Version {
        match definition {
            Definition::Alias => self.alias,
            Definition::One => Version::A,
            Definition::Two => Version::B,
        }
    }

    fn expected(&self) -> Version {
        self.serves(self.canary.unwrap_or(self.base))
    }
}

fn definition_text(definition: Definition) -> String {
    let (revision, uri) = match definition {
        Definition::Alias => ("alias", "function:swap:live"),
        Definition::One => ("one", "function:swap:1"),
        Definition::Two => ("two", "function:swap:2"),
    };
    function_api("swap", revision, &[("/swap", uri)])
}

/// One change, in the order the cycle performs them.
#[derive(Clone, Copy, Debug)]
enum Change {
    AliasTo(Version),
    Deploy(Definition),
    RollbackToLastOne,
    CanaryToLastTwo,
    CanaryDelete,
}

/// Each change flips what the stage serves: B, A, B, A, B, A, B, A.
const CYCLE: [Change; 8] = [
    Change::AliasTo(Version::B),
    Change::Deploy(Definition::One),
    Change::Deploy(Definition::Two),
    Change::RollbackToLastOne,
    Change::CanaryToLastTwo,
    Change::CanaryDelete,
    Change::Deploy(Definition::Alias),
    Change::AliasTo(Version::A),
];

struct Swapper<'a> {
    gateway: &'a Gateway,
    model: Model,
    last_one: Option<String>,
    last_two: Option<String>,
}

impl Swapper<'_> {
    async fn apply(&mut self, change: Change) {
        let gateway = self.gateway;
        match change {
            Change::AliasTo(version) => {
                let number = match version {
                    Version::A => 1,
                    Version::B => 2,
                };
                gateway.set_alias("swap", "live", number).await;
                self.model.alias = version;
            }
            Change::Deploy(definition) => {
                let answer = gateway
                    .deploy_definition(&definition_text(definition), "prod", None)
                    .await;
                assert_eq!(answer.status, 201, "{change:?}: {}", answer.text());
                let id = answer.json()["deployment"]["id"]
                    .as_str()
                    .expect("deployment id")
                    .to_string();
                match definition {
                    Definition::One => self.last_one = Some(id),
                    Definition::Two => self.last_two = Some(id),
                    Definition::Alias => {}
                }
                self.model.base = definition;
            }
            Change::RollbackToLastOne => {
                let id = self.last_one.clone().expect("a deployment of One");
                let stage = gateway
                    .admin_ok(
                        "POST",
                        "/v1/apis/swap/stages/prod/rollback",
                        Some(json!({ "deploymentId": id })),
                    )
                    .await;
                assert_eq!(stage["deploymentId"], id.as_str());
                self.model.base = Definition::One;
            }
            Change::CanaryToLastTwo => {
                let id = self.last_two.clone().expect("a deployment of Two");
                gateway
                    .admin_ok(
                        "PUT",
                        "/v1/apis/swap/stages/prod/canary",
                        Some(json!({ "deploymentId": id, "percent": 100 })),
                    )
                    .await;
                self.model.canary = Some(Definition::Two);
            }
            Change::CanaryDelete => {
                gateway
                    .admin_ok("DELETE", "/v1/apis/swap/stages/prod/canary", None)
                    .await;
                self.model.canary = None;
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn swapping_versions_under_load_never_fails_or_mixes_a_request() {
    let data = TempData::new();
    let gateway = Gateway::start(&["serve", "--data-dir", data.path().to_str().unwrap()]);
    assert_eq!(
        gateway.publish("swap", components::SWAP_A).await["version"],
        1
    );
    assert_eq!(
        gateway.publish("swap", components::SWAP_B).await["version"],
        2
    );
    gateway.set_alias("swap", "live", 1).await;
    gateway
        .deploy_ok(&definition_text(Definition::Alias), "prod", None)
        .await;
    let first = send("GET", &gateway.url("/prod/swap"), &[], "").await;
    assert_eq!(first.text(), SWAP_A_BODY);

    let mut swapper = Swapper {
        gateway: &gateway,
        model: Model {
            alias: Version::A,
            base: Definition::Alias,
            canary: None,
        },
        last_one: None,
        last_two: None,
    };
    // expected[g]: what the stage serves once change g has been acknowledged (g = 0: before
    // any change). The phase is 2g while no change is in flight, 2g + 1 while change g + 1 is.
    let mut expected = vec![swapper.model.expected()];
    let load = Load::start(gateway.address, "/prod/swap", &[], CONNECTIONS).await;
    // Every connection is open and busy before the first change.
    load.wait_for_each_connection(1).await;
    let started = Instant::now();
    let mut changes = 0usize;
    let mut probes_after_change = 0usize;
    while changes < MIN_CHANGES || started.elapsed() < MIN_DURATION {
        let change = CYCLE[changes % CYCLE.len()];
        // Let requests run between two changes.
        load.wait_for_completed(load.completed() + BETWEEN_CHANGES)
            .await;
        load.set_phase(2 * changes as u64 + 1);
        swapper.apply(change).await;
        changes += 1;
        let now = swapper.model.expected();
        assert_ne!(
            now,
            *expected.last().unwrap(),
            "every change flips the version"
        );
        expected.push(now);
        load.set_phase(2 * changes as u64);
        // The change is live when its call returns: a new connection sees it at once.
        let probe = send("GET", &gateway.url("/prod/swap"), &[], "").await;
        assert_eq!(probe.status, 200, "after change {changes} ({change:?})");
        assert_eq!(
            probe.text(),
            now.body(),
            "after change {changes} ({change:?})"
        );
        probes_after_change += 1;
    }
    let final_phase = 2 * changes as u64;
    let last = *expected.last().unwrap();
    let samples = load.stop(FINAL_BATCH).await;

    // Every request succeeded with one of the two bodies.
    let mut failures = Vec::new();
    let mut mixed = Vec::new();
    let mut overlapping = 0usize;
    let mut during = 0usize;
    let mut seen = [0usize; 2];
    let mut final_batch = [0usize; CONNECTIONS];
    let mut spans = [(u64::MAX, 0u64); CONNECTIONS];
    for sample in &samples {
        let (status, body) = match &sample.result {
            Ok(ok) => ok,
            Err(error) => {
                failures.push(format!("connection {}: {error}", sample.connection));
                continue;
            }
        };
        let body = String::from_utf8_lossy(body);
        let version = if body == SWAP_A_BODY && *status == 200 {
            Version::A
        } else if body == SWAP_B_BODY && *status == 200 {
            Version::B
        } else {
            failures.push(format!(
                "connection {}: {status} {body} (phase {}..{})",
                sample.connection, sample.phase_before, sample.phase_after
            ));
            continue;
        };
        seen[usize::from(version == Version::B)] += 1;
        let span = &mut spans[sample.connection];
        span.0 = span.0.min(sample.phase_before);
        span.1 = span.1.max(sample.phase_after);
        if sample.phase_before != sample.phase_after || sample.phase_before % 2 == 1 {
            // In flight while a change was: either version is right.
            overlapping += 1;
        } else {
            // Sent and received with no change in flight: the acknowledged state serves it.
            let want = expected[(sample.phase_before / 2) as usize];
            if version != want {
                mixed.push(format!(
                    "connection {} got {version:?}, phase {} serves {want:?}",
                    sample.connection, sample.phase_before
                ));
            }
        }
        if sample.phase_after > 0 && sample.phase_after < final_phase {
            during += 1;
        }
        if sample.phase_before == final_phase {
            final_batch[sample.connection] += 1;
            assert_eq!(version, last, "after the last change");
        }
    }
    eprintln!(
        "{changes} changes; {} responses ({} A, {} B); {during} between the first and the last \
         change; {overlapping} in flight during a change; {probes_after_change} probes",
        samples.len(),
        seen[0],
        seen[1]
    );
    assert!(
        failures.is_empty(),
        "{} failed or wrong responses:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(
        mixed.is_empty(),
        "{} responses from a version that was not being served:\n{}",
        mixed.len(),
        mixed.join("\n")
    );
    assert!(changes >= MIN_CHANGES);
    // Requests really ran concurrently with the changes (guaranteed by waiting for progress
    // between changes), on every connection, which stayed open from before the first change
    // to after the last.
    assert!(during >= (changes - 1) * BETWEEN_CHANGES, "{during}");
    assert!(seen[0] > 0 && seen[1] > 0);
    for (connection, (first, last_phase)) in spans.iter().enumerate() {
        assert_eq!(*first, 0, "connection {connection} started late");
        assert_eq!(
            *last_phase, final_phase,
            "connection {connection} ended early"
        );
        assert!(
            final_batch[connection] >= FINAL_BATCH,
            "connection {connection}: {} requests after the last change",
            final_batch[connection]
        );
    }
    assert!(
        overlapping > 0,
        "no request was in flight during any of {changes} changes"
    );
}
