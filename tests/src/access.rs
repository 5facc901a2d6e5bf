//! Helpers for the access-control tests (authorizers, resource policies): a gateway serving
//! one definition with `tests/components/scripted-authorizer` published as the authorizer
//! plugin [`AUTHORIZER`], and [`AuthorizerCalls`], which counts that authorizer's calls in the
//! gateway's log.
//!
//! Counting works without waiting for "long enough": the gateway logs in JSON, every call of
//! the scripted authorizer writes one `authorizer called token=...` record before the
//! authorizer answers, and [`AuthorizerCalls::take`] ends each count by calling the authorizer
//! once more, through an API of its own, with a fresh marker token. The log is one ordered
//! stream, so once the marker's record has arrived every earlier call's record has too.

use std::time::{Duration, Instant};

use serde_json::Value;

use crate::{Gateway, TempData, components, send};

/// The plugin name `tc-scripted-authorizer` is published under: definitions name it
/// `authorizerUri: "authorizer:authz"`.
pub const AUTHORIZER: &str = "authz";

/// The function name `tc-event-echo` is published under (`uri: "function:echo"`).
pub const EVENT_ECHO: &str = "echo";

/// The function name `tc-raw-echo` is published under (`uri: "function:raw"`).
pub const RAW_ECHO: &str = "raw";

/// The stage of the marker API; unique, so `/{MARKER_STAGE}/mark` reaches it.
const MARKER_STAGE: &str = "authorizer-log-mark";

/// The marker API: one route behind an uncached token authorizer on `x-mark`, a plugin of its
/// own (the same component), so that marker calls never share a cache with the tests'.
const MARKER_API: &str = r#"
openapi: 3.0.1
info: { title: authorizer-log-marker, version: "1" }
paths:
  /mark:
    get:
      security: [ { marker: [] } ]
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: { application/json: '{"statusCode": 200}' }
        responses: { default: { statusCode: "200" } }
components:
  securitySchemes:
    marker:
      type: apiKey
      name: x-mark
      in: header
      x-amazon-apigateway-authtype: custom
      x-amazon-apigateway-authorizer:
        type: token
        authorizerUri: "authorizer:authorizer-log-marker"
        authorizerResultTtlInSeconds: 0
"#;

/// What a marker token starts with; the scripted authorizer answers it 401.
const MARK_PREFIX: &str = "mark-";

/// Starts `tollgate serve` on `data` with its log in JSON, publishes the scripted authorizer
/// as [`AUTHORIZER`], `tc-event-echo` as the function [`EVENT_ECHO`] and `tc-raw-echo` as
/// [`RAW_ECHO`], deploys the marker API, then `definition` to stage `dev` with stage
/// variables `vars` (`NAME=VALUE`). Panics with the CLI's output when a step fails.
pub fn serve_with_authorizer(
    data: &TempData,
    definition: &str,
    vars: &[&str],
) -> (Gateway, AuthorizerCalls) {
    let gateway = Gateway::start_with_env(
        &[
            "serve",
            "--data-dir",
            data.path().to_str().expect("UTF-8 path"),
        ],
        &[
            ("TOLLGATE_LOG", "info,access=off"),
            ("TOLLGATE_LOG_FORMAT", "json"),
        ],
    );
    gateway.cli_ok(&[
        "plugin",
        "publish",
        AUTHORIZER,
        components::SCRIPTED_AUTHORIZER,
    ]);
    gateway.cli_ok(&[
        "plugin",
        "publish",
        "authorizer-log-marker",
        components::SCRIPTED_AUTHORIZER,
    ]);
    gateway.cli_ok(&["function", "publish", EVENT_ECHO, components::EVENT_ECHO]);
    gateway.cli_ok(&["function", "publish", RAW_ECHO, components::RAW_ECHO]);
    deploy_to(&gateway, data, MARKER_API, MARKER_STAGE, &[]);
    deploy_to(&gateway, data, definition, "dev", vars);
    (gateway, AuthorizerCalls::default())
}

/// Deploys `definition` to `stage` of the running `gateway` through the CLI (`tollgate deploy
/// FILE --stage STAGE --var ...`), panicking with its output on failure.
pub fn deploy_to(gateway: &Gateway, data: &TempData, definition: &str, stage: &str, vars: &[&str]) {
    let output = deploy_output(gateway, data, definition, stage, vars);
    crate::expect_success(&output, &format!("deploying to {stage}"));
}

/// Like [`deploy_to`], returning the command's output whatever it is.
pub fn deploy_output(
    gateway: &Gateway,
    data: &TempData,
    definition: &str,
    stage: &str,
    vars: &[&str],
) -> std::process::Output {
    let file = data.write(&format!("{stage}-definition.yaml"), definition);
    let mut args = vec![
        "deploy".to_string(),
        file.display().to_string(),
        "--stage".to_string(),
        stage.to_string(),
    ];
    for var in vars {
        args.push("--var".to_string());
        args.push((*var).to_string());
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    gateway.cli(&args)
}

/// The scripted authorizer's calls, read from the log of a gateway started by
/// [`serve_with_authorizer`].
#[derive(Default)]
pub struct AuthorizerCalls {
    marks: u32,
    /// Every log line read so far, marker calls included.
    lines: Vec<String>,
}

impl AuthorizerCalls {
    /// The calls made since the previous `take` (or since the gateway started), in order,
    /// each as the text after `authorizer called `: `token=allow`, `token=x tenant=acme`.
    /// Marker calls are left out.
    pub async fn take(&mut self, gateway: &Gateway) -> Vec<String> {
        self.marks += 1;
        let mark = format!("{MARK_PREFIX}{}", self.marks);
        let answer = send(
            "GET",
            &gateway.url(&format!("/{MARKER_STAGE}/mark")),
            &[("x-mark", mark.as_str())],
            "",
        )
        .await;
        assert_eq!(
            (answer.status, answer.text().as_str()),
            (401, r#"{"message":"Unauthorized"}"#),
            "the marker request"
        );
        let wanted = format!("token={mark}");
        // A liveness bound for the log reader thread, not a timing assertion.
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut calls = Vec::new();
        loop {
            for line in gateway.stderr().lines() {
                self.lines.push(line.to_string());
                let Some(call) = call_of(line) else {
                    continue;
                };
                if call == wanted {
                    return calls;
                }
                if !call.starts_with(&format!("token={MARK_PREFIX}")) {
                    calls.push(call);
                }
            }
            assert!(
                Instant::now() < deadline,
                "the marker call {mark} never reached the log; read so far:\n{}",
                self.lines.join("\n")
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// How many calls were made since the previous `take`.
    pub async fn count(&mut self, gateway: &Gateway) -> usize {
        self.take(gateway).await.len()
    }

    /// Every line of the gateway's log read so far (JSON records).
    pub fn lines(&self) -> &[String] {
        &self.lines
    }
}

/// `token=...` of a JSON log record the scripted authorizer wrote, if `line` is one.
fn call_of(line: &str) -> Option<String> {
    let record: Value = serde_json::from_str(line).ok()?;
    if record["target"] != "guest" {
        return None;
    }
    let message = record["fields"]["message"].as_str()?;
    message
        .strip_prefix("authorizer called ")
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_are_read_from_guest_records_only() {
        let guest = r#"{"timestamp":"t","level":"INFO","fields":{"message":"authorizer called token=allow tenant=acme","request_id":"r","plugin":"authorizer authz:1","fields":""},"target":"guest"}"#;
        assert_eq!(call_of(guest).as_deref(), Some("token=allow tenant=acme"));
        let host = r#"{"timestamp":"t","level":"INFO","fields":{"message":"authorizer called token=x"},"target":"tollgate"}"#;
        assert_eq!(call_of(host), None);
        assert_eq!(call_of("authorizer called token=plain-text"), None);
    }
}
