//! What callers identify themselves with — API keys (by hash), the usage plans they belong
//! to, SigV4 access keys (with their secrets and policies) — read from the store at every
//! reload into one immutable value beside the served stages.

use std::collections::HashMap;
use std::sync::Arc;

use tollgate_policy::{PolicyDocument, PolicyKind};
use tollgate_store::{ApiKey, Store, StoreError, UsagePlan};

/// A SigV4 access key, ready to verify with.
pub struct AccessKeyEntry {
    pub principal: String,
    pub secret: String,
    /// `None` when the stored policy no longer parses (the key then allows nothing).
    pub policy: Option<PolicyDocument>,
}

/// The gateway's credentials, as of the last reload.
#[derive(Default)]
pub struct Credentials {
    /// Enabled API keys by the hex SHA-256 of their value.
    api_keys: HashMap<String, ApiKey>,
    /// Usage plans by (API, stage) they cover.
    plans: HashMap<(String, String), Vec<Arc<UsagePlan>>>,
    /// Enabled access keys by id.
    access_keys: HashMap<String, AccessKeyEntry>,
}

impl Credentials {
    /// Reads every credential from the store.
    pub fn load(store: &Store) -> Result<Credentials, StoreError> {
        let api_keys = store
            .api_keys()?
            .into_iter()
            .filter(|key| key.enabled)
            .map(|key| (key.value_hash.clone(), key))
            .collect();
        let mut plans: HashMap<(String, String), Vec<Arc<UsagePlan>>> = HashMap::new();
        for plan in store.usage_plans()? {
            let plan = Arc::new(plan);
            for stage in &plan.api_stages {
                plans
                    .entry((stage.api_id.clone(), stage.stage.clone()))
                    .or_default()
                    .push(plan.clone());
            }
        }
        // A secret that cannot be decrypted (a lost `secret.key`) disables SigV4 callers, not
        // the whole gateway.
        let secrets = store.access_key_secrets().unwrap_or_else(|error| {
            tracing::error!(%error, "access keys unusable; SigV4 requests will be refused");
            Vec::new()
        });
        let access_keys = secrets
            .into_iter()
            .filter(|(key, _)| key.enabled)
            .map(|(key, secret)| {
                let policy = PolicyDocument::from_json_as(&key.policy, PolicyKind::Identity)
                    .inspect_err(|error| {
                        tracing::warn!(access_key = %key.id, %error, "access key policy refused; the key allows nothing");
                    })
                    .ok();
                (
                    key.id.clone(),
                    AccessKeyEntry {
                        principal: key.principal,
                        secret,
                        policy,
                    },
                )
            })
            .collect();
        Ok(Credentials {
            api_keys,
            plans,
            access_keys,
        })
    }

    /// The enabled API key with this value.
    pub fn api_key(&self, value: &str) -> Option<&ApiKey> {
        self.api_keys.get(&tollgate_store::hash_api_key(value))
    }

    /// The usage plan of `stage` of `api` that `key_id` belongs to (AWS lets a key be in one
    /// plan per stage).
    pub fn usage_plan(&self, api: &str, stage: &str, key_id: &str) -> Option<&Arc<UsagePlan>> {
        self.plans
            .get(&(api.to_string(), stage.to_string()))?
            .iter()
            .find(|plan| plan.key_ids.iter().any(|id| id == key_id))
    }

    /// An enabled access key.
    pub fn access_key(&self, id: &str) -> Option<&AccessKeyEntry> {
        self.access_keys.get(id)
    }

    /// Whether any usage plan or bucket could refer to this plan id (to drop stale buckets).
    pub fn has_plan(&self, plan_id: &str) -> bool {
        self.plans.values().flatten().any(|plan| plan.id == plan_id)
    }
}
