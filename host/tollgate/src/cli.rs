//! The `tollgate` command line: `up` (the bundled example or your own definition), `serve`,
//! `import`, and `function publish|list`. Commands that change state work on the data
//! directory's store directly (the admin API comes with stage management).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::{Args, Parser, Subcommand};
use tollgate_runtime::{Runtime, RuntimeConfig};
use tollgate_store::Store;

use crate::deploy::{self, DeployRequest};
use crate::gateway::Gateway;

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
    /// Serve every deployed stage in the data directory.
    Serve(ServeArgs),
    /// Import an OpenAPI definition and deploy it to a stage (offline, on the data directory).
    Import(ImportArgs),
    /// Functions: WebAssembly components behind AWS_PROXY integrations.
    #[command(subcommand)]
    Function(FunctionCommand),
}

#[derive(Debug, Args)]
pub struct DataDirArgs {
    /// Where Tollgate keeps its state (deployments, functions, key-value tables, compiled
    /// components).
    #[arg(long, env = "TOLLGATE_DATA_DIR", default_value = ".tollgate")]
    pub data_dir: PathBuf,
}

#[derive(Debug, Args)]
pub struct ListenArgs {
    /// The data-plane address; port 0 picks a free port (printed as `listening on http://ADDR`).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
}

#[derive(Debug, Args)]
pub struct DefinitionArgs {
    /// The stage to deploy to.
    #[arg(long, default_value = "dev")]
    pub stage: String,
    /// A stage variable, `NAME=VALUE` (repeatable).
    #[arg(long = "var", value_parser = parse_stage_variable)]
    pub vars: Vec<(String, String)>,
    /// Publish a function before deploying, `NAME=FILE.wasm` (repeatable).
    #[arg(long = "function", value_parser = parse_function_file)]
    pub functions: Vec<(String, PathBuf)>,
    /// The API id (default: derived from `info.title`).
    #[arg(long)]
    pub api_id: Option<String>,
}

#[derive(Debug, Args)]
pub struct UpArgs {
    /// Your own OpenAPI definition instead of the bundled example.
    #[arg(long)]
    pub api: Option<PathBuf>,
    #[command(flatten)]
    pub definition: DefinitionArgs,
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
pub struct ImportArgs {
    /// The OpenAPI 3.0 document (YAML or JSON) with x-amazon-apigateway-* extensions.
    pub file: PathBuf,
    #[command(flatten)]
    pub definition: DefinitionArgs,
    /// A description recorded with the deployment.
    #[arg(long)]
    pub description: Option<String>,
    #[command(flatten)]
    pub data: DataDirArgs,
}

#[derive(Debug, Subcommand)]
pub enum FunctionCommand {
    /// Publish a component as the next version of a function.
    Publish {
        /// The function name (letters, digits, `-`, `_`).
        name: String,
        /// The component (`.wasm`).
        file: PathBuf,
        #[command(flatten)]
        data: DataDirArgs,
    },
    /// List functions and their versions.
    List {
        #[command(flatten)]
        data: DataDirArgs,
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

/// An error the CLI prints before exiting with status 1.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}")]
    Store(#[from] tollgate_store::StoreError),
    #[error("{0}")]
    Runtime(#[from] tollgate_runtime::LoadError),
    #[error("{0}")]
    Deploy(Box<deploy::DeployError>),
    #[error("{0}")]
    Stage(#[from] crate::stage::StageBuildError),
    #[error("{context}: {error}")]
    Io {
        context: String,
        error: std::io::Error,
    },
}

impl From<deploy::DeployError> for CliError {
    fn from(error: deploy::DeployError) -> Self {
        CliError::Deploy(Box::new(error))
    }
}

fn open(data_dir: &Path) -> Result<(Store, Runtime), CliError> {
    let store = Store::open(data_dir)?;
    let runtime = Runtime::new(RuntimeConfig::new(data_dir.join("compiled")))?;
    Ok((store, runtime))
}

fn deploy_definition(
    store: &Store,
    runtime: &Runtime,
    text: &str,
    source_name: &str,
    args: &DefinitionArgs,
    description: Option<&str>,
) -> Result<(), CliError> {
    for (name, file) in &args.functions {
        let version = deploy::publish_function(store, runtime, name, file)?;
        println!(
            "function {name} version {} ({})",
            version.version,
            version.hash.as_str()
        );
    }
    let variables: BTreeMap<String, String> = args.vars.iter().cloned().collect();
    let outcome = deploy::deploy(
        store,
        runtime,
        DeployRequest {
            text,
            source_name,
            api_id: args.api_id.as_deref(),
            stage: &args.stage,
            variables,
            description,
        },
    )?;
    match outcome {
        Some(deployment) => println!(
            "deployed {} to stage {} of API {} as deployment {}",
            source_name, args.stage, deployment.api_id, deployment.id
        ),
        None => println!("stage {} already serves {source_name}", args.stage),
    }
    Ok(())
}

fn read_definition(path: &Path) -> Result<String, CliError> {
    std::fs::read_to_string(path).map_err(|error| CliError::Io {
        context: format!("reading {}", path.display()),
        error,
    })
}

/// Runs a command.
pub async fn run(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        Command::Up(args) => {
            let (store, runtime) = open(&args.data.data_dir)?;
            match &args.api {
                Some(path) => {
                    let text = read_definition(path)?;
                    deploy_definition(
                        &store,
                        &runtime,
                        &text,
                        &path.display().to_string(),
                        &args.definition,
                        None,
                    )?;
                }
                None => {
                    let version = deploy::publish_function_bytes(
                        &store,
                        &runtime,
                        crate::bundled::CRUD_FUNCTION,
                        crate::bundled::CRUD_WASM,
                    )?;
                    println!(
                        "function {} version {} (bundled)",
                        crate::bundled::CRUD_FUNCTION,
                        version.version
                    );
                    deploy_definition(
                        &store,
                        &runtime,
                        crate::bundled::CRUD_DEFINITION,
                        "bundled example items.yaml",
                        &args.definition,
                        None,
                    )?;
                }
            }
            serve(store, runtime, args.listen.listen).await
        }
        Command::Serve(args) => {
            let (store, runtime) = open(&args.data.data_dir)?;
            serve(store, runtime, args.listen.listen).await
        }
        Command::Import(args) => {
            let (store, runtime) = open(&args.data.data_dir)?;
            let text = read_definition(&args.file)?;
            deploy_definition(
                &store,
                &runtime,
                &text,
                &args.file.display().to_string(),
                &args.definition,
                args.description.as_deref(),
            )
        }
        Command::Function(FunctionCommand::Publish { name, file, data }) => {
            let (store, runtime) = open(&data.data_dir)?;
            let version = deploy::publish_function(&store, &runtime, &name, &file)?;
            println!(
                "function {name} version {} ({})",
                version.version,
                version.hash.as_str()
            );
            Ok(())
        }
        Command::Function(FunctionCommand::List { data }) => {
            let store = Store::open(&data.data_dir)?;
            for name in store.functions()? {
                for version in store.function_versions(&name)? {
                    println!("{name}:{}\t{}", version.version, version.hash.as_str());
                }
            }
            Ok(())
        }
    }
}

async fn serve(store: Store, runtime: Runtime, listen: SocketAddr) -> Result<(), CliError> {
    let (gateway, errors) = Gateway::load(store, runtime)?;
    for error in &errors {
        tracing::error!(%error, "stage not served");
    }
    let served = gateway.deployed().stage_count();
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|error| CliError::Io {
            context: format!("binding {listen}"),
            error,
        })?;
    let address = listener.local_addr().map_err(|error| CliError::Io {
        context: "reading the bound address".into(),
        error,
    })?;
    tracing::info!(%address, stages = served, "serving");
    // Scripts and tests read this line to find the port.
    println!("listening on http://{address}");
    crate::listener::serve(listener, Arc::new(gateway), shutdown_signal())
        .await
        .map_err(|error| CliError::Io {
            context: "serving".into(),
            error,
        })
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
    tracing::info!("shutting down: finishing open requests");
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
}
