//! Builds WebAssembly components of this workspace from source, for build scripts.
//!
//! Tollgate never commits component binaries: a build script that needs one (the gateway
//! bundling the `crud` example, the end-to-end tests loading their test components) calls
//! [`build_components`], which runs one nested
//! `cargo build --release --target wasm32-wasip2 -p PKG...` and returns where each
//! component landed. Rust's `wasm32-wasip2` target links a component directly (through
//! `wasm-component-ld`), so no further step is needed; each output is checked to be one.
//!
//! ```no_run
//! // build.rs
//! let built = tollgate_plugin_build::build_components(&["crud"]);
//! let crud = &built[0].path;
//! # let _ = crud;
//! ```
//!
//! What it takes care of:
//! - The nested build uses its own target directory (`<target>/wasm-components`, next to the
//!   outer build's `debug`/`release` directories), so it never waits on the outer cargo's
//!   lock; two build scripts calling it at once only wait on each other.
//! - The environment of the outer build that must not leak into it is removed: host
//!   `RUSTFLAGS`, `CARGO_BUILD_TARGET`, target-directory overrides, and the
//!   `RUSTC_WORKSPACE_WRAPPER` that `cargo clippy` installs.
//! - A missing `wasm32-wasip2` target is installed with `rustup` when rustup is available
//!   (with a `cargo:warning`), so a fresh checkout builds in one command; otherwise the
//!   build fails saying how to install it.
//! - `cargo:rerun-if-changed` is emitted for `wit/`, `sdk/rust/`, every package directory
//!   and every source file the nested build read (from its dep-info files).
//!
//! Components are built in release mode without DWARF (`debug = false`,
//! `strip = "debuginfo"`): small enough to embed, and they keep their name section, so a
//! trap still shows function names.
//!
//! This crate uses only `std` and must stay that way: it is a build dependency.

use std::collections::BTreeSet;
use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The Rust target components are built for.
pub const TARGET: &str = "wasm32-wasip2";

/// One built component.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuiltComponent {
    /// The cargo package name, e.g. `tc-event-echo`.
    pub package: String,
    /// The absolute path of the component, e.g.
    /// `/repo/target/wasm-components/wasm32-wasip2/release/tc_event_echo.wasm`.
    pub path: PathBuf,
}

impl BuiltComponent {
    /// A Rust constant name for this component: the package name without a `tc-` prefix,
    /// upper-cased, `-` turned into `_` (`tc-event-echo` → `EVENT_ECHO`, `crud` → `CRUD`).
    pub fn const_name(&self) -> String {
        self.package
            .strip_prefix("tc-")
            .unwrap_or(&self.package)
            .replace('-', "_")
            .to_ascii_uppercase()
    }
}

/// Builds `packages` (workspace members that are `cdylib` crates) as `wasm32-wasip2`
/// components in one nested cargo invocation, and returns them in the order given.
///
/// Call it from a build script. Panics, failing the build with a message, when the target
/// cannot be installed, the nested build fails or an output is not a component.
pub fn build_components(packages: &[&str]) -> Vec<BuiltComponent> {
    let manifest_dir = PathBuf::from(env_var("CARGO_MANIFEST_DIR"));
    let workspace = workspace_root(&manifest_dir);
    let target_dir = components_target_dir(&workspace);

    println!("cargo:rerun-if-changed={}", workspace.join("wit").display());
    println!(
        "cargo:rerun-if-changed={}",
        workspace.join("sdk/rust").display()
    );
    println!(
        "cargo:rerun-if-changed={}",
        workspace.join("Cargo.lock").display()
    );
    println!(
        "cargo:rerun-if-changed={}",
        workspace.join("Cargo.toml").display()
    );
    println!("cargo:rerun-if-env-changed=RUSTUP_TOOLCHAIN");

    ensure_target_installed();

    let mut cargo = Command::new(env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    // Removals first: a later `env_remove` would undo the `env` of the same name.
    for var in SCRUBBED_ENV {
        cargo.env_remove(var);
    }
    cargo
        .current_dir(&workspace)
        .args(["build", "--release", "--target", TARGET])
        .env("CARGO_TARGET_DIR", &target_dir)
        .env("CARGO_PROFILE_RELEASE_DEBUG", "false")
        .env("CARGO_PROFILE_RELEASE_STRIP", "debuginfo");
    for package in packages {
        cargo.args(["--package", package]);
    }
    // The nested cargo's stdout must not reach ours: cargo reads build-script stdout as
    // `cargo:` directives.
    cargo.stdout(Stdio::from(std::io::stderr()));
    eprintln!("running: {cargo:?}");
    let status = cargo
        .status()
        .unwrap_or_else(|e| panic!("tollgate-plugin-build: cannot run cargo: {e}"));
    if !status.success() {
        panic!(
            "tollgate-plugin-build: building the components {packages:?} for {TARGET} failed \
             ({status}); the nested cargo's errors are above"
        );
    }

    let out = target_dir.join(TARGET).join("release");
    let mut dependencies = BTreeSet::new();
    packages
        .iter()
        .map(|package| {
            if let Some(dir) = package_dir(&workspace, package) {
                println!("cargo:rerun-if-changed={}", dir.display());
            }
            let stem = package.replace('-', "_");
            let path = out.join(format!("{stem}.wasm"));
            check_component(package, &path);
            read_dep_info(&out.join(format!("{stem}.d")), &mut dependencies);
            BuiltComponent {
                package: (*package).to_owned(),
                path,
            }
        })
        .collect()
}

/// Writes `pub const NAME: &str = "/abs/path.wasm";` for each component (named by
/// [`BuiltComponent::const_name`]) into `path`, typically `$OUT_DIR/components.rs`.
pub fn write_path_constants(path: &Path, components: &[BuiltComponent]) {
    let mut code = String::from("// Generated by tollgate-plugin-build. Do not edit.\n");
    for component in components {
        code += &format!(
            "/// The `{}` component, built from source.\npub const {}: &str = {:?};\n",
            component.package,
            component.const_name(),
            component.path.display().to_string()
        );
    }
    write(path, &code);
}

/// Writes `pub const NAME_WASM: &[u8] = include_bytes!("/abs/path.wasm");` for each
/// component into `path`, typically `$OUT_DIR/bundled_plugins.rs`.
pub fn write_embedded_bytes(path: &Path, components: &[BuiltComponent]) {
    let mut code = String::from("// Generated by tollgate-plugin-build. Do not edit.\n");
    for component in components {
        code += &format!(
            "/// The `{}` component, built from source.\npub const {}_WASM: &[u8] = include_bytes!({:?});\n",
            component.package,
            component.const_name(),
            component.path.display().to_string()
        );
    }
    write(path, &code);
}

/// Variables of the outer build (or the user's shell) that must not reach a nested cargo
/// build of a component; `tollgate-toolchain` scrubs the same ones.
pub const SCRUBBED_ENV: &[&str] = &[
    // Flags for the host target (e.g. `-C target-cpu=native`) break or slow a wasm build.
    "RUSTFLAGS",
    "CARGO_ENCODED_RUSTFLAGS",
    "CARGO_BUILD_RUSTFLAGS",
    // The nested build chooses its own target and target directory.
    "CARGO_BUILD_TARGET",
    "CARGO_TARGET_DIR",
    "CARGO_BUILD_TARGET_DIR",
    // `cargo clippy` runs clippy-driver through this; the nested build is a plain build.
    "RUSTC_WORKSPACE_WRAPPER",
    "CLIPPY_ARGS",
    "CLIPPY_CONF_DIR",
    // Set by cargo for this build script, meaningless to the nested build.
    "RUSTC_LINKER",
    "CARGO_PRIMARY_PACKAGE",
];

fn env_var(name: &str) -> String {
    env::var(name).unwrap_or_else(|_| {
        panic!(
            "tollgate-plugin-build: {name} is not set; call build_components from a build script"
        )
    })
}

/// The nearest ancestor of `start` whose `Cargo.toml` declares a `[workspace]`.
fn workspace_root(start: &Path) -> PathBuf {
    start
        .ancestors()
        .find(|dir| {
            fs::read_to_string(dir.join("Cargo.toml"))
                .map(|manifest| manifest.lines().any(|line| line.trim() == "[workspace]"))
                .unwrap_or(false)
        })
        .unwrap_or_else(|| {
            panic!(
                "tollgate-plugin-build: no workspace Cargo.toml above {}",
                start.display()
            )
        })
        .to_path_buf()
}

/// `<target>/wasm-components`, where `<target>` is the outer build's target directory:
/// found from `OUT_DIR` (the ancestor holding cargo's `CACHEDIR.TAG`), else
/// `CARGO_TARGET_DIR`, else `<workspace>/target`.
fn components_target_dir(workspace: &Path) -> PathBuf {
    let from_out_dir = env::var_os("OUT_DIR").and_then(|out| {
        PathBuf::from(out)
            .ancestors()
            .find(|dir| dir.join("CACHEDIR.TAG").is_file())
            .map(Path::to_path_buf)
    });
    let target = from_out_dir
        .or_else(|| env::var_os("CARGO_TARGET_DIR").map(PathBuf::from))
        .map(|dir| {
            if dir.is_absolute() {
                dir
            } else {
                workspace.join(dir)
            }
        })
        .unwrap_or_else(|| workspace.join("target"));
    target.join("wasm-components")
}

/// Installs the wasm32-wasip2 standard library with rustup when it is missing.
fn ensure_target_installed() {
    let rustc = env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let sysroot = Command::new(&rustc)
        .args(["--print", "sysroot"])
        .output()
        .ok()
        .filter(|output| output.status.success())
        .map(|output| PathBuf::from(String::from_utf8_lossy(&output.stdout).trim()));
    let Some(sysroot) = sysroot else {
        // Cannot tell; let the nested build report a missing target itself.
        return;
    };
    if sysroot.join("lib/rustlib").join(TARGET).is_dir() {
        return;
    }
    let hint = format!("install it with `rustup target add {TARGET}`");
    println!(
        "cargo:warning=the Rust target {TARGET} is not installed; running `rustup target add {TARGET}`"
    );
    let mut rustup = Command::new("rustup");
    rustup.args(["target", "add", TARGET]);
    // `RUSTUP_TOOLCHAIN` (inherited) makes rustup add it to the toolchain building us.
    rustup.stdout(Stdio::from(std::io::stderr()));
    match rustup.status() {
        Ok(status) if status.success() => {}
        Ok(status) => {
            panic!("tollgate-plugin-build: `rustup target add {TARGET}` failed ({status}); {hint}")
        }
        Err(e) => panic!(
            "tollgate-plugin-build: the Rust target {TARGET} is not installed in {} and rustup \
             cannot be run ({e}); {hint}, or install the target's standard library for this \
             toolchain",
            sysroot.display()
        ),
    }
}

/// The directory of workspace member `package` by this repository's layout:
/// `plugins/NAME` or `tests/components/NAME` (without `tc-`). For a package elsewhere the
/// dep-info files alone say when to rebuild (they list its sources but not its manifest).
fn package_dir(workspace: &Path, package: &str) -> Option<PathBuf> {
    let candidates = [
        workspace.join("plugins").join(package),
        workspace
            .join("tests/components")
            .join(package.strip_prefix("tc-").unwrap_or(package)),
    ];
    candidates
        .into_iter()
        .find(|dir| dir.join("Cargo.toml").is_file())
}

/// Panics unless `path` is a WebAssembly component (not a core module).
fn check_component(package: &str, path: &Path) {
    let bytes = fs::read(path).unwrap_or_else(|e| {
        panic!(
            "tollgate-plugin-build: {package} built, but {} cannot be read ({e}); is it a \
             `cdylib` crate whose library is named after the package?",
            path.display()
        )
    });
    // `\0asm`, then the component-model version 0x0d and layer 1 (a core module has
    // version 1, layer 0).
    if !bytes.starts_with(b"\0asm") || bytes.get(4..8) != Some(&[0x0d, 0x00, 0x01, 0x00]) {
        panic!(
            "tollgate-plugin-build: {} is not a WebAssembly component (header {:02x?})",
            path.display(),
            &bytes[..bytes.len().min(8)]
        );
    }
}

/// Emits `rerun-if-changed` for every file in a cargo dep-info (`.d`) file.
fn read_dep_info(path: &Path, seen: &mut BTreeSet<String>) {
    let Ok(contents) = fs::read_to_string(path) else {
        return;
    };
    for line in contents.lines() {
        let Some((_, files)) = line.split_once(": ") else {
            continue;
        };
        let mut parts = files.split_whitespace();
        while let Some(part) = parts.next() {
            let mut file = part.to_owned();
            // Spaces in paths are escaped as `\ `.
            while file.ends_with('\\') {
                file.pop();
                file.push(' ');
                file.push_str(parts.next().unwrap_or_default());
            }
            if seen.insert(file.clone()) {
                println!("cargo:rerun-if-changed={file}");
            }
        }
    }
}

fn write(path: &Path, contents: &str) {
    // Rewrite only on change, so dependents do not rebuild needlessly.
    if fs::read_to_string(path).ok().as_deref() == Some(contents) {
        return;
    }
    fs::write(path, contents).unwrap_or_else(|e| {
        panic!(
            "tollgate-plugin-build: cannot write {}: {e}",
            path.display()
        )
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn const_names() {
        let component = |package: &str| BuiltComponent {
            package: package.to_owned(),
            path: PathBuf::new(),
        };
        assert_eq!(component("crud").const_name(), "CRUD");
        assert_eq!(component("tc-event-echo").const_name(), "EVENT_ECHO");
        assert_eq!(
            component("tc-wasi-http-hello").const_name(),
            "WASI_HTTP_HELLO"
        );
    }

    #[test]
    fn dep_info_paths_with_spaces() {
        let dir = env::temp_dir().join(format!("tollgate-plugin-build-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let file = dir.join("x.d");
        fs::write(
            &file,
            "/out/x.wasm: /src/a.rs /src/my\\ file.rs\n\n/src/a.rs:\n",
        )
        .unwrap();
        let mut seen = BTreeSet::new();
        read_dep_info(&file, &mut seen);
        assert_eq!(
            seen.into_iter().collect::<Vec<_>>(),
            ["/src/a.rs", "/src/my file.rs"]
        );
        fs::remove_dir_all(dir).unwrap();
    }
}
