//! The JSON shapes of the admin API (camelCase, as AWS's APIs spell them): one function per
//! stored type, used by the admin server and by the CLI when it works offline.

use serde_json::{Value, json};
use tollgate_store::{Deployment, FunctionAlias, FunctionVersion, Stage};

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
