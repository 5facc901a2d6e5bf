//! Where a control command acts: a running gateway's admin API, or the data directory's
//! store when no gateway holds it. Both answer the same JSON shapes.

use std::collections::BTreeMap;

use bytes::Bytes;
use http::Method;
use serde_json::{Value, json};
use tollgate_store::{NewUsagePlan, StoreError, Throttle};

use super::{CliError, ControlArgs, open_local};
use crate::admin::client::AdminClient;
use crate::admin::token::{client_token, read_admin_url};
use crate::control::{Control, DeployRequest};

/// A change to a stage's canary.
pub enum CanaryChange {
    Create {
        deployment: String,
        percent: f64,
        variables: BTreeMap<String, String>,
    },
    Update {
        percent: Option<f64>,
        variables: BTreeMap<String, String>,
    },
    Promote,
    Delete,
}

/// A control command's target.
pub enum Target {
    /// This process holds the store.
    Local(Box<Control>),
    /// A running gateway, through its admin API.
    Remote(Box<AdminClient>),
}

fn segment(text: &str) -> String {
    const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~');
    percent_encoding::utf8_percent_encode(text, SEGMENT).to_string()
}

impl Target {
    fn remote(url: &str, data_dir: &std::path::Path) -> Target {
        Target::Remote(Box::new(AdminClient::new(
            url,
            client_token(Some(data_dir)),
        )))
    }

    /// `--admin URL` if given; else the data directory's store, or the gateway holding it.
    pub fn resolve(args: &ControlArgs) -> Result<Target, CliError> {
        let data_dir = &args.data.data_dir;
        if let Some(url) = &args.admin {
            return Ok(Target::remote(url, data_dir));
        }
        match open_local(data_dir) {
            Ok(control) => Ok(Target::Local(Box::new(control))),
            Err(CliError::Store(StoreError::Locked { path })) => {
                let url = read_admin_url(data_dir).ok_or_else(|| {
                    CliError::Usage(format!(
                        "{} is held by a running gateway whose admin address is unknown; pass --admin URL",
                        path.display()
                    ))
                })?;
                Ok(Target::remote(&url, data_dir))
            }
            Err(other) => Err(other),
        }
    }

    /// The API a command is about: the one given, or the only one.
    pub async fn api_id(&self, given: Option<&str>) -> Result<String, CliError> {
        match self {
            Target::Local(control) => Ok(control.resolve_api_id(given)?),
            Target::Remote(client) => {
                if let Some(api) = given {
                    return Ok(api.to_string());
                }
                let apis = client.call(Method::GET, "/v1/apis", None).await?;
                let ids: Vec<String> = apis["items"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|api| api["id"].as_str().map(str::to_string))
                    .collect();
                match ids.as_slice() {
                    [only] => Ok(only.clone()),
                    [] => Err(CliError::Usage("no API is deployed yet".into())),
                    many => Err(CliError::Usage(format!(
                        "several APIs are deployed ({}); name one with --api-id",
                        many.join(", ")
                    ))),
                }
            }
        }
    }

    pub async fn deploy(&self, request: DeployRequest) -> Result<Value, CliError> {
        match self {
            Target::Local(control) => Ok(control.deploy(request)?.body),
            Target::Remote(client) => {
                let body = json!({
                    "definition": request.definition,
                    "sourceName": request.source_name,
                    "apiId": request.api_id,
                    "stage": request.stage,
                    "description": request.description,
                    "variables": request.variables,
                });
                Ok(client
                    .call_json(Method::POST, "/v1/deployments", &body)
                    .await?)
            }
        }
    }

    pub async fn deployments(&self, api_id: &str, stage: Option<&str>) -> Result<Value, CliError> {
        match self {
            Target::Local(control) => Ok(control.deployments(api_id, stage)?),
            Target::Remote(client) => {
                let query = stage
                    .map(|s| format!("?stage={}", segment(s)))
                    .unwrap_or_default();
                let path = format!("/v1/apis/{}/deployments{query}", segment(api_id));
                Ok(client.call(Method::GET, &path, None).await?)
            }
        }
    }

    pub async fn stage(&self, api_id: &str, stage: &str) -> Result<Value, CliError> {
        match self {
            Target::Local(control) => Ok(control.stage(api_id, stage)?),
            Target::Remote(client) => {
                let path = format!("/v1/apis/{}/stages/{}", segment(api_id), segment(stage));
                Ok(client.call(Method::GET, &path, None).await?)
            }
        }
    }

    pub async fn stages(&self, api_id: &str) -> Result<Value, CliError> {
        match self {
            Target::Local(control) => Ok(control.stages(api_id)?),
            Target::Remote(client) => {
                let path = format!("/v1/apis/{}/stages", segment(api_id));
                Ok(client.call(Method::GET, &path, None).await?)
            }
        }
    }

    pub async fn rollback(
        &self,
        api_id: &str,
        stage: &str,
        to: Option<&str>,
    ) -> Result<Value, CliError> {
        match self {
            Target::Local(control) => Ok(control.rollback(api_id, stage, to)?),
            Target::Remote(client) => {
                let path = format!(
                    "/v1/apis/{}/stages/{}/rollback",
                    segment(api_id),
                    segment(stage)
                );
                Ok(client
                    .call_json(Method::POST, &path, &json!({ "deploymentId": to }))
                    .await?)
            }
        }
    }

    pub async fn update_variables(
        &self,
        api_id: &str,
        stage: &str,
        set: &BTreeMap<String, String>,
        unset: &[String],
    ) -> Result<Value, CliError> {
        match self {
            Target::Local(control) => Ok(control.update_variables(api_id, stage, set, unset)?),
            Target::Remote(client) => {
                let path = format!(
                    "/v1/apis/{}/stages/{}/variables",
                    segment(api_id),
                    segment(stage)
                );
                Ok(client
                    .call_json(Method::PATCH, &path, &json!({ "set": set, "unset": unset }))
                    .await?)
            }
        }
    }

    pub async fn canary(
        &self,
        api_id: &str,
        stage: &str,
        change: CanaryChange,
    ) -> Result<Value, CliError> {
        match self {
            Target::Local(control) => Ok(match change {
                CanaryChange::Create {
                    deployment,
                    percent,
                    variables,
                } => control.create_canary(api_id, stage, &deployment, percent, &variables)?,
                CanaryChange::Update { percent, variables } => {
                    control.update_canary(api_id, stage, percent, &variables)?
                }
                CanaryChange::Promote => control.promote_canary(api_id, stage)?,
                CanaryChange::Delete => control.delete_canary(api_id, stage)?,
            }),
            Target::Remote(client) => {
                let base = format!(
                    "/v1/apis/{}/stages/{}/canary",
                    segment(api_id),
                    segment(stage)
                );
                Ok(match change {
                    CanaryChange::Create {
                        deployment,
                        percent,
                        variables,
                    } => {
                        let body = json!({ "deploymentId": deployment, "percent": percent, "variables": variables });
                        client.call_json(Method::PUT, &base, &body).await?
                    }
                    CanaryChange::Update { percent, variables } => {
                        let body = json!({ "percent": percent, "variables": variables });
                        client.call_json(Method::PATCH, &base, &body).await?
                    }
                    CanaryChange::Promote => {
                        client
                            .call(Method::POST, &format!("{base}/promote"), None)
                            .await?
                    }
                    CanaryChange::Delete => client.call(Method::DELETE, &base, None).await?,
                })
            }
        }
    }

    pub async fn publish(
        &self,
        name: &str,
        wasm: Vec<u8>,
        description: Option<&str>,
    ) -> Result<Value, CliError> {
        self.publish_to("functions", name, wasm, description).await
    }

    /// Publishes a component of any world (`tollgate plugin publish`).
    pub async fn publish_plugin(
        &self,
        name: &str,
        wasm: Vec<u8>,
        description: Option<&str>,
    ) -> Result<Value, CliError> {
        self.publish_to("plugins", name, wasm, description).await
    }

    async fn publish_to(
        &self,
        registry: &str,
        name: &str,
        wasm: Vec<u8>,
        description: Option<&str>,
    ) -> Result<Value, CliError> {
        match self {
            Target::Local(control) if registry == "functions" => {
                Ok(control.publish(name, &wasm, description)?.0)
            }
            Target::Local(control) => Ok(control.publish_plugin(name, &wasm, description)?.0),
            Target::Remote(client) => {
                let query = description
                    .map(|d| format!("?description={}", segment(d)))
                    .unwrap_or_default();
                let path = format!("/v1/{registry}/{}/versions{query}", segment(name));
                Ok(client
                    .call(
                        Method::POST,
                        &path,
                        Some((Bytes::from(wasm), "application/wasm")),
                    )
                    .await?)
            }
        }
    }

    pub async fn set_alias(
        &self,
        name: &str,
        alias: &str,
        version: u32,
    ) -> Result<Value, CliError> {
        match self {
            Target::Local(control) => Ok(control.set_alias(name, alias, version)?),
            Target::Remote(client) => {
                let path = format!("/v1/functions/{}/aliases/{}", segment(name), segment(alias));
                Ok(client
                    .call_json(Method::PUT, &path, &json!({ "version": version }))
                    .await?)
            }
        }
    }

    pub async fn functions(&self) -> Result<Value, CliError> {
        match self {
            Target::Local(control) => Ok(control.functions()?),
            Target::Remote(client) => Ok(client.call(Method::GET, "/v1/functions", None).await?),
        }
    }

    pub async fn set_stage_throttle(
        &self,
        api_id: &str,
        stage: &str,
        method: Option<&str>,
        throttle: Option<Throttle>,
    ) -> Result<Value, CliError> {
        match self {
            Target::Local(control) => {
                Ok(control.set_stage_throttle(api_id, stage, method, throttle)?)
            }
            Target::Remote(client) => {
                let path = format!(
                    "/v1/apis/{}/stages/{}/throttle",
                    segment(api_id),
                    segment(stage)
                );
                let body =
                    json!({ "method": method, "throttle": throttle.as_ref().map(throttle_body) });
                Ok(client.call_json(Method::PUT, &path, &body).await?)
            }
        }
    }

    pub async fn create_api_key(&self, name: &str, value: Option<&str>) -> Result<Value, CliError> {
        match self {
            Target::Local(control) => Ok(control.create_api_key(name, value)?),
            Target::Remote(client) => {
                let body = json!({ "name": name, "value": value });
                Ok(client.call_json(Method::POST, "/v1/apikeys", &body).await?)
            }
        }
    }

    pub async fn api_keys(&self) -> Result<Value, CliError> {
        match self {
            Target::Local(control) => Ok(control.api_keys()?),
            Target::Remote(client) => Ok(client.call(Method::GET, "/v1/apikeys", None).await?),
        }
    }

    pub async fn delete_api_key(&self, name: &str) -> Result<Value, CliError> {
        match self {
            Target::Local(control) => Ok(control.delete_api_key(name)?),
            Target::Remote(client) => {
                let path = format!("/v1/apikeys/{}", segment(name));
                Ok(client.call(Method::DELETE, &path, None).await?)
            }
        }
    }

    pub async fn create_usage_plan(&self, plan: NewUsagePlan) -> Result<Value, CliError> {
        match self {
            Target::Local(control) => Ok(control.create_usage_plan(plan)?),
            Target::Remote(client) => {
                let stages: Vec<Value> = plan
                    .api_stages
                    .iter()
                    .map(|(api_id, stage)| json!({ "apiId": api_id, "stage": stage }))
                    .collect();
                let body = json!({
                    "name": plan.name,
                    "apiStages": stages,
                    "throttle": plan.throttle.as_ref().map(throttle_body),
                    "quota": plan.quota,
                });
                Ok(client
                    .call_json(Method::POST, "/v1/usageplans", &body)
                    .await?)
            }
        }
    }

    pub async fn usage_plans(&self) -> Result<Value, CliError> {
        match self {
            Target::Local(control) => Ok(control.usage_plans()?),
            Target::Remote(client) => Ok(client.call(Method::GET, "/v1/usageplans", None).await?),
        }
    }

    pub async fn add_usage_plan_key(&self, plan: &str, key: &str) -> Result<Value, CliError> {
        match self {
            Target::Local(control) => Ok(control.add_usage_plan_key(plan, key)?),
            Target::Remote(client) => {
                let path = format!("/v1/usageplans/{}/keys", segment(plan));
                Ok(client
                    .call_json(Method::POST, &path, &json!({ "keyName": key }))
                    .await?)
            }
        }
    }

    pub async fn set_usage_plan_method_throttle(
        &self,
        plan: &str,
        api_id: &str,
        stage: &str,
        method: &str,
        throttle: Option<Throttle>,
    ) -> Result<Value, CliError> {
        match self {
            Target::Local(control) => Ok(
                control.set_usage_plan_method_throttle(plan, api_id, stage, method, throttle)?
            ),
            Target::Remote(client) => {
                let path = format!("/v1/usageplans/{}/throttles", segment(plan));
                let body = json!({
                    "apiId": api_id,
                    "stage": stage,
                    "method": method,
                    "throttle": throttle.as_ref().map(throttle_body),
                });
                Ok(client.call_json(Method::PUT, &path, &body).await?)
            }
        }
    }

    pub async fn delete_usage_plan(&self, name: &str) -> Result<Value, CliError> {
        match self {
            Target::Local(control) => Ok(control.delete_usage_plan(name)?),
            Target::Remote(client) => {
                let path = format!("/v1/usageplans/{}", segment(name));
                Ok(client.call(Method::DELETE, &path, None).await?)
            }
        }
    }

    pub async fn usage(&self, key: &str) -> Result<Value, CliError> {
        match self {
            Target::Local(control) => Ok(control.usage(key)?),
            Target::Remote(client) => {
                let path = format!("/v1/usage/{}", segment(key));
                Ok(client.call(Method::GET, &path, None).await?)
            }
        }
    }

    pub async fn create_access_key(
        &self,
        principal: &str,
        policy: Value,
        source_name: &str,
    ) -> Result<Value, CliError> {
        match self {
            Target::Local(control) => {
                Ok(control.create_access_key(principal, policy, source_name)?)
            }
            Target::Remote(client) => {
                let body = json!({
                    "principal": principal,
                    "policy": policy,
                    "sourceName": source_name,
                });
                Ok(client
                    .call_json(Method::POST, "/v1/accesskeys", &body)
                    .await?)
            }
        }
    }

    pub async fn access_keys(&self) -> Result<Value, CliError> {
        match self {
            Target::Local(control) => Ok(control.access_keys()?),
            Target::Remote(client) => Ok(client.call(Method::GET, "/v1/accesskeys", None).await?),
        }
    }

    pub async fn delete_access_key(&self, id: &str) -> Result<Value, CliError> {
        match self {
            Target::Local(control) => Ok(control.delete_access_key(id)?),
            Target::Remote(client) => {
                let path = format!("/v1/accesskeys/{}", segment(id));
                Ok(client.call(Method::DELETE, &path, None).await?)
            }
        }
    }
}

/// A throttle as the admin API takes it (AWS's `ThrottleSettings`).
fn throttle_body(throttle: &Throttle) -> Value {
    json!({ "rateLimit": throttle.rate, "burstLimit": throttle.burst })
}
