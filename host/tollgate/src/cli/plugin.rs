//! `tollgate plugin`: publishing a component, and a plugin developer's loop in any language —
//! `new` scaffolds a plugin directory, `build` makes its component (`tollgate-toolchain`) and
//! checks it implements the manifest's world by loading it in the real runtime, and `test`
//! runs it once in that runtime, with no gateway, and prints its answer.

mod events;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::{Args, Subcommand};
use serde_json::{Value, json};
use tollgate_runtime::{
    CallError, Invocation, KeyValueGrant, Plugin, PluginKind, Runtime, RuntimeConfig,
};
use tollgate_toolchain::{BuildOptions, Language, Project, World};

use super::{CliError, ControlArgs, print, read_file, target::Target};
use events::{EventError, MapperCall};

#[derive(Debug, Subcommand)]
pub enum PluginCommand {
    /// Publish a component of any world as the next version of a plugin.
    Publish {
        name: String,
        file: PathBuf,
        #[arg(long)]
        description: Option<String>,
        #[command(flatten)]
        target: ControlArgs,
    },
    /// Create ./NAME: a new plugin in a language, for a world, with a sample event.
    New {
        /// The plugin's name (letters, digits, `-`, `_`); also the directory created.
        name: String,
        /// rust, python, js or c.
        #[arg(long)]
        lang: Language,
        /// function, mapper or authorizer.
        #[arg(long)]
        world: World,
    },
    /// Build a plugin directory into a component, and check that it implements its world.
    Build {
        /// The plugin directory (with tollgate.toml).
        #[arg(default_value = ".")]
        dir: PathBuf,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Run a plugin once in the real runtime, without a gateway, and print its answer
    /// (building it first when its sources changed).
    Test {
        /// The plugin directory (with tollgate.toml).
        dir: PathBuf,
        /// The event: a Lambda-proxy event (function), {"request"|"response": ...}
        /// (mapper) or a Lambda authorizer event (authorizer); see docs/plugins.md.
        #[arg(long)]
        event: PathBuf,
        /// A stage variable, `NAME=VALUE` (repeatable), over the event's `stageVariables`.
        #[arg(long = "var", value_parser = super::parse_stage_variable)]
        vars: Vec<(String, String)>,
        /// Keep the plugin's key-value table in this directory (a data directory), so that
        /// several runs share it; default: a temporary one, removed afterwards.
        #[arg(long)]
        state: Option<PathBuf>,
        #[command(flatten)]
        output: OutputArgs,
    },
}

#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Where the component is written (default: DIR/build).
    #[arg(long)]
    out_dir: Option<PathBuf>,
    /// Scratch space kept between builds: generated bindings, the SDK, cargo's target
    /// directory, compiled components (default: DIR/build/work).
    #[arg(long)]
    work_dir: Option<PathBuf>,
}

impl OutputArgs {
    fn options(&self, project: &Project) -> BuildOptions {
        let defaults = BuildOptions::in_project(&project.dir);
        BuildOptions {
            out_dir: self.out_dir.clone().unwrap_or(defaults.out_dir),
            work_dir: self.work_dir.clone().unwrap_or(defaults.work_dir),
        }
    }
}

/// What `plugin build` and `plugin test` find wrong with a plugin, beyond building it.
#[derive(Debug, thiserror::Error)]
pub enum PluginError {
    #[error(
        "{path} implements the {built} world, but {manifest} says world = \"{declared}\"; \
         fix one of them"
    )]
    WorldMismatch {
        path: PathBuf,
        manifest: PathBuf,
        built: &'static str,
        declared: World,
    },
    #[error("{file}: {error}")]
    Event { file: PathBuf, error: EventError },
    #[error("{file}: not JSON: {error}")]
    EventJson {
        file: PathBuf,
        error: serde_json::Error,
    },
    /// The guest could not answer: a trap (with the guest's backtrace; a Rust panic's
    /// message is in the log records above it), a timeout, memory exhaustion.
    #[error("the plugin failed: {0}")]
    Call(#[from] CallError),
    #[error(
        "the function answered something that is not a Lambda-proxy response (the gateway \
         answers 502): {reason}\nits answer: {answer}"
    )]
    MalformedResponse { reason: String, answer: String },
}

/// Runs a `tollgate plugin` command.
pub async fn run(command: PluginCommand) -> Result<(), CliError> {
    match command {
        PluginCommand::Publish {
            name,
            file,
            description,
            target,
        } => {
            let target = Target::resolve(&target)?;
            let wasm = read_file(&file)?;
            let version = target
                .publish_plugin(&name, wasm, description.as_deref())
                .await?;
            print::version(&version);
            Ok(())
        }
        PluginCommand::New { name, lang, world } => {
            let dir = PathBuf::from(&name);
            tollgate_toolchain::scaffold(&dir, &name, lang, world)?;
            println!(
                "created {} ({} {world}): build it with `tollgate plugin build {name}`, run it with \
                 `tollgate plugin test {name} --event {name}/{}`",
                dir.display(),
                lang.describe(),
                tollgate_toolchain::SAMPLE_EVENT
            );
            Ok(())
        }
        PluginCommand::Build { dir, output } => {
            let project = Project::load(&dir)?;
            let options = output.options(&project);
            let built = build(&project, &options).await?;
            let size = std::fs::metadata(&built.path)
                .map_err(|error| CliError::Io {
                    context: format!("reading {}", built.path.display()),
                    error,
                })?
                .len();
            println!(
                "built {} ({} {}): {}, {} in {:.1} s",
                project.name,
                project.language.describe(),
                project.world,
                built.path.display(),
                human_size(size),
                built.elapsed.as_secs_f64()
            );
            Ok(())
        }
        PluginCommand::Test {
            dir,
            event,
            vars,
            state,
            output,
        } => {
            let project = Project::load(&dir)?;
            // The event is checked before building: a typo there should not cost a build.
            let text = super::read_text(&event)?;
            let prepared = serde_json::from_str(&text)
                .map_err(|error| PluginError::EventJson {
                    file: event.clone(),
                    error,
                })
                .and_then(|json| {
                    prepare(project.world, json, &vars).map_err(|error| PluginError::Event {
                        file: event.clone(),
                        error,
                    })
                })?;
            let options = output.options(&project);
            let plugin = if tollgate_toolchain::is_up_to_date(&project, &options) {
                let path = tollgate_toolchain::output_path(&project, &options);
                load_checked(&project, &options, &path)?
            } else {
                eprintln!("building {}", project.dir.display());
                build(&project, &options).await?.plugin
            };
            let state = match state {
                Some(dir) => State::Kept(dir),
                None => State::Temporary(tempfile::tempdir().map_err(|error| CliError::Io {
                    context: "creating a temporary data directory".into(),
                    error,
                })?),
            };
            let answer = call(&project, &plugin, prepared, state.path()).await?;
            println!(
                "{}",
                serde_json::to_string_pretty(&answer.printed).unwrap_or_default()
            );
            eprintln!("{}", answer.outcome);
            Ok(())
        }
    }
}

fn human_size(bytes: u64) -> String {
    match bytes {
        0..1_000 => format!("{bytes} B"),
        1_000..1_000_000 => format!("{:.1} kB", bytes as f64 / 1e3),
        _ => format!("{:.1} MB", bytes as f64 / 1e6),
    }
}

struct Built {
    path: PathBuf,
    elapsed: Duration,
    plugin: Arc<Plugin>,
}

/// Builds the component (on the blocking pool: a build takes seconds to minutes), then
/// loads and checks it.
async fn build(project: &Project, options: &BuildOptions) -> Result<Built, CliError> {
    let started = Instant::now();
    let path = {
        let (project, options) = (project.clone(), options.clone());
        tokio::task::spawn_blocking(move || tollgate_toolchain::build(&project, &options))
            .await
            .map_err(|error| CliError::Usage(format!("the build did not finish: {error}")))??
    };
    let elapsed = started.elapsed();
    let plugin = load_checked(project, options, &path)?;
    Ok(Built {
        path,
        elapsed,
        plugin,
    })
}

/// Loads the component at `path` in the gateway's runtime (compiled components cached in the
/// work directory, so `plugin test` after `plugin build` compiles nothing) and checks that
/// its world is the manifest's.
fn load_checked(
    project: &Project,
    options: &BuildOptions,
    path: &Path,
) -> Result<Arc<Plugin>, CliError> {
    let wasm = read_file(path)?;
    let runtime = Runtime::new(RuntimeConfig::new(options.work_dir.join("compiled")))?;
    let hash = tollgate_store::ContentHash::of(&wasm);
    let plugin = runtime.load(hash.as_str(), move || Ok(wasm))?;
    let expected = match project.world {
        World::Function => PluginKind::Function,
        World::Mapper => PluginKind::Mapper,
        World::Authorizer => PluginKind::Authorizer,
    };
    if plugin.kind() != expected {
        return Err(PluginError::WorldMismatch {
            path: path.to_path_buf(),
            manifest: project.dir.join(tollgate_toolchain::MANIFEST),
            built: plugin.kind().describe(),
            declared: project.world,
        }
        .into());
    }
    Ok(plugin)
}

/// Where the plugin's key-value table lives during `plugin test`.
enum State {
    Kept(PathBuf),
    /// Removed when dropped, after the run.
    Temporary(tempfile::TempDir),
}

impl State {
    fn path(&self) -> &Path {
        match self {
            State::Kept(path) => path,
            State::Temporary(dir) => dir.path(),
        }
    }
}

/// What one run printed (stdout) and what the gateway would do with it (stderr).
struct Answer {
    printed: Value,
    outcome: String,
}

/// The gateway's integration timeout by default: a test run gets what a request gets.
const CALL_TIMEOUT: Duration = Duration::from_secs(29);

/// An event, parsed for the plugin's world.
enum Prepared {
    Function {
        event: String,
        stage_variables: BTreeMap<String, String>,
    },
    Mapper(events::MapperEvent),
    Authorizer(events::AuthorizerEvent),
}

fn prepare(world: World, event: Value, vars: &[(String, String)]) -> Result<Prepared, EventError> {
    Ok(match world {
        World::Function => {
            let (event, stage_variables) = events::function_event(event, vars)?;
            Prepared::Function {
                event,
                stage_variables,
            }
        }
        World::Mapper => Prepared::Mapper(events::mapper_event(&event, vars)?),
        World::Authorizer => Prepared::Authorizer(events::authorizer_event(&event, vars)?),
    })
}

async fn call(
    project: &Project,
    plugin: &Plugin,
    prepared: Prepared,
    state: &Path,
) -> Result<Answer, CliError> {
    let invocation = |stage_variables: BTreeMap<String, String>,
                      config: BTreeMap<String, String>,
                      key_value: Option<KeyValueGrant>| Invocation {
        request_id: "plugin-test".into(),
        plugin: format!("{} {}", project.world, project.name),
        stage_variables: Arc::new(stage_variables),
        key_value,
        config: Arc::new(config),
        timeout: CALL_TIMEOUT,
    };
    // The namespace the gateway grants the plugin of this name (`stage.rs`).
    let key_value = |world: &str| -> Result<KeyValueGrant, CliError> {
        let store = tollgate_store::Store::open(state)?;
        Ok(KeyValueGrant {
            store: Arc::new(store),
            namespace: format!("{world}/{}", project.name),
        })
    };
    match prepared {
        Prepared::Function {
            event,
            stage_variables,
        } => {
            let grant = key_value("function")?;
            let answer = plugin
                .handle_event(
                    invocation(stage_variables, BTreeMap::new(), Some(grant)),
                    &event,
                )
                .await
                .map_err(PluginError::from)?;
            match answer {
                Ok(response) => {
                    let status = crate::integration::lambda_proxy::parse_response(&response)
                        .map_err(|malformed| PluginError::MalformedResponse {
                            reason: malformed.0,
                            answer: response.clone(),
                        })?
                        .status;
                    // parse_response accepted it, so it is a JSON object.
                    let printed =
                        serde_json::from_str(&response).unwrap_or(Value::String(response));
                    Ok(Answer {
                        printed,
                        outcome: format!("the gateway answers {status}"),
                    })
                }
                Err(message) => Ok(Answer {
                    printed: json!({ "error": message }),
                    outcome: "a function error: behind AWS_PROXY the gateway answers 502; an AWS \
                              integration matches it against its selectionPatterns"
                        .into(),
                }),
            }
        }
        Prepared::Mapper(parsed) => {
            let invocation = invocation(parsed.stage_variables, parsed.config, None);
            let printed = match parsed.call {
                MapperCall::Request(request) => plugin
                    .map_request(invocation, request, parsed.context)
                    .await
                    .map_err(PluginError::from)?
                    .map(|mapped| events::mapped_request_json(&mapped)),
                MapperCall::Response(response) => plugin
                    .map_response(invocation, response, parsed.context)
                    .await
                    .map_err(PluginError::from)?
                    .map(|mapped| events::mapped_response_json(&mapped)),
            };
            Ok(match printed {
                Ok(printed) => Answer {
                    printed,
                    outcome: "mapped".into(),
                },
                Err(message) => Answer {
                    printed: json!({ "error": message }),
                    outcome: "the mapper refused: the gateway answers 500".into(),
                },
            })
        }
        Prepared::Authorizer(parsed) => {
            let grant = key_value("authorizer")?;
            let answer = plugin
                .authorize(
                    invocation(parsed.stage_variables, BTreeMap::new(), Some(grant)),
                    parsed.request,
                )
                .await
                .map_err(PluginError::from)?;
            Ok(match answer {
                Ok(response) => Answer {
                    printed: events::authorizer_response_json(&response),
                    outcome: "the gateway evaluates this policy for the method (403 when it \
                              does not allow it)"
                        .into(),
                },
                Err(message) => Answer {
                    outcome: if message == "Unauthorized" {
                        "unauthorized: the gateway answers 401".into()
                    } else {
                        "an authorizer error: the gateway answers 500".into()
                    },
                    printed: json!({ "error": message }),
                },
            })
        }
    }
}
