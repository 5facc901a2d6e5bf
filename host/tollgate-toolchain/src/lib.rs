//! Plugins in any language: a plugin is a directory with a `tollgate.toml` manifest
//!
//! ```toml
//! [plugin]
//! name = "crud"
//! world = "function"     # function | mapper | authorizer (the worlds of wit/plugin.wit)
//! language = "python"    # rust | python | js | c (detected from the files when absent)
//! ```
//!
//! and the sources of one language. [`build`] turns it into a component with that language's
//! toolchain (cargo for Rust, componentize-py for Python, componentize-js for JavaScript,
//! `wit-bindgen` C bindings + `zig cc` + the WASI adapter for C); [`scaffold`] writes a new
//! one from the language's template. The WIT package and each language's SDK are embedded in
//! this crate, so a plugin directory needs nothing but its own code. A missing tool is a
//! [`BuildError::MissingTool`] that says exactly what to install.
//!
//! Used by `tollgate plugin new/build/test` and by the test build script, which builds every
//! example of `plugins/examples/` from source.
//!
//! Each language is one module (`rust.rs`, `python.rs`, `js.rs`, `c.rs`) with the same three
//! functions: `build(project, wit_dir, options)`, `template(name, world)` and `detect(dir)`.
//! This file reads manifests, dispatches, and owns what is common to every language: the WIT
//! package in the work directory, the check that the output is a component, the manifest and
//! sample event of a new plugin.

mod c;
mod js;
mod manifest;
mod python;
mod rust;
mod scaffold;

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::SystemTime;

pub use scaffold::{SAMPLE_EVENT, sample_event, scaffold};

/// The WIT package every plugin implements a world of.
pub const WIT: &str = include_str!("../../../wit/plugin.wit");

/// The file name of a plugin's manifest.
pub const MANIFEST: &str = "tollgate.toml";

/// A plugin's source language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Language {
    Rust,
    Python,
    Js,
    C,
}

impl Language {
    /// Every language, in the order the docs list them.
    pub const ALL: [Language; 4] = [Language::Rust, Language::Python, Language::Js, Language::C];

    /// The manifest's and the command line's name: `rust`, `python`, `js`, `c`.
    pub fn name(self) -> &'static str {
        match self {
            Language::Rust => "rust",
            Language::Python => "python",
            Language::Js => "js",
            Language::C => "c",
        }
    }

    /// The name people write: `Rust`, `Python`, `JavaScript`, `C`.
    pub fn describe(self) -> &'static str {
        match self {
            Language::Rust => "Rust",
            Language::Python => "Python",
            Language::Js => "JavaScript",
            Language::C => "C",
        }
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A language or world name that is not one of the known ones.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} {found:?}: expected one of {expected}")]
pub struct UnknownName {
    /// `language` or `world`.
    pub what: &'static str,
    pub found: String,
    /// The accepted names, comma-separated.
    pub expected: &'static str,
}

impl FromStr for Language {
    type Err = UnknownName;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.to_ascii_lowercase().as_str() {
            "rust" => Ok(Language::Rust),
            "python" => Ok(Language::Python),
            // The docs say "JavaScript"; people type either.
            "js" | "javascript" => Ok(Language::Js),
            "c" => Ok(Language::C),
            _ => Err(UnknownName {
                what: "language",
                found: text.to_owned(),
                expected: "rust, python, js, c",
            }),
        }
    }
}

/// The world a plugin implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum World {
    Function,
    Mapper,
    Authorizer,
}

impl World {
    /// Every world of `wit/plugin.wit`.
    pub const ALL: [World; 3] = [World::Function, World::Mapper, World::Authorizer];

    /// The world's name in `wit/plugin.wit`.
    pub fn wit_name(self) -> &'static str {
        match self {
            World::Function => "function",
            World::Mapper => "mapper",
            World::Authorizer => "authorizer",
        }
    }
}

impl fmt::Display for World {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.wit_name())
    }
}

impl FromStr for World {
    type Err = UnknownName;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        World::ALL
            .into_iter()
            .find(|world| world.wit_name().eq_ignore_ascii_case(text))
            .ok_or_else(|| UnknownName {
                what: "world",
                found: text.to_owned(),
                expected: "function, mapper, authorizer",
            })
    }
}

/// A plugin directory, as its manifest describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Project {
    /// The directory holding `tollgate.toml`, absolute.
    pub dir: PathBuf,
    pub name: String,
    pub world: World,
    pub language: Language,
}

/// Where a build writes.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// The directory the component is written to (`{name}.wasm`).
    pub out_dir: PathBuf,
    /// Scratch space for generated bindings, the WIT package, the SDK and intermediate files.
    /// Kept between builds so that they are incremental: for Rust it is cargo's target
    /// directory (projects built with the same work directory share compiled dependencies).
    pub work_dir: PathBuf,
}

impl BuildOptions {
    /// The defaults of `tollgate plugin build`: `DIR/build/{name}.wasm`, work in
    /// `DIR/build/work`.
    pub fn in_project(dir: &Path) -> BuildOptions {
        let build = dir.join("build");
        BuildOptions {
            work_dir: build.join("work"),
            out_dir: build,
        }
    }
}

/// Why a plugin could not be built or scaffolded.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// The manifest is missing or wrong: the file, and what was expected.
    #[error("{file}: {message}")]
    Manifest { file: PathBuf, message: String },
    /// A tool the language needs is not installed.
    #[error("{tool} is needed to build {language} plugins and was not found: {install}")]
    MissingTool {
        tool: String,
        language: &'static str,
        /// The exact command (or steps) that installs it.
        install: String,
    },
    /// A tool ran and failed; its output says why.
    #[error("{tool} failed ({status}):\n{output}")]
    ToolFailed {
        tool: String,
        status: String,
        output: String,
    },
    /// The project's sources cannot make a component as they are (e.g. a Rust crate that is
    /// not a `cdylib`).
    #[error("{dir}: {message}")]
    Project { dir: PathBuf, message: String },
    /// The toolchain produced something that is not a WebAssembly component.
    #[error("{path} is not a WebAssembly component: {detail}")]
    NotAComponent { path: PathBuf, detail: String },
    /// A new plugin's name is not usable as a plugin (function) name.
    #[error("invalid plugin name {name:?}: expected {NAME_RULE}")]
    InvalidName { name: String },
    /// `scaffold` never writes into a directory that already has files.
    #[error("{dir} already exists and is not empty; choose another name or remove it")]
    DirectoryNotEmpty { dir: PathBuf },
    #[error("{context}: {error}")]
    Io {
        context: String,
        #[source]
        error: std::io::Error,
    },
}

/// What a plugin name may be: the rule of function names in the gateway's store, since a
/// plugin is published under its name.
pub const NAME_RULE: &str = "1 to 64 characters from A-Z, a-z, 0-9, '-' and '_'";

/// Whether `name` follows [`NAME_RULE`].
pub fn is_valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

pub(crate) fn io_error(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> BuildError {
    let context = context.into();
    move |error| BuildError::Io { context, error }
}

impl Project {
    /// Reads `dir/tollgate.toml`. Without a `language` key, the language is the one whose
    /// files the directory has (`Cargo.toml`, Python sources, `package.json` or JavaScript
    /// sources, C sources); none or several is an error asking for the key.
    pub fn load(dir: &Path) -> Result<Project, BuildError> {
        manifest::load(dir)
    }
}

/// The languages whose files `dir` has, by each backend's `detect`.
pub(crate) fn detect_languages(dir: &Path) -> Vec<Language> {
    Language::ALL
        .into_iter()
        .filter(|&language| match language {
            Language::Rust => rust::detect(dir),
            Language::Python => python::detect(dir),
            Language::Js => js::detect(dir),
            Language::C => c::detect(dir),
        })
        .collect()
}

/// Where [`build`] writes the component of `project`: `out_dir/{name}.wasm`.
pub fn output_path(project: &Project, options: &BuildOptions) -> PathBuf {
    options.out_dir.join(format!("{}.wasm", project.name))
}

/// Builds a plugin into `options.out_dir/{name}.wasm` and returns that path.
///
/// The WIT package is written to `work_dir/wit/plugin.wit` for the language's bindings
/// generator; the output is checked to be a component (not a core module), whatever the
/// language. Whether it implements the manifest's world is for the caller to check with the
/// runtime (`tollgate plugin build` does).
pub fn build(project: &Project, options: &BuildOptions) -> Result<PathBuf, BuildError> {
    let wit_dir = options.work_dir.join("wit");
    std::fs::create_dir_all(&wit_dir).map_err(io_error(format!(
        "creating the work directory {}",
        wit_dir.display()
    )))?;
    std::fs::create_dir_all(&options.out_dir).map_err(io_error(format!(
        "creating the output directory {}",
        options.out_dir.display()
    )))?;
    let wit_file = wit_dir.join("plugin.wit");
    std::fs::write(&wit_file, WIT).map_err(io_error(format!("writing {}", wit_file.display())))?;

    let path = match project.language {
        Language::Rust => rust::build(project, &wit_dir, options)?,
        Language::Python => python::build(project, &wit_dir, options)?,
        Language::Js => js::build(project, &wit_dir, options)?,
        Language::C => c::build(project, &wit_dir, options)?,
    };
    check_component(&path)?;
    Ok(path)
}

/// The preamble of a component: `\0asm`, then version 0x0d and layer 1 (a core module has
/// version 1, layer 0).
const COMPONENT_PREAMBLE: [u8; 8] = [0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00];

fn check_component(path: &Path) -> Result<(), BuildError> {
    let bytes = std::fs::read(path).map_err(io_error(format!(
        "reading the built component {}",
        path.display()
    )))?;
    let not_a_component = |detail: &str| BuildError::NotAComponent {
        path: path.to_path_buf(),
        detail: detail.to_owned(),
    };
    match bytes.get(..8) {
        Some(preamble) if preamble == COMPONENT_PREAMBLE => Ok(()),
        Some(preamble) if preamble[..4] == COMPONENT_PREAMBLE[..4] => Err(not_a_component(
            "it is a core WebAssembly module; it must be made into a component",
        )),
        _ => Err(not_a_component("it is not WebAssembly at all")),
    }
}

/// Whether the component of `project` at [`output_path`] is newer than everything it is
/// built from, so that `tollgate plugin test` (and the test build script) can skip the
/// build.
///
/// Rust projects are never considered current here: their inputs reach beyond the directory
/// (path dependencies, the lock file, the toolchain), cargo tracks them itself, and a cargo
/// build with nothing to do takes a fraction of a second. For the other languages the
/// inputs are the files of the project directory (outside the build's own directories,
/// hidden directories and `node_modules`) and the running program, which embeds the WIT
/// package, the SDKs and the build steps.
pub fn is_up_to_date(project: &Project, options: &BuildOptions) -> bool {
    if project.language == Language::Rust {
        return false;
    }
    let Some(built) = modified(&output_path(project, options)) else {
        return false;
    };
    let program = std::env::current_exe().ok().and_then(|exe| modified(&exe));
    if program.is_none_or(|program| program > built) {
        return false;
    }
    let skip = [
        std::path::absolute(&options.out_dir).ok(),
        std::path::absolute(&options.work_dir).ok(),
    ];
    newest_source(&project.dir, &skip).is_some_and(|newest| newest <= built)
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// The newest modification time of the files under `dir`, skipping `skip`, hidden entries,
/// `node_modules` and `__pycache__`; `None` when something cannot be read (then nothing is
/// current).
fn newest_source(dir: &Path, skip: &[Option<PathBuf>]) -> Option<SystemTime> {
    // The directory's own time changes when a file is added or removed.
    let mut newest = modified(dir)?;
    for entry in std::fs::read_dir(dir).ok()? {
        let entry = entry.ok()?;
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        // Caches that building itself writes (Python's bytecode) are not sources.
        if name.starts_with('.')
            || name == "node_modules"
            || name == "__pycache__"
            || skip.iter().flatten().any(|s| *s == path)
        {
            continue;
        }
        let time = if entry.file_type().ok()?.is_dir() {
            newest_source(&path, skip)?
        } else {
            modified(&path)?
        };
        newest = newest.max(time);
    }
    Some(newest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_and_worlds_round_trip_through_their_names() {
        for language in Language::ALL {
            assert_eq!(language.to_string().parse::<Language>(), Ok(language));
        }
        for world in World::ALL {
            assert_eq!(world.to_string().parse::<World>(), Ok(world));
        }
        assert_eq!("JavaScript".parse::<Language>(), Ok(Language::Js));
        let error = "go".parse::<Language>().unwrap_err();
        assert_eq!(
            error.to_string(),
            r#"unknown language "go": expected one of rust, python, js, c"#
        );
        let error = "handler".parse::<World>().unwrap_err();
        assert_eq!(
            error.to_string(),
            r#"unknown world "handler": expected one of function, mapper, authorizer"#
        );
    }

    #[test]
    fn names_follow_the_function_name_rule() {
        assert!(is_valid_name("crud"));
        assert!(is_valid_name("token-authorizer_2"));
        assert!(!is_valid_name(""));
        assert!(!is_valid_name("has space"));
        assert!(!is_valid_name("dots.not.allowed"));
        assert!(!is_valid_name(&"x".repeat(65)));
    }

    #[test]
    fn only_components_pass_the_output_check() {
        let dir = tempfile::tempdir().unwrap();
        let component = dir.path().join("c.wasm");
        std::fs::write(&component, COMPONENT_PREAMBLE).unwrap();
        check_component(&component).unwrap();

        let module = dir.path().join("m.wasm");
        std::fs::write(&module, [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]).unwrap();
        let error = check_component(&module).unwrap_err().to_string();
        assert!(error.contains("core WebAssembly module"), "{error}");

        let text = dir.path().join("t.wasm");
        std::fs::write(&text, "hello, world").unwrap();
        let error = check_component(&text).unwrap_err().to_string();
        assert!(error.contains("not WebAssembly at all"), "{error}");
    }

    #[test]
    fn a_component_older_than_a_source_is_not_up_to_date() {
        let dir = tempfile::tempdir().unwrap();
        let project = Project {
            dir: dir.path().to_path_buf(),
            name: "p".into(),
            world: World::Function,
            language: Language::Python,
        };
        let options = BuildOptions::in_project(dir.path());
        std::fs::write(dir.path().join("app.py"), "x = 1").unwrap();
        assert!(!is_up_to_date(&project, &options), "nothing built yet");

        std::fs::create_dir_all(&options.out_dir).unwrap();
        let output = output_path(&project, &options);
        std::fs::write(&output, "built").unwrap();
        let times = |path: &Path, time: SystemTime| {
            std::fs::File::options()
                .write(true)
                .open(path)
                .unwrap()
                .set_modified(time)
                .unwrap();
        };
        // Everything in the past except the output: current (the test binary, standing in
        // for the program, was built before now).
        let past = SystemTime::now() - std::time::Duration::from_secs(3600);
        times(&dir.path().join("app.py"), past);
        std::fs::File::open(dir.path())
            .unwrap()
            .set_modified(past)
            .unwrap();
        std::fs::File::open(&options.out_dir)
            .unwrap()
            .set_modified(past)
            .unwrap();
        assert!(is_up_to_date(&project, &options));

        // Work files do not count; a source edited after the build does.
        std::fs::create_dir_all(options.work_dir.join("wit")).unwrap();
        std::fs::write(options.work_dir.join("wit/plugin.wit"), WIT).unwrap();
        assert!(is_up_to_date(&project, &options));
        times(
            &dir.path().join("app.py"),
            SystemTime::now() + std::time::Duration::from_secs(60),
        );
        assert!(!is_up_to_date(&project, &options));

        // Rust is left to cargo.
        let rust = Project {
            language: Language::Rust,
            ..project
        };
        assert!(!is_up_to_date(&rust, &options));
    }
}
