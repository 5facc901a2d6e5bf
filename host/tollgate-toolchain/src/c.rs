//! C plugins: the plugin's `.c` files plus the embedded C SDK (`sdk/c`), compiled with
//! `zig cc` for `wasm32-wasi` into a reactor core module, then made a component.
//!
//! Everything but the compiler runs in this process, from crates, so a C plugin needs one
//! tool installed (`python3 -m pip install ziglang==0.17.0`, Zig's own distribution on PyPI):
//!
//! 1. the world's C bindings come from `wit-bindgen-c` used as a library, renamed to the
//!    world-neutral `bindings` (`bindings.h`, `bindings_string_t`, ...) so that one SDK
//!    source serves the three worlds; they include the component-type object that tells
//!    `wit-component` which world the module implements;
//! 2. `zig cc` compiles the bindings, the SDK and the plugin's sources with
//!    `-DTOLLGATE_WORLD_{FUNCTION,MAPPER,AUTHORIZER}` into one core module: a reactor (no
//!    `_start`; `wit-component` calls its `_initialize` once per instance), optimised and
//!    stripped;
//! 3. `wit-component` turns the core module into a component, with the WASI preview1
//!    reactor adapter of the wasmtime release the gateway runs (48) for whatever of libc
//!    touches WASI (clocks, randomness, stdio); a plugin that touches none gets no adapter.
//!
//! A plugin's sources are the `.c` files at the top of its directory and anywhere under
//! `src/`; its include path is the directory itself, `include/` and `src/` when present, the
//! SDK and the bindings.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use wit_bindgen_core::Files;
use wit_bindgen_core::wit_parser::Resolve;

use crate::{BuildError, BuildOptions, Project, World, io_error, output_path};

const LANGUAGE: &str = "C";

/// The Zig release the build is tested with, from PyPI's `ziglang`.
pub(crate) const ZIG_VERSION: &str = "0.17.0";

/// What installs the compiler.
pub(crate) const ZIG_INSTALL: &str = "python3 -m pip install ziglang==0.17.0";

/// The C SDK, embedded so that a plugin directory needs nothing but its own code.
const SDK: [(&str, &str); 3] = [
    ("tollgate.h", include_str!("../../../sdk/c/tollgate.h")),
    ("tollgate.c", include_str!("../../../sdk/c/tollgate.c")),
    (
        "tollgate_host.c",
        include_str!("../../../sdk/c/tollgate_host.c"),
    ),
];

/// The SDK's sources compiled into every plugin (the header is only included).
const SDK_SOURCES: [&str; 2] = ["tollgate.c", "tollgate_host.c"];

/// The name the bindings are generated under instead of the world's: the SDK includes
/// `bindings.h` and uses `bindings_string_t` whatever the world.
const BINDINGS_NAME: &str = "bindings";

/// The flags of every compilation. `-O2` rather than `-Os`: a few more KiB of code buy
/// faster JSON. `-s` drops the DWARF of wasi-libc, which would otherwise make a plugin a
/// megabyte (Zig strips the name section with it). The stack is 1 MiB, as Rust's: Zig's
/// default of 16 MiB is linear memory every instance starts with, and costs each call.
const CFLAGS: [&str; 7] = [
    "-target",
    "wasm32-wasi",
    "-mexec-model=reactor",
    "-O2",
    "-s",
    "-Wl,-z,stack-size=1048576",
    "-Wall",
];

const TEMPLATES: [(World, &str); 3] = [
    (World::Function, include_str!("../templates/c/function.c")),
    (World::Mapper, include_str!("../templates/c/mapper.c")),
    (
        World::Authorizer,
        include_str!("../templates/c/authorizer.c"),
    ),
];

/// Whether `dir` holds C sources (a plugin's `.c` files, see the module docs).
pub(crate) fn detect(dir: &Path) -> bool {
    sources(dir).is_ok_and(|found| !found.is_empty())
}

/// A new C plugin: `plugin.c` from the world's template, and a `.gitignore` for `build/`.
pub(crate) fn template(name: &str, world: World) -> Vec<(PathBuf, String)> {
    let source = TEMPLATES
        .iter()
        .find(|(w, _)| *w == world)
        .map_or("", |(_, text)| text);
    vec![
        (PathBuf::from("plugin.c"), source.replace("{{name}}", name)),
        (PathBuf::from(".gitignore"), "/build/\n".to_owned()),
    ]
}

/// Builds `project` into `options.out_dir/{name}.wasm`; `wit_dir` holds the WIT package.
pub(crate) fn build(
    project: &Project,
    wit_dir: &Path,
    options: &BuildOptions,
) -> Result<PathBuf, BuildError> {
    let zig = zig_command("python3")?;
    let sources = sources(&project.dir)?;
    if sources.is_empty() {
        return Err(BuildError::Project {
            dir: project.dir.clone(),
            message: "no C sources: a C plugin has .c files in its directory or under src/"
                .to_owned(),
        });
    }

    let work = options.work_dir.join("c");
    let bindings_dir = work.join("bindings");
    let sdk_dir = work.join("sdk");
    write_bindings(wit_dir, project.world, &bindings_dir)?;
    for (name, text) in SDK {
        write(&sdk_dir.join(name), text.as_bytes())?;
    }

    let core = work.join(format!("{}.core.wasm", project.name));
    let mut compile = zig.command();
    compile.arg("cc").args(CFLAGS).arg(format!(
        "-DTOLLGATE_WORLD_{}",
        project.world.wit_name().to_ascii_uppercase()
    ));
    for include in include_dirs(&project.dir) {
        compile.arg("-I").arg(include);
    }
    compile.arg("-I").arg(&sdk_dir).arg("-I").arg(&bindings_dir);
    compile
        .arg(bindings_dir.join(format!("{BINDINGS_NAME}.c")))
        .arg(bindings_dir.join(format!("{BINDINGS_NAME}_component_type.o")));
    for name in SDK_SOURCES {
        compile.arg(sdk_dir.join(name));
    }
    compile.args(&sources).arg("-o").arg(&core);
    // Zig keeps its caches in its global cache directory; running in the work directory
    // keeps anything else it might write out of the plugin's sources.
    compile.current_dir(&work);
    run(&mut compile, "zig cc").map_err(|error| explain_missing_entry(error, project.world))?;

    let module = std::fs::read(&core).map_err(io_error(format!("reading {}", core.display())))?;
    let component = componentize(&module).map_err(|error| BuildError::ToolFailed {
        tool: "wit-component".to_owned(),
        status: "making the core module a component".to_owned(),
        output: format!("{error:#}"),
    })?;
    let out = output_path(project, options);
    write(&out, &component)?;
    Ok(out)
}

/// The function a plugin of `world` must define (a mapper's two have defaults).
fn entry_point(world: World) -> Option<&'static str> {
    match world {
        World::Function => Some("tg_response *tg_handle(const tg_event *event)"),
        World::Mapper => None,
        World::Authorizer => Some("tg_policy *tg_authorize(const tg_authorizer_request *request)"),
    }
}

/// Adds what to do to the linker's "undefined symbol" when the plugin lacks its world's
/// entry point: the SDK's export calls it, so that is where the link fails.
fn explain_missing_entry(error: BuildError, world: World) -> BuildError {
    let (
        BuildError::ToolFailed {
            tool,
            status,
            output,
        },
        Some(entry),
    ) = (&error, entry_point(world))
    else {
        return error;
    };
    let name = entry.split(['*', '(']).nth(1).unwrap_or_default().trim();
    if !output.contains(&format!("undefined symbol: {name}")) {
        return error;
    }
    BuildError::ToolFailed {
        tool: tool.clone(),
        status: status.clone(),
        output: format!(
            "{output}\na {world} plugin defines `{entry}` (tollgate.h; sdk/c/README.md)"
        ),
    }
}

/// How to run Zig: `python3 -m ziglang`, checked by asking its version.
#[derive(Debug)]
struct Zig {
    program: OsString,
    args: Vec<OsString>,
}

impl Zig {
    fn command(&self) -> Command {
        let mut command = Command::new(&self.program);
        command.args(&self.args);
        command
    }
}

/// Zig from the `ziglang` package of the Python interpreter `python`, or the error that
/// says how to install it.
fn zig_command(python: &str) -> Result<Zig, BuildError> {
    let zig = Zig {
        program: python.into(),
        args: vec!["-m".into(), "ziglang".into()],
    };
    let missing = |detail: String| BuildError::MissingTool {
        tool: format!("zig {ZIG_VERSION} (the PyPI package ziglang, run as `{python} -m ziglang`)"),
        language: LANGUAGE,
        install: format!("{ZIG_INSTALL} ({detail})"),
    };
    match zig.command().arg("version").output() {
        Ok(output) if output.status.success() => Ok(zig),
        Ok(output) => Err(missing(
            String::from_utf8_lossy(&output.stderr)
                .lines()
                .next_back()
                .unwrap_or("`ziglang version` failed")
                .trim()
                .to_owned(),
        )),
        Err(error) => Err(missing(format!("{python}: {error}"))),
    }
}

/// Generates the C bindings of `world` into `dir`: `bindings.h`, `bindings.c` and
/// `bindings_component_type.o`.
fn write_bindings(wit_dir: &Path, world: World, dir: &Path) -> Result<(), BuildError> {
    let failed = |error: anyhow::Error| BuildError::ToolFailed {
        tool: "wit-bindgen-c".to_owned(),
        status: format!("generating the C bindings of world {world}"),
        output: format!("{error:#}"),
    };
    let mut resolve = Resolve::default();
    let (package, _) = resolve.push_path(wit_dir).map_err(failed)?;
    let world_id = resolve
        .select_world(&[package], Some(world.wit_name()))
        .map_err(failed)?;
    let options = wit_bindgen_c::Opts {
        rename_world: Some(BINDINGS_NAME.to_owned()),
        ..Default::default()
    };
    let mut files = Files::default();
    options
        .build()
        .generate(&mut resolve, world_id, &mut files)
        .map_err(failed)?;
    for (name, contents) in files.iter() {
        write(&dir.join(name), contents)?;
    }
    Ok(())
}

/// The component of a core module built against the bindings.
fn componentize(module: &[u8]) -> anyhow::Result<Vec<u8>> {
    wit_component::ComponentEncoder::default()
        .module(module)?
        .adapter(
            "wasi_snapshot_preview1",
            wasi_preview1_component_adapter_provider::WASI_SNAPSHOT_PREVIEW1_REACTOR_ADAPTER,
        )?
        .validate(true)
        .encode()
}

/// The plugin's `.c` files, sorted: those at the top of `dir` and every one under `src/`.
fn sources(dir: &Path) -> Result<Vec<PathBuf>, BuildError> {
    let mut found = Vec::new();
    c_files(dir, false, &mut found)?;
    let src = dir.join("src");
    if src.is_dir() {
        c_files(&src, true, &mut found)?;
    }
    found.sort();
    Ok(found)
}

fn c_files(dir: &Path, recursive: bool, found: &mut Vec<PathBuf>) -> Result<(), BuildError> {
    let entries = std::fs::read_dir(dir).map_err(io_error(format!("reading {}", dir.display())))?;
    for entry in entries {
        let entry = entry.map_err(io_error(format!("reading {}", dir.display())))?;
        let path = entry.path();
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        if path.is_dir() {
            if recursive {
                c_files(&path, true, found)?;
            }
        } else if path.extension().is_some_and(|ext| ext == "c") {
            found.push(path);
        }
    }
    Ok(())
}

fn include_dirs(dir: &Path) -> Vec<PathBuf> {
    let mut dirs = vec![dir.to_path_buf()];
    dirs.extend(
        ["include", "src"]
            .iter()
            .map(|name| dir.join(name))
            .filter(|path| path.is_dir()),
    );
    dirs
}

fn write(path: &Path, contents: &[u8]) -> Result<(), BuildError> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .map_err(io_error(format!("creating {}", parent.display())))?;
    }
    std::fs::write(path, contents).map_err(io_error(format!("writing {}", path.display())))
}

fn run(command: &mut Command, tool: &str) -> Result<(), BuildError> {
    let output = command
        .output()
        .map_err(io_error(format!("running {tool}")))?;
    if output.status.success() {
        return Ok(());
    }
    let mut text = String::from_utf8_lossy(&output.stderr).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stdout));
    Err(BuildError::ToolFailed {
        tool: tool.to_owned(),
        status: output.status.to_string(),
        output: text.trim_end().to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_are_top_level_and_src_c_files() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("src/util")).unwrap();
        std::fs::create_dir_all(root.join("tests")).unwrap();
        std::fs::create_dir_all(root.join(".hidden")).unwrap();
        for file in [
            "main.c",
            "notes.txt",
            "src/a.c",
            "src/util/b.c",
            "tests/t.c",
            ".hidden/h.c",
            "src/.x.c",
        ] {
            std::fs::write(root.join(file), "").unwrap();
        }
        let found: Vec<String> = sources(root)
            .unwrap()
            .iter()
            .map(|p| p.strip_prefix(root).unwrap().display().to_string())
            .collect();
        assert_eq!(found, ["main.c", "src/a.c", "src/util/b.c"]);
        assert!(detect(root));

        let empty = tempfile::tempdir().unwrap();
        std::fs::write(empty.path().join("app.py"), "").unwrap();
        assert!(!detect(empty.path()));
    }

    #[test]
    fn a_missing_python_or_zig_is_a_missing_tool_with_the_pip_command() {
        let error = zig_command("/nonexistent/python3").unwrap_err();
        let BuildError::MissingTool {
            tool,
            language,
            install,
        } = &error
        else {
            panic!("expected MissingTool, got {error}");
        };
        assert_eq!(*language, "C");
        assert!(tool.contains("ziglang"), "{tool}");
        assert!(install.starts_with(ZIG_INSTALL), "{install}");
        assert!(error.to_string().contains(ZIG_INSTALL), "{error}");
    }

    #[test]
    fn bindings_are_generated_under_the_neutral_name_for_each_world() {
        let dir = tempfile::tempdir().unwrap();
        let wit = dir.path().join("wit");
        std::fs::create_dir_all(&wit).unwrap();
        std::fs::write(wit.join("plugin.wit"), crate::WIT).unwrap();
        for (world, export) in [
            (World::Function, "exports_tollgate_plugin_handler_handle("),
            (
                World::Mapper,
                "exports_tollgate_plugin_mapping_map_request(",
            ),
            (
                World::Authorizer,
                "exports_tollgate_plugin_authorization_authorize(",
            ),
        ] {
            let out = dir.path().join(world.wit_name());
            write_bindings(&wit, world, &out).unwrap();
            let header = std::fs::read_to_string(out.join("bindings.h")).unwrap();
            assert!(header.contains("bindings_string_t"), "{world}");
            assert!(header.contains(export), "{world}: {export}");
            assert!(out.join("bindings_component_type.o").is_file());
        }
    }

    #[test]
    fn a_missing_entry_point_is_explained() {
        let failed = |output: &str| BuildError::ToolFailed {
            tool: "zig cc".into(),
            status: "exit status: 1".into(),
            output: output.into(),
        };
        let undefined = "wasm-ld: error: tollgate_host.o: undefined symbol: tg_handle";
        let error = explain_missing_entry(failed(undefined), World::Function).to_string();
        assert!(error.contains(undefined), "{error}");
        assert!(
            error.contains(
                "a function plugin defines `tg_response *tg_handle(const tg_event *event)`"
            ),
            "{error}"
        );
        // Other failures, and other worlds' symbols, are left as they are.
        let other = explain_missing_entry(failed("x.c:2:8: error"), World::Function).to_string();
        assert!(!other.contains("defines"), "{other}");
        let mapper = explain_missing_entry(failed(undefined), World::Mapper).to_string();
        assert!(!mapper.contains("defines"), "{mapper}");
        let authorizer = explain_missing_entry(failed(undefined), World::Authorizer).to_string();
        assert!(!authorizer.contains("defines"), "{authorizer}");
    }

    #[test]
    fn templates_name_the_plugin_and_define_their_world_s_entry_point() {
        for (world, entry) in [
            (World::Function, "tg_response *tg_handle("),
            (World::Mapper, "tg_http_request *tg_map_request("),
            (World::Authorizer, "tg_policy *tg_authorize("),
        ] {
            let files = template("hello", world);
            let (_, source) = files
                .iter()
                .find(|(path, _)| path == Path::new("plugin.c"))
                .unwrap();
            assert!(source.contains(entry), "{world}");
            assert!(source.contains("hello"), "{world}");
            assert!(!source.contains("{{name}}"), "{world}");
        }
    }
}
