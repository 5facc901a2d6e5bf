//! APIs, deployments and stages, AWS API Gateway's way.
//!
//! An API is its current, editable definition document. A deployment is an immutable snapshot
//! of a document plus the content hashes of every component it uses; nothing changes it after
//! it is created. A stage is a named, movable pointer from an API to one of its deployments,
//! with stage variables and the history of deployments it pointed at before (for rollback).
//! This module stores and checks references; it never interprets a definition document.

use std::collections::BTreeMap;

use redb::{ReadableTable, WriteTransaction};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::components::ContentHash;
use crate::tables::{
    API_DEPLOYMENTS, APIS, COMPONENTS, DEPLOYMENTS, META, META_DEPLOYMENT_SEQ, STAGES,
};
use crate::throttling::Throttle;
use crate::{Context, Store, StoreError, names, now_epoch_millis};

/// How many previous deployment ids a stage remembers; older ones are dropped.
pub const STAGE_HISTORY_LIMIT: usize = 100;

/// What a new deployment is made of.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NewDeployment {
    /// The definition document, as it is at deployment time.
    pub document: Value,
    /// The component every function reference in the document resolved to, keyed by the
    /// reference (`crud:1`, `crud:prod`, `authorizer`).
    #[serde(default)]
    pub component_hashes: BTreeMap<String, ContentHash>,
    /// What the deployer said about it.
    #[serde(default)]
    pub description: Option<String>,
    /// The stage variables it was deployed with (a record; the stage holds the live ones).
    #[serde(default)]
    pub variables: BTreeMap<String, String>,
}

impl NewDeployment {
    /// A deployment of `document` with no components and no description.
    pub fn new(document: Value) -> NewDeployment {
        NewDeployment {
            document,
            component_hashes: BTreeMap::new(),
            description: None,
            variables: BTreeMap::new(),
        }
    }
}

/// An immutable snapshot of an API definition and the components it uses.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Deployment {
    /// A short id, 10 lowercase letters and digits, unique in the store.
    pub id: String,
    /// The API it belongs to.
    pub api_id: String,
    /// When it was created.
    pub created_epoch_millis: u64,
    /// The definition document.
    pub document: Value,
    /// Function reference → component hash, as given at creation.
    #[serde(default)]
    pub component_hashes: BTreeMap<String, ContentHash>,
    /// What the deployer said about it.
    #[serde(default)]
    pub description: Option<String>,
    /// The stage variables it was deployed with.
    #[serde(default)]
    pub variables: BTreeMap<String, String>,
}

/// A canary: a second deployment taking a share of a stage's traffic, with its own
/// stage-variable overrides.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Canary {
    /// The deployment the canary side serves.
    pub deployment_id: String,
    /// The share of requests it takes, 0.0 to 100.0.
    pub percent: f64,
    /// Stage variables that override the stage's on the canary side only.
    #[serde(default)]
    pub variables: BTreeMap<String, String>,
}

/// A named pointer from an API to one of its deployments.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Stage {
    /// The stage name (`prod`, `v1`).
    pub name: String,
    /// The deployment it serves.
    pub deployment_id: String,
    /// Stage variables (`$stageVariables`).
    #[serde(default)]
    pub variables: BTreeMap<String, String>,
    /// The key-value namespace granted to the stage's plugins, if any.
    #[serde(default)]
    pub kv_namespace: Option<String>,
    /// What the operator said about it.
    #[serde(default)]
    pub description: Option<String>,
    /// The deployments it pointed at before, oldest first, at most [`STAGE_HISTORY_LIMIT`].
    #[serde(default)]
    pub history: Vec<String>,
    /// When it was last written; set by the store on every write.
    #[serde(default)]
    pub updated_epoch_millis: u64,
    /// The stage's canary, if it has one.
    #[serde(default)]
    pub canary: Option<Canary>,
    /// The stage's default throttle (AWS's stage `throttling.rateLimit`/`burstLimit`); `None`
    /// leaves only the account's.
    #[serde(default)]
    pub throttle: Option<Throttle>,
    /// Per-method throttles keyed by AWS's `{resourcePath}/{httpMethod}` (`/pets/GET`, `*/*`).
    #[serde(default)]
    pub method_throttles: BTreeMap<String, Throttle>,
}

impl Stage {
    /// A stage named `name` serving `deployment_id`, with no variables and no history.
    pub fn new(name: impl Into<String>, deployment_id: impl Into<String>) -> Stage {
        Stage {
            name: name.into(),
            deployment_id: deployment_id.into(),
            variables: BTreeMap::new(),
            kv_namespace: None,
            description: None,
            history: Vec::new(),
            updated_epoch_millis: 0,
            canary: None,
            throttle: None,
            method_throttles: BTreeMap::new(),
        }
    }
}

impl Store {
    /// Stores the current (undeployed) definition of an API, creating or replacing it.
    pub fn put_api(&self, api_id: &str, document: &Value) -> Result<(), StoreError> {
        names::api_id(api_id)?;
        let bytes = self.encode("apis", api_id, document)?;
        self.write(|tx| {
            let mut apis = self.open_write(tx, APIS)?;
            apis.insert(api_id, bytes.as_slice())
                .context(self.ctx(), "store an API")?;
            drop(apis);
            self.bump_generation(tx)?;
            Ok(())
        })
    }

    /// The current definition of an API.
    pub fn api(&self, api_id: &str) -> Result<Option<Value>, StoreError> {
        names::api_id(api_id)?;
        self.read(|tx| {
            let apis = self.open_read(tx, APIS)?;
            let bytes = apis
                .get(api_id)
                .context(self.ctx(), "read an API")?
                .map(|v| v.value().to_vec());
            bytes
                .map(|bytes| self.decode("apis", api_id, &bytes))
                .transpose()
        })
    }

    /// The ids of all APIs, in ascending order.
    pub fn apis(&self) -> Result<Vec<String>, StoreError> {
        self.read(|tx| {
            let apis = self.open_read(tx, APIS)?;
            let mut out = Vec::new();
            for entry in apis.iter().context(self.ctx(), "list APIs")? {
                let (key, _) = entry.context(self.ctx(), "list APIs")?;
                out.push(key.value().to_owned());
            }
            Ok(out)
        })
    }

    /// Deletes an API with all its deployments and stages, as AWS's DeleteRestApi does, in one
    /// transaction. True when the API existed.
    pub fn delete_api(&self, api_id: &str) -> Result<bool, StoreError> {
        names::api_id(api_id)?;
        self.write(|tx| {
            let mut apis = self.open_write(tx, APIS)?;
            let existed = apis
                .remove(api_id)
                .context(self.ctx(), "remove an API")?
                .is_some();
            drop(apis);

            let mut index = self.open_write(tx, API_DEPLOYMENTS)?;
            let mut indexed = Vec::new();
            for entry in index
                .range((api_id, 0u64)..=(api_id, u64::MAX))
                .context(self.ctx(), "list an API's deployments")?
            {
                let (key, id) = entry.context(self.ctx(), "list an API's deployments")?;
                indexed.push((key.value().1, id.value().to_owned()));
            }
            for (sequence, _) in &indexed {
                index
                    .remove((api_id, *sequence))
                    .context(self.ctx(), "remove a deployment from the index")?;
            }
            drop(index);
            let ids: Vec<String> = indexed.into_iter().map(|(_, id)| id).collect();
            let mut deployments = self.open_write(tx, DEPLOYMENTS)?;
            for id in &ids {
                deployments
                    .remove(id.as_str())
                    .context(self.ctx(), "remove a deployment")?;
            }
            drop(deployments);

            let mut stages = self.open_write(tx, STAGES)?;
            let names = stage_names(self, &stages, api_id)?;
            for name in &names {
                stages
                    .remove((api_id, name.as_str()))
                    .context(self.ctx(), "remove a stage")?;
            }
            drop(stages);

            let anything = existed || !ids.is_empty() || !names.is_empty();
            if anything {
                self.bump_generation(tx)?;
            }
            Ok(existed)
        })
    }

    /// Creates an immutable deployment of API `api_id`.
    ///
    /// Fails with [`StoreError::NotFound`] when the API does not exist or a component it names
    /// is not stored.
    pub fn create_deployment(
        &self,
        api_id: &str,
        new: NewDeployment,
    ) -> Result<Deployment, StoreError> {
        names::api_id(api_id)?;
        self.write(|tx| {
            let apis = self.open_write(tx, APIS)?;
            if apis
                .get(api_id)
                .context(self.ctx(), "read an API")?
                .is_none()
            {
                return Err(StoreError::NotFound {
                    kind: "API",
                    name: api_id.to_owned(),
                });
            }
            drop(apis);

            let components = self.open_write(tx, COMPONENTS)?;
            for (reference, hash) in &new.component_hashes {
                if components
                    .get(hash.as_str())
                    .context(self.ctx(), "look up a component")?
                    .is_none()
                {
                    return Err(StoreError::NotFound {
                        kind: "component",
                        name: format!("{hash} (for `{reference}`)"),
                    });
                }
            }
            drop(components);

            let sequence = self.next_deployment_sequence(tx)?;
            let mut deployments = self.open_write(tx, DEPLOYMENTS)?;
            let mut attempt = 0u32;
            let id = loop {
                let id = deployment_id(self.id_salt(), sequence, attempt);
                if deployments
                    .get(id.as_str())
                    .context(self.ctx(), "look up a deployment")?
                    .is_none()
                {
                    break id;
                }
                attempt = attempt.wrapping_add(1);
            };
            let deployment = Deployment {
                id,
                api_id: api_id.to_owned(),
                created_epoch_millis: now_epoch_millis(),
                document: new.document,
                component_hashes: new.component_hashes,
                description: new.description,
                variables: new.variables,
            };
            let bytes = self.encode("deployments", &deployment.id, &deployment)?;
            deployments
                .insert(deployment.id.as_str(), bytes.as_slice())
                .context(self.ctx(), "store a deployment")?;
            drop(deployments);
            let mut index = self.open_write(tx, API_DEPLOYMENTS)?;
            index
                .insert((api_id, sequence), deployment.id.as_str())
                .context(self.ctx(), "index a deployment")?;
            drop(index);
            self.bump_generation(tx)?;
            Ok(deployment)
        })
    }

    /// A deployment by id.
    pub fn deployment(&self, id: &str) -> Result<Option<Deployment>, StoreError> {
        self.read(|tx| {
            let deployments = self.open_read(tx, DEPLOYMENTS)?;
            let bytes = deployments
                .get(id)
                .context(self.ctx(), "read a deployment")?
                .map(|v| v.value().to_vec());
            bytes
                .map(|bytes| self.decode("deployments", id, &bytes))
                .transpose()
        })
    }

    /// The deployments of an API, newest first.
    pub fn deployments(&self, api_id: &str) -> Result<Vec<Deployment>, StoreError> {
        names::api_id(api_id)?;
        self.read(|tx| {
            let index = self.open_read(tx, API_DEPLOYMENTS)?;
            let deployments = self.open_read(tx, DEPLOYMENTS)?;
            let mut out = Vec::new();
            for entry in index
                .range((api_id, 0u64)..=(api_id, u64::MAX))
                .context(self.ctx(), "list deployments")?
                .rev()
            {
                let (key, id) = entry.context(self.ctx(), "list deployments")?;
                let (_, sequence) = key.value();
                let id = id.value();
                let bytes = deployments
                    .get(id)
                    .context(self.ctx(), "read a deployment")?
                    .map(|v| v.value().to_vec())
                    .ok_or_else(|| StoreError::Corrupt {
                        path: self.database_path().to_path_buf(),
                        table: "api_deployments",
                        key: format!("{api_id}:{sequence}"),
                        reason: format!("it lists deployment {id}, which is not stored"),
                    })?;
                out.push(self.decode("deployments", id, &bytes)?);
            }
            Ok(out)
        })
    }

    /// Creates or replaces a stage of `api_id` as given. The store sets
    /// `updated_epoch_millis` and keeps only the last [`STAGE_HISTORY_LIMIT`] history entries.
    ///
    /// Fails with [`StoreError::NotFound`] when the deployment does not exist or belongs to
    /// another API.
    pub fn put_stage(&self, api_id: &str, mut stage: Stage) -> Result<(), StoreError> {
        names::api_id(api_id)?;
        names::stage_name(&stage.name)?;
        if let Some(namespace) = &stage.kv_namespace {
            names::namespace(namespace)?;
        }
        self.write(|tx| {
            self.check_deployment_of(tx, api_id, &stage.deployment_id)?;
            stage.updated_epoch_millis = now_epoch_millis();
            trim_history(&mut stage.history);
            self.store_stage(tx, api_id, &stage)?;
            self.bump_generation(tx)?;
            Ok(())
        })
    }

    /// Points stage `stage_name` of `api_id` at `deployment_id`, in one transaction: creates the
    /// stage when it does not exist, otherwise pushes the deployment it served onto its history
    /// (unless it already serves `deployment_id`). `variables`, when given, replace the stage
    /// variables; when `None` they are kept. Returns the stage as stored.
    ///
    /// Fails with [`StoreError::NotFound`] when the deployment does not exist or belongs to
    /// another API.
    pub fn point_stage(
        &self,
        api_id: &str,
        stage_name: &str,
        deployment_id: &str,
        variables: Option<BTreeMap<String, String>>,
    ) -> Result<Stage, StoreError> {
        names::api_id(api_id)?;
        names::stage_name(stage_name)?;
        self.write(|tx| {
            self.check_deployment_of(tx, api_id, deployment_id)?;
            let stages = self.open_write(tx, STAGES)?;
            let existing = stages
                .get((api_id, stage_name))
                .context(self.ctx(), "read a stage")?
                .map(|v| v.value().to_vec());
            drop(stages);
            let mut stage = match existing {
                None => Stage::new(stage_name, deployment_id),
                Some(bytes) => {
                    let mut stage: Stage =
                        self.decode("stages", format!("{api_id}/{stage_name}"), &bytes)?;
                    if stage.deployment_id != deployment_id {
                        let previous =
                            std::mem::replace(&mut stage.deployment_id, deployment_id.to_owned());
                        stage.history.push(previous);
                    }
                    stage
                }
            };
            if let Some(variables) = variables {
                stage.variables = variables;
            }
            stage.updated_epoch_millis = now_epoch_millis();
            trim_history(&mut stage.history);
            self.store_stage(tx, api_id, &stage)?;
            self.bump_generation(tx)?;
            Ok(stage)
        })
    }

    /// Changes an existing stage in one transaction: `change` edits it (and may refuse by
    /// returning an error, which writes nothing). Every deployment the result points at (its
    /// own and its canary's) must exist and belong to `api_id`. Returns the stage as stored.
    pub fn update_stage(
        &self,
        api_id: &str,
        stage_name: &str,
        change: impl FnOnce(&mut Stage) -> Result<(), StoreError>,
    ) -> Result<Stage, StoreError> {
        names::api_id(api_id)?;
        names::stage_name(stage_name)?;
        self.write(|tx| {
            let stages = self.open_write(tx, STAGES)?;
            let existing = stages
                .get((api_id, stage_name))
                .context(self.ctx(), "read a stage")?
                .map(|v| v.value().to_vec());
            drop(stages);
            let bytes = existing.ok_or_else(|| StoreError::NotFound {
                kind: "stage",
                name: format!("{stage_name} (of API {api_id})"),
            })?;
            let mut stage: Stage =
                self.decode("stages", format!("{api_id}/{stage_name}"), &bytes)?;
            change(&mut stage)?;
            stage.name = stage_name.to_owned();
            self.check_deployment_of(tx, api_id, &stage.deployment_id)?;
            if let Some(canary) = &stage.canary {
                self.check_deployment_of(tx, api_id, &canary.deployment_id)?;
            }
            stage.updated_epoch_millis = now_epoch_millis();
            trim_history(&mut stage.history);
            self.store_stage(tx, api_id, &stage)?;
            self.bump_generation(tx)?;
            Ok(stage)
        })
    }

    /// A stage of an API.
    pub fn stage(&self, api_id: &str, name: &str) -> Result<Option<Stage>, StoreError> {
        names::api_id(api_id)?;
        names::stage_name(name)?;
        self.read(|tx| {
            let stages = self.open_read(tx, STAGES)?;
            let bytes = stages
                .get((api_id, name))
                .context(self.ctx(), "read a stage")?
                .map(|v| v.value().to_vec());
            bytes
                .map(|bytes| self.decode("stages", format!("{api_id}/{name}"), &bytes))
                .transpose()
        })
    }

    /// Every stage of every API, as (API id, stage), ordered by API id then stage name.
    pub fn stages(&self) -> Result<Vec<(String, Stage)>, StoreError> {
        self.read(|tx| {
            let stages = self.open_read(tx, STAGES)?;
            let mut out = Vec::new();
            for entry in stages.iter().context(self.ctx(), "list stages")? {
                let (key, value) = entry.context(self.ctx(), "list stages")?;
                let (api_id, name) = key.value();
                let stage: Stage =
                    self.decode("stages", format!("{api_id}/{name}"), value.value())?;
                out.push((api_id.to_owned(), stage));
            }
            Ok(out)
        })
    }

    /// The stages of one API, by name.
    pub fn api_stages(&self, api_id: &str) -> Result<Vec<Stage>, StoreError> {
        names::api_id(api_id)?;
        self.read(|tx| {
            let stages = self.open_read(tx, STAGES)?;
            let mut out = Vec::new();
            for entry in stages
                .range((api_id, "")..)
                .context(self.ctx(), "list stages")?
            {
                let (key, value) = entry.context(self.ctx(), "list stages")?;
                let (api, name) = key.value();
                if api != api_id {
                    break;
                }
                out.push(self.decode("stages", format!("{api_id}/{name}"), value.value())?);
            }
            Ok(out)
        })
    }

    /// Deletes a stage; true when it existed.
    pub fn delete_stage(&self, api_id: &str, name: &str) -> Result<bool, StoreError> {
        names::api_id(api_id)?;
        names::stage_name(name)?;
        self.write(|tx| {
            let mut stages = self.open_write(tx, STAGES)?;
            let existed = stages
                .remove((api_id, name))
                .context(self.ctx(), "remove a stage")?
                .is_some();
            drop(stages);
            if existed {
                self.bump_generation(tx)?;
            }
            Ok(existed)
        })
    }

    // ----- helpers -----

    fn next_deployment_sequence(&self, tx: &WriteTransaction) -> Result<u64, StoreError> {
        let mut meta = self.open_write(tx, META)?;
        let next = meta
            .get(META_DEPLOYMENT_SEQ)
            .context(self.ctx(), "read the deployment counter")?
            .map(|v| v.value())
            .unwrap_or(0)
            .wrapping_add(1);
        meta.insert(META_DEPLOYMENT_SEQ, next)
            .context(self.ctx(), "bump the deployment counter")?;
        Ok(next)
    }

    /// Checks that `deployment_id` exists and belongs to `api_id`.
    fn check_deployment_of(
        &self,
        tx: &WriteTransaction,
        api_id: &str,
        deployment_id: &str,
    ) -> Result<(), StoreError> {
        let deployments = self.open_write(tx, DEPLOYMENTS)?;
        let bytes = deployments
            .get(deployment_id)
            .context(self.ctx(), "read a deployment")?
            .map(|v| v.value().to_vec());
        let not_found = || StoreError::NotFound {
            kind: "deployment",
            name: format!("{deployment_id} (of API {api_id})"),
        };
        let bytes = bytes.ok_or_else(not_found)?;
        let deployment: Deployment = self.decode("deployments", deployment_id, &bytes)?;
        if deployment.api_id != api_id {
            return Err(not_found());
        }
        Ok(())
    }

    fn store_stage(
        &self,
        tx: &WriteTransaction,
        api_id: &str,
        stage: &Stage,
    ) -> Result<(), StoreError> {
        let key = format!("{api_id}/{}", stage.name);
        let bytes = self.encode("stages", &key, stage)?;
        let mut stages = self.open_write(tx, STAGES)?;
        stages
            .insert((api_id, stage.name.as_str()), bytes.as_slice())
            .context(self.ctx(), "store a stage")?;
        Ok(())
    }
}

/// The names of an API's stages, read through a writable table.
fn stage_names(
    store: &Store,
    stages: &redb::Table<(&str, &str), &[u8]>,
    api_id: &str,
) -> Result<Vec<String>, StoreError> {
    let mut names = Vec::new();
    for entry in stages
        .range((api_id, "")..)
        .context(store.ctx(), "list stages")?
    {
        let (key, _) = entry.context(store.ctx(), "list stages")?;
        let (api, name) = key.value();
        if api != api_id {
            break;
        }
        names.push(name.to_owned());
    }
    Ok(names)
}

/// Keeps the newest [`STAGE_HISTORY_LIMIT`] entries.
fn trim_history(history: &mut Vec<String>) {
    if history.len() > STAGE_HISTORY_LIMIT {
        let excess = history.len() - STAGE_HISTORY_LIMIT;
        history.drain(..excess);
    }
}

/// A deployment id: 10 lowercase letters and digits derived from the store's salt, the
/// deployment's sequence number and a retry counter.
fn deployment_id(salt: u64, sequence: u64, attempt: u32) -> String {
    const ALPHABET: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let digest = Sha256::digest(format!("{salt:016x}:{sequence}:{attempt}").as_bytes());
    let mut first = [0u8; 8];
    for (slot, byte) in first.iter_mut().zip(digest.iter()) {
        *slot = *byte;
    }
    let mut n = u64::from_be_bytes(first);
    let mut id = String::with_capacity(10);
    for _ in 0..10 {
        id.push(char::from(ALPHABET[(n % 36) as usize]));
        n /= 36;
    }
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deployment_ids_are_ten_lowercase_alphanumerics() {
        for sequence in 0..200 {
            let id = deployment_id(42, sequence, 0);
            assert_eq!(id.len(), 10);
            assert!(
                id.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            );
        }
        assert_ne!(deployment_id(42, 1, 0), deployment_id(42, 2, 0));
        assert_ne!(deployment_id(42, 1, 0), deployment_id(42, 1, 1));
        assert_ne!(deployment_id(1, 1, 0), deployment_id(2, 1, 0));
    }

    #[test]
    fn history_keeps_the_newest_entries() {
        let mut history: Vec<String> = (0..STAGE_HISTORY_LIMIT + 5)
            .map(|i| i.to_string())
            .collect();
        trim_history(&mut history);
        assert_eq!(history.len(), STAGE_HISTORY_LIMIT);
        assert_eq!(history.first().map(String::as_str), Some("5"));
    }
}
