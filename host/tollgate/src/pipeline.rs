//! One request, start to end: the order of the steps in DESIGN.md, each a named function in
//! its own module. Steps that later issues add (resource policy, API keys, throttling,
//! authorizers, validation, cache) slot in where the comments of [`handle`] say.

use std::sync::Arc;
use std::time::Instant;

use http::{HeaderValue, Response};
use tollgate_definition::RouteOutcome;

use crate::body::GatewayBody;
use crate::gateway::Gateway;
use crate::gateway_response::GatewayError;
use crate::integration;
use crate::request::MethodRequest;
use crate::stage::StagePipeline;

/// A request after routing: its stage, its resource and path parameters.
pub struct RoutedRequest<'a> {
    pub stage: &'a StagePipeline,
    pub request: MethodRequest,
    /// The matched resource path template, e.g. `/items/{id}`.
    pub resource_path: &'a str,
    /// The path after the stage, as sent (percent-encoded).
    pub path: String,
    pub path_parameters: Vec<(String, String)>,
}

/// Serves one request and always answers: errors become gateway responses here.
pub async fn serve(gateway: &Gateway, request: MethodRequest) -> Response<GatewayBody> {
    let started = Instant::now();
    let request_id = request.request_id.clone();
    let method = request.method.clone();
    let path = request.full_path.clone();
    let source_ip = request.source_ip;
    let (mut response, stage) = match handle(gateway, request).await {
        Ok((response, stage)) => (response, stage),
        Err((error, stage)) => {
            match error.source_kind() {
                crate::gateway_response::Source::Client => {
                    tracing::debug!(request_id, %error, "request refused")
                }
                _ => tracing::warn!(request_id, %error, "request failed"),
            }
            (error.into_response(), stage)
        }
    };
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
        stage = stage.as_ref().map_or("-", |s| s.name.as_str()),
        canary = stage.as_ref().is_some_and(|s| s.canary),
        status = response.status().as_u16(),
        responseLatency = started.elapsed().as_millis() as u64,
    );
    response
}

/// The stage that served a request, for the access log.
struct StageLabel {
    name: String,
    canary: bool,
}

type Outcome =
    Result<(Response<GatewayBody>, Option<StageLabel>), (GatewayError, Option<StageLabel>)>;

async fn handle(gateway: &Gateway, request: MethodRequest) -> Outcome {
    // Step 1: the listener chose the API and stage.
    let deployed = gateway.deployed();
    let Some((served, path)) = deployed.select_stage(&request) else {
        return Err((missing_route(&request), None));
    };
    // A canary takes its share of requests, each request drawn independently.
    let stage: Arc<StagePipeline> = served.pick().clone();
    drop(deployed);
    let stage_name = Some(StageLabel {
        name: stage.stage.clone(),
        canary: stage.is_canary,
    });
    // Step 2: route.
    let route = match stage.router.route(request.method.as_str(), &path) {
        RouteOutcome::Matched(route) => route,
        RouteOutcome::NoRoute => return Err((missing_route(&request), stage_name)),
    };
    let resource = &stage.definition.resources[route.resource_index];
    let method = &resource.methods[route.method_index];
    let mut routed = RoutedRequest {
        stage: &stage,
        request,
        resource_path: &resource.path,
        path,
        path_parameters: route.path_parameters,
    };
    // Steps 3–8 (resource policy, API keys and usage plans, throttling, authorizer, request
    // validation, cache lookup) come here, in that order.

    // Steps 9–11: integration request, call, response.
    let resolved = stage.integration(route.resource_index, route.method_index);
    match integration::invoke(&mut routed, method, resolved, gateway.upstream()).await {
        Ok(response) => Ok((response, stage_name)),
        Err(error) => Err((error, stage_name)),
    }
    // Step 12 (cache store, CORS, customised gateway responses) comes here.
}

fn missing_route(request: &MethodRequest) -> GatewayError {
    GatewayError::MissingAuthenticationToken {
        method: request.method.to_string(),
        path: request.full_path.clone(),
    }
}
