//! JavaScript plugins: an ES module (`index.js`, or the `main` of a `package.json`) that
//! imports `tollgate-sdk` and exports the interface of its world, built with
//! [componentize-js](https://github.com/bytecodealliance/ComponentizeJS) (SpiderMonkey,
//! pre-initialised with Wizer) under Node.js.
//!
//! The build writes into the work directory the SDK (`sdk/js`, embedded in this crate) with
//! the host module of the plugin's world in place of the in-memory one, and `build.mjs`, and
//! runs that script with `node`: rolldown bundles the plugin with the SDK into one module,
//! and componentize-js makes the component through its JavaScript API. A plugin directory
//! therefore holds only its own code and `tollgate.toml`.
//!
//! The npm packages are pinned in `sdk/js/package.json` and its lock file. They are found
//! in `$TOLLGATE_JS_TOOLCHAIN` (a directory where `npm ci` ran, or its `node_modules`), else
//! in the `sdk/js/node_modules` of the source tree this program was built from; otherwise
//! the build fails with the `npm` command that installs them.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::{BuildError, BuildOptions, Project, World, io_error};

const LANGUAGE: &str = "JavaScript";

/// The oldest Node.js the pinned toolchain is known to run on.
const MIN_NODE_MAJOR: u32 = 20;

/// The environment variable naming where the npm toolchain is installed.
pub(crate) const TOOLCHAIN_ENV: &str = "TOLLGATE_JS_TOOLCHAIN";

/// The pinned packages (as in `sdk/js/package.json`, which a unit test keeps equal).
/// componentize-js imports preview2-shim at run time without depending on it.
const PACKAGES: &[(&str, &str)] = &[
    ("@bytecodealliance/componentize-js", "0.23.0"),
    ("@bytecodealliance/preview2-shim", "0.17.9"),
    ("rolldown", "1.3.2"),
];

/// What componentize-js leaves out of the JavaScript engine: the host has no stdio for
/// guests (logs go through the `log` interface and the SDK's `console`), no outbound HTTP,
/// and no world exports `wasi:http`. Clocks and randomness stay: without them every instance
/// answers `Date.now()` with the build's time and `Math.random()` and
/// `crypto.getRandomValues()` with the same values, those of the Wizer snapshot (seen with
/// componentize-js 0.23), and leaving them out saves nothing measurable per call.
const DISABLED_FEATURES: &[&str] = &["stdio", "http", "fetch-event"];

/// The SDK's modules, embedded so that any plugin directory builds against the SDK of the
/// gateway that builds it.
const SDK_MODULES: &[(&str, &str)] = &[
    ("json.js", include_str!("../../../sdk/js/json.js")),
    (
        "tollgate-sdk.js",
        include_str!("../../../sdk/js/tollgate-sdk.js"),
    ),
];

/// The build script `node` runs (see its header).
const BUILD_SCRIPT: &str = include_str!("../../../sdk/js/build.mjs");

/// The SDK's `package.json`, for the pinned versions.
#[cfg(test)]
const SDK_PACKAGE_JSON: &str = include_str!("../../../sdk/js/package.json");

/// The module that gives the SDK the host interfaces of `world`, in place of the in-memory
/// `host.js`: each imports exactly the interfaces its world has.
fn host_module(world: World) -> &'static str {
    match world {
        World::Function => include_str!("../../../sdk/js/host/function.js"),
        World::Mapper => include_str!("../../../sdk/js/host/mapper.js"),
        World::Authorizer => include_str!("../../../sdk/js/host/authorizer.js"),
    }
}

/// The SDK directory of the source tree this program was built from.
const SOURCE_SDK: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../sdk/js");

/// A JavaScript plugin has an `index.js` or a `package.json`.
pub(crate) fn detect(dir: &Path) -> bool {
    dir.join("index.js").is_file() || dir.join("package.json").is_file()
}

pub(crate) fn build(
    project: &Project,
    wit_dir: &Path,
    options: &BuildOptions,
) -> Result<PathBuf, BuildError> {
    let node = check_node()?;
    let node_modules = find_toolchain()?;
    let entry = entry(&project.dir)?;

    let work = absolute(&options.work_dir.join("js"))?;
    let sdk = work.join("sdk");
    std::fs::create_dir_all(&sdk).map_err(io_error(format!("creating {}", sdk.display())))?;
    let mut files: Vec<(PathBuf, &str)> = SDK_MODULES
        .iter()
        .map(|(name, text)| (sdk.join(name), *text))
        .collect();
    files.push((sdk.join("host.js"), host_module(project.world)));
    let script = work.join("build.mjs");
    files.push((script.clone(), BUILD_SCRIPT));
    for (path, text) in files {
        std::fs::write(&path, text).map_err(io_error(format!("writing {}", path.display())))?;
    }

    let output = absolute(&crate::output_path(project, options))?;
    let config = serde_json::json!({
        "nodeModules": node_modules,
        "entry": entry,
        "sdk": sdk.join("tollgate-sdk.js"),
        "wit": absolute(wit_dir)?,
        "world": project.world.wit_name(),
        "bundle": work.join("bundle.js"),
        "output": output,
        "disableFeatures": DISABLED_FEATURES,
    });
    let config_path = work.join("build.json");
    std::fs::write(&config_path, config.to_string())
        .map_err(io_error(format!("writing {}", config_path.display())))?;

    // The working directory matters: componentize-js maps it to `/` for Wizer when the
    // bundle lies under it, so module paths in error messages are short.
    let result = Command::new(&node)
        .arg(&script)
        .arg(&config_path)
        .current_dir(&work)
        .stdin(Stdio::null())
        .output()
        .map_err(|_| missing_node())?;
    if !result.status.success() {
        let mut text = String::from_utf8_lossy(&result.stderr).into_owned();
        text.push_str(&String::from_utf8_lossy(&result.stdout));
        return Err(BuildError::ToolFailed {
            tool: "componentize-js (node build.mjs)".into(),
            status: result.status.to_string(),
            output: text.trim_end().to_owned(),
        });
    }
    // Warnings of the bundler (an unresolved import, say) are worth seeing on success too.
    let warnings = String::from_utf8_lossy(&result.stderr);
    if !warnings.trim().is_empty() {
        eprintln!("{}", warnings.trim_end());
    }
    Ok(output)
}

fn absolute(path: &Path) -> Result<PathBuf, BuildError> {
    std::path::absolute(path).map_err(io_error(format!("resolving {}", path.display())))
}

/// The plugin's entry module: `package.json`'s `main` when it names one, else `index.js`.
fn entry(dir: &Path) -> Result<PathBuf, BuildError> {
    let package = dir.join("package.json");
    let main = if package.is_file() {
        let text = std::fs::read_to_string(&package)
            .map_err(io_error(format!("reading {}", package.display())))?;
        let manifest: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| BuildError::Project {
                dir: dir.to_path_buf(),
                message: format!("package.json is not JSON: {e}"),
            })?;
        manifest["main"].as_str().map(str::to_owned)
    } else {
        None
    };
    let relative = main.unwrap_or_else(|| "index.js".to_owned());
    let path = dir.join(&relative);
    if !path.is_file() {
        return Err(BuildError::Project {
            dir: dir.to_path_buf(),
            message: format!(
                "a JavaScript plugin needs its entry module {relative} (index.js, or the \
                 \"main\" of package.json), exporting its world's interface, e.g. \
                 `export const handler = defineFunction(...)`"
            ),
        });
    }
    absolute(&path)
}

fn missing_node() -> BuildError {
    BuildError::MissingTool {
        tool: "node".into(),
        language: LANGUAGE,
        install: format!(
            "install Node.js {MIN_NODE_MAJOR} or later with npm (e.g. `apt-get install nodejs npm`), \
             then install the JavaScript toolchain: {}",
            install_command()
        ),
    }
}

/// `node` from `PATH`, checked to be recent enough.
fn check_node() -> Result<PathBuf, BuildError> {
    check_node_at(Path::new("node"))
}

fn check_node_at(node: &Path) -> Result<PathBuf, BuildError> {
    let output = Command::new(node)
        .arg("--version")
        .stdin(Stdio::null())
        .output()
        .map_err(|_| missing_node())?;
    let version = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    match node_major(&version) {
        Some(major) if output.status.success() && major >= MIN_NODE_MAJOR => Ok(node.to_path_buf()),
        _ => Err(BuildError::MissingTool {
            tool: format!("node {MIN_NODE_MAJOR} or later (found {version:?})"),
            language: LANGUAGE,
            install: format!(
                "install Node.js {MIN_NODE_MAJOR} or later (e.g. `apt-get install nodejs npm`)"
            ),
        }),
    }
}

/// The major version of `node --version`'s answer (`v20.20.2` → 20).
fn node_major(version: &str) -> Option<u32> {
    version.strip_prefix('v')?.split('.').next()?.parse().ok()
}

/// The command that installs the pinned toolchain: `npm ci` in the source tree's `sdk/js`
/// when there is one, else an `npm install` of the pinned versions into a directory that
/// `$TOLLGATE_JS_TOOLCHAIN` then names.
fn install_command() -> String {
    let sdk = Path::new(SOURCE_SDK);
    if sdk.join("package-lock.json").is_file() {
        let sdk = std::fs::canonicalize(sdk).unwrap_or_else(|_| sdk.to_path_buf());
        format!("npm ci --prefix {}", sdk.display())
    } else {
        format!(
            "{} and set {TOOLCHAIN_ENV}=DIR",
            install_into(Path::new("DIR"))
        )
    }
}

/// The `npm install` of the pinned packages into `dir`.
fn install_into(dir: &Path) -> String {
    let packages: Vec<String> = PACKAGES
        .iter()
        .map(|(name, version)| format!("{name}@{version}"))
        .collect();
    format!(
        "npm install --prefix {} {}",
        dir.display(),
        packages.join(" ")
    )
}

/// The `node_modules` holding the pinned toolchain.
fn find_toolchain() -> Result<PathBuf, BuildError> {
    find_toolchain_in(
        std::env::var_os(TOOLCHAIN_ENV)
            .filter(|dir| !dir.is_empty())
            .map(PathBuf::from),
    )
}

/// The toolchain in `configured` (the value of `$TOLLGATE_JS_TOOLCHAIN`) when set, else in
/// the source tree's `sdk/js`.
fn find_toolchain_in(configured: Option<PathBuf>) -> Result<PathBuf, BuildError> {
    let missing = |tool: String, install: String| BuildError::MissingTool {
        tool,
        language: LANGUAGE,
        install,
    };
    let node_modules = match configured {
        Some(dir) => {
            let node_modules = if dir.join("node_modules").is_dir() {
                dir.join("node_modules")
            } else {
                dir.clone()
            };
            check_packages(&node_modules).map_err(|problem| {
                missing(
                    format!("{problem} in {TOOLCHAIN_ENV}={}", dir.display()),
                    install_into(&dir),
                )
            })?
        }
        None => check_packages(&Path::new(SOURCE_SDK).join("node_modules"))
            .map_err(|problem| missing(problem, install_command()))?,
    };
    absolute(&node_modules)
}

/// Ok when `node_modules` has every pinned package at its pinned version; else what is
/// missing or stale.
fn check_packages(node_modules: &Path) -> Result<PathBuf, String> {
    for (name, version) in PACKAGES {
        let manifest = node_modules.join(name).join("package.json");
        let found = std::fs::read_to_string(&manifest)
            .ok()
            .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
            .and_then(|package| package["version"].as_str().map(str::to_owned));
        match found {
            Some(found) if found == *version => {}
            Some(found) => return Err(format!("{name} {version} (found {found})")),
            None => return Err(format!("{name} {version} (npm)")),
        }
    }
    Ok(node_modules.to_path_buf())
}

fn template_source(world: World) -> &'static str {
    match world {
        World::Function => include_str!("../templates/js/function.js"),
        World::Mapper => include_str!("../templates/js/mapper.js"),
        World::Authorizer => include_str!("../templates/js/authorizer.js"),
    }
}

/// A new JavaScript plugin: `index.js` from the world's template, and a `.gitignore`.
pub(crate) fn template(name: &str, world: World) -> Vec<(PathBuf, String)> {
    vec![
        (
            PathBuf::from("index.js"),
            template_source(world).replace("{{name}}", name),
        ),
        (
            PathBuf::from(".gitignore"),
            "/build/\n/node_modules/\n".to_owned(),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pinned_versions_are_the_sdk_packages() {
        let package: serde_json::Value = serde_json::from_str(SDK_PACKAGE_JSON).unwrap();
        let pinned = package["devDependencies"].as_object().unwrap();
        assert_eq!(pinned.len(), PACKAGES.len(), "{pinned:?}");
        for (name, version) in PACKAGES {
            assert_eq!(pinned[*name], *version, "{name}");
        }
    }

    #[test]
    fn every_sdk_module_is_embedded() {
        let mut on_disk: Vec<String> = std::fs::read_dir(SOURCE_SDK)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name.ends_with(".js") && name != "host.js")
            .collect();
        on_disk.sort();
        let embedded: Vec<&str> = SDK_MODULES.iter().map(|(name, _)| *name).collect();
        assert_eq!(
            on_disk, embedded,
            "SDK_MODULES must list every module of sdk/js"
        );
    }

    #[test]
    fn host_modules_import_exactly_their_worlds_interfaces() {
        for (world, interfaces) in [
            (World::Function, ["log", "key-value", "stage"]),
            (World::Mapper, ["log", "stage", "config"]),
            (World::Authorizer, ["log", "key-value", "stage"]),
        ] {
            let module = host_module(world);
            let imported: Vec<&str> = module
                .lines()
                .filter_map(|line| line.split("from 'tollgate:plugin/").nth(1))
                .filter_map(|rest| rest.split('@').next())
                .collect();
            assert_eq!(imported, interfaces, "{world}");
            assert!(module.contains(&format!("world: '{world}'")), "{world}");
        }
    }

    #[test]
    fn node_versions_are_read() {
        assert_eq!(node_major("v20.20.2"), Some(20));
        assert_eq!(node_major("v18.0.0"), Some(18));
        assert_eq!(node_major("20.1"), None);
        assert_eq!(node_major(""), None);
    }

    #[test]
    fn the_entry_is_index_js_or_the_package_main() {
        let dir = tempfile::tempdir().unwrap();
        assert!(!detect(dir.path()));
        let error = entry(dir.path()).unwrap_err().to_string();
        assert!(error.contains("index.js"), "{error}");

        std::fs::write(dir.path().join("index.js"), "").unwrap();
        assert!(detect(dir.path()));
        assert!(entry(dir.path()).unwrap().ends_with("index.js"));

        std::fs::write(dir.path().join("package.json"), r#"{"main": "src/app.js"}"#).unwrap();
        let error = entry(dir.path()).unwrap_err().to_string();
        assert!(error.contains("src/app.js"), "{error}");
        std::fs::create_dir(dir.path().join("src")).unwrap();
        std::fs::write(dir.path().join("src/app.js"), "").unwrap();
        assert!(entry(dir.path()).unwrap().ends_with("src/app.js"));

        std::fs::write(dir.path().join("package.json"), "{").unwrap();
        let error = entry(dir.path()).unwrap_err().to_string();
        assert!(error.contains("package.json is not JSON"), "{error}");
    }

    #[test]
    fn stale_or_missing_packages_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let problem = check_packages(dir.path()).unwrap_err();
        assert_eq!(problem, "@bytecodealliance/componentize-js 0.23.0 (npm)");
        for (name, version) in PACKAGES {
            let package = dir.path().join(name);
            std::fs::create_dir_all(&package).unwrap();
            std::fs::write(
                package.join("package.json"),
                format!(r#"{{"version": "{version}"}}"#),
            )
            .unwrap();
        }
        assert_eq!(check_packages(dir.path()).unwrap(), dir.path());
        std::fs::write(
            dir.path().join("rolldown/package.json"),
            r#"{"version": "1.0.0"}"#,
        )
        .unwrap();
        assert_eq!(
            check_packages(dir.path()).unwrap_err(),
            "rolldown 1.3.2 (found 1.0.0)"
        );
    }

    #[test]
    fn a_missing_node_says_what_to_install() {
        let error = check_node_at(Path::new("/nonexistent/node")).unwrap_err();
        assert!(
            matches!(&error, BuildError::MissingTool { tool, .. } if tool == "node"),
            "{error}"
        );
        let message = error.to_string();
        assert!(message.contains("install Node.js 20 or later"), "{message}");
        assert!(message.contains("npm "), "{message}");
    }

    #[test]
    fn a_missing_toolchain_says_what_to_install() {
        let empty = tempfile::tempdir().unwrap();
        let error = find_toolchain_in(Some(empty.path().to_path_buf())).unwrap_err();
        let message = error.to_string();
        assert!(matches!(error, BuildError::MissingTool { .. }), "{message}");
        assert!(
            message.contains("@bytecodealliance/componentize-js 0.23.0"),
            "{message}"
        );
        assert!(message.contains(TOOLCHAIN_ENV), "{message}");
        let install = format!(
            "npm install --prefix {} @bytecodealliance/componentize-js@0.23.0 \
             @bytecodealliance/preview2-shim@0.17.9 rolldown@1.3.2",
            empty.path().display()
        );
        assert!(message.ends_with(&install), "{message}");
        // Built from this repository, the install command is npm ci of its sdk/js.
        let install = install_command();
        assert!(install.starts_with("npm ci --prefix /"), "{install}");
        assert!(install.ends_with("sdk/js"), "{install}");
    }

    #[test]
    fn templates_name_the_plugin_and_export_their_world() {
        for (world, export) in [
            (World::Function, "export const handler = defineFunction("),
            (World::Mapper, "export const mapping = defineMapper("),
            (
                World::Authorizer,
                "export const authorization = defineAuthorizer(",
            ),
        ] {
            let files = template("my-plugin", world);
            let index = &files
                .iter()
                .find(|(path, _)| path == Path::new("index.js"))
                .unwrap()
                .1;
            assert!(index.contains("`my-plugin`"), "{index}");
            assert!(!index.contains("{{name}}"), "{index}");
            assert!(index.contains(export), "{index}");
            assert!(index.contains("from 'tollgate-sdk'"), "{index}");
        }
    }
}
