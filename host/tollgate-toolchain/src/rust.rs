//! Rust plugins: a cargo crate of crate-type `cdylib` depending on the Tollgate Rust SDK
//! (`sdk/rust`), built with `cargo build --release --target wasm32-wasip2`. Rust's
//! `wasm32-wasip2` linker emits a component directly, so cargo's output is the plugin.
//!
//! Where the SDK comes from is the project's own business (its `Cargo.toml`): the examples
//! in this repository use the workspace's, and a new plugin gets one of two (see
//! [`template`]):
//! - inside the Tollgate source tree this program was built from: a relative path to its
//!   `sdk/rust`, so the plugin follows the SDK as the tree changes;
//! - anywhere else: a copy of the SDK (and the WIT package) in `tollgate-sdk/` inside the
//!   project, embedded in this program. It needs nothing but crates.io, wherever the
//!   project moves, and it matches the gateway that scaffolded it; upgrading it means
//!   replacing that directory with the one a newer `tollgate plugin new` writes.

use std::io::{BufRead, BufReader, Read};
use std::path::{Component, Path, PathBuf};
use std::process::{Command, Stdio};

use crate::{BuildError, BuildOptions, Project, World, io_error};

/// The Rust target components are built for.
pub(crate) const TARGET: &str = "wasm32-wasip2";

const LANGUAGE: &str = "Rust";

/// How many lines of cargo's error output a failure keeps (the end, where errors are).
const KEPT_OUTPUT_LINES: usize = 200;

pub(crate) fn detect(dir: &Path) -> bool {
    dir.join("Cargo.toml").is_file()
}

/// A tool from the environment variable cargo sets for build scripts (`CARGO`, `RUSTC`),
/// so a build inside one uses the same toolchain, or else from `PATH`.
fn tool(variable: &str, name: &str) -> PathBuf {
    std::env::var_os(variable).map_or_else(|| PathBuf::from(name), PathBuf::from)
}

fn missing_rust(tool: &str) -> BuildError {
    BuildError::MissingTool {
        tool: tool.to_owned(),
        language: LANGUAGE,
        install: format!(
            "install Rust with rustup (https://rustup.rs), then run `rustup target add {TARGET}`"
        ),
    }
}

/// Runs `program args` and returns its stdout; a program that cannot be started is
/// missing.
fn probe(program: &Path, args: &[&str], dir: &Path) -> Result<String, BuildError> {
    let name = program.file_name().map_or_else(
        || program.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let output = Command::new(program)
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .map_err(|_| missing_rust(&name))?;
    if !output.status.success() {
        return Err(BuildError::ToolFailed {
            tool: format!("{name} {}", args.join(" ")),
            status: output.status.to_string(),
            output: String::from_utf8_lossy(&output.stderr).into_owned(),
        });
    }
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

/// Fails with the `rustup` command to run when the toolchain that builds `dir` (its
/// `rust-toolchain.toml`, if any, is honoured by running in it) lacks the target.
fn check_target(dir: &Path) -> Result<(), BuildError> {
    let sysroot = PathBuf::from(probe(
        &tool("RUSTC", "rustc"),
        &["--print", "sysroot"],
        dir,
    )?);
    if sysroot.join("lib/rustlib").join(TARGET).is_dir() {
        return Ok(());
    }
    Err(BuildError::MissingTool {
        tool: format!("the Rust target {TARGET}"),
        language: LANGUAGE,
        install: format!("run `rustup target add {TARGET}`"),
    })
}

pub(crate) fn build(
    project: &Project,
    _wit_dir: &Path,
    options: &BuildOptions,
) -> Result<PathBuf, BuildError> {
    let cargo = tool("CARGO", "cargo");
    probe(&cargo, &["--version"], &project.dir)?;
    check_target(&project.dir)?;

    let manifest = project.dir.join("Cargo.toml");
    if !manifest.is_file() {
        return Err(BuildError::Project {
            dir: project.dir.clone(),
            message: "a Rust plugin needs a Cargo.toml (a crate with crate-type \"cdylib\")".into(),
        });
    }
    // The work directory is cargo's target directory: builds sharing one share compiled
    // dependencies (the test build script points it at the directory its other wasm builds
    // use). Cargo ignores the other things kept there (`wit/`, compiled components).
    let target_dir =
        std::path::absolute(&options.work_dir).map_err(io_error("resolving the work directory"))?;
    let mut command = Command::new(&cargo);
    // Removals first: a later `env_remove` would undo an `env` of the same name.
    for variable in tollgate_plugin_build::SCRUBBED_ENV {
        command.env_remove(variable);
    }
    command
        .current_dir(&project.dir)
        .args(["build", "--release", "--target", TARGET])
        .arg("--manifest-path")
        .arg(&manifest)
        // Artifacts as JSON on stdout (to find the component); errors as text on stderr.
        .arg("--message-format=json-render-diagnostics")
        .env("CARGO_TARGET_DIR", &target_dir)
        // Small components that keep their name section, so a trap's backtrace names
        // functions.
        .env("CARGO_PROFILE_RELEASE_DEBUG", "false")
        .env("CARGO_PROFILE_RELEASE_STRIP", "debuginfo")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().map_err(|_| missing_rust("cargo"))?;

    // cargo's progress and errors go on to our stderr as they come (a first build takes
    // minutes), and the end of them is kept for the error.
    let stderr = child.stderr.take().expect("stderr is piped");
    let echo = std::thread::spawn(move || {
        let mut kept = std::collections::VecDeque::new();
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            eprintln!("{line}");
            if kept.len() == KEPT_OUTPUT_LINES {
                kept.pop_front();
            }
            kept.push_back(line);
        }
        Vec::from(kept).join("\n")
    });
    let mut messages = String::new();
    child
        .stdout
        .take()
        .expect("stdout is piped")
        .read_to_string(&mut messages)
        .map_err(io_error("reading cargo's output"))?;
    let status = child.wait().map_err(io_error("waiting for cargo"))?;
    let errors = echo.join().unwrap_or_default();
    if !status.success() {
        return Err(BuildError::ToolFailed {
            tool: "cargo build".into(),
            status: status.to_string(),
            output: errors,
        });
    }

    let built = component_artifact(&messages, &manifest).ok_or_else(|| BuildError::Project {
        dir: project.dir.clone(),
        message: "cargo built no WebAssembly library for this crate; a plugin crate needs \
                  [lib] crate-type = [\"cdylib\"] in its Cargo.toml"
            .into(),
    })?;
    let output = crate::output_path(project, options);
    std::fs::copy(&built, &output).map_err(io_error(format!(
        "copying {} to {}",
        built.display(),
        output.display()
    )))?;
    Ok(output)
}

/// The `.wasm` of the `cdylib` target of the package at `manifest`, from cargo's JSON
/// messages.
fn component_artifact(messages: &str, manifest: &Path) -> Option<PathBuf> {
    let manifest = std::fs::canonicalize(manifest).ok()?;
    messages
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|message| message["reason"] == "compiler-artifact")
        .filter(|message| {
            message["manifest_path"]
                .as_str()
                .and_then(|path| std::fs::canonicalize(path).ok())
                .is_some_and(|path| path == manifest)
        })
        .filter(|message| {
            message["target"]["kind"]
                .as_array()
                .is_some_and(|kinds| kinds.iter().any(|k| k == "cdylib"))
        })
        .flat_map(|message| message["filenames"].as_array().cloned().unwrap_or_default())
        .filter_map(|file| file.as_str().map(PathBuf::from))
        .rfind(|file| file.extension().is_some_and(|e| e == "wasm"))
}

/// The Tollgate source tree this program was built from.
const SOURCE_TREE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

/// The Rust SDK's files, embedded so that a project scaffolded anywhere gets a copy.
const SDK_SOURCES: &[(&str, &str)] = &[
    (
        "authorizer.rs",
        include_str!("../../../sdk/rust/src/authorizer.rs"),
    ),
    (
        "bindings.rs",
        include_str!("../../../sdk/rust/src/bindings.rs"),
    ),
    ("config.rs", include_str!("../../../sdk/rust/src/config.rs")),
    ("fields.rs", include_str!("../../../sdk/rust/src/fields.rs")),
    (
        "function.rs",
        include_str!("../../../sdk/rust/src/function.rs"),
    ),
    ("kv.rs", include_str!("../../../sdk/rust/src/kv.rs")),
    ("lib.rs", include_str!("../../../sdk/rust/src/lib.rs")),
    ("log.rs", include_str!("../../../sdk/rust/src/log.rs")),
    ("mapper.rs", include_str!("../../../sdk/rust/src/mapper.rs")),
    ("native.rs", include_str!("../../../sdk/rust/src/native.rs")),
    ("panic.rs", include_str!("../../../sdk/rust/src/panic.rs")),
    ("proxy.rs", include_str!("../../../sdk/rust/src/proxy.rs")),
    ("stage.rs", include_str!("../../../sdk/rust/src/stage.rs")),
    (
        "testing.rs",
        include_str!("../../../sdk/rust/src/testing.rs"),
    ),
];

/// Where the SDK's bindings find the WIT package in the repository, and in a copy.
const SDK_WIT_PATH: &str = r#"path: "../../wit""#;
const VENDORED_WIT_PATH: &str = r#"path: "wit""#;

/// The copy's manifest: the SDK's own (`sdk/rust/Cargo.toml`) with the workspace's versions
/// written out, since the copy is not in this workspace. A unit test keeps them equal.
const VENDORED_SDK_MANIFEST: &str = r#"# The Tollgate Rust SDK, copied here by `tollgate plugin new` (it matches the gateway that
# wrote it). To upgrade, replace this directory with the one a newer `tollgate plugin new`
# writes.
[package]
name = "tollgate-sdk"
description = "The Rust guest SDK for Tollgate plugins"
version = "0.1.0"
edition = "2024"
rust-version = "1.95"
license = "Apache-2.0"
publish = false

[dependencies]
wit-bindgen = "=0.61.1"
serde = { version = "1", features = ["derive"] }
serde_json = { version = "1", features = ["preserve_order", "float_roundtrip"] }
base64 = "0.22"
"#;

/// The files of a copy of the SDK, under `tollgate-sdk/`.
fn vendored_sdk() -> Vec<(PathBuf, String)> {
    let root = Path::new("tollgate-sdk");
    let mut files = vec![
        (root.join("Cargo.toml"), VENDORED_SDK_MANIFEST.to_owned()),
        (root.join("wit/plugin.wit"), crate::WIT.to_owned()),
    ];
    for (name, source) in SDK_SOURCES {
        let source = source.replace(SDK_WIT_PATH, VENDORED_WIT_PATH);
        files.push((root.join("src").join(name), source));
    }
    files
}

/// How a new project at `dir` depends on the SDK: a relative path into the source tree
/// when `dir` is inside it, else `None` (the project gets a copy).
fn sdk_in_source_tree(dir: &Path) -> Option<String> {
    let tree = std::fs::canonicalize(SOURCE_TREE).ok()?;
    if !tree.join("sdk/rust/Cargo.toml").is_file() {
        return None;
    }
    let dir = canonical_future(dir)?;
    let inside = dir.strip_prefix(&tree).ok()?;
    let ups = inside
        .components()
        .filter(|c| matches!(c, Component::Normal(_)))
        .count();
    Some(format!("{}sdk/rust", "../".repeat(ups)))
}

/// The canonical form of `path`, which may not exist yet: its nearest existing ancestor
/// canonicalised, with the rest appended.
fn canonical_future(path: &Path) -> Option<PathBuf> {
    let path = std::path::absolute(path).ok()?;
    let mut rest = Vec::new();
    let mut existing = path.as_path();
    loop {
        if let Ok(canonical) = std::fs::canonicalize(existing) {
            return Some(rest.iter().rev().fold(canonical, |p, c| p.join(c)));
        }
        rest.push(existing.file_name()?.to_owned());
        existing = existing.parent()?;
    }
}

/// The package name for plugin `name`: cargo refuses names that start with a digit.
fn package_name(name: &str) -> String {
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        format!("plugin-{name}")
    } else {
        name.to_owned()
    }
}

/// A new Rust plugin at `dir`: `Cargo.toml`, `src/lib.rs`, `.gitignore`, and the SDK copy
/// when `dir` is outside the source tree.
pub(crate) fn template(name: &str, world: World, dir: &Path) -> Vec<(PathBuf, String)> {
    let (dependency, mut files) = match sdk_in_source_tree(dir) {
        Some(path) => (format!("{{ path = \"{path}\" }}"), Vec::new()),
        None => ("{ path = \"tollgate-sdk\" }".to_owned(), vendored_sdk()),
    };
    let manifest = format!(
        r#"[package]
name = "{package}"
version = "0.1.0"
edition = "2024"
publish = false

[lib]
# A component is a cdylib built for wasm32-wasip2 (`tollgate plugin build`).
crate-type = ["cdylib"]

[dependencies]
tollgate-sdk = {dependency}

# Its own workspace, so that it builds wherever it lies, even inside another workspace's
# directory.
[workspace]
"#,
        package = package_name(name),
    );
    files.push((PathBuf::from("Cargo.toml"), manifest));
    files.push((
        PathBuf::from("src/lib.rs"),
        source_template(world).replace("{{name}}", name),
    ));
    files.push((
        PathBuf::from(".gitignore"),
        "/build/\n/target/\n".to_owned(),
    ));
    files
}

fn source_template(world: World) -> &'static str {
    match world {
        World::Function => FUNCTION_TEMPLATE,
        World::Mapper => MAPPER_TEMPLATE,
        World::Authorizer => AUTHORIZER_TEMPLATE,
    }
}

const FUNCTION_TEMPLATE: &str = r##"//! `{{name}}`: a Tollgate function (world `function`). It answers API Gateway's
//! Lambda-proxy events, behind an `AWS_PROXY` integration (`uri: function:{{name}}`).
//!
//! `tollgate plugin build` makes the component; `tollgate plugin test . --event event.json`
//! runs it once; `cargo test` runs the tests below natively, with the host simulated.

use tollgate_sdk::serde_json::json;
use tollgate_sdk::{Function, ProxyEvent, ProxyResponse, kv, log};

/// The exported function.
pub struct Handler;

impl Function for Handler {
    fn handle(event: ProxyEvent) -> Result<ProxyResponse, String> {
        let name = event.query("name").unwrap_or("world");
        // The key-value table the stage grants this function (its namespace is
        // `function/{{name}}`); it is the only state that outlives a call.
        let greetings = kv::get_json::<u64>("greetings")
            .map_err(|e| e.to_string())?
            .unwrap_or(0)
            + 1;
        kv::set_json("greetings", &greetings).map_err(|e| e.to_string())?;
        log::info("greeted", &[("name", name)]);
        Ok(ProxyResponse::json(
            200,
            &json!({ "hello": name, "greetings": greetings }),
        ))
    }
}

tollgate_sdk::export_function!(Handler);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn greets_by_name_and_counts() {
        let event = ProxyEvent::from_json(include_str!("../event.json")).unwrap();
        let first = Handler::handle(event.clone()).unwrap();
        assert_eq!(first.status_code, 200);
        assert_eq!(first.body.as_deref(), Some(r#"{"hello":"world","greetings":1}"#));
        let second = Handler::handle(event).unwrap();
        assert_eq!(second.body.as_deref(), Some(r#"{"hello":"world","greetings":2}"#));
    }
}
"##;

const MAPPER_TEMPLATE: &str = r##"//! `{{name}}`: a Tollgate mapper (world `mapper`). It transforms the integration request
//! and response of the methods whose `x-tollgate-mapper` names it (`uri: mapper:{{name}}`).
//!
//! `tollgate plugin build` makes the component; `tollgate plugin test . --event event.json`
//! runs it once; `cargo test` runs the tests below natively, with the host simulated.

use tollgate_sdk::{HttpRequest, HttpResponse, Mapper, RequestContext, config};

/// The exported mapper.
pub struct Transform;

impl Mapper for Transform {
    fn map_request(request: HttpRequest, context: RequestContext) -> Result<HttpRequest, String> {
        // `config` is the map the method's `x-tollgate-mapper` gives this mapper.
        let tag = config::get("tag").unwrap_or_else(|| "{{name}}".to_owned());
        Ok(request
            .with_header("x-mapped-by", &tag)
            .with_header("x-stage", &context.stage))
    }

    fn map_response(
        response: HttpResponse,
        _context: RequestContext,
    ) -> Result<HttpResponse, String> {
        Ok(response.with_header("x-mapped-by", "{{name}}"))
    }
}

tollgate_sdk::export_mapper!(Transform);

#[cfg(test)]
mod tests {
    use super::*;
    use tollgate_sdk::Identity;

    #[test]
    fn tags_requests_with_the_stage() {
        let request = HttpRequest {
            method: "GET".into(),
            path: "/".into(),
            query: vec![],
            headers: vec![],
            body: vec![],
        };
        let context = RequestContext {
            request_id: "test".into(),
            api_id: "api".into(),
            stage: "dev".into(),
            resource_path: "/".into(),
            http_method: "GET".into(),
            identity: Identity {
                source_ip: "127.0.0.1".into(),
                user_agent: None,
                api_key: None,
            },
            stage_variables: vec![],
            authorizer: vec![],
            request_time_epoch: 0,
        };
        let mapped = Transform::map_request(request, context).unwrap();
        assert_eq!(mapped.header("x-stage"), Some("dev"));
        assert_eq!(mapped.header("x-mapped-by"), Some("{{name}}"));
    }
}
"##;

const AUTHORIZER_TEMPLATE: &str = r##"//! `{{name}}`: a Tollgate custom authorizer (world `authorizer`), named by a security
//! scheme's `x-amazon-apigateway-authorizer` (`authorizerUri: authorizer:{{name}}`).
//!
//! `tollgate plugin build` makes the component; `tollgate plugin test . --event event.json`
//! runs it once; `cargo test` runs the tests below natively, with the host simulated.

use tollgate_sdk::{Authorizer, AuthorizerRequest, AuthorizerResponse, Policy, stage};

/// The exported authorizer.
pub struct Tokens;

impl Authorizer for Tokens {
    fn authorize(request: AuthorizerRequest) -> Result<AuthorizerResponse, String> {
        let token = request.token().unwrap_or_default();
        let token = token.strip_prefix("Bearer ").unwrap_or(token);
        // The stage variable `tokens` lists `TOKEN=PRINCIPAL` pairs, comma-separated.
        let tokens = stage::variable("tokens").unwrap_or_default();
        let principal = tokens.split(',').find_map(|pair| {
            let (listed, principal) = pair.split_once('=')?;
            (!token.is_empty() && listed.trim() == token).then(|| principal.trim().to_owned())
        });
        match principal {
            // The gateway caches the answer per token and evaluates the cached policy for
            // every method, so it covers the whole stage rather than this one method.
            Some(principal) => Ok(Policy::allow(&principal, request.stage_wildcard_arn())
                .with_context("user", &principal)
                .into()),
            // API Gateway's 401.
            None => Err("Unauthorized".to_owned()),
        }
    }
}

tollgate_sdk::export_authorizer!(Tokens);

#[cfg(test)]
mod tests {
    use super::*;
    use tollgate_sdk::{Identity, RequestContext};

    fn request(token: &str) -> AuthorizerRequest {
        AuthorizerRequest {
            kind: "TOKEN".into(),
            authorization_token: Some(token.into()),
            method_arn: "arn:aws:execute-api:us-east-1:000000000000:api/dev/GET/hello".into(),
            headers: vec![],
            query: vec![],
            path_parameters: vec![],
            context: RequestContext {
                request_id: "test".into(),
                api_id: "api".into(),
                stage: "dev".into(),
                resource_path: "/hello".into(),
                http_method: "GET".into(),
                identity: Identity {
                    source_ip: "127.0.0.1".into(),
                    user_agent: None,
                    api_key: None,
                },
                stage_variables: vec![],
                authorizer: vec![],
                request_time_epoch: 0,
            },
        }
    }

    #[test]
    fn listed_tokens_are_allowed_and_others_unauthorized() {
        tollgate_sdk::testing::set_stage_variables([("tokens", "s3cret=alice")]);
        let answer = Tokens::authorize(request("Bearer s3cret")).unwrap();
        assert_eq!(answer.principal_id, "alice");
        assert!(answer.policy_document.contains("api/dev/*"));
        assert_eq!(Tokens::authorize(request("nope")).unwrap_err(), "Unauthorized");
    }
}
"##;

#[cfg(test)]
mod tests {
    use super::*;

    fn repository() -> PathBuf {
        std::fs::canonicalize(SOURCE_TREE).unwrap()
    }

    #[test]
    fn every_sdk_source_is_embedded() {
        let mut on_disk: Vec<String> = std::fs::read_dir(repository().join("sdk/rust/src"))
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        on_disk.sort();
        let embedded: Vec<&str> = SDK_SOURCES.iter().map(|(name, _)| *name).collect();
        assert_eq!(
            on_disk, embedded,
            "SDK_SOURCES must list every file of sdk/rust/src"
        );
    }

    #[test]
    fn the_copy_finds_its_wit_package_beside_it() {
        let bindings = SDK_SOURCES
            .iter()
            .find(|(name, _)| *name == "bindings.rs")
            .unwrap()
            .1;
        assert_eq!(
            bindings.matches(SDK_WIT_PATH).count(),
            3,
            "three generate! calls"
        );
        let files = vendored_sdk();
        let copied = &files
            .iter()
            .find(|(path, _)| path.ends_with("src/bindings.rs"))
            .unwrap()
            .1;
        assert!(!copied.contains("../"), "{copied}");
        assert!(
            files
                .iter()
                .any(|(path, text)| path.ends_with("wit/plugin.wit") && text == crate::WIT)
        );
    }

    /// The copy's manifest must build the SDK as the workspace does: same package fields,
    /// same dependencies at the workspace's versions and features.
    #[test]
    fn the_copys_manifest_matches_the_workspace() {
        let read = |path: &str| -> toml::Table {
            std::fs::read_to_string(repository().join(path))
                .unwrap()
                .parse()
                .unwrap()
        };
        let root = read("Cargo.toml");
        let sdk = read("sdk/rust/Cargo.toml");
        let copy: toml::Table = VENDORED_SDK_MANIFEST.parse().unwrap();
        let workspace_package = &root["workspace"]["package"];
        for field in ["version", "edition", "rust-version", "license"] {
            assert_eq!(
                copy["package"][field], workspace_package[field],
                "package.{field}"
            );
        }
        assert_eq!(copy["package"]["name"], sdk["package"]["name"]);
        let sdk_dependencies = sdk["dependencies"].as_table().unwrap();
        let copy_dependencies = copy["dependencies"].as_table().unwrap();
        assert_eq!(
            sdk_dependencies.keys().collect::<Vec<_>>(),
            copy_dependencies.keys().collect::<Vec<_>>()
        );
        for (name, _) in sdk_dependencies {
            let normalise = |value: &toml::Value| match value {
                toml::Value::String(version) => {
                    let mut table = toml::Table::new();
                    table.insert("version".into(), toml::Value::String(version.clone()));
                    table
                }
                other => other.as_table().unwrap().clone(),
            };
            assert_eq!(
                normalise(&copy_dependencies[name]),
                normalise(&root["workspace"]["dependencies"][name]),
                "dependency {name}"
            );
        }
    }

    #[test]
    fn projects_inside_the_source_tree_use_its_sdk() {
        let tree = repository();
        assert_eq!(
            sdk_in_source_tree(&tree.join("plugins/new-one")).as_deref(),
            Some("../../sdk/rust")
        );
        let files = template("new-one", World::Mapper, &tree.join("target/tmp/x/new-one"));
        let manifest = &files
            .iter()
            .find(|(path, _)| path == Path::new("Cargo.toml"))
            .unwrap()
            .1;
        assert!(
            manifest.contains(r#"tollgate-sdk = { path = "../../../../sdk/rust" }"#),
            "{manifest}"
        );
        assert!(
            !files
                .iter()
                .any(|(path, _)| path.starts_with("tollgate-sdk"))
        );
    }

    #[test]
    fn projects_elsewhere_get_a_copy_of_the_sdk() {
        let outside = tempfile::tempdir().unwrap();
        let files = template("2fa", World::Function, &outside.path().join("2fa"));
        let manifest = &files
            .iter()
            .find(|(path, _)| path == Path::new("Cargo.toml"))
            .unwrap()
            .1;
        assert!(manifest.contains(r#"name = "plugin-2fa""#), "{manifest}");
        assert!(
            manifest.contains(r#"tollgate-sdk = { path = "tollgate-sdk" }"#),
            "{manifest}"
        );
        assert!(
            files
                .iter()
                .any(|(path, _)| path == Path::new("tollgate-sdk/src/lib.rs"))
        );
        let source = &files
            .iter()
            .find(|(path, _)| path == Path::new("src/lib.rs"))
            .unwrap()
            .1;
        assert!(source.contains("`2fa`: a Tollgate function"), "{source}");
        assert!(!source.contains("{{name}}"));
    }

    #[test]
    fn the_component_is_found_among_cargo_messages() {
        let dir = tempfile::tempdir().unwrap();
        let manifest = dir.path().join("Cargo.toml");
        std::fs::write(&manifest, "").unwrap();
        let other = dir.path().join("other.toml");
        std::fs::write(&other, "").unwrap();
        let artifact = |manifest: &Path, kind: &str, file: &str| {
            serde_json::json!({
                "reason": "compiler-artifact",
                "manifest_path": manifest,
                "target": { "kind": [kind] },
                "filenames": [file],
            })
            .to_string()
        };
        let messages = [
            artifact(&other, "cdylib", "/t/dep.wasm"),
            artifact(&manifest, "cdylib", "/t/mine.wasm"),
            artifact(&manifest, "rlib", "/t/libmine.rlib"),
            r#"{"reason":"build-finished","success":true}"#.to_owned(),
        ]
        .join("\n");
        assert_eq!(
            component_artifact(&messages, &manifest),
            Some(PathBuf::from("/t/mine.wasm"))
        );
        let without = artifact(&manifest, "rlib", "/t/libmine.rlib");
        assert_eq!(component_artifact(&without, &manifest), None);
    }
}
