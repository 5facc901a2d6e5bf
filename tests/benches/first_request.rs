//! The latency of the first request after a deploy, through the real (release) gateway:
//!
//! - (a) a deploy whose component is already compiled: the stage alternates between two
//!   definitions naming `swap:1` and `swap:2`, both seen before;
//! - (b) a deploy of a never-seen component: each repetition publishes a new version of
//!   `swap` (SWAP_A's bytes plus a custom section with a fresh payload: a new content hash,
//!   the same behaviour) and deploys a definition naming it.
//!
//! Also times the admin calls themselves (publish, deploy) and, for reference, a request
//! on a stage that has not changed. Run with
//! `cargo bench -p tollgate --bench first_request` (`FIRST_REQUEST_REPS=N` to change the
//! number of repetitions, 30 by default).

use std::time::{Duration, Instant};

use tollgate_tests::components::{self, SWAP_A_BODY, SWAP_B_BODY};
use tollgate_tests::{Connection, Gateway, TempData, function_api, with_custom_section};

fn percentile(samples: &[Duration], fraction: f64) -> Duration {
    let mut sorted = samples.to_vec();
    sorted.sort();
    let rank = ((sorted.len() as f64 * fraction).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

fn millis(duration: Duration) -> String {
    format!("{:.3}", duration.as_secs_f64() * 1000.0)
}

struct Row {
    what: &'static str,
    samples: Vec<Duration>,
}

async fn run() {
    // `cargo bench` passes `--bench`; without it (`cargo test --benches`) this is a smoke
    // test with two repetitions.
    let default_reps = if std::env::args().any(|a| a == "--bench") {
        30
    } else {
        2
    };
    let reps: usize = std::env::var("FIRST_REQUEST_REPS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default_reps);
    let data = TempData::new();
    let gateway = Gateway::start_with_env(
        &["serve", "--data-dir", data.path().to_str().unwrap()],
        &[("TOLLGATE_LOG", "warn")],
    );
    let swap_a = std::fs::read(components::SWAP_A).expect("swap-a component");
    gateway.publish("swap", components::SWAP_A).await;
    gateway.publish("swap", components::SWAP_B).await;
    let one = function_api("swap", "one", &[("/swap", "function:swap:1")]);
    let two = function_api("swap", "two", &[("/swap", "function:swap:2")]);
    // Both versions deployed (and so compiled) once before measuring.
    gateway.deploy_ok(&two, "prod", None).await;
    gateway.deploy_ok(&one, "prod", None).await;
    let mut connection = Connection::open(gateway.address).await;
    let mut get = async |expected: &str| {
        let started = Instant::now();
        let answer = connection.get("/prod/swap", &[]).await;
        let elapsed = started.elapsed();
        assert_eq!(answer.status, 200, "{}", answer.text());
        assert_eq!(answer.text(), expected);
        elapsed
    };

    let mut steady = Vec::new();
    for _ in 0..reps.max(10) * 10 {
        steady.push(get(SWAP_A_BODY).await);
    }

    // (a) an already-compiled component.
    let mut compiled_deploy = Vec::new();
    let mut compiled_first = Vec::new();
    for i in 0..reps {
        let (definition, body) = if i % 2 == 0 {
            (&two, SWAP_B_BODY)
        } else {
            (&one, SWAP_A_BODY)
        };
        let started = Instant::now();
        gateway.deploy_ok(definition, "prod", None).await;
        compiled_deploy.push(started.elapsed());
        compiled_first.push(get(body).await);
    }

    // (b) a never-seen component.
    let mut fresh_publish = Vec::new();
    let mut fresh_deploy = Vec::new();
    let mut fresh_first = Vec::new();
    let nonce = format!(
        "{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos()
    );
    for i in 0..reps {
        let wasm = with_custom_section(
            &swap_a,
            "tollgate-first-request-bench",
            format!("{nonce}-{i}").as_bytes(),
        );
        let started = Instant::now();
        let published = gateway.publish_bytes("swap", wasm).await;
        fresh_publish.push(started.elapsed());
        assert_eq!(published.status, 201, "{}", published.text());
        let version = published.json()["version"].as_u64().expect("version");
        let definition = function_api(
            "swap",
            &format!("fresh-{i}"),
            &[("/swap", &format!("function:swap:{version}"))],
        );
        let started = Instant::now();
        gateway.deploy_ok(&definition, "prod", None).await;
        fresh_deploy.push(started.elapsed());
        fresh_first.push(get(SWAP_A_BODY).await);
    }

    let rows = [
        Row {
            what: "request, stage unchanged (reference)",
            samples: steady,
        },
        Row {
            what: "(a) deploy call, compiled component",
            samples: compiled_deploy,
        },
        Row {
            what: "(a) first request after it",
            samples: compiled_first,
        },
        Row {
            what: "(b) publish call, never-seen component",
            samples: fresh_publish,
        },
        Row {
            what: "(b) deploy call, never-seen component",
            samples: fresh_deploy,
        },
        Row {
            what: "(b) first request after it",
            samples: fresh_first,
        },
    ];
    println!();
    println!(
        "first request after a deploy ({reps} repetitions, release build, one keep-alive connection)"
    );
    println!();
    println!("| what | n | median (ms) | p90 (ms) |");
    println!("| --- | ---: | ---: | ---: |");
    for row in &rows {
        println!(
            "| {} | {} | {} | {} |",
            row.what,
            row.samples.len(),
            millis(percentile(&row.samples, 0.5)),
            millis(percentile(&row.samples, 0.9))
        );
    }
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    runtime.block_on(run());
}
