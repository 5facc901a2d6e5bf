//! Usage plans, AWS's way: a named set of API stages with a per-key throttle (and per-method
//! throttles per stage) and a quota, and the API keys it applies to; plus the quota counters,
//! one per (plan, key, period).
//!
//! As in AWS, a key may be in several plans but in only one plan per API stage, so a request
//! with a key on a stage meets one plan at most.
//!
//! Counters are written by the gateway in batches ([`Store::add_usage`]); those writes do not
//! bump the generation (nothing served changes), every other write here does.

use std::collections::BTreeMap;

use redb::{ReadableTable, WriteTransaction};
use serde::{Deserialize, Serialize};

use crate::quota::Quota;
use crate::tables::{API_KEYS, STAGES, USAGE, USAGE_PLAN_NAMES, USAGE_PLANS};
use crate::throttling::{Throttle, method_key};
use crate::{Context, Store, StoreError, names, random};

/// One API stage of a usage plan (AWS's `ApiStage`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UsagePlanStage {
    /// The API.
    pub api_id: String,
    /// The stage.
    pub stage: String,
    /// Per-method throttles for keys of the plan on this stage, keyed by AWS's
    /// `{resourcePath}/{httpMethod}` (`/pets/{id}/GET`).
    #[serde(default)]
    pub method_throttles: BTreeMap<String, Throttle>,
}

/// A usage plan (AWS's `UsagePlan`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UsagePlan {
    /// A 10-character id, lowercase letters and digits.
    pub id: String,
    /// The unique name commands address it by.
    pub name: String,
    /// The API stages it applies to.
    pub api_stages: Vec<UsagePlanStage>,
    /// The per-key throttle on every stage of the plan.
    #[serde(default)]
    pub throttle: Option<Throttle>,
    /// The per-key quota.
    #[serde(default)]
    pub quota: Option<Quota>,
    /// The ids of the API keys it applies to, in the order they were added.
    #[serde(default)]
    pub key_ids: Vec<String>,
}

impl UsagePlan {
    /// Whether the plan covers stage `stage` of `api_id`.
    pub fn covers(&self, api_id: &str, stage: &str) -> bool {
        self.api_stages
            .iter()
            .any(|s| s.api_id == api_id && s.stage == stage)
    }
}

/// What a new usage plan is made of.
#[derive(Clone, Debug, PartialEq)]
pub struct NewUsagePlan {
    /// Its unique name.
    pub name: String,
    /// The (API id, stage) pairs it applies to; each stage must exist.
    pub api_stages: Vec<(String, String)>,
    /// The per-key throttle.
    pub throttle: Option<Throttle>,
    /// The per-key quota.
    pub quota: Option<Quota>,
}

/// Requests to add to one quota counter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UsageIncrement {
    /// The usage plan's id.
    pub plan_id: String,
    /// The API key's id.
    pub key_id: String,
    /// The start of the quota period, in unix seconds ([`crate::quota_period_start`]).
    pub period_start: u64,
    /// How many requests.
    pub count: u64,
}

impl Store {
    /// Creates a usage plan. Fails with [`StoreError::NotFound`] naming a stage that does not
    /// exist, [`StoreError::Conflict`] when the name is taken, [`StoreError::Invalid`] for a
    /// bad throttle or quota or a stage named twice.
    pub fn create_usage_plan(&self, plan: NewUsagePlan) -> Result<UsagePlan, StoreError> {
        names::resource_name("usage plan name", &plan.name)?;
        if let Some(throttle) = &plan.throttle {
            throttle.check()?;
        }
        if let Some(quota) = &plan.quota {
            quota.check()?;
        }
        let mut api_stages: Vec<UsagePlanStage> = Vec::new();
        for (api_id, stage) in &plan.api_stages {
            names::api_id(api_id)?;
            names::stage_name(stage)?;
            if api_stages
                .iter()
                .any(|s| &s.api_id == api_id && &s.stage == stage)
            {
                return Err(StoreError::Invalid {
                    what: "usage plan",
                    reason: format!("it names stage {api_id}/{stage} twice"),
                });
            }
            api_stages.push(UsagePlanStage {
                api_id: api_id.clone(),
                stage: stage.clone(),
                method_throttles: BTreeMap::new(),
            });
        }
        self.write(|tx| {
            let stages = self.open_write(tx, STAGES)?;
            for stage in &api_stages {
                if stages
                    .get((stage.api_id.as_str(), stage.stage.as_str()))
                    .context(self.ctx(), "read a stage")?
                    .is_none()
                {
                    return Err(StoreError::NotFound {
                        kind: "stage",
                        name: format!("{} (of API {})", stage.stage, stage.api_id),
                    });
                }
            }
            drop(stages);
            let mut by_name = self.open_write(tx, USAGE_PLAN_NAMES)?;
            if by_name
                .get(plan.name.as_str())
                .context(self.ctx(), "look up a usage plan name")?
                .is_some()
            {
                return Err(StoreError::Conflict {
                    what: format!("a usage plan named {} already exists", plan.name),
                });
            }
            let mut plans = self.open_write(tx, USAGE_PLANS)?;
            let id = loop {
                let id = random::string(10, random::LOWER_ALPHANUMERIC)?;
                if plans
                    .get(id.as_str())
                    .context(self.ctx(), "look up a usage plan id")?
                    .is_none()
                {
                    break id;
                }
            };
            let stored = UsagePlan {
                id,
                name: plan.name.clone(),
                api_stages: api_stages.clone(),
                throttle: plan.throttle,
                quota: plan.quota.clone(),
                key_ids: Vec::new(),
            };
            let bytes = self.encode("usage_plans", &stored.id, &stored)?;
            plans
                .insert(stored.id.as_str(), bytes.as_slice())
                .context(self.ctx(), "store a usage plan")?;
            by_name
                .insert(stored.name.as_str(), stored.id.as_str())
                .context(self.ctx(), "index a usage plan name")?;
            drop((plans, by_name));
            self.bump_generation(tx)?;
            Ok(stored)
        })
    }

    /// Every usage plan, by name.
    pub fn usage_plans(&self) -> Result<Vec<UsagePlan>, StoreError> {
        self.read(|tx| {
            let by_name = self.open_read(tx, USAGE_PLAN_NAMES)?;
            let plans = self.open_read(tx, USAGE_PLANS)?;
            let mut out = Vec::new();
            for entry in by_name.iter().context(self.ctx(), "list usage plans")? {
                let (name, id) = entry.context(self.ctx(), "list usage plans")?;
                let id = id.value();
                let bytes = plans
                    .get(id)
                    .context(self.ctx(), "read a usage plan")?
                    .ok_or_else(|| StoreError::Corrupt {
                        path: self.database_path().to_path_buf(),
                        table: "usage_plan_names",
                        key: name.value().to_owned(),
                        reason: format!("it names usage plan {id}, which is not stored"),
                    })?;
                out.push(self.decode("usage_plans", id, bytes.value())?);
            }
            Ok(out)
        })
    }

    /// The usage plan named `name`; [`StoreError::NotFound`] when there is none.
    pub fn usage_plan(&self, name: &str) -> Result<UsagePlan, StoreError> {
        self.read(|tx| {
            let by_name = self.open_read(tx, USAGE_PLAN_NAMES)?;
            let id = by_name
                .get(name)
                .context(self.ctx(), "look up a usage plan name")?
                .map(|id| id.value().to_owned())
                .ok_or_else(|| plan_not_found(name))?;
            let plans = self.open_read(tx, USAGE_PLANS)?;
            let bytes = plans
                .get(id.as_str())
                .context(self.ctx(), "read a usage plan")?
                .ok_or_else(|| plan_not_found(name))?;
            self.decode("usage_plans", &id, bytes.value())
        })
    }

    /// Adds the API key named `key_name` to the plan (AWS's CreateUsagePlanKey). Fails with
    /// [`StoreError::Conflict`] when the key is already in this plan, or in another plan that
    /// covers one of this plan's stages.
    pub fn add_usage_plan_key(
        &self,
        plan_name: &str,
        key_name: &str,
    ) -> Result<UsagePlan, StoreError> {
        self.write(|tx| {
            let key_id = self.api_key_id_in(tx, key_name)?;
            let mut plan = self.plan_in(tx, plan_name)?;
            if plan.key_ids.contains(&key_id) {
                return Err(StoreError::Conflict {
                    what: format!("API key {key_name} is already in usage plan {plan_name}"),
                });
            }
            let plans = self.open_write(tx, USAGE_PLANS)?;
            for entry in plans.iter().context(self.ctx(), "list usage plans")? {
                let (id, bytes) = entry.context(self.ctx(), "list usage plans")?;
                let other: UsagePlan = self.decode("usage_plans", id.value(), bytes.value())?;
                if other.id == plan.id || !other.key_ids.contains(&key_id) {
                    continue;
                }
                if let Some(shared) = plan
                    .api_stages
                    .iter()
                    .find(|s| other.covers(&s.api_id, &s.stage))
                {
                    return Err(StoreError::Conflict {
                        what: format!(
                            "API key {key_name} is already in usage plan {}, which also covers \
                             stage {}/{}; a key can be in only one plan per API stage",
                            other.name, shared.api_id, shared.stage
                        ),
                    });
                }
            }
            drop(plans);
            plan.key_ids.push(key_id);
            self.store_plan(tx, &plan)?;
            self.bump_generation(tx)?;
            Ok(plan)
        })
    }

    /// Sets (or, with `None`, removes) the throttle of one method for the plan's keys on one
    /// of its stages (AWS's `ApiStage.throttle` map). Fails with [`StoreError::NotFound`]
    /// when the plan does not cover that stage.
    pub fn set_usage_plan_method_throttle(
        &self,
        plan_name: &str,
        api_id: &str,
        stage: &str,
        method_key: &str,
        throttle: Option<Throttle>,
    ) -> Result<UsagePlan, StoreError> {
        if let Some(throttle) = &throttle {
            throttle.check()?;
        }
        let method_key = self::method_key(method_key)?;
        self.write(|tx| {
            let mut plan = self.plan_in(tx, plan_name)?;
            let api_stage = plan
                .api_stages
                .iter_mut()
                .find(|s| s.api_id == api_id && s.stage == stage)
                .ok_or_else(|| StoreError::NotFound {
                    kind: "API stage",
                    name: format!("{api_id}/{stage} (in usage plan {plan_name})"),
                })?;
            match throttle {
                Some(throttle) => {
                    api_stage.method_throttles.insert(method_key, throttle);
                }
                None => {
                    api_stage.method_throttles.remove(&method_key);
                }
            }
            self.store_plan(tx, &plan)?;
            self.bump_generation(tx)?;
            Ok(plan)
        })
    }

    /// Deletes the usage plan named `name` and its counters.
    pub fn delete_usage_plan(&self, name: &str) -> Result<(), StoreError> {
        self.write(|tx| {
            let mut by_name = self.open_write(tx, USAGE_PLAN_NAMES)?;
            let id = by_name
                .remove(name)
                .context(self.ctx(), "remove a usage plan name")?
                .map(|id| id.value().to_owned())
                .ok_or_else(|| plan_not_found(name))?;
            drop(by_name);
            let mut plans = self.open_write(tx, USAGE_PLANS)?;
            plans
                .remove(id.as_str())
                .context(self.ctx(), "remove a usage plan")?;
            drop(plans);
            let mut usage = self.open_write(tx, USAGE)?;
            let mut counters = Vec::new();
            for entry in usage
                .range((id.as_str(), "", 0u64)..)
                .context(self.ctx(), "list usage counters")?
            {
                let (key, _) = entry.context(self.ctx(), "list usage counters")?;
                let (plan, key, start) = key.value();
                if plan != id {
                    break;
                }
                counters.push((key.to_owned(), start));
            }
            for (key, start) in &counters {
                usage
                    .remove((id.as_str(), key.as_str(), *start))
                    .context(self.ctx(), "remove a usage counter")?;
            }
            drop(usage);
            self.bump_generation(tx)?;
            Ok(())
        })
    }

    /// The requests counted for key `key_id` in plan `plan_id` in the period starting at
    /// `period_start` (0 when none were).
    pub fn usage(&self, plan_id: &str, key_id: &str, period_start: u64) -> Result<u64, StoreError> {
        self.read(|tx| {
            let usage = self.open_read(tx, USAGE)?;
            Ok(usage
                .get((plan_id, key_id, period_start))
                .context(self.ctx(), "read a usage counter")?
                .map(|count| count.value())
                .unwrap_or(0))
        })
    }

    /// Adds every increment to its counter in one durable transaction; the gateway batches
    /// many requests into one call. Increments for a plan or key deleted since are dropped,
    /// so a late batch cannot bring back their counters. Does not bump the generation.
    pub fn add_usage(&self, increments: &[UsageIncrement]) -> Result<(), StoreError> {
        if increments.iter().all(|i| i.count == 0) {
            return Ok(());
        }
        self.write(|tx| {
            let plans = self.open_write(tx, USAGE_PLANS)?;
            let keys = self.open_write(tx, API_KEYS)?;
            let mut usage = self.open_write(tx, USAGE)?;
            for increment in increments.iter().filter(|i| i.count > 0) {
                let plan_exists = plans
                    .get(increment.plan_id.as_str())
                    .context(self.ctx(), "look up a usage plan")?
                    .is_some();
                let key_exists = keys
                    .get(increment.key_id.as_str())
                    .context(self.ctx(), "look up an API key")?
                    .is_some();
                if !plan_exists || !key_exists {
                    continue;
                }
                let counter = (
                    increment.plan_id.as_str(),
                    increment.key_id.as_str(),
                    increment.period_start,
                );
                let current = usage
                    .get(counter)
                    .context(self.ctx(), "read a usage counter")?
                    .map(|count| count.value())
                    .unwrap_or(0);
                usage
                    .insert(counter, current.saturating_add(increment.count))
                    .context(self.ctx(), "add to a usage counter")?;
            }
            Ok(())
        })
    }

    // ----- helpers -----

    fn plan_in(&self, tx: &WriteTransaction, name: &str) -> Result<UsagePlan, StoreError> {
        let by_name = self.open_write(tx, USAGE_PLAN_NAMES)?;
        let id = by_name
            .get(name)
            .context(self.ctx(), "look up a usage plan name")?
            .map(|id| id.value().to_owned())
            .ok_or_else(|| plan_not_found(name))?;
        drop(by_name);
        let plans = self.open_write(tx, USAGE_PLANS)?;
        let bytes = plans
            .get(id.as_str())
            .context(self.ctx(), "read a usage plan")?
            .map(|bytes| bytes.value().to_vec())
            .ok_or_else(|| plan_not_found(name))?;
        self.decode("usage_plans", &id, &bytes)
    }

    fn store_plan(&self, tx: &WriteTransaction, plan: &UsagePlan) -> Result<(), StoreError> {
        let bytes = self.encode("usage_plans", &plan.id, plan)?;
        let mut plans = self.open_write(tx, USAGE_PLANS)?;
        plans
            .insert(plan.id.as_str(), bytes.as_slice())
            .context(self.ctx(), "store a usage plan")?;
        Ok(())
    }
}

fn plan_not_found(name: &str) -> StoreError {
    StoreError::NotFound {
        kind: "usage plan",
        name: name.to_owned(),
    }
}
