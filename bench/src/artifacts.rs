//! What the suite builds before it measures, with cargo, in the workspace's own target
//! directory: the `tollgate` binary, the three Tollgate plugins it deploys (wasm32-wasip2
//! components, as their READMEs build them) and the Envoy filter (a wasm32-wasip1 core
//! module, `bench/proxy-wasm-filter`). Where each landed is read from cargo's JSON messages,
//! so a `CARGO_TARGET_DIR` or a `build.target-dir` setting is honoured.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The Tollgate plugins the benchmark deploys: (cargo package, artifact stem).
const TOLLGATE_PLUGINS: &[&str] = &["example-rust-envelope", "crud", "token-authorizer"];

/// The Envoy filter's package.
const FILTER_PACKAGE: &str = "bench-envelope-filter";

/// Everything built.
#[derive(Debug, Clone)]
pub struct Artifacts {
    pub tollgate: PathBuf,
    /// `plugins/examples/rust/mapper`, published as the mapper `envelope`.
    pub envelope_mapper: PathBuf,
    /// `plugins/crud`, published as the function `crud`.
    pub crud_function: PathBuf,
    /// `plugins/token-authorizer`, published as the authorizer `token-authorizer`.
    pub token_authorizer: PathBuf,
    /// `bench/proxy-wasm-filter` for Envoy.
    pub envelope_filter: PathBuf,
}

/// A build failed or produced nothing where expected.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("running `{command}`: {source}")]
    Spawn {
        command: String,
        source: std::io::Error,
    },
    #[error("`{command}` failed ({status}); its errors are above")]
    Failed { command: String, status: String },
    #[error("`{command}` built no `{artifact}`")]
    Missing { command: String, artifact: String },
}

/// Which profile the `tollgate` binary is built with (the plugins are always release
/// builds, as the gateway's own build scripts make them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Profile {
    /// What the numbers are for.
    Release,
    /// For the smoke test: the debug binary `cargo test` has already built.
    Dev,
}

/// Builds everything; `workspace` is the repository root. With `tollgate_binary`, that
/// binary is used and only the WASM artifacts are built.
pub fn build_all(
    workspace: &Path,
    profile: Profile,
    tollgate_binary: Option<&Path>,
) -> Result<Artifacts, BuildError> {
    let mut tollgate_args = vec!["build", "-p", "tollgate", "--bin", "tollgate"];
    if profile == Profile::Release {
        tollgate_args.push("--release");
    }
    let tollgate = match tollgate_binary {
        Some(binary) => binary.to_path_buf(),
        None => pick(
            &cargo_build(workspace, &tollgate_args)?,
            "tollgate",
            &tollgate_args,
        )?,
    };

    let mut plugin_args = vec!["build", "--release", "--target", "wasm32-wasip2"];
    for package in TOLLGATE_PLUGINS {
        plugin_args.extend(["-p", package]);
    }
    let plugins = cargo_build(workspace, &plugin_args)?;

    let filter = cargo_build(
        workspace,
        &[
            "build",
            "--release",
            "--target",
            "wasm32-wasip1",
            "-p",
            FILTER_PACKAGE,
        ],
    )?;

    Ok(Artifacts {
        tollgate,
        envelope_mapper: pick(&plugins, "example_rust_envelope.wasm", &plugin_args)?,
        crud_function: pick(&plugins, "crud.wasm", &plugin_args)?,
        token_authorizer: pick(&plugins, "token_authorizer.wasm", &plugin_args)?,
        envelope_filter: pick(
            &filter,
            "bench_envelope_filter.wasm",
            &["build", FILTER_PACKAGE],
        )?,
    })
}

fn pick(built: &[PathBuf], file_name: &str, args: &[&str]) -> Result<PathBuf, BuildError> {
    built
        .iter()
        .find(|path| path.file_name().is_some_and(|name| name == file_name))
        .cloned()
        .ok_or_else(|| BuildError::Missing {
            command: format!("cargo {}", args.join(" ")),
            artifact: file_name.to_owned(),
        })
}

/// Runs `cargo ARGS --message-format=json-render-diagnostics` and returns every file cargo
/// says it produced. Diagnostics go to the terminal as usual.
fn cargo_build(workspace: &Path, args: &[&str]) -> Result<Vec<PathBuf>, BuildError> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let command_text = format!("cargo {}", args.join(" "));
    eprintln!("building: {command_text}");
    let mut command = Command::new(cargo);
    command
        .current_dir(workspace)
        .args(args)
        .arg("--message-format=json-render-diagnostics")
        .stdin(Stdio::null())
        .stderr(Stdio::inherit());
    // Flags meant for the host build (e.g. `cargo clippy`'s wrapper when the smoke test runs
    // under it) must not reach the nested build.
    for variable in [
        "RUSTFLAGS",
        "CARGO_ENCODED_RUSTFLAGS",
        "RUSTC_WORKSPACE_WRAPPER",
        "CARGO_BUILD_TARGET",
    ] {
        command.env_remove(variable);
    }
    let output = command.output().map_err(|source| BuildError::Spawn {
        command: command_text.clone(),
        source,
    })?;
    if !output.status.success() {
        return Err(BuildError::Failed {
            command: command_text,
            status: output.status.to_string(),
        });
    }
    let mut files = Vec::new();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let Ok(message) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        if message["reason"] != "compiler-artifact" {
            continue;
        }
        if let Some(executable) = message["executable"].as_str() {
            files.push(PathBuf::from(executable));
        }
        for file in message["filenames"].as_array().into_iter().flatten() {
            if let Some(file) = file.as_str() {
                files.push(PathBuf::from(file));
            }
        }
    }
    Ok(files)
}
