//! API keys, usage plans, their quota usage, and stage and method throttles: the control
//! operations over the store's records. None of them changes a stage's pipeline, so none
//! needs `check_servable`; the admin server still reloads after each change, which is how the
//! gateway picks up keys, plans and throttles.

use std::collections::BTreeMap;

use serde_json::{Value, json};
use tollgate_store::{NewUsagePlan, Throttle, UsagePlan};

use super::{Control, ControlError, views};

impl Control {
    /// Creates an API key; the answer is the only place its value appears.
    pub fn create_api_key(&self, name: &str, value: Option<&str>) -> Result<Value, ControlError> {
        let _serial = self.serial();
        let (key, value) = self.store.create_api_key(name, value)?;
        let mut view = views::api_key(&key);
        view["value"] = Value::String(value);
        Ok(view)
    }

    /// Every API key, by name, without values.
    pub fn api_keys(&self) -> Result<Value, ControlError> {
        let items: Vec<Value> = self.store.api_keys()?.iter().map(views::api_key).collect();
        Ok(json!({ "items": items }))
    }

    /// Deletes an API key (and takes it out of every usage plan); answers the deleted key.
    pub fn delete_api_key(&self, name: &str) -> Result<Value, ControlError> {
        let _serial = self.serial();
        let key = self.store.api_key(name)?;
        self.store.delete_api_key(name)?;
        Ok(views::api_key(&key))
    }

    /// Creates a usage plan; every stage it names must exist.
    pub fn create_usage_plan(&self, plan: NewUsagePlan) -> Result<Value, ControlError> {
        let _serial = self.serial();
        let plan = self.store.create_usage_plan(plan)?;
        self.plan_view(&plan)
    }

    /// Every usage plan, by name.
    pub fn usage_plans(&self) -> Result<Value, ControlError> {
        let names = self.key_names()?;
        let items: Vec<Value> = self
            .store
            .usage_plans()?
            .iter()
            .map(|plan| views::usage_plan(plan, &names))
            .collect();
        Ok(json!({ "items": items }))
    }

    /// One usage plan.
    pub fn usage_plan(&self, name: &str) -> Result<Value, ControlError> {
        self.plan_view(&self.store.usage_plan(name)?)
    }

    /// Adds an API key to a usage plan.
    pub fn add_usage_plan_key(&self, plan: &str, key: &str) -> Result<Value, ControlError> {
        let _serial = self.serial();
        let plan = self.store.add_usage_plan_key(plan, key)?;
        self.plan_view(&plan)
    }

    /// Sets (or clears, with `None`) the per-key throttle of one method on one of the plan's
    /// stages. The method must be one the stage serves now.
    pub fn set_usage_plan_method_throttle(
        &self,
        plan: &str,
        api_id: &str,
        stage: &str,
        method: &str,
        throttle: Option<Throttle>,
    ) -> Result<Value, ControlError> {
        let _serial = self.serial();
        if throttle.is_some() {
            self.check_method_served(api_id, stage, method)?;
        }
        let plan = self
            .store
            .set_usage_plan_method_throttle(plan, api_id, stage, method, throttle)?;
        self.plan_view(&plan)
    }

    /// Deletes a usage plan and its counters; answers the deleted plan.
    pub fn delete_usage_plan(&self, name: &str) -> Result<Value, ControlError> {
        let _serial = self.serial();
        let plan = self.store.usage_plan(name)?;
        let view = self.plan_view(&plan)?;
        self.store.delete_usage_plan(name)?;
        Ok(view)
    }

    /// The quota usage of an API key in each plan it is in, for the current period, from the
    /// store's counters. Every request the gateway let through is already committed there (it
    /// waits for the commit), so this never undercounts an answered request.
    pub fn usage(&self, key_name: &str) -> Result<Value, ControlError> {
        let key = self.store.api_key(key_name)?;
        // The gateway's clock, so a shifted clock reports the period the gateway counts in.
        let now = crate::clock::unix_seconds(crate::clock::now());
        let mut items = Vec::new();
        for plan in self.store.usage_plans()? {
            if !plan.key_ids.contains(&key.id) {
                continue;
            }
            let mut item = json!({
                "usagePlanId": plan.id,
                "usagePlan": plan.name,
                "quota": plan.quota.as_ref().map(views::quota),
            });
            if let Some(quota) = &plan.quota {
                let start = tollgate_store::quota_period_start(quota, now);
                let end = tollgate_store::quota_period_end(quota, now);
                let used = self.store.usage(&plan.id, &key.id, start)?;
                item["used"] = json!(used);
                item["remaining"] = json!(quota.limit.saturating_sub(used));
                item["periodStart"] = json!(tollgate_store::format_utc(start));
                item["periodEnd"] = json!(tollgate_store::format_utc(end));
                item["periodStartEpochSeconds"] = json!(start);
                item["periodEndEpochSeconds"] = json!(end);
            }
            items.push(item);
        }
        Ok(json!({ "apiKey": views::api_key(&key), "items": items }))
    }

    /// Sets (or clears, with `None`) a stage's default throttle, or with `method` the
    /// throttle of one method (AWS's `{resourcePath}/{httpMethod}`, which must be served by
    /// the stage; `*/*` means every method).
    pub fn set_stage_throttle(
        &self,
        api_id: &str,
        stage: &str,
        method: Option<&str>,
        throttle: Option<Throttle>,
    ) -> Result<Value, ControlError> {
        let _serial = self.serial();
        if let (Some(method), Some(_)) = (method, &throttle) {
            self.check_method_served(api_id, stage, method)?;
        } else {
            self.stage_or_not_found(api_id, stage)?;
        }
        let stored = self
            .store
            .set_stage_throttle(api_id, stage, method, throttle)?;
        Ok(views::stage(api_id, &stored))
    }

    // ----- helpers -----

    /// API key id → name.
    fn key_names(&self) -> Result<BTreeMap<String, String>, ControlError> {
        Ok(self
            .store
            .api_keys()?
            .into_iter()
            .map(|key| (key.id, key.name))
            .collect())
    }

    fn plan_view(&self, plan: &UsagePlan) -> Result<Value, ControlError> {
        Ok(views::usage_plan(plan, &self.key_names()?))
    }

    /// Checks that `method` (a method key) names a method of the deployment the stage
    /// serves, as AWS refuses settings for methods that do not exist; a typo would otherwise
    /// be a throttle that never applies.
    fn check_method_served(
        &self,
        api_id: &str,
        stage_name: &str,
        method: &str,
    ) -> Result<(), ControlError> {
        let key = tollgate_store::method_key(method)?;
        let stage = self.stage_or_not_found(api_id, stage_name)?;
        if key == "*/*" {
            return Ok(());
        }
        let Some(deployment) = self.store.deployment(&stage.deployment_id)? else {
            return Ok(());
        };
        // A deployment that no longer imports cannot be served at all; there is nothing to
        // check the key against, and refusing the setting would not help.
        let Ok(definition) = tollgate_definition::import_str(
            &deployment.document.to_string(),
            &format!("deployment {}", deployment.id),
        ) else {
            return Ok(());
        };
        let served: Vec<String> = definition
            .resources
            .iter()
            .flat_map(|resource| {
                resource
                    .methods
                    .iter()
                    .map(move |m| format!("{}/{}", resource.path, m.http_method))
            })
            .collect();
        if served.contains(&key) {
            return Ok(());
        }
        Err(ControlError::NotFound(format!(
            "method {key} is not served by stage {stage_name} of API {api_id}; its methods: {}",
            served.join(", ")
        )))
    }
}
