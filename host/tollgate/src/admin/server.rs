//! The admin API server. Every request needs `Authorization: Bearer TOKEN` (except
//! `GET /v1/health`); every change goes through [`Control`] and is live in the data plane
//! (the gateway reloaded and swapped) before the answer is sent.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use http::{Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::net::TcpListener;

use tollgate_store::{NewUsagePlan, Quota, Throttle};

use crate::admin::token::tokens_match;
use crate::control::{Control, ControlError, DeployRequest};
use crate::gateway::Gateway;

/// The largest admin request body (a published component).
const MAX_ADMIN_BODY: usize = 256 * 1024 * 1024;

/// What the admin server needs.
pub struct Admin {
    pub control: Control,
    pub gateway: Arc<Gateway>,
    pub token: String,
}

fn respond(status: StatusCode, body: &Value) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body.to_string())));
    *response.status_mut() = status;
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    response
}

fn error(status: StatusCode, message: impl Into<String>) -> Response<Full<Bytes>> {
    respond(status, &json!({ "message": message.into() }))
}

fn control_error(refused: ControlError) -> Response<Full<Bytes>> {
    let status = match &refused {
        ControlError::BadRequest(_) => StatusCode::BAD_REQUEST,
        ControlError::NotFound(_) => StatusCode::NOT_FOUND,
        ControlError::Conflict(_) => StatusCode::CONFLICT,
        ControlError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    };
    error(status, refused.to_string())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct DeployBody {
    definition: String,
    source_name: Option<String>,
    api_id: Option<String>,
    stage: String,
    description: Option<String>,
    #[serde(default)]
    variables: BTreeMap<String, String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RollbackBody {
    deployment_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct VariablesBody {
    #[serde(default)]
    set: BTreeMap<String, String>,
    #[serde(default)]
    unset: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CanaryBody {
    deployment_id: String,
    percent: f64,
    #[serde(default)]
    variables: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CanaryUpdateBody {
    percent: Option<f64>,
    #[serde(default)]
    variables: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct AliasBody {
    version: u32,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ApiKeyBody {
    name: String,
    value: Option<String>,
}

/// AWS's `ThrottleSettings`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ThrottleBody {
    rate_limit: f64,
    burst_limit: u32,
}

impl From<ThrottleBody> for Throttle {
    fn from(body: ThrottleBody) -> Self {
        Throttle {
            rate: body.rate_limit,
            burst: body.burst_limit,
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ApiStageBody {
    api_id: String,
    stage: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct UsagePlanBody {
    name: String,
    #[serde(default)]
    api_stages: Vec<ApiStageBody>,
    throttle: Option<ThrottleBody>,
    quota: Option<Quota>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct UsagePlanKeyBody {
    key_name: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PlanThrottleBody {
    api_id: String,
    stage: String,
    method: String,
    /// `null` clears the method's throttle.
    throttle: Option<ThrottleBody>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct StageThrottleBody {
    /// A method key (`/pets/GET`); absent for the stage's default.
    method: Option<String>,
    /// `null` clears it.
    throttle: Option<ThrottleBody>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct AccessKeyBody {
    principal: String,
    policy: Value,
    source_name: Option<String>,
}

fn parse<T: serde::de::DeserializeOwned>(body: &Bytes) -> Result<T, ControlError> {
    let body: &[u8] = if body.is_empty() { b"{}" } else { body };
    serde_json::from_slice(body).map_err(|e| ControlError::BadRequest(format!("request body: {e}")))
}

fn query_value(query: Option<&str>, name: &str) -> Option<String> {
    form_urlencoded::parse(query?.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// Whether an operation changes what is served (and so needs a reload).
enum Effect {
    Read,
    Change,
}

type Handled = Result<(StatusCode, Value, Effect), ControlError>;

/// Routes one authenticated request to its operation. Runs on the blocking pool: control
/// operations read and write the store and may compile components.
fn route(
    control: &Control,
    method: &Method,
    path: &str,
    query: Option<&str>,
    body: Bytes,
) -> Handled {
    let decoded: Vec<String> = path
        .trim_matches('/')
        .split('/')
        .map(|segment| {
            percent_encoding::percent_decode_str(segment)
                .decode_utf8_lossy()
                .into_owned()
        })
        .collect();
    let segments: Vec<&str> = decoded.iter().map(String::as_str).collect();
    let ok = |value| Ok((StatusCode::OK, value, Effect::Read));
    let changed = |value| Ok((StatusCode::OK, value, Effect::Change));
    match (method, segments.as_slice()) {
        (&Method::GET, ["v1", "apis"]) => ok(control.apis()?),
        (&Method::POST, ["v1", "deployments"]) => {
            let body: DeployBody = parse(&body)?;
            let deployed = control.deploy(DeployRequest {
                definition: body.definition,
                source_name: body.source_name.unwrap_or_else(|| "definition".into()),
                api_id: body.api_id,
                stage: body.stage,
                description: body.description,
                variables: body.variables,
            })?;
            if deployed.created {
                Ok((StatusCode::CREATED, deployed.body, Effect::Change))
            } else {
                ok(deployed.body)
            }
        }
        (&Method::GET, ["v1", "apis", api, "deployments"]) => {
            ok(control.deployments(api, query_value(query, "stage").as_deref())?)
        }
        (&Method::GET, ["v1", "apis", api, "stages"]) => ok(control.stages(api)?),
        (&Method::GET, ["v1", "apis", api, "stages", stage]) => ok(control.stage(api, stage)?),
        (&Method::POST, ["v1", "apis", api, "stages", stage, "rollback"]) => {
            let body: RollbackBody = parse(&body)?;
            changed(control.rollback(api, stage, body.deployment_id.as_deref())?)
        }
        (&Method::PATCH, ["v1", "apis", api, "stages", stage, "variables"]) => {
            let body: VariablesBody = parse(&body)?;
            changed(control.update_variables(api, stage, &body.set, &body.unset)?)
        }
        (&Method::PUT, ["v1", "apis", api, "stages", stage, "canary"]) => {
            let body: CanaryBody = parse(&body)?;
            changed(control.create_canary(
                api,
                stage,
                &body.deployment_id,
                body.percent,
                &body.variables,
            )?)
        }
        (&Method::PATCH, ["v1", "apis", api, "stages", stage, "canary"]) => {
            let body: CanaryUpdateBody = parse(&body)?;
            changed(control.update_canary(api, stage, body.percent, &body.variables)?)
        }
        (&Method::POST, ["v1", "apis", api, "stages", stage, "canary", "promote"]) => {
            changed(control.promote_canary(api, stage)?)
        }
        (&Method::DELETE, ["v1", "apis", api, "stages", stage, "canary"]) => {
            changed(control.delete_canary(api, stage)?)
        }
        (&Method::GET, ["v1", "functions"]) => ok(control.functions()?),
        (&Method::POST, ["v1", "functions", name, "versions"]) => {
            let description = query_value(query, "description");
            let (version, created) = control.publish(name, &body, description.as_deref())?;
            let status = if created {
                StatusCode::CREATED
            } else {
                StatusCode::OK
            };
            // A new version changes what `function:NAME` ($LATEST) resolves to.
            Ok((status, version, Effect::Change))
        }
        (&Method::POST, ["v1", "plugins", name, "versions"]) => {
            let description = query_value(query, "description");
            let (version, created) = control.publish_plugin(name, &body, description.as_deref())?;
            let status = if created {
                StatusCode::CREATED
            } else {
                StatusCode::OK
            };
            Ok((status, version, Effect::Change))
        }
        (&Method::PUT, ["v1", "functions", name, "aliases", alias]) => {
            let body: AliasBody = parse(&body)?;
            changed(control.set_alias(name, alias, body.version)?)
        }
        (&Method::PUT, ["v1", "apis", api, "stages", stage, "throttle"]) => {
            let body: StageThrottleBody = parse(&body)?;
            changed(control.set_stage_throttle(
                api,
                stage,
                body.method.as_deref(),
                body.throttle.map(Throttle::from),
            )?)
        }
        (&Method::GET, ["v1", "apikeys"]) => ok(control.api_keys()?),
        (&Method::POST, ["v1", "apikeys"]) => {
            let body: ApiKeyBody = parse(&body)?;
            let key = control.create_api_key(&body.name, body.value.as_deref())?;
            Ok((StatusCode::CREATED, key, Effect::Change))
        }
        (&Method::DELETE, ["v1", "apikeys", name]) => changed(control.delete_api_key(name)?),
        (&Method::GET, ["v1", "usageplans"]) => ok(control.usage_plans()?),
        (&Method::POST, ["v1", "usageplans"]) => {
            let body: UsagePlanBody = parse(&body)?;
            let plan = control.create_usage_plan(NewUsagePlan {
                name: body.name,
                api_stages: body
                    .api_stages
                    .into_iter()
                    .map(|s| (s.api_id, s.stage))
                    .collect(),
                throttle: body.throttle.map(Throttle::from),
                quota: body.quota,
            })?;
            Ok((StatusCode::CREATED, plan, Effect::Change))
        }
        (&Method::GET, ["v1", "usageplans", name]) => ok(control.usage_plan(name)?),
        (&Method::DELETE, ["v1", "usageplans", name]) => changed(control.delete_usage_plan(name)?),
        (&Method::POST, ["v1", "usageplans", name, "keys"]) => {
            let body: UsagePlanKeyBody = parse(&body)?;
            let plan = control.add_usage_plan_key(name, &body.key_name)?;
            Ok((StatusCode::CREATED, plan, Effect::Change))
        }
        (&Method::PUT, ["v1", "usageplans", name, "throttles"]) => {
            let body: PlanThrottleBody = parse(&body)?;
            changed(control.set_usage_plan_method_throttle(
                name,
                &body.api_id,
                &body.stage,
                &body.method,
                body.throttle.map(Throttle::from),
            )?)
        }
        (&Method::GET, ["v1", "usage", key]) => ok(control.usage(key)?),
        (&Method::GET, ["v1", "accesskeys"]) => ok(control.access_keys()?),
        (&Method::POST, ["v1", "accesskeys"]) => {
            let body: AccessKeyBody = parse(&body)?;
            let source_name = body.source_name.unwrap_or_else(|| "policy".into());
            let key = control.create_access_key(&body.principal, body.policy, &source_name)?;
            Ok((StatusCode::CREATED, key, Effect::Change))
        }
        (&Method::DELETE, ["v1", "accesskeys", id]) => changed(control.delete_access_key(id)?),
        _ => Err(ControlError::NotFound(format!(
            "no admin endpoint {method} {path}"
        ))),
    }
}

async fn handle(admin: Arc<Admin>, request: Request<Incoming>) -> Response<Full<Bytes>> {
    let (parts, body) = request.into_parts();
    let path = parts.uri.path().to_string();
    if parts.method == Method::GET && path == "/v1/health" {
        return respond(StatusCode::OK, &json!({ "status": "ok" }));
    }
    // Prometheus scrapes without credentials; the admin listener is loopback by default.
    if parts.method == Method::GET && path == "/metrics" {
        let mut response = Response::new(Full::new(Bytes::from(admin.gateway.metrics().encode())));
        response.headers_mut().insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
        );
        return response;
    }
    let presented = parts
        .headers
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if !presented.is_some_and(|token| tokens_match(&admin.token, token.trim())) {
        return error(
            StatusCode::UNAUTHORIZED,
            "Unauthorized: send Authorization: Bearer TOKEN",
        );
    }
    let body = match Limited::new(body, MAX_ADMIN_BODY).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(e) => return error(StatusCode::PAYLOAD_TOO_LARGE, format!("request body: {e}")),
    };
    let query = parts.uri.query().map(str::to_string);
    let method = parts.method.clone();
    let work = tokio::task::spawn_blocking(move || {
        let handled = route(&admin.control, &method, &path, query.as_deref(), body);
        if let Ok((_, _, Effect::Change)) = &handled {
            match admin.gateway.reload() {
                Ok(errors) => {
                    for error in errors {
                        tracing::error!(%error, "stage keeps its previous pipeline");
                    }
                }
                Err(error) => return Err(ControlError::Internal(error.to_string())),
            }
        }
        handled
    });
    match work.await {
        Ok(Ok((status, value, _))) => respond(status, &value),
        Ok(Err(control)) => control_error(control),
        Err(join) => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("admin operation failed: {join}"),
        ),
    }
}

/// Serves the admin API on `listener` until `shutdown` resolves.
pub async fn serve(
    listener: TcpListener,
    admin: Arc<Admin>,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    tokio::pin!(shutdown);
    loop {
        let (stream, peer): (_, SocketAddr) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    tracing::warn!(%error, "admin accept failed");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => return Ok(()),
        };
        let admin = admin.clone();
        tokio::spawn(async move {
            let service = service_fn(move |request| {
                let admin = admin.clone();
                async move { Ok::<_, std::convert::Infallible>(handle(admin, request).await) }
            });
            if let Err(error) = auto::Builder::new(TokioExecutor::new())
                .serve_connection(TokioIo::new(stream), service)
                .await
            {
                tracing::debug!(%peer, %error, "admin connection ended with an error");
            }
        });
    }
}
