//! One request, start to end: the order of the steps in DESIGN.md, each a named function in
//! its own module. Steps that later issues add (the cache) slot in where the comments of
//! [`run_steps`] say.

use std::sync::Arc;
use std::time::Instant;

use http::{HeaderValue, Response};
use tollgate_definition::{Method, RouteOutcome};

use crate::access::{self, Caller};
use crate::body::GatewayBody;
use crate::cors::{Cors, request_origin};
use crate::gateway::Gateway;
use crate::gateway_response::{ErrorSite, GatewayError, Source};
use crate::integration;
use crate::metrics::Dimensions;
use crate::request::MethodRequest;
use crate::stage::{ResolvedMethod, StagePipeline};

/// A request after routing: its stage, its resource and path parameters.
pub struct RoutedRequest<'a> {
    pub stage: &'a StagePipeline,
    pub request: MethodRequest,
    /// The matched resource path template, e.g. `/items/{id}`.
    pub resource_path: &'a str,
    /// The path after the stage, as sent (percent-encoded).
    pub path: String,
    pub path_parameters: Vec<(String, String)>,
    /// What the access steps (3–6) learnt of the caller.
    pub caller: Caller,
}

/// Serves one request and always answers: errors become gateway responses here.
pub async fn serve(gateway: &Gateway, request: MethodRequest) -> Response<GatewayBody> {
    let started = Instant::now();
    let request_id = request.request_id.clone();
    let method = request.method.clone();
    let path = request.full_path.clone();
    let source_ip = request.source_ip;
    let (mut response, stage) = handle(gateway, request).await;
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    if let Some(label) = &stage {
        label.record_metrics(gateway, &method, response.status().as_u16(), latency_ms);
    }
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert("x-amzn-requestid", value);
    }
    // Step 13: access log (AWS `$context` names).
    tracing::info!(
        target: "access",
        requestId = %request_id,
        ip = %source_ip,
        httpMethod = %method,
        path = %path,
        stage = stage.as_ref().map_or("-", |s| s.stage.stage.as_str()),
        canary = stage.as_ref().is_some_and(|s| s.stage.is_canary),
        status = response.status().as_u16(),
        responseLatency = started.elapsed().as_millis() as u64,
    );
    response
}

/// The stage that served a request, for the access log and the metrics.
struct StageLabel {
    stage: Arc<StagePipeline>,
    /// The matched resource and method (indexes into the stage's definition), once routed.
    route: Option<(usize, usize)>,
    /// How long the integration took, when it ran.
    integration_ms: Option<f64>,
}

impl StageLabel {
    fn record_metrics(&self, gateway: &Gateway, method: &http::Method, status: u16, ms: f64) {
        let resource = self.route.map_or("", |(resource, _)| {
            &self.stage.definition.resources[resource].path
        });
        let dimensions = || Dimensions {
            api: self.stage.api_id.clone(),
            stage: self.stage.stage.clone(),
            method: method.as_str().to_string(),
            resource: resource.to_string(),
            canary: self.stage.is_canary.to_string(),
        };
        // A routed method keeps its handles; anything else is looked up by its labels.
        let looked_up;
        let metrics = match self.route.and_then(|(resource, index)| {
            self.stage
                .method(resource, index)
                .metrics
                .get(gateway.metrics(), method, dimensions)
        }) {
            Some(metrics) => metrics,
            None => {
                looked_up = gateway.metrics().for_dimensions(&dimensions());
                &looked_up
            }
        };
        metrics.record(status, ms);
        if let Some(integration_ms) = self.integration_ms {
            metrics.record_integration(integration_ms);
        }
    }
}

fn log_failure(request_id: &str, error: &GatewayError) {
    match error.source_kind() {
        Source::Client => tracing::debug!(request_id, %error, "request refused"),
        _ => tracing::warn!(request_id, %error, "request failed"),
    }
}

async fn handle(
    gateway: &Gateway,
    request: MethodRequest,
) -> (Response<GatewayBody>, Option<StageLabel>) {
    // Step 1: the listener chose the API and stage.
    let deployed = gateway.deployed();
    let Some((served, path)) = deployed.select_stage(&request) else {
        let error = missing_route(&request);
        log_failure(&request.request_id, &error);
        return (error.into_response(), None);
    };
    // A canary takes its share of requests, each request drawn independently.
    let stage: Arc<StagePipeline> = served.pick().clone();
    // The credentials of the same snapshot that chose the stage.
    let credentials = deployed.credentials.clone();
    drop(deployed);
    let mut label = Some(StageLabel {
        stage: stage.clone(),
        route: None,
        integration_ms: None,
    });
    // CORS preflights are the gateway's to answer, before routing (HTTP API CORS).
    if let Some(cors) = &stage.cors
        && Cors::is_preflight(&request)
    {
        return (cors.preflight(&request), label);
    }
    let origin = request_origin(&request);
    let with_cors = |mut response: Response<GatewayBody>| {
        if let Some(cors) = &stage.cors {
            cors.apply(origin.as_ref(), &mut response);
        }
        response
    };
    // Step 2: route.
    let route = match stage.router.route(request.method.as_str(), &path) {
        RouteOutcome::Matched(route) => route,
        RouteOutcome::NoRoute => {
            let error = missing_route(&request);
            log_failure(&request.request_id, &error);
            let site = ErrorSite {
                stage: &stage,
                request: &request,
                path_parameters: &[],
                resource_path: "",
                caller: &Caller::default(),
            };
            return (with_cors(error.into_response_at(Some(site))), label);
        }
    };
    let resource = &stage.definition.resources[route.resource_index];
    let method = &resource.methods[route.method_index];
    let resolved = stage.method(route.resource_index, route.method_index);
    let mut routed = RoutedRequest {
        stage: &stage,
        request,
        resource_path: &resource.path,
        path,
        path_parameters: route.path_parameters,
        caller: Caller::default(),
    };
    if let Some(label) = label.as_mut() {
        label.route = Some((route.resource_index, route.method_index));
    }
    let mut integration_ms = None;
    let outcome = run_steps(
        &mut routed,
        method,
        resolved,
        gateway,
        &credentials,
        &mut integration_ms,
    )
    .await;
    if let Some(label) = label.as_mut() {
        label.integration_ms = integration_ms;
    }
    match outcome {
        Ok(response) => (with_cors(response), label),
        Err(error) => {
            log_failure(&routed.request.request_id, &error);
            let site = ErrorSite {
                stage: &stage,
                request: &routed.request,
                path_parameters: &routed.path_parameters,
                resource_path: routed.resource_path,
                caller: &routed.caller,
            };
            (with_cors(error.into_response_at(Some(site))), label)
        }
    }
}

/// Steps 3 to 12 for a routed request.
async fn run_steps(
    routed: &mut RoutedRequest<'_>,
    method: &Method,
    resolved: &ResolvedMethod,
    gateway: &Gateway,
    credentials: &access::Credentials,
    integration_ms: &mut Option<f64>,
) -> Result<Response<GatewayBody>, GatewayError> {
    // Steps 3–6: resource policy, API key and usage plan, throttling, authorizer.
    access::check(routed, method, gateway.access(), credentials).await?;

    // Step 7: request validation.
    if let Some(validation) = &resolved.validation {
        let body = if validation.needs_body() {
            Some(routed.request.buffered_body().await?)
        } else {
            None
        };
        validation.check(routed, body.as_deref())?;
    }
    // Step 8 (cache lookup) comes here.

    // Steps 9–11: integration request, call, response.
    let started = Instant::now();
    let outcome = integration::invoke(routed, method, resolved, gateway.upstream()).await;
    *integration_ms = Some(started.elapsed().as_secs_f64() * 1000.0);
    outcome
    // Step 12 (cache store) comes here; CORS and customised gateway responses are applied
    // by the caller.
}

fn missing_route(request: &MethodRequest) -> GatewayError {
    GatewayError::MissingAuthenticationToken {
        method: request.method.to_string(),
        path: request.full_path.clone(),
    }
}
