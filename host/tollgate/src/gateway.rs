//! The gateway's live state: every served stage as one immutable [`Deployed`] value behind an
//! atomic pointer. Building happens off the request path; a swap makes the new value current
//! while requests already running finish on the value they started with.

use std::collections::HashMap;
use std::sync::Arc;

use arc_swap::ArcSwap;
use tollgate_runtime::Runtime;
use tollgate_store::Store;

use crate::request::MethodRequest;
use crate::stage::{StageBuildError, StagePipeline};
use crate::upstream::Upstream;

/// Every stage that is served, by API.
#[derive(Default)]
pub struct Deployed {
    /// api id → stage name → pipeline.
    apis: HashMap<String, HashMap<String, Arc<StagePipeline>>>,
}

impl Deployed {
    /// The number of served stages.
    pub fn stage_count(&self) -> usize {
        self.apis.values().map(HashMap::len).sum()
    }

    /// Chooses the API and stage of a request, and the path after the stage:
    /// `Host: {api-id}.execute-api.{anything}` picks the API; otherwise the stage name (the
    /// first path segment) must belong to exactly one API.
    pub fn select_stage(&self, request: &MethodRequest) -> Option<(&Arc<StagePipeline>, String)> {
        let path = request.full_path.as_str();
        let trimmed = path.strip_prefix('/').unwrap_or(path);
        let (stage_name, rest) = match trimmed.find('/') {
            Some(i) => (&trimmed[..i], &trimmed[i..]),
            None => (trimmed, "/"),
        };
        if stage_name.is_empty() {
            return None;
        }
        let host_api = request
            .header("host")
            .and_then(|host| host.split_once(".execute-api."))
            .map(|(api, _)| api);
        let stage = match host_api {
            Some(api) => self.apis.get(api)?.get(stage_name)?,
            None => {
                let mut candidates = self.apis.values().filter_map(|s| s.get(stage_name));
                let first = candidates.next()?;
                if candidates.next().is_some() {
                    return None;
                }
                first
            }
        };
        Some((stage, rest.to_string()))
    }
}

/// The data plane's shared state.
pub struct Gateway {
    deployed: ArcSwap<Deployed>,
    store: Store,
    runtime: Runtime,
    upstream: Upstream,
}

impl Gateway {
    /// A gateway serving every stage in the store. A stage that fails to build is reported
    /// and not served; the others are.
    pub fn load(
        store: Store,
        runtime: Runtime,
    ) -> Result<(Gateway, Vec<StageBuildError>), StageBuildError> {
        let gateway = Gateway {
            deployed: ArcSwap::from_pointee(Deployed::default()),
            store,
            runtime,
            upstream: Upstream::new(),
        };
        let errors = gateway.reload()?;
        Ok((gateway, errors))
    }

    /// Rebuilds every stage from the store and swaps the result in atomically.
    pub fn reload(&self) -> Result<Vec<StageBuildError>, StageBuildError> {
        let mut deployed = Deployed::default();
        let mut errors = Vec::new();
        for (api_id, stage) in self.store.stages()? {
            match StagePipeline::build(&self.store, &self.runtime, &api_id, &stage) {
                Ok(pipeline) => {
                    deployed
                        .apis
                        .entry(api_id)
                        .or_default()
                        .insert(stage.name.clone(), Arc::new(pipeline));
                }
                Err(error) => errors.push(error),
            }
        }
        self.deployed.store(Arc::new(deployed));
        Ok(errors)
    }

    /// The current value; held for the whole of one request.
    pub fn deployed(&self) -> arc_swap::Guard<Arc<Deployed>> {
        self.deployed.load()
    }

    /// The backend client.
    pub fn upstream(&self) -> &Upstream {
        &self.upstream
    }
}
