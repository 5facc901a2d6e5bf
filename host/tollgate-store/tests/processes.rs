//! Behaviour across processes: the lock on a data directory, and that `kill -9` loses no
//! committed write.
//!
//! Each test re-executes this test binary as its child: the child half is an `#[ignore]`d
//! test that does its work only when an environment variable names the data directory, and
//! the parent runs it with `--ignored --exact NAME`. Nothing here waits on time: the parent
//! reacts to what the child prints.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use tollgate_store::{
    KeyValueStore, NewDeployment, NewUsagePlan, Store, StoreError, UsageIncrement,
};

const LOCK_CHILD_DIR: &str = "TOLLGATE_STORE_TEST_LOCK_CHILD_DIR";
const CRASH_CHILD_DIR: &str = "TOLLGATE_STORE_TEST_CRASH_CHILD_DIR";
const USAGE_CHILD_DIR: &str = "TOLLGATE_STORE_TEST_USAGE_CHILD_DIR";

/// How many commits the parent lets the crash child report before killing it.
const COMMITS_BEFORE_KILL: usize = 200;
/// The child stops on its own after this many, so it can never run forever.
const CHILD_MAX_COMMITS: u64 = 1_000_000;

/// Runs the `#[ignore]`d test `name` of this binary as a child process.
fn spawn_child(name: &str, env: &str, data_dir: &Path) -> Child {
    let exe = std::env::current_exe().expect("the test binary's path");
    Command::new(exe)
        .args([
            "--ignored",
            "--exact",
            name,
            "--nocapture",
            "--test-threads=1",
        ])
        .env(env, data_dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn the child test process")
}

/// Kills the child when dropped, so a failing parent leaves no process behind.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The text after `marker` in a line of the child's output. The marker need not start the
/// line: libtest prints `test NAME ... ` before the child's first line.
fn after_marker<'l>(line: &'l str, marker: &str) -> Option<&'l str> {
    line.find(marker).map(|at| &line[at + marker.len()..])
}

fn crash_key(i: u64) -> String {
    format!("key-{i:08}")
}

// ----- the lock -----

#[test]
#[ignore = "child half of a_second_process_is_refused_with_locked; runs only when spawned by it"]
fn lock_child_tries_to_open() {
    let Some(dir) = std::env::var_os(LOCK_CHILD_DIR) else {
        return;
    };
    match Store::open(Path::new(&dir)) {
        Ok(_) => println!("CHILD opened"),
        Err(StoreError::Locked { path }) => println!("CHILD locked {}", path.display()),
        Err(other) => println!("CHILD error {other}"),
    }
}

fn lock_child_report(data_dir: &Path) -> String {
    let child = spawn_child("lock_child_tries_to_open", LOCK_CHILD_DIR, data_dir);
    let output = child.wait_with_output().expect("child output");
    assert!(output.status.success(), "child failed: {:?}", output.status);
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .find_map(|line| after_marker(line, "CHILD ").map(str::to_owned))
        .expect("the child reports what happened")
}

#[test]
fn a_second_process_is_refused_with_locked() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path()).expect("open");
    let database = dir.path().join("tollgate.redb");
    assert_eq!(
        lock_child_report(dir.path()),
        format!("locked {}", database.display())
    );
    drop(store);
    assert_eq!(lock_child_report(dir.path()), "opened");
}

// ----- crash safety -----

#[test]
#[ignore = "child half of kill_9_loses_no_committed_write; runs only when spawned by it"]
fn crash_child_writes_until_killed() {
    let Some(dir) = std::env::var_os(CRASH_CHILD_DIR) else {
        return;
    };
    let store = Store::open(Path::new(&dir)).expect("child opens the store");
    let mut out = std::io::stdout().lock();
    for i in 0..CHILD_MAX_COMMITS {
        store
            .set("crash", &crash_key(i), &i.to_be_bytes())
            .expect("child writes");
        // Printed only after the commit returned: every printed index must survive.
        writeln!(out, "COMMITTED {i}").expect("child prints");
        out.flush().expect("child flushes");
    }
}

#[test]
fn kill_9_loses_no_committed_write() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut child = KillOnDrop(spawn_child(
        "crash_child_writes_until_killed",
        CRASH_CHILD_DIR,
        dir.path(),
    ));
    let stdout = child.0.stdout.take().expect("child stdout");
    let mut committed = Vec::new();
    let mut killed = false;
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("read child stdout");
        let Some(index) = after_marker(&line, "COMMITTED ") else {
            continue;
        };
        committed.push(index.parse::<u64>().expect("an index"));
        if !killed && committed.len() >= COMMITS_BEFORE_KILL {
            // Child::kill sends SIGKILL on Unix. Keep reading: lines the child printed before
            // it died are still in the pipe, and their commits count too.
            child.0.kill().expect("SIGKILL the child");
            killed = true;
        }
    }
    let status = child.0.wait().expect("wait for the child");
    assert!(
        killed,
        "the child ended before {COMMITS_BEFORE_KILL} commits"
    );
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(status.signal(), Some(9), "the child died of SIGKILL");
    }
    #[cfg(not(unix))]
    assert!(!status.success());

    let store = Store::open(dir.path()).expect("reopen after the crash");
    for &i in &committed {
        assert_eq!(
            store.get("crash", &crash_key(i)).expect("read"),
            Some(i.to_be_bytes().to_vec()),
            "commit {i} was reported but is missing after kill -9"
        );
    }
    // The reported commits are 0..n in order, and nothing past n+1 exists: the one write that
    // may have been in flight is the only uncertain one.
    let last = committed.last().copied().expect("at least one commit");
    assert_eq!(committed, (0..=last).collect::<Vec<_>>());
    let listed = store.list_keys("crash", "", 1000).expect("list");
    assert!(listed.len() as u64 == last + 1 || listed.len() as u64 == last + 2);

    // The reopened store works normally.
    store
        .set("crash", "after", b"ok")
        .expect("write after reopen");
    assert_eq!(
        store.get("crash", "after").expect("read"),
        Some(b"ok".to_vec())
    );
}

// ----- quota counters -----

/// The period every increment of the usage crash test counts in.
const USAGE_PERIOD: u64 = 1_700_000_000;

#[test]
#[ignore = "child half of kill_9_loses_no_committed_usage; runs only when spawned by it"]
fn usage_child_counts_until_killed() {
    let Some(dir) = std::env::var_os(USAGE_CHILD_DIR) else {
        return;
    };
    let store = Store::open(Path::new(&dir)).expect("child opens the store");
    let plan = store.usage_plan("gold").expect("the parent made the plan");
    let key = store.api_key("k").expect("the parent made the key");
    let mut out = std::io::stdout().lock();
    for i in 0..CHILD_MAX_COMMITS {
        // Two counters per batch, as the gateway commits many in one transaction.
        store
            .add_usage(&[
                UsageIncrement {
                    plan_id: plan.id.clone(),
                    key_id: key.id.clone(),
                    period_start: USAGE_PERIOD,
                    count: 1,
                },
                UsageIncrement {
                    plan_id: plan.id.clone(),
                    key_id: key.id.clone(),
                    period_start: USAGE_PERIOD + 1,
                    count: 2,
                },
            ])
            .expect("child counts");
        writeln!(out, "COMMITTED {i}").expect("child prints");
        out.flush().expect("child flushes");
    }
}

#[test]
fn kill_9_loses_no_committed_usage() {
    let dir = tempfile::tempdir().expect("tempdir");
    let generation = {
        let store = Store::open(dir.path()).expect("open");
        store.put_api("pets", &serde_json::json!({})).expect("api");
        let deployment = store
            .create_deployment("pets", NewDeployment::new(serde_json::json!({})))
            .expect("deploy");
        store
            .point_stage("pets", "prod", &deployment.id, None)
            .expect("stage");
        store.create_api_key("k", None).expect("key");
        store
            .create_usage_plan(NewUsagePlan {
                name: "gold".into(),
                api_stages: vec![("pets".into(), "prod".into())],
                throttle: None,
                quota: None,
            })
            .expect("plan");
        store.add_usage_plan_key("gold", "k").expect("add key");
        store.generation().expect("generation")
    };
    let mut child = KillOnDrop(spawn_child(
        "usage_child_counts_until_killed",
        USAGE_CHILD_DIR,
        dir.path(),
    ));
    let stdout = child.0.stdout.take().expect("child stdout");
    let mut committed = 0u64;
    let mut killed = false;
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("read child stdout");
        if after_marker(&line, "COMMITTED ").is_none() {
            continue;
        }
        committed += 1;
        if !killed && committed >= COMMITS_BEFORE_KILL as u64 {
            child.0.kill().expect("SIGKILL the child");
            killed = true;
        }
    }
    child.0.wait().expect("wait for the child");
    assert!(
        killed,
        "the child ended before {COMMITS_BEFORE_KILL} commits"
    );

    let store = Store::open(dir.path()).expect("reopen after the crash");
    let plan = store.usage_plan("gold").expect("plan");
    let key = store.api_key("k").expect("key");
    let ones = store.usage(&plan.id, &key.id, USAGE_PERIOD).expect("usage");
    let twos = store
        .usage(&plan.id, &key.id, USAGE_PERIOD + 1)
        .expect("usage");
    // Every reported batch is there; only the one in flight at the kill may be too, and
    // then whole: both its counters or neither.
    assert!(
        ones == committed || ones == committed + 1,
        "{committed} batches reported, {ones} counted"
    );
    assert_eq!(twos, 2 * ones, "a batch was committed in part");
    // Counting never moved the generation.
    assert_eq!(store.generation().expect("generation"), generation);
}
