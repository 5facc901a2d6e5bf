//! Tollgate as a peer: the real `tollgate` binary, set up with its own CLI exactly as the
//! README and docs/ say — plugins published, the benchmark API (`bench/config/tollgate-api.yaml`)
//! deployed to the stage `bench`, an API key in a usage plan — into a data directory before
//! `tollgate serve` starts on it (the CLI acts on the store directly when no gateway holds
//! the directory). Publishing compiles each component into the data directory's cache, so
//! every start measured is a start with a warm component cache.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::{Launch, PeerError, PeerKind, RunningPeer, free_port, launch};
use crate::artifacts::Artifacts;
use crate::prerequisites::Programs;

/// The stage every API is deployed to.
pub const STAGE: &str = "bench";
/// The value of the benchmark's API key (`x-api-key`).
pub const API_KEY: &str = "bench-api-key-0123456789abcdef";
/// The bearer token the token authorizer accepts (stage variable `tokens`).
pub const BEARER_TOKEN: &str = "bench-token";

/// Limits far above anything a benchmark reaches: the access-control scenario measures the
/// checks, not a refusal. (The quota is counted and committed to the store all the same.)
const PLAN_RATE: &str = "1000000000";
const PLAN_BURST: &str = "1000000000";
const PLAN_QUOTA: &str = "1000000000000/DAY";

/// The account-level throttle defaults to AWS's 10,000 requests/s, which a proxy on
/// loopback exceeds; raised as an AWS user would have the quota raised.
const ACCOUNT_RATE: &str = "1000000000";
const ACCOUNT_BURST: &str = "1000000000";

/// Variables of the runner's environment that would change what a `tollgate` command does.
const AMBIENT_VARIABLES: &[&str] = &[
    "TOLLGATE_ADMIN_TOKEN",
    "TOLLGATE_ADMIN_URL",
    "TOLLGATE_DATA_DIR",
    "TOLLGATE_LOG",
    "TOLLGATE_LOG_FORMAT",
];

/// A data directory with the benchmark set up in it.
pub struct TollgateData {
    pub dir: tempfile::TempDir,
    binary: PathBuf,
    /// With several APIs a request names its API by host (`{api-id}.execute-api.localhost`).
    ready_host: Option<String>,
}

impl TollgateData {
    /// Publishes the plugins and deploys the benchmark API under each of `api_ids`, all to
    /// the stage `bench` with `upstream` as the stage variable the integrations use.
    pub fn prepare(
        artifacts: &Artifacts,
        definition: &Path,
        upstream: SocketAddr,
        api_ids: &[String],
    ) -> Result<TollgateData, PeerError> {
        let dir = tempfile::Builder::new()
            .prefix("tollgate-bench-data")
            .tempdir()
            .map_err(PeerError::io("creating a data directory"))?;
        let data = TollgateData {
            dir,
            binary: artifacts.tollgate.clone(),
            ready_host: match api_ids {
                [_single] => None,
                [first, ..] => Some(format!("{first}.execute-api.localhost")),
                [] => None,
            },
        };
        let path = |p: &Path| p.display().to_string();
        data.cli(&[
            "plugin",
            "publish",
            "envelope",
            &path(&artifacts.envelope_mapper),
        ])?;
        data.cli(&[
            "function",
            "publish",
            "crud",
            &path(&artifacts.crud_function),
        ])?;
        data.cli(&[
            "plugin",
            "publish",
            "token-authorizer",
            &path(&artifacts.token_authorizer),
        ])?;
        let upstream_var = format!("upstream={upstream}");
        let tokens_var = format!("tokens={BEARER_TOKEN}=bench-user");
        for api_id in api_ids {
            data.cli(&[
                "deploy",
                &path(definition),
                "--api-id",
                api_id,
                "--stage",
                STAGE,
                "--var",
                &upstream_var,
                "--var",
                &tokens_var,
                "--description",
                "benchmark",
            ])?;
        }
        data.cli(&["apikey", "create", "bench", "--value", API_KEY])?;
        let mut plan = vec!["usageplan", "create", "bench"];
        let stages: Vec<String> = api_ids.iter().map(|id| format!("{id}/{STAGE}")).collect();
        for stage in &stages {
            plan.extend(["--api-stage", stage.as_str()]);
        }
        plan.extend([
            "--rate", PLAN_RATE, "--burst", PLAN_BURST, "--quota", PLAN_QUOTA,
        ]);
        data.cli(&plan)?;
        data.cli(&["usageplan", "add-key", "bench", "bench"])?;
        Ok(data)
    }

    /// Runs one control command against the data directory.
    fn cli(&self, args: &[&str]) -> Result<(), PeerError> {
        let mut command = Command::new(&self.binary);
        for name in AMBIENT_VARIABLES {
            command.env_remove(name);
        }
        let output = command
            .args(args)
            .arg("--data-dir")
            .arg(self.dir.path())
            .env("TOLLGATE_LOG", "warn")
            .output()
            .map_err(PeerError::io(format!("running {}", self.binary.display())))?;
        if !output.status.success() {
            return Err(PeerError::Command {
                command: format!("tollgate {}", args.join(" ")),
                status: output.status.to_string(),
                output: format!(
                    "{}{}",
                    String::from_utf8_lossy(&output.stdout),
                    String::from_utf8_lossy(&output.stderr)
                ),
            });
        }
        Ok(())
    }

    /// Starts `tollgate serve` on this data directory. Access logging is off (`warn`), as
    /// the other peers' access logs are.
    pub fn start(&self, programs: &Programs, cpus: &str) -> Result<RunningPeer, PeerError> {
        let port = free_port()?;
        let address = SocketAddr::from(([127, 0, 0, 1], port));
        let admin_port = free_port()?;
        let args = vec![
            "serve".to_owned(),
            "--listen".to_owned(),
            address.to_string(),
            "--admin-listen".to_owned(),
            format!("127.0.0.1:{admin_port}"),
            "--data-dir".to_owned(),
            self.dir.path().display().to_string(),
            "--account-rate".to_owned(),
            ACCOUNT_RATE.to_owned(),
            "--account-burst".to_owned(),
            ACCOUNT_BURST.to_owned(),
        ];
        let env = vec![("TOLLGATE_LOG".to_owned(), "warn".to_owned())];
        launch(Launch {
            kind: PeerKind::Tollgate,
            taskset: &programs.taskset,
            cpus,
            program: &self.binary,
            args,
            env,
            env_remove: AMBIENT_VARIABLES,
            log_file: self.dir.path().join("serve.log"),
            address,
            ready_host: self.ready_host.clone(),
            run_dir: None,
            with_children: false,
        })
    }
}
