//! `tollgate plugin new` → `build` → `test`, through the real binary, and its error paths:
//! an unknown language, a non-empty directory, a missing manifest, a component whose world
//! is not the manifest's, a missing tool, a bad event file and a guest that panics.
//!
//! Rust plugins built here share one cargo target directory (the one the tests' build
//! script builds components in), so each new project compiles only itself and its copy of
//! the SDK.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{Value, json};
use tollgate_tests::{TempData, expect_success, tollgate_binary};

/// The cargo target directory the Rust builds share.
fn rust_work_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("CARGO_TARGET_TMPDIR is target/tmp")
        .join("wasm-components")
}

/// Runs `tollgate ARGS` in `dir`, with `TOLLGATE_LOG=warn` (guest records at `error`, such as
/// a panic, still show).
fn tollgate_in(dir: &Path, args: &[&str]) -> Output {
    tollgate_command(dir, args)
        .output()
        .expect("running tollgate")
}

fn tollgate_command(dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(tollgate_binary());
    command
        .current_dir(dir)
        .args(args)
        .env("TOLLGATE_LOG", "warn")
        .env_remove("TOLLGATE_DATA_DIR");
    command
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// `--work-dir SHARED` for Rust; the other languages keep the default (`DIR/build/work`).
fn work_args(language: &str) -> Vec<String> {
    if language == "rust" {
        vec!["--work-dir".into(), rust_work_dir().display().to_string()]
    } else {
        Vec::new()
    }
}

/// `plugin build NAME` in `parent`.
fn build(parent: &Path, name: &str, language: &str) -> Output {
    let mut args: Vec<String> = vec!["plugin".into(), "build".into(), name.into()];
    args.extend(work_args(language));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    tollgate_in(parent, &args)
}

/// `plugin test NAME --event FILE` and extra arguments in `parent`; its stdout as JSON.
fn test(parent: &Path, language: &str, name: &str, event: &str, extra: &[&str]) -> Value {
    let mut args: Vec<String> = ["plugin", "test", name, "--event", event]
        .iter()
        .map(|a| a.to_string())
        .collect();
    args.extend(work_args(language));
    args.extend(extra.iter().map(|a| a.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let output = tollgate_in(parent, &args);
    let stdout = expect_success(&output, &format!("tollgate {}", args.join(" ")));
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}"))
}

fn new_plugin(parent: &Path, name: &str, language: &str, world: &str) {
    let output = tollgate_in(
        parent,
        &["plugin", "new", name, "--lang", language, "--world", world],
    );
    let stdout = expect_success(&output, "tollgate plugin new");
    assert!(stdout.contains(&format!("created {name}")), "{stdout}");
    for file in ["tollgate.toml", "event.json"] {
        assert!(
            parent.join(name).join(file).is_file(),
            "plugin new wrote no {file}"
        );
    }
}

/// A function, a mapper and an authorizer of `language` (`Described` in messages), each from
/// `plugin new` through `plugin build` to `plugin test` with its sample event. Every
/// language's templates do the same thing, so the answers are the same.
fn from_new_to_test(language: &str, described: &str) {
    let parent = TempData::new();
    let parent = parent.path();

    new_plugin(parent, "hello", language, "function");
    let output = build(parent, "hello", language);
    let stdout = expect_success(&output, "tollgate plugin build hello");
    let component = parent.join("hello/build/hello.wasm");
    assert!(
        stdout.starts_with(&format!(
            "built hello ({described} function): {}, ",
            component.display()
        )),
        "{stdout}"
    );
    assert!(
        stdout.trim_end().ends_with(" s"),
        "the build time: {stdout}"
    );
    let bytes = std::fs::read(&component).unwrap();
    assert_eq!(&bytes[..8], b"\0asm\x0d\x00\x01\x00", "a component");

    // Each run gets a fresh key-value table unless --state keeps one.
    let fresh = test(parent, language, "hello", "hello/event.json", &[]);
    assert_eq!(
        fresh,
        json!({"statusCode": 200, "headers": {"content-type": "application/json"},
               "body": r#"{"hello":"world","greetings":1}"#})
    );
    assert_eq!(
        test(parent, language, "hello", "hello/event.json", &[]),
        fresh
    );
    let state = parent.join("state");
    let state = state.to_str().unwrap();
    test(
        parent,
        language,
        "hello",
        "hello/event.json",
        &["--state", state],
    );
    let second = test(
        parent,
        language,
        "hello",
        "hello/event.json",
        &["--state", state],
    );
    assert_eq!(second["body"], r#"{"hello":"world","greetings":2}"#);

    new_plugin(parent, "tag", language, "mapper");
    expect_success(&build(parent, "tag", language), "tollgate plugin build tag");
    let mapped = test(parent, language, "tag", "tag/event.json", &[]);
    assert_eq!(
        mapped,
        json!({"request": {
            "method": "POST",
            "path": "/hello",
            "query": [["name", "world"]],
            "headers": [["content-type", "application/json"], ["x-mapped-by", "tag"], ["x-stage", "dev"]],
            "body": r#"{"greeting":"hello"}"#,
        }})
    );
    // The config map of the event reaches the mapper.
    let event = parent.join("configured.json");
    std::fs::write(
        &event,
        r#"{"request": {"method": "GET", "path": "/"}, "config": {"tag": "configured"}}"#,
    )
    .unwrap();
    let mapped = test(parent, language, "tag", event.to_str().unwrap(), &[]);
    assert_eq!(
        mapped["request"]["headers"],
        json!([["x-mapped-by", "configured"], ["x-stage", "test"]])
    );

    new_plugin(parent, "guard", language, "authorizer");
    expect_success(
        &build(parent, "guard", language),
        "tollgate plugin build guard",
    );
    let allowed = test(parent, language, "guard", "guard/event.json", &[]);
    assert_eq!(allowed["principalId"], "alice");
    assert_eq!(allowed["context"], json!({"user": "alice"}));
    assert_eq!(
        allowed["policyDocument"]["Statement"][0]["Resource"],
        "arn:aws:execute-api:us-east-1:000000000000:test/dev/*"
    );
    // --var overrides the event's stage variables: alice's token is no longer listed.
    let refused = test(
        parent,
        language,
        "guard",
        "guard/event.json",
        &["--var", "tokens=other=bob"],
    );
    assert_eq!(refused, json!({"error": "Unauthorized"}));
}

#[test]
fn rust_plugins_from_new_to_test() {
    from_new_to_test("rust", "Rust");
}

#[test]
fn python_plugins_from_new_to_test() {
    from_new_to_test("python", "Python");
}

#[test]
fn javascript_plugins_from_new_to_test() {
    from_new_to_test("js", "JavaScript");
}

#[test]
fn c_plugins_from_new_to_test() {
    from_new_to_test("c", "C");
}

#[test]
fn a_new_rust_plugin_outside_the_source_tree_carries_the_sdk() {
    let parent = TempData::new();
    new_plugin(parent.path(), "carry", "rust", "function");
    let dir = parent.path().join("carry");
    for file in [
        "Cargo.toml",
        "src/lib.rs",
        "tollgate-sdk/src/lib.rs",
        "tollgate-sdk/wit/plugin.wit",
    ] {
        assert!(dir.join(file).is_file(), "plugin new wrote no {file}");
    }
    let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
    assert!(
        manifest.contains(r#"tollgate-sdk = { path = "tollgate-sdk" }"#),
        "{manifest}"
    );
}

#[test]
fn the_in_repository_example_mapper_builds_with_the_cli() {
    let example = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../plugins/examples/rust/mapper"
    );
    let out = TempData::new();
    let work = rust_work_dir();
    let output = tollgate_in(
        out.path(),
        &[
            "plugin",
            "build",
            example,
            "--out-dir",
            out.path().to_str().unwrap(),
            "--work-dir",
            work.to_str().unwrap(),
        ],
    );
    let stdout = expect_success(
        &output,
        "tollgate plugin build plugins/examples/rust/mapper",
    );
    assert!(
        stdout.starts_with("built envelope (Rust mapper): "),
        "{stdout}"
    );
    assert!(out.path().join("envelope.wasm").is_file());
}

#[test]
fn an_unknown_language_is_refused() {
    let parent = TempData::new();
    let output = tollgate_in(
        parent.path(),
        &["plugin", "new", "x", "--lang", "go", "--world", "function"],
    );
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains(r#"unknown language "go": expected one of rust, python, js, c"#),
        "{}",
        stderr(&output)
    );
    assert!(!parent.path().join("x").exists());
}

#[test]
fn a_non_empty_directory_is_not_overwritten() {
    let parent = TempData::new();
    let dir = parent.path().join("taken");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("notes.txt"), "mine").unwrap();
    let output = tollgate_in(
        parent.path(),
        &[
            "plugin", "new", "taken", "--lang", "rust", "--world", "mapper",
        ],
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("taken already exists and is not empty"),
        "{}",
        stderr(&output)
    );
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
    assert_eq!(
        std::fs::read_to_string(dir.join("notes.txt")).unwrap(),
        "mine"
    );
}

#[test]
fn a_directory_without_a_manifest_is_not_a_plugin() {
    let parent = TempData::new();
    let empty = parent.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    for command in ["build", "test"] {
        let mut args = vec!["plugin", command, "empty"];
        if command == "test" {
            args.extend(["--event", "event.json"]);
        }
        let output = tollgate_in(parent.path(), &args);
        assert_eq!(output.status.code(), Some(1), "{command}");
        let message = stderr(&output);
        assert!(
            message.contains("tollgate.toml: not found: a plugin directory needs a tollgate.toml"),
            "{command}: {message}"
        );
    }
}

#[test]
fn a_world_other_than_the_manifests_is_caught_after_the_build() {
    let parent = TempData::new();
    new_plugin(parent.path(), "liar", "rust", "function");
    let manifest = parent.path().join("liar/tollgate.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(
        &manifest,
        text.replace(r#"world = "function""#, r#"world = "mapper""#),
    )
    .unwrap();
    let output = build(parent.path(), "liar", "rust");
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(
        message.contains("implements the function world, but")
            && message.contains(r#"tollgate.toml says world = "mapper""#),
        "{message}"
    );
}

/// `plugin build` of a new `language` plugin with nothing on `PATH` (nor in the variables
/// cargo sets for its children) fails naming the missing tool and how to install it.
fn missing_tool(language: &str, described: &str, install_hint: &str) {
    let parent = TempData::new();
    new_plugin(parent.path(), "lonely", language, "function");
    let output = tollgate_command(parent.path(), &["plugin", "build", "lonely"])
        .env("PATH", "")
        .env_remove("CARGO")
        .env_remove("RUSTC")
        .output()
        .expect("running tollgate");
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    let needed = format!("is needed to build {described} plugins and was not found: ");
    assert!(
        message.contains(&needed) && message.contains(install_hint),
        "{language}: {message}"
    );
    assert!(!parent.path().join("lonely/build/lonely.wasm").exists());
}

#[test]
fn a_missing_tool_is_named_with_how_to_install_it() {
    missing_tool(
        "rust",
        "Rust",
        "cargo is needed to build Rust plugins and was not found: install Rust with rustup \
         (https://rustup.rs), then run `rustup target add wasm32-wasip2`",
    );
    missing_tool("python", "Python", "pip install componentize-py");
    missing_tool("js", "JavaScript", "Node.js");
    missing_tool("c", "C", "pip install ziglang");
}

#[test]
fn a_bad_event_file_is_reported_before_building() {
    let parent = TempData::new();
    new_plugin(parent.path(), "picky", "rust", "mapper");
    let cases = [
        ("not-json.json", "{", "not JSON"),
        (
            "both.json",
            r#"{"request": {}, "response": {}}"#,
            "exactly one of \"request\"",
        ),
        (
            "typo.json",
            r#"{"request": {"method": "GET", "headrs": {}}}"#,
            r#"request: unknown key "headrs""#,
        ),
    ];
    for (file, contents, expected) in cases {
        std::fs::write(parent.path().join(file), contents).unwrap();
        // PATH emptied: had it tried to build, it would have failed on cargo instead.
        let output = tollgate_command(parent.path(), &["plugin", "test", "picky", "--event", file])
            .env("PATH", "")
            .env_remove("CARGO")
            .output()
            .expect("running tollgate");
        assert_eq!(output.status.code(), Some(1), "{file}");
        let message = stderr(&output);
        assert!(
            message.contains(&format!("{file}: ")) && message.contains(expected),
            "{file}: {message}"
        );
    }
}

#[test]
fn a_panicking_plugin_reports_its_message_and_backtrace() {
    let parent = TempData::new();
    new_plugin(parent.path(), "boom", "rust", "function");
    std::fs::write(
        parent.path().join("boom/src/lib.rs"),
        r#"use tollgate_sdk::{Function, ProxyEvent, ProxyResponse};

pub struct Boom;

impl Function for Boom {
    fn handle(event: ProxyEvent) -> Result<ProxyResponse, String> {
        explode(&event.http_method)
    }
}

#[inline(never)]
fn explode(method: &str) -> Result<ProxyResponse, String> {
    panic!("boom on {method}")
}

tollgate_sdk::export_function!(Boom);
"#,
    )
    .unwrap();
    let work = rust_work_dir();
    let output = tollgate_in(
        parent.path(),
        &[
            "plugin",
            "test",
            "boom",
            "--event",
            "boom/event.json",
            "--work-dir",
            work.to_str().unwrap(),
        ],
    );
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    for expected in [
        "the plugin panicked",
        "boom on GET",
        "the plugin failed: guest trapped",
        "wasm backtrace",
        "explode",
    ] {
        assert!(message.contains(expected), "no {expected:?} in: {message}");
    }
    assert!(output.stdout.is_empty(), "no answer is printed");
}
