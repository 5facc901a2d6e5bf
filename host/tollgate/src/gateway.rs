//! The gateway's live state: every served stage as one immutable [`Deployed`] value behind an
//! atomic pointer. Building happens off the request path; a swap makes the new value current
//! while requests already running finish on the value they started with (their `Arc`s keep
//! the old pipelines, and the components those hold, alive until they end).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use arc_swap::ArcSwap;
use tollgate_runtime::Runtime;
use tollgate_store::Store;

use crate::access::throttling::{BucketKey, Limit};
use crate::access::{AccessControl, Credentials};
use crate::metrics::Metrics;
use crate::request::MethodRequest;
use crate::stage::{StageBuildError, StagePipeline};
use crate::upstream::Upstream;

/// A served stage: its pipeline, and its canary's when it has one.
pub struct ServedStage {
    pub main: Arc<StagePipeline>,
    /// The canary's share of requests (0–100) and its pipeline.
    pub canary: Option<(f64, Arc<StagePipeline>)>,
}

impl ServedStage {
    /// The side that serves one request: each request is assigned independently, as AWS does.
    pub fn pick(&self) -> &Arc<StagePipeline> {
        match &self.canary {
            Some((percent, canary)) if fastrand::f64() * 100.0 < *percent => canary,
            _ => &self.main,
        }
    }
}

/// Every stage that is served, by API, and the credentials callers identify with.
#[derive(Default)]
pub struct Deployed {
    /// api id → stage name → stage.
    apis: HashMap<String, HashMap<String, ServedStage>>,
    /// API keys, usage plans and access keys, as of the same reload.
    pub credentials: Arc<Credentials>,
}

/// The prefix of LocalStack-compatible paths: `/restapis/{api-id}/{stage}/_user_request_/...`.
const LOCALSTACK_PREFIX: &str = "/restapis/";
const LOCALSTACK_MARKER: &str = "/_user_request_";

impl Deployed {
    /// The number of served stages.
    pub fn stage_count(&self) -> usize {
        self.apis.values().map(HashMap::len).sum()
    }

    /// Chooses the API and stage of a request, and the path after the stage:
    /// the LocalStack path `/restapis/{api}/{stage}/_user_request_/...`;
    /// `Host: {api-id}.execute-api.{anything}` with `/{stage}/...`; or `/{stage}/...` when
    /// exactly one API has a stage of that name.
    pub fn select_stage(&self, request: &MethodRequest) -> Option<(&ServedStage, String)> {
        let path = request.full_path.as_str();
        if let Some(rest) = path.strip_prefix(LOCALSTACK_PREFIX) {
            let (api, rest) = rest.split_once('/')?;
            let (stage, rest) = rest.split_once('/').unwrap_or((rest, ""));
            let rest = format!("/{rest}");
            let after = rest.strip_prefix(LOCALSTACK_MARKER)?;
            let after = if after.is_empty() { "/" } else { after };
            if !after.starts_with('/') {
                return None;
            }
            let served = self.apis.get(api)?.get(stage)?;
            return Some((served, after.to_string()));
        }
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
        let served = match host_api {
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
        Some((served, rest.to_string()))
    }
}

/// The data plane's shared state.
pub struct Gateway {
    deployed: ArcSwap<Deployed>,
    store: Store,
    runtime: Runtime,
    upstream: Upstream,
    metrics: Metrics,
    access: AccessControl,
    /// Reloads build from the store one at a time, so a slower older build can never
    /// replace a newer one.
    reloading: Mutex<()>,
}

impl Gateway {
    /// A gateway serving every stage in the store. A stage that fails to build is reported
    /// and not served; the others are.
    pub fn load(
        store: Store,
        runtime: Runtime,
        account_limit: Limit,
    ) -> Result<(Gateway, Vec<StageBuildError>), StageBuildError> {
        let gateway = Gateway {
            deployed: ArcSwap::from_pointee(Deployed::default()),
            access: AccessControl::new(store.clone(), account_limit),
            store,
            runtime,
            upstream: Upstream::new(),
            metrics: Metrics::new(),
            reloading: Mutex::new(()),
        };
        let errors = gateway.reload()?;
        Ok((gateway, errors))
    }

    /// Rebuilds every stage from the store and swaps the result in atomically. A stage whose
    /// new pipeline fails to build keeps serving its current one (and the error is returned).
    pub fn reload(&self) -> Result<Vec<StageBuildError>, StageBuildError> {
        let _one_at_a_time = self.reloading.lock().unwrap_or_else(|p| p.into_inner());
        let current = self.deployed.load_full();
        let mut deployed = Deployed {
            apis: HashMap::new(),
            credentials: Arc::new(Credentials::load(&self.store)?),
        };
        let mut errors = Vec::new();
        for (api_id, stage) in self.store.stages()? {
            let built = StagePipeline::build(&self.store, &self.runtime, &api_id, &stage).and_then(
                |main| {
                    let canary = match &stage.canary {
                        Some(canary) => Some((
                            canary.percent,
                            Arc::new(StagePipeline::build_canary(
                                &self.store,
                                &self.runtime,
                                &api_id,
                                &stage,
                                canary,
                            )?),
                        )),
                        None => None,
                    };
                    Ok(ServedStage {
                        main: Arc::new(main),
                        canary,
                    })
                },
            );
            let served = match built {
                Ok(served) => served,
                Err(error) => {
                    errors.push(error);
                    match current.apis.get(&api_id).and_then(|s| s.get(&stage.name)) {
                        Some(previous) => ServedStage {
                            main: previous.main.clone(),
                            canary: previous.canary.clone(),
                        },
                        None => continue,
                    }
                }
            };
            deployed
                .apis
                .entry(api_id)
                .or_default()
                .insert(stage.name.clone(), served);
        }
        // Buckets of stages and plans that are gone would otherwise stay forever.
        self.access.throttling.retain(|key| match key {
            BucketKey::Stage { api, stage } | BucketKey::Method { api, stage, .. } => deployed
                .apis
                .get(api)
                .is_some_and(|stages| stages.contains_key(stage)),
            BucketKey::UsagePlanKey { plan, .. } => deployed.credentials.has_plan(plan),
        });
        self.deployed.store(Arc::new(deployed));
        drop(current);
        // Components no pipeline uses any more are dropped from memory (they stay compiled on
        // disk); ones still held by in-flight requests go at a later reload.
        self.runtime.evict_unused();
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

    /// The access steps' state.
    pub fn access(&self) -> &AccessControl {
        &self.access
    }

    /// The request metrics.
    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }
}
