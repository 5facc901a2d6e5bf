//! The `tollgate` command line. `up` and `serve` run a gateway; every other command is a
//! control command that acts on a running gateway through its admin API, or, when no
//! gateway holds the data directory, on the store directly (`target.rs` decides which).

mod access;
mod plugin;
mod print;
mod serve;
mod target;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::control::{Control, DeployRequest};
pub use access::{AccessKeyCommand, ApiKeyCommand, ThrottleSetting, UsagePlanCommand};
pub use plugin::PluginCommand;
use target::Target;

/// Tollgate: a self-hosted API gateway that does what AWS API Gateway does, with WebAssembly
/// plugins.
#[derive(Debug, Parser)]
#[command(name = "tollgate", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Deploy the bundled example (or `--api FILE`) and serve it.
    Up(UpArgs),
    /// Serve every deployed stage in the data directory, with the admin API.
    Serve(ServeArgs),
    /// Import a definition and deploy it to a stage.
    #[command(alias = "import")]
    Deploy(DeployArgs),
    /// An API's deployments.
    #[command(subcommand)]
    Deployments(DeploymentsCommand),
    /// Point a stage back at an earlier deployment (default: the previous one).
    Rollback(RollbackArgs),
    /// Stages: their variables and throttles.
    #[command(subcommand)]
    Stage(StageCommand),
    /// Functions: WebAssembly components behind AWS_PROXY integrations, with versions and
    /// aliases.
    #[command(subcommand)]
    Function(FunctionCommand),
    /// A stage's canary: a second deployment taking a share of its traffic.
    #[command(subcommand)]
    Canary(CanaryCommand),
    /// Plugins of any world (mappers, authorizers, functions), sharing the functions'
    /// versions and aliases.
    #[command(subcommand)]
    Plugin(PluginCommand),
    /// API keys: the values callers send in `x-api-key` (stored hashed).
    #[command(subcommand, name = "apikey")]
    ApiKey(ApiKeyCommand),
    /// Usage plans: per-key throttles and quotas over API stages, and the keys they apply to.
    #[command(subcommand, name = "usageplan")]
    UsagePlan(UsagePlanCommand),
    /// An API key's quota usage in each of its usage plans, this period.
    Usage {
        /// The API key's name.
        key: String,
        #[command(flatten)]
        target: ControlArgs,
    },
    /// SigV4 access keys for AWS_IAM methods: a key id and secret for a principal, with an
    /// IAM policy.
    #[command(subcommand, name = "accesskey")]
    AccessKey(AccessKeyCommand),
}

#[derive(Debug, Args, Clone)]
pub struct DataDirArgs {
    /// Where Tollgate keeps its state (deployments, functions, key-value tables, compiled
    /// components).
    #[arg(long, env = "TOLLGATE_DATA_DIR", default_value = ".tollgate")]
    pub data_dir: PathBuf,
}

/// Where a control command acts.
#[derive(Debug, Args, Clone)]
pub struct ControlArgs {
    /// A running gateway's admin API (sends `TOLLGATE_ADMIN_TOKEN`). Without it: the gateway
    /// holding the data directory, or the data directory itself when none runs.
    #[arg(long, env = "TOLLGATE_ADMIN_URL")]
    pub admin: Option<String>,
    #[command(flatten)]
    pub data: DataDirArgs,
}

#[derive(Debug, Args, Clone)]
pub struct ApiArgs {
    /// The API (default: the only one).
    #[arg(long)]
    pub api_id: Option<String>,
}

#[derive(Debug, Args)]
pub struct ListenArgs {
    /// The data-plane address; port 0 picks a free port (printed as `listening on http://ADDR`).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// The admin API's address, loopback by default; port 0 picks a free port (printed as
    /// `admin on http://ADDR`).
    #[arg(long, default_value = "127.0.0.1:8081")]
    pub admin_listen: SocketAddr,
    /// The region in method ARNs and SigV4 credential scopes.
    #[arg(long, default_value = crate::access::DEFAULT_REGION)]
    pub region: String,
    /// The account-level throttle: steady requests per second over every API.
    #[arg(long, default_value_t = crate::access::throttling::Limit::ACCOUNT_DEFAULT.rate)]
    pub account_rate: f64,
    /// The account-level throttle: burst.
    #[arg(long, default_value_t = crate::access::throttling::Limit::ACCOUNT_DEFAULT.burst)]
    pub account_burst: u32,
}

#[derive(Debug, Args)]
pub struct UpArgs {
    /// Your own OpenAPI definition instead of the bundled example.
    #[arg(long)]
    pub api: Option<PathBuf>,
    /// The stage to deploy to.
    #[arg(long, default_value = "dev")]
    pub stage: String,
    /// A stage variable, `NAME=VALUE` (repeatable).
    #[arg(long = "var", value_parser = parse_stage_variable)]
    pub vars: Vec<(String, String)>,
    /// Publish a function before deploying, `NAME=FILE.wasm` (repeatable).
    #[arg(long = "function", value_parser = parse_function_file)]
    pub functions: Vec<(String, PathBuf)>,
    #[command(flatten)]
    pub api_id: ApiArgs,
    #[command(flatten)]
    pub listen: ListenArgs,
    #[command(flatten)]
    pub data: DataDirArgs,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub listen: ListenArgs,
    #[command(flatten)]
    pub data: DataDirArgs,
}

#[derive(Debug, Args)]
pub struct DeployArgs {
    /// The OpenAPI 3.0 document (YAML or JSON) with x-amazon-apigateway-* extensions.
    pub file: PathBuf,
    /// The stage to deploy to.
    #[arg(long, default_value = "dev")]
    pub stage: String,
    /// A stage variable, `NAME=VALUE` (repeatable); merged over the stage's current ones.
    #[arg(long = "var", value_parser = parse_stage_variable)]
    pub vars: Vec<(String, String)>,
    /// Publish a function before deploying, `NAME=FILE.wasm` (repeatable).
    #[arg(long = "function", value_parser = parse_function_file)]
    pub functions: Vec<(String, PathBuf)>,
    /// A description recorded with the deployment.
    #[arg(long)]
    pub description: Option<String>,
    #[command(flatten)]
    pub api: ApiArgs,
    #[command(flatten)]
    pub target: ControlArgs,
}

#[derive(Debug, Subcommand)]
pub enum DeploymentsCommand {
    /// List deployments, newest first (`*` marks the one the stage serves).
    List {
        /// Only those this stage serves or served.
        #[arg(long)]
        stage: Option<String>,
        #[command(flatten)]
        api: ApiArgs,
        #[command(flatten)]
        target: ControlArgs,
    },
}

#[derive(Debug, Args)]
pub struct RollbackArgs {
    /// The stage.
    pub stage: String,
    /// The deployment to go back to (default: the previous one).
    #[arg(long)]
    pub to: Option<String>,
    #[command(flatten)]
    pub api: ApiArgs,
    #[command(flatten)]
    pub target: ControlArgs,
}

#[derive(Debug, Subcommand)]
pub enum StageCommand {
    /// List an API's stages.
    List {
        #[command(flatten)]
        api: ApiArgs,
        #[command(flatten)]
        target: ControlArgs,
    },
    /// Stage variables.
    #[command(subcommand)]
    Vars(VarsCommand),
    /// Set or clear a stage's throttle, or one method's with --method.
    Throttle {
        /// The API id.
        api: String,
        stage: String,
        /// A method, AWS's `{resourcePath}/{httpMethod}` (`/pets/GET`), or `*/*` for every
        /// method; without it, the stage's default.
        #[arg(long)]
        method: Option<String>,
        #[command(flatten)]
        setting: ThrottleSetting,
        #[command(flatten)]
        target: ControlArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum VarsCommand {
    /// Set stage variables, `NAME=VALUE`...
    Set {
        stage: String,
        #[arg(required = true, value_parser = parse_stage_variable)]
        vars: Vec<(String, String)>,
        #[command(flatten)]
        api: ApiArgs,
        #[command(flatten)]
        target: ControlArgs,
    },
    /// Remove stage variables by name.
    Unset {
        stage: String,
        #[arg(required = true)]
        names: Vec<String>,
        #[command(flatten)]
        api: ApiArgs,
        #[command(flatten)]
        target: ControlArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum FunctionCommand {
    /// Publish a component as the next version of a function (unchanged bytes reuse the
    /// latest version).
    Publish {
        /// The function name (letters, digits, `-`, `_`).
        name: String,
        /// The component (`.wasm`).
        file: PathBuf,
        #[arg(long)]
        description: Option<String>,
        #[command(flatten)]
        target: ControlArgs,
    },
    /// Point an alias at a version; every stage using the alias follows at once.
    Alias {
        name: String,
        alias: String,
        #[arg(long)]
        version: u32,
        #[command(flatten)]
        target: ControlArgs,
    },
    /// List functions, versions and aliases.
    List {
        #[command(flatten)]
        target: ControlArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum CanaryCommand {
    /// Give a stage a canary.
    Create {
        stage: String,
        /// The deployment the canary serves.
        #[arg(long)]
        deployment: String,
        /// The share of requests it takes, 0 to 100.
        #[arg(long)]
        percent: f64,
        /// A stage-variable override for the canary side, `NAME=VALUE` (repeatable).
        #[arg(long = "var", value_parser = parse_stage_variable)]
        vars: Vec<(String, String)>,
        #[command(flatten)]
        api: ApiArgs,
        #[command(flatten)]
        target: ControlArgs,
    },
    /// Change a canary's share or overrides.
    Update {
        stage: String,
        #[arg(long)]
        percent: Option<f64>,
        #[arg(long = "var", value_parser = parse_stage_variable)]
        vars: Vec<(String, String)>,
        #[command(flatten)]
        api: ApiArgs,
        #[command(flatten)]
        target: ControlArgs,
    },
    /// Make the canary the stage's deployment.
    Promote {
        stage: String,
        #[command(flatten)]
        api: ApiArgs,
        #[command(flatten)]
        target: ControlArgs,
    },
    /// Remove the canary.
    Delete {
        stage: String,
        #[command(flatten)]
        api: ApiArgs,
        #[command(flatten)]
        target: ControlArgs,
    },
}

/// AWS's rules for stage variables: names `[A-Za-z0-9_]+`, values of
/// `[A-Za-z0-9-._~:/?#&=,]` at most 512 characters.
fn parse_stage_variable(text: &str) -> Result<(String, String), String> {
    let (name, value) = text
        .split_once('=')
        .ok_or_else(|| format!("expected NAME=VALUE, found {text:?}"))?;
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(format!(
            "stage variable name {name:?}: expected letters, digits and underscores"
        ));
    }
    let allowed = |c: char| c.is_ascii_alphanumeric() || "-._~:/?#&=,".contains(c);
    if value.len() > 512 || !value.chars().all(allowed) {
        return Err(format!(
            "stage variable {name}: value {value:?} must be at most 512 characters of A-Za-z0-9-._~:/?#&=,"
        ));
    }
    Ok((name.to_string(), value.to_string()))
}

fn parse_function_file(text: &str) -> Result<(String, PathBuf), String> {
    let (name, file) = text
        .split_once('=')
        .ok_or_else(|| format!("expected NAME=FILE.wasm, found {text:?}"))?;
    Ok((name.to_string(), PathBuf::from(file)))
}

fn variables(pairs: &[(String, String)]) -> BTreeMap<String, String> {
    pairs.iter().cloned().collect()
}

/// An error the CLI prints before exiting with status 1.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}")]
    Store(#[from] tollgate_store::StoreError),
    #[error("{0}")]
    Runtime(#[from] tollgate_runtime::LoadError),
    #[error("{0}")]
    Control(#[from] crate::control::ControlError),
    #[error("{0}")]
    Admin(#[from] crate::admin::client::AdminCallError),
    #[error("{0}")]
    Stage(#[from] crate::stage::StageBuildError),
    #[error("{context}: {error}")]
    Io {
        context: String,
        error: std::io::Error,
    },
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Toolchain(#[from] tollgate_toolchain::BuildError),
    #[error("{0}")]
    Plugin(#[from] plugin::PluginError),
}

fn read_file(path: &std::path::Path) -> Result<Vec<u8>, CliError> {
    std::fs::read(path).map_err(|error| CliError::Io {
        context: format!("reading {}", path.display()),
        error,
    })
}

fn read_text(path: &std::path::Path) -> Result<String, CliError> {
    std::fs::read_to_string(path).map_err(|error| CliError::Io {
        context: format!("reading {}", path.display()),
        error,
    })
}

/// Publishes `NAME=FILE` functions, then deploys.
async fn deploy(
    target: &Target,
    functions: &[(String, PathBuf)],
    request: DeployRequest,
) -> Result<(), CliError> {
    for (name, file) in functions {
        let wasm = read_file(file)?;
        let version = target.publish(name, wasm, None).await?;
        print::version(&version);
    }
    let source_name = request.source_name.clone();
    let answer = target.deploy(request).await?;
    print::deployed(&source_name, &answer);
    Ok(())
}

/// Runs a command.
pub async fn run(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        Command::Up(args) => serve::up(args).await,
        Command::Serve(args) => serve::serve_data_dir(args).await,
        Command::Deploy(args) => {
            let target = Target::resolve(&args.target)?;
            let definition = read_text(&args.file)?;
            let request = DeployRequest {
                definition,
                source_name: args.file.display().to_string(),
                api_id: args.api.api_id.clone(),
                stage: args.stage.clone(),
                description: args.description.clone(),
                variables: variables(&args.vars),
            };
            deploy(&target, &args.functions, request).await
        }
        Command::Deployments(DeploymentsCommand::List { stage, api, target }) => {
            let target = Target::resolve(&target)?;
            let api_id = target.api_id(api.api_id.as_deref()).await?;
            let list = target.deployments(&api_id, stage.as_deref()).await?;
            let current = match &stage {
                Some(stage) => Some(target.stage(&api_id, stage).await?),
                None => None,
            };
            print::deployments(&list, current.as_ref());
            Ok(())
        }
        Command::Rollback(args) => {
            let target = Target::resolve(&args.target)?;
            let api_id = target.api_id(args.api.api_id.as_deref()).await?;
            let stage = target
                .rollback(&api_id, &args.stage, args.to.as_deref())
                .await?;
            print::stage(&stage);
            Ok(())
        }
        Command::Stage(StageCommand::List { api, target }) => {
            let target = Target::resolve(&target)?;
            let api_id = target.api_id(api.api_id.as_deref()).await?;
            let stages = target.stages(&api_id).await?;
            for stage in stages["items"].as_array().into_iter().flatten() {
                print::stage(stage);
            }
            Ok(())
        }
        Command::Stage(StageCommand::Vars(command)) => {
            let (stage, set, unset, api, target) = match command {
                VarsCommand::Set {
                    stage,
                    vars,
                    api,
                    target,
                } => (stage, variables(&vars), Vec::new(), api, target),
                VarsCommand::Unset {
                    stage,
                    names,
                    api,
                    target,
                } => (stage, BTreeMap::new(), names, api, target),
            };
            let target = Target::resolve(&target)?;
            let api_id = target.api_id(api.api_id.as_deref()).await?;
            let stage = target
                .update_variables(&api_id, &stage, &set, &unset)
                .await?;
            print::stage(&stage);
            Ok(())
        }
        Command::Function(FunctionCommand::Publish {
            name,
            file,
            description,
            target,
        }) => {
            let target = Target::resolve(&target)?;
            let wasm = read_file(&file)?;
            let version = target.publish(&name, wasm, description.as_deref()).await?;
            print::version(&version);
            Ok(())
        }
        Command::Plugin(command) => plugin::run(command).await,
        Command::Function(FunctionCommand::Alias {
            name,
            alias,
            version,
            target,
        }) => {
            let target = Target::resolve(&target)?;
            let alias = target.set_alias(&name, &alias, version).await?;
            print::alias(&alias);
            Ok(())
        }
        Command::Function(FunctionCommand::List { target }) => {
            let target = Target::resolve(&target)?;
            print::functions(&target.functions().await?);
            Ok(())
        }
        Command::Canary(command) => {
            let (stage, api, target_args, operation) = match command {
                CanaryCommand::Create {
                    stage,
                    deployment,
                    percent,
                    vars,
                    api,
                    target,
                } => (
                    stage,
                    api,
                    target,
                    target::CanaryChange::Create {
                        deployment,
                        percent,
                        variables: variables(&vars),
                    },
                ),
                CanaryCommand::Update {
                    stage,
                    percent,
                    vars,
                    api,
                    target,
                } => (
                    stage,
                    api,
                    target,
                    target::CanaryChange::Update {
                        percent,
                        variables: variables(&vars),
                    },
                ),
                CanaryCommand::Promote { stage, api, target } => {
                    (stage, api, target, target::CanaryChange::Promote)
                }
                CanaryCommand::Delete { stage, api, target } => {
                    (stage, api, target, target::CanaryChange::Delete)
                }
            };
            let target = Target::resolve(&target_args)?;
            let api_id = target.api_id(api.api_id.as_deref()).await?;
            let stage = target.canary(&api_id, &stage, operation).await?;
            print::stage(&stage);
            Ok(())
        }
        Command::Stage(StageCommand::Throttle {
            api,
            stage,
            method,
            setting,
            target,
        }) => {
            let target = Target::resolve(&target)?;
            let stage = target
                .set_stage_throttle(&api, &stage, method.as_deref(), setting.throttle())
                .await?;
            print::stage(&stage);
            Ok(())
        }
        Command::ApiKey(command) => access::api_key(command).await,
        Command::UsagePlan(command) => access::usage_plan(command).await,
        Command::Usage { key, target } => {
            let target = Target::resolve(&target)?;
            print::usage(&target.usage(&key).await?);
            Ok(())
        }
        Command::AccessKey(command) => access::access_key(command).await,
    }
}

/// Opens the store and runtime of a data directory for this process.
fn open_local(data_dir: &std::path::Path) -> Result<Control, CliError> {
    let store = tollgate_store::Store::open(data_dir)?;
    let runtime = tollgate_runtime::Runtime::new(tollgate_runtime::RuntimeConfig::new(
        data_dir.join("compiled"),
    ))?;
    Ok(Control::new(store, runtime))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stage_variables_follow_aws_rules() {
        assert_eq!(
            parse_stage_variable("host=127.0.0.1:80").unwrap(),
            ("host".to_string(), "127.0.0.1:80".to_string())
        );
        assert!(parse_stage_variable("no-equals").is_err());
        assert!(parse_stage_variable("bad-name=x").is_err());
        assert!(parse_stage_variable("name=has space").is_err());
    }

    #[test]
    fn the_command_line_parses() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
