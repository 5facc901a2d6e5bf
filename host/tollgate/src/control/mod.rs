//! The control plane's operations — deploy, rollback, stage variables, canary, functions and
//! aliases, API keys and usage plans, throttles, access keys — shared by the admin API (a running gateway) and the CLI working offline on a
//! data directory. Each operation checks that what it is about to make current can be
//! served (definitions import, functions resolve and load) *before* it writes, so a refused
//! change leaves every stage as it was.
//!
//! Answers are JSON values in the admin API's shapes (`views.rs`), so the CLI prints the
//! same thing whether it acted locally or through a gateway.

mod access_keys;
mod usage_plans;
pub mod views;

use std::collections::BTreeMap;
use std::sync::Mutex;

use serde_json::Value;
use tollgate_runtime::Runtime;
use tollgate_store::{Canary, NewDeployment, Stage, Store, StoreError};

use crate::stage::{PipelineSource, StageBuildError, StagePipeline};

/// Why a control operation was refused, by the HTTP status the admin API answers with.
#[derive(Debug, thiserror::Error)]
pub enum ControlError {
    /// The input is wrong (400): a definition that does not import, an unservable change.
    #[error("{0}")]
    BadRequest(String),
    /// Something named does not exist (404).
    #[error("{0}")]
    NotFound(String),
    /// The change conflicts with the current state (409).
    #[error("{0}")]
    Conflict(String),
    /// The store or runtime failed (500).
    #[error("{0}")]
    Internal(String),
}

impl From<StoreError> for ControlError {
    fn from(error: StoreError) -> Self {
        match &error {
            StoreError::NotFound { .. } => ControlError::NotFound(error.to_string()),
            StoreError::InvalidName { .. }
            | StoreError::TooLarge { .. }
            | StoreError::Invalid { .. } => ControlError::BadRequest(error.to_string()),
            StoreError::Conflict { .. } => ControlError::Conflict(error.to_string()),
            _ => ControlError::Internal(error.to_string()),
        }
    }
}

impl From<StageBuildError> for ControlError {
    fn from(error: StageBuildError) -> Self {
        match error {
            StageBuildError::Store(store) => store.into(),
            missing @ StageBuildError::MissingDeployment { .. } => {
                ControlError::NotFound(missing.to_string())
            }
            other => ControlError::BadRequest(other.to_string()),
        }
    }
}

/// A deployment request.
#[derive(Debug, Clone)]
pub struct DeployRequest {
    /// The definition text (OpenAPI YAML or JSON).
    pub definition: String,
    /// The file name errors name.
    pub source_name: String,
    /// The API id; derived from `info.title` when absent.
    pub api_id: Option<String>,
    pub stage: String,
    pub description: Option<String>,
    /// Stage variables to set on the stage (merged over its current ones).
    pub variables: BTreeMap<String, String>,
}

/// The control plane over one store and runtime.
pub struct Control {
    store: Store,
    runtime: Runtime,
    /// Control operations read, check and write; one at a time keeps that consistent.
    serial: Mutex<()>,
}

/// What a deploy did.
pub struct Deployed {
    /// `false` when the stage already served exactly this (nothing was written).
    pub created: bool,
    pub body: Value,
}

/// An API id from a title, as lower-case letters, digits and dashes.
pub fn api_id_from_title(title: &str) -> String {
    let mut id = String::new();
    for c in title.chars() {
        if c.is_ascii_alphanumeric() {
            id.push(c.to_ascii_lowercase());
        } else if !id.ends_with('-') {
            id.push('-');
        }
    }
    let id = id.trim_matches('-');
    if id.is_empty() {
        "api".to_string()
    } else {
        id.chars().take(64).collect()
    }
}

fn check_percent(percent: f64) -> Result<f64, ControlError> {
    if (0.0..=100.0).contains(&percent) {
        Ok(percent)
    } else {
        Err(ControlError::BadRequest(format!(
            "canary percent must be between 0 and 100, found {percent}"
        )))
    }
}

impl Control {
    pub fn new(store: Store, runtime: Runtime) -> Control {
        Control {
            store,
            runtime,
            serial: Mutex::new(()),
        }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn runtime(&self) -> &Runtime {
        &self.runtime
    }

    fn serial(&self) -> std::sync::MutexGuard<'_, ()> {
        // A panic in another operation leaves nothing half-done in the store (every write is
        // one transaction), so a poisoned lock is safe to take.
        self.serial
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The API an operation is about: the one given, or the only one in the store.
    pub fn resolve_api_id(&self, given: Option<&str>) -> Result<String, ControlError> {
        if let Some(api) = given {
            return Ok(api.to_string());
        }
        let apis = self.store.apis()?;
        match apis.as_slice() {
            [only] => Ok(only.clone()),
            [] => Err(ControlError::NotFound("no API is deployed yet".into())),
            many => Err(ControlError::BadRequest(format!(
                "several APIs are deployed ({}); name one with --api-id",
                many.join(", ")
            ))),
        }
    }

    fn stage_or_not_found(&self, api_id: &str, stage: &str) -> Result<Stage, ControlError> {
        self.store.stage(api_id, stage)?.ok_or_else(|| {
            ControlError::NotFound(format!("stage {stage} of API {api_id} does not exist"))
        })
    }

    /// Builds the pipelines `stage` would serve (its own and its canary's), proving that
    /// every function resolves and loads.
    fn check_servable(&self, api_id: &str, stage: &Stage) -> Result<(), ControlError> {
        StagePipeline::build(&self.store, &self.runtime, api_id, stage)?;
        if let Some(canary) = &stage.canary {
            StagePipeline::build_canary(&self.store, &self.runtime, api_id, stage, canary)?;
        }
        Ok(())
    }

    /// Imports a definition and deploys it to a stage.
    pub fn deploy(&self, request: DeployRequest) -> Result<Deployed, ControlError> {
        let _serial = self.serial();
        let definition = tollgate_definition::import_str(&request.definition, &request.source_name)
            .map_err(|e| ControlError::BadRequest(e.to_string()))?;
        let api_id = request
            .api_id
            .clone()
            .unwrap_or_else(|| api_id_from_title(&definition.title));
        let document = definition.document.clone();
        let current = self.store.stage(&api_id, &request.stage)?;
        let mut variables = current
            .as_ref()
            .map(|stage| stage.variables.clone())
            .unwrap_or_default();
        variables.extend(request.variables.clone());

        // Build the stage as it would be served: every function must resolve and load.
        let no_pins = BTreeMap::new();
        let pipeline = StagePipeline::from_definition(
            &self.store,
            &self.runtime,
            PipelineSource {
                api_id: &api_id,
                stage_name: &request.stage,
                deployment_id: "(new)",
                variables: &variables,
                pins: &no_pins,
            },
            definition,
        )
        .map_err(|error| ControlError::BadRequest(format!("{}: {error}", request.source_name)))?;
        if let Some(canary) = current.as_ref().and_then(|stage| stage.canary.as_ref()) {
            // The stage's canary keeps running on the new variables: it must stay servable.
            let mut next = current
                .clone()
                .unwrap_or_else(|| Stage::new(&request.stage, ""));
            next.variables = variables.clone();
            StagePipeline::build_canary(&self.store, &self.runtime, &api_id, &next, canary)?;
        }
        let component_hashes = pipeline.component_hashes();

        // Redeploying what the stage already serves (same document, same variables, same
        // components) writes nothing.
        if let Some(current) = &current
            && current.variables == variables
            && let Some(deployment) = self.store.deployment(&current.deployment_id)?
            && deployment.document == document
            && deployment.component_hashes == component_hashes
        {
            return Ok(Deployed {
                created: false,
                body: serde_json::json!({ "unchanged": true, "stage": views::stage(&api_id, current) }),
            });
        }

        self.store.put_api(&api_id, &document)?;
        let deployment = self.store.create_deployment(
            &api_id,
            NewDeployment {
                document,
                component_hashes,
                description: request.description.clone(),
                variables: variables.clone(),
            },
        )?;
        let stage =
            self.store
                .point_stage(&api_id, &request.stage, &deployment.id, Some(variables))?;
        Ok(Deployed {
            created: true,
            body: serde_json::json!({
                "deployment": views::deployment(&deployment),
                "stage": views::stage(&api_id, &stage),
            }),
        })
    }

    /// Every API with its stages.
    pub fn apis(&self) -> Result<Value, ControlError> {
        let mut items = Vec::new();
        for api_id in self.store.apis()? {
            let stages: Vec<Value> = self
                .store
                .api_stages(&api_id)?
                .iter()
                .map(|stage| views::stage(&api_id, stage))
                .collect();
            items.push(serde_json::json!({ "id": api_id, "stages": stages }));
        }
        Ok(serde_json::json!({ "items": items }))
    }

    /// An API's deployments, newest first; with `stage`, those it serves or served.
    pub fn deployments(&self, api_id: &str, stage: Option<&str>) -> Result<Value, ControlError> {
        if self.store.api(api_id)?.is_none() {
            return Err(ControlError::NotFound(format!(
                "API {api_id} does not exist"
            )));
        }
        let mut deployments = self.store.deployments(api_id)?;
        if let Some(stage) = stage {
            let stage = self.stage_or_not_found(api_id, stage)?;
            deployments.retain(|d| {
                d.id == stage.deployment_id
                    || stage.history.contains(&d.id)
                    || stage
                        .canary
                        .as_ref()
                        .is_some_and(|c| c.deployment_id == d.id)
            });
        }
        let items: Vec<Value> = deployments.iter().map(views::deployment).collect();
        Ok(serde_json::json!({ "items": items }))
    }

    /// An API's stages.
    pub fn stages(&self, api_id: &str) -> Result<Value, ControlError> {
        if self.store.api(api_id)?.is_none() {
            return Err(ControlError::NotFound(format!(
                "API {api_id} does not exist"
            )));
        }
        let items: Vec<Value> = self
            .store
            .api_stages(api_id)?
            .iter()
            .map(|stage| views::stage(api_id, stage))
            .collect();
        Ok(serde_json::json!({ "items": items }))
    }

    /// One stage.
    pub fn stage(&self, api_id: &str, stage: &str) -> Result<Value, ControlError> {
        Ok(views::stage(
            api_id,
            &self.stage_or_not_found(api_id, stage)?,
        ))
    }

    /// Applies `change` to a stage after checking the result can be served.
    fn change_stage(
        &self,
        api_id: &str,
        stage_name: &str,
        change: impl Fn(&mut Stage) -> Result<(), ControlError>,
    ) -> Result<Value, ControlError> {
        let _serial = self.serial();
        let mut next = self.stage_or_not_found(api_id, stage_name)?;
        change(&mut next)?;
        self.check_servable(api_id, &next)?;
        let stored = self.store.update_stage(api_id, stage_name, |stage| {
            *stage = next.clone();
            Ok(())
        })?;
        Ok(views::stage(api_id, &stored))
    }

    /// Points a stage back at an earlier deployment: `to`, or the previous one.
    pub fn rollback(
        &self,
        api_id: &str,
        stage: &str,
        to: Option<&str>,
    ) -> Result<Value, ControlError> {
        let known = self.store.deployments(api_id)?;
        self.change_stage(api_id, stage, |stage| {
            let target = match to {
                Some(id) => {
                    if !known.iter().any(|d| d.id == id) {
                        let ids: Vec<&str> = known.iter().map(|d| d.id.as_str()).collect();
                        return Err(ControlError::NotFound(format!(
                            "deployment {id} is not a deployment of API {api_id}; known deployments: {}",
                            ids.join(", ")
                        )));
                    }
                    id.to_string()
                }
                None => stage.history.last().cloned().ok_or_else(|| {
                    ControlError::Conflict(format!(
                        "stage {} has no previous deployment to roll back to",
                        stage.name
                    ))
                })?,
            };
            if target == stage.deployment_id {
                return Ok(());
            }
            // The history records every deployment the stage served, so "the previous one"
            // after a rollback is the one just rolled back from.
            let previous = std::mem::replace(&mut stage.deployment_id, target);
            stage.history.push(previous);
            Ok(())
        })
    }

    /// Sets and removes stage variables.
    pub fn update_variables(
        &self,
        api_id: &str,
        stage: &str,
        set: &BTreeMap<String, String>,
        unset: &[String],
    ) -> Result<Value, ControlError> {
        self.change_stage(api_id, stage, |stage| {
            for name in unset {
                stage.variables.remove(name);
            }
            stage
                .variables
                .extend(set.iter().map(|(k, v)| (k.clone(), v.clone())));
            Ok(())
        })
    }

    /// Creates (or replaces) a stage's canary.
    pub fn create_canary(
        &self,
        api_id: &str,
        stage: &str,
        deployment_id: &str,
        percent: f64,
        variables: &BTreeMap<String, String>,
    ) -> Result<Value, ControlError> {
        let percent = check_percent(percent)?;
        self.change_stage(api_id, stage, |stage| {
            stage.canary = Some(Canary {
                deployment_id: deployment_id.to_string(),
                percent,
                variables: variables.clone(),
            });
            Ok(())
        })
    }

    /// Changes a canary's share and/or its variable overrides (merged over the current ones).
    pub fn update_canary(
        &self,
        api_id: &str,
        stage: &str,
        percent: Option<f64>,
        variables: &BTreeMap<String, String>,
    ) -> Result<Value, ControlError> {
        let percent = percent.map(check_percent).transpose()?;
        self.change_stage(api_id, stage, |stage| {
            let name = stage.name.clone();
            let canary = stage
                .canary
                .as_mut()
                .ok_or_else(|| ControlError::Conflict(format!("stage {name} has no canary")))?;
            if let Some(percent) = percent {
                canary.percent = percent;
            }
            canary
                .variables
                .extend(variables.iter().map(|(k, v)| (k.clone(), v.clone())));
            Ok(())
        })
    }

    /// Makes the canary's deployment and variable overrides the stage's, and removes it.
    pub fn promote_canary(&self, api_id: &str, stage: &str) -> Result<Value, ControlError> {
        self.change_stage(api_id, stage, |stage| {
            let name = stage.name.clone();
            let canary = stage
                .canary
                .take()
                .ok_or_else(|| ControlError::Conflict(format!("stage {name} has no canary")))?;
            if canary.deployment_id != stage.deployment_id {
                let previous = std::mem::replace(&mut stage.deployment_id, canary.deployment_id);
                stage.history.push(previous);
            }
            stage.variables.extend(canary.variables);
            Ok(())
        })
    }

    /// Removes a stage's canary: all traffic goes to the stage's deployment.
    pub fn delete_canary(&self, api_id: &str, stage: &str) -> Result<Value, ControlError> {
        self.change_stage(api_id, stage, |stage| {
            if stage.canary.take().is_none() {
                return Err(ControlError::Conflict(format!(
                    "stage {} has no canary",
                    stage.name
                )));
            }
            Ok(())
        })
    }

    /// Publishes a component as the next version of a function, after checking it loads as
    /// a function. Returns the version and whether it is new.
    pub fn publish(
        &self,
        name: &str,
        wasm: &[u8],
        description: Option<&str>,
    ) -> Result<(Value, bool), ControlError> {
        self.publish_component(name, wasm, description, true)
    }

    /// Publishes a component of any world (a mapper, an authorizer, a function) as the next
    /// version of plugin `name`; functions and plugins share one registry of names.
    pub fn publish_plugin(
        &self,
        name: &str,
        wasm: &[u8],
        description: Option<&str>,
    ) -> Result<(Value, bool), ControlError> {
        self.publish_component(name, wasm, description, false)
    }

    fn publish_component(
        &self,
        name: &str,
        wasm: &[u8],
        description: Option<&str>,
        function_only: bool,
    ) -> Result<(Value, bool), ControlError> {
        let _serial = self.serial();
        let hash = tollgate_store::ContentHash::of(wasm);
        let plugin = self
            .runtime
            .load(hash.as_str(), || Ok(wasm.to_vec()))
            .map_err(|e| ControlError::BadRequest(format!("{name}: {e}")))?;
        if function_only && !plugin.kind().is_function() {
            return Err(ControlError::BadRequest(format!(
                "function {name}: the component is a {}, not a function (it must export \
                 tollgate:plugin/handler or wasi:http/incoming-handler); publish other \
                 plugins with `tollgate plugin publish`",
                plugin.kind().describe()
            )));
        }
        let latest = self
            .store
            .function_versions(name)?
            .last()
            .map(|v| v.version);
        let stored = self.store.put_component(wasm)?;
        let version = self.store.publish_function(name, &stored, description)?;
        let created = Some(version.version) != latest;
        let mut view = views::version(&version);
        view["kind"] = Value::String(plugin.kind().describe().to_string());
        Ok((view, created))
    }

    /// Points an alias at a version.
    pub fn set_alias(&self, name: &str, alias: &str, version: u32) -> Result<Value, ControlError> {
        let _serial = self.serial();
        self.store.set_function_alias(name, alias, version)?;
        let stored = self
            .store
            .function_aliases(name)?
            .into_iter()
            .find(|a| a.alias == alias)
            .ok_or_else(|| ControlError::Internal(format!("alias {name}:{alias} vanished")))?;
        Ok(views::alias(&stored))
    }

    /// Every function with its versions and aliases.
    pub fn functions(&self) -> Result<Value, ControlError> {
        let mut items = Vec::new();
        for name in self.store.functions()? {
            let versions: Vec<Value> = self
                .store
                .function_versions(&name)?
                .iter()
                .map(views::version)
                .collect();
            let aliases: Vec<Value> = self
                .store
                .function_aliases(&name)?
                .iter()
                .map(views::alias)
                .collect();
            items.push(
                serde_json::json!({ "name": name, "versions": versions, "aliases": aliases }),
            );
        }
        Ok(serde_json::json!({ "items": items }))
    }
}

#[cfg(test)]
mod tests {
    use super::{api_id_from_title, check_percent};

    #[test]
    fn api_ids_come_from_titles() {
        assert_eq!(api_id_from_title("Pet Store API"), "pet-store-api");
        assert_eq!(api_id_from_title("  items  "), "items");
        assert_eq!(api_id_from_title("!!!"), "api");
    }

    #[test]
    fn canary_percent_is_between_0_and_100() {
        assert!(check_percent(0.0).is_ok());
        assert!(check_percent(100.0).is_ok());
        assert!(check_percent(-1.0).is_err());
        assert!(check_percent(100.5).is_err());
        assert!(check_percent(f64::NAN).is_err());
    }
}
