//! The admin API of a running gateway, as scripts use it (`docs/admin-api.md`): JSON over
//! HTTP with `Authorization: Bearer TOKEN`.

use bytes::Bytes;
use serde_json::{Value, json};

use crate::client::{Answer, send};
use crate::gateway::Gateway;

impl Gateway {
    /// Sends an admin request with the gateway's token (see [`Gateway::admin_token`]) and
    /// `body` as JSON (none when `None`).
    pub async fn admin(&self, method: &str, path: &str, body: Option<Value>) -> Answer {
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        let token = self.admin_token().map(str::to_string);
        let mut headers = vec![("content-type", "application/json")];
        let authorization = token.map(|t| format!("Bearer {t}"));
        if let Some(authorization) = &authorization {
            headers.push(("authorization", authorization.as_str()));
        }
        send(method, &self.admin_url(path), &headers, body).await
    }

    /// Like [`Gateway::admin`], panicking unless the answer is 2xx; returns its JSON body.
    pub async fn admin_ok(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let answer = self.admin(method, path, body).await;
        assert!(
            (200..300).contains(&answer.status),
            "{method} {path} answered {}: {}",
            answer.status,
            answer.text()
        );
        answer.json()
    }

    /// Publishes the component at `wasm_path` as the next version of function `name`
    /// (`POST /v1/functions/{name}/versions`); returns the version object.
    pub async fn publish(&self, name: &str, wasm_path: &str) -> Value {
        let wasm = std::fs::read(wasm_path).expect("reading a component");
        let answer = self.publish_bytes(name, wasm).await;
        assert!(
            answer.status == 200 || answer.status == 201,
            "publishing {name} from {wasm_path} answered {}: {}",
            answer.status,
            answer.text()
        );
        answer.json()
    }

    /// `POST /v1/functions/{name}/versions` with raw component bytes; the answer as is.
    pub async fn publish_bytes(&self, name: &str, wasm: impl Into<Bytes>) -> Answer {
        self.admin_bytes(
            "POST",
            &format!("/v1/functions/{name}/versions"),
            "application/wasm",
            wasm,
        )
        .await
    }

    /// Sends an admin request with the gateway's token and a raw body of `content_type`.
    pub async fn admin_bytes(
        &self,
        method: &str,
        path: &str,
        content_type: &str,
        body: impl Into<Bytes>,
    ) -> Answer {
        let authorization = self.admin_token().map(|t| format!("Bearer {t}"));
        let mut headers = vec![("content-type", content_type)];
        if let Some(authorization) = &authorization {
            headers.push(("authorization", authorization.as_str()));
        }
        send(method, &self.admin_url(path), &headers, body).await
    }

    /// Points alias `alias` of function `name` at `version`; panics unless it succeeded.
    pub async fn set_alias(&self, name: &str, alias: &str, version: u64) -> Value {
        self.admin_ok(
            "PUT",
            &format!("/v1/functions/{name}/aliases/{alias}"),
            Some(json!({ "version": version })),
        )
        .await
    }

    /// `POST /v1/deployments` of `definition` to `stage` (source name `api.yaml`), with
    /// stage variables when `variables` is given; the answer as is.
    pub async fn deploy_definition(
        &self,
        definition: &str,
        stage: &str,
        variables: Option<&[(&str, &str)]>,
    ) -> Answer {
        let mut body = json!({
            "definition": definition,
            "sourceName": "api.yaml",
            "stage": stage,
        });
        if let Some(variables) = variables {
            body["variables"] = variables
                .iter()
                .map(|(k, v)| (k.to_string(), Value::String(v.to_string())))
                .collect::<serde_json::Map<_, _>>()
                .into();
        }
        self.admin("POST", "/v1/deployments", Some(body)).await
    }

    /// Deploys like [`Gateway::deploy_definition`], panicking unless it succeeded; returns
    /// the id of the deployment the stage serves afterwards (the new one, or the current one
    /// when the answer is `unchanged`).
    pub async fn deploy_ok(
        &self,
        definition: &str,
        stage: &str,
        variables: Option<&[(&str, &str)]>,
    ) -> String {
        let answer = self.deploy_definition(definition, stage, variables).await;
        assert!(
            answer.status == 200 || answer.status == 201,
            "deploying to {stage} answered {}: {}",
            answer.status,
            answer.text()
        );
        let body = answer.json();
        let id = if answer.status == 201 {
            &body["deployment"]["id"]
        } else {
            &body["stage"]["deploymentId"]
        };
        id.as_str()
            .unwrap_or_else(|| panic!("no deployment id in {body}"))
            .to_string()
    }

    /// `GET /v1/apis/{api}/stages/{stage}`, which must exist.
    pub async fn stage(&self, api: &str, stage: &str) -> Value {
        self.admin_ok("GET", &format!("/v1/apis/{api}/stages/{stage}"), None)
            .await
    }

    /// The ids of `GET /v1/apis/{api}/deployments[?stage=S]`, in the order listed.
    pub async fn deployment_ids(&self, api: &str, stage: Option<&str>) -> Vec<String> {
        let path = match stage {
            Some(stage) => format!("/v1/apis/{api}/deployments?stage={stage}"),
            None => format!("/v1/apis/{api}/deployments"),
        };
        let listed = self.admin_ok("GET", &path, None).await;
        listed["items"]
            .as_array()
            .unwrap_or_else(|| panic!("no items in {listed}"))
            .iter()
            .map(|d| d["id"].as_str().expect("deployment id").to_string())
            .collect()
    }

    /// Polls stderr (bounded retries) for the JSON access records (`target: access`) of
    /// every request id in `request_ids`, and returns them by request id. Consumes the
    /// stderr lines it reads.
    pub async fn access_records(
        &self,
        request_ids: &[String],
    ) -> std::collections::HashMap<String, Value> {
        let mut found = std::collections::HashMap::new();
        let mut log = String::new();
        for _ in 0..100 {
            let more = self.stderr();
            for line in more.lines() {
                if let Ok(record) = serde_json::from_str::<Value>(line)
                    && record["target"] == "access"
                    && let Some(id) = record["fields"]["requestId"].as_str()
                {
                    found.insert(id.to_string(), record);
                }
            }
            log.push_str(&more);
            log.push('\n');
            if request_ids.iter().all(|id| found.contains_key(id)) {
                return found;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        let missing: Vec<&String> = request_ids
            .iter()
            .filter(|id| !found.contains_key(*id))
            .collect();
        panic!("no access record for {missing:?} in:\n{log}");
    }
}
