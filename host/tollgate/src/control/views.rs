//! The JSON shapes of the admin API (camelCase, as AWS's APIs spell them): one function per
//! stored type, used by the admin server and by the CLI when it works offline.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};
use tollgate_store::{
    AccessKey, ApiKey, Deployment, FunctionAlias, FunctionVersion, Quota, Stage, Throttle,
    UsagePlan,
};

/// A stage.
pub fn stage(api_id: &str, stage: &Stage) -> Value {
    json!({
        "apiId": api_id,
        "name": stage.name,
        "deploymentId": stage.deployment_id,
        "variables": stage.variables,
        "history": stage.history,
        "canary": stage.canary.as_ref().map(|canary| json!({
            "deploymentId": canary.deployment_id,
            "percent": canary.percent,
            "variables": canary.variables,
        })),
        "updatedEpochMillis": stage.updated_epoch_millis,
        "throttle": stage.throttle.as_ref().map(throttle),
        "methodThrottles": method_throttles(&stage.method_throttles),
    })
}

/// A throttle, in AWS's `ThrottleSettings` names.
pub fn throttle(throttle: &Throttle) -> Value {
    json!({ "rateLimit": throttle.rate, "burstLimit": throttle.burst })
}

/// Throttles by AWS's `{resourcePath}/{httpMethod}` key.
fn method_throttles(throttles: &BTreeMap<String, Throttle>) -> Value {
    Value::Object(
        throttles
            .iter()
            .map(|(key, t)| (key.clone(), throttle(t)))
            .collect::<Map<String, Value>>(),
    )
}

/// A quota, in AWS's `QuotaSettings` names.
pub fn quota(quota: &Quota) -> Value {
    json!({ "limit": quota.limit, "period": quota.period.as_str(), "offset": quota.offset })
}

/// An API key, without its value (only its creation answers that).
pub fn api_key(key: &ApiKey) -> Value {
    json!({
        "id": key.id,
        "name": key.name,
        "enabled": key.enabled,
        "createdEpochSeconds": key.created,
    })
}

/// A usage plan; `keys` names the API keys by id (an id missing from it is shown bare).
pub fn usage_plan(plan: &UsagePlan, keys: &BTreeMap<String, String>) -> Value {
    let api_stages: Vec<Value> = plan
        .api_stages
        .iter()
        .map(|s| {
            json!({
                "apiId": s.api_id,
                "stage": s.stage,
                "throttle": method_throttles(&s.method_throttles),
            })
        })
        .collect();
    let api_keys: Vec<Value> = plan
        .key_ids
        .iter()
        .map(|id| json!({ "id": id, "name": keys.get(id) }))
        .collect();
    json!({
        "id": plan.id,
        "name": plan.name,
        "apiStages": api_stages,
        "throttle": plan.throttle.as_ref().map(throttle),
        "quota": plan.quota.as_ref().map(quota),
        "apiKeys": api_keys,
    })
}

/// An access key, never with its secret.
pub fn access_key(key: &AccessKey) -> Value {
    json!({
        "accessKeyId": key.id,
        "principal": key.principal,
        "policy": key.policy,
        "enabled": key.enabled,
        "createdEpochSeconds": key.created,
    })
}

/// A deployment, without its document (which can be large).
pub fn deployment(deployment: &Deployment) -> Value {
    json!({
        "id": deployment.id,
        "apiId": deployment.api_id,
        "createdEpochMillis": deployment.created_epoch_millis,
        "description": deployment.description,
        "componentHashes": deployment.component_hashes,
        "variables": deployment.variables,
    })
}

/// A function version.
pub fn version(version: &FunctionVersion) -> Value {
    json!({
        "name": version.name,
        "version": version.version,
        "hash": version.hash.as_str(),
        "description": version.description,
        "createdEpochMillis": version.created_epoch_millis,
    })
}

/// A function alias.
pub fn alias(alias: &FunctionAlias) -> Value {
    json!({
        "function": alias.function,
        "alias": alias.alias,
        "version": alias.version,
    })
}
