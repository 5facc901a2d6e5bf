//! Deploying: import a definition, check that every stage built from it can be served, then
//! record the deployment and point the stage at it in one store transaction. A definition
//! that fails any check changes nothing.

use std::collections::BTreeMap;
use std::path::Path;

use tollgate_runtime::Runtime;
use tollgate_store::{Deployment, NewDeployment, Store};

use crate::stage::StagePipeline;

/// Why a deployment was refused.
#[derive(Debug, thiserror::Error)]
pub enum DeployError {
    #[error("{0}")]
    Import(#[from] tollgate_definition::ImportError),
    #[error("{path}: {message}")]
    Read { path: String, message: String },
    #[error("{source_name}: {error}")]
    Unservable {
        source_name: String,
        error: crate::stage::StageBuildError,
    },
    #[error("function {name}: {message}")]
    Function { name: String, message: String },
    #[error("store: {0}")]
    Store(#[from] tollgate_store::StoreError),
}

/// What to deploy.
pub struct DeployRequest<'a> {
    /// The definition text (OpenAPI YAML or JSON).
    pub text: &'a str,
    /// The file name errors name.
    pub source_name: &'a str,
    /// The API id; derived from `info.title` when absent.
    pub api_id: Option<&'a str>,
    pub stage: &'a str,
    pub variables: BTreeMap<String, String>,
    pub description: Option<&'a str>,
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

/// Publishes a function's component from a file (a new version unless unchanged).
pub fn publish_function(
    store: &Store,
    runtime: &Runtime,
    name: &str,
    path: &Path,
) -> Result<tollgate_store::FunctionVersion, DeployError> {
    let wasm = std::fs::read(path).map_err(|e| DeployError::Read {
        path: path.display().to_string(),
        message: e.to_string(),
    })?;
    publish_function_bytes(store, runtime, name, &wasm)
}

/// Publishes a function from component bytes, after checking that they load as a function.
pub fn publish_function_bytes(
    store: &Store,
    runtime: &Runtime,
    name: &str,
    wasm: &[u8],
) -> Result<tollgate_store::FunctionVersion, DeployError> {
    let hash = tollgate_store::ContentHash::of(wasm);
    let plugin = runtime
        .load(hash.as_str(), || Ok(wasm.to_vec()))
        .map_err(|e| DeployError::Function {
            name: name.to_string(),
            message: e.to_string(),
        })?;
    if !plugin.kind().is_function() {
        return Err(DeployError::Function {
            name: name.to_string(),
            message: format!(
                "the component is a {}, not a function (it must export tollgate:plugin/handler or wasi:http/incoming-handler)",
                plugin.kind().describe()
            ),
        });
    }
    let stored = store.put_component(wasm)?;
    Ok(store.publish_function(name, &stored, None)?)
}

/// Deploys a definition to a stage. Returns the deployment, or `None` when the stage already
/// serves exactly this document with these variables (nothing to do).
pub fn deploy(
    store: &Store,
    runtime: &Runtime,
    request: DeployRequest<'_>,
) -> Result<Option<Deployment>, DeployError> {
    let definition = tollgate_definition::import_str(request.text, request.source_name)?;
    let api_id = request
        .api_id
        .map(str::to_string)
        .unwrap_or_else(|| api_id_from_title(&definition.title));
    let document = definition.document.clone();

    if let Some(current) = store.stage(&api_id, request.stage)?
        && current.variables == request.variables
        && let Some(deployment) = store.deployment(&current.deployment_id)?
        && deployment.document == document
    {
        return Ok(None);
    }

    // Build the stage as it would be served: every function must resolve and load.
    let pipeline = StagePipeline::from_definition(
        store,
        runtime,
        &api_id,
        request.stage,
        "(new)",
        definition,
        &request.variables,
    )
    .map_err(|error| DeployError::Unservable {
        source_name: request.source_name.to_string(),
        error,
    })?;
    let component_hashes = pipeline.component_hashes();

    store.put_api(&api_id, &document)?;
    let deployment = store.create_deployment(
        &api_id,
        NewDeployment {
            document,
            component_hashes,
            description: request.description.map(str::to_string),
        },
    )?;
    store.point_stage(
        &api_id,
        request.stage,
        &deployment.id,
        Some(request.variables),
    )?;
    Ok(Some(deployment))
}

#[cfg(test)]
mod tests {
    use super::api_id_from_title;

    #[test]
    fn api_ids_come_from_titles() {
        assert_eq!(api_id_from_title("Pet Store API"), "pet-store-api");
        assert_eq!(api_id_from_title("  items  "), "items");
        assert_eq!(api_id_from_title("!!!"), "api");
    }
}
