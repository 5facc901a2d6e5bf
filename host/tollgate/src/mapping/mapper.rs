//! Mapper components (`x-tollgate-mapper`): a WASM `mapper` that transforms the integration
//! request after any request template and the integration response after any response
//! template.

use std::collections::BTreeMap;
use std::sync::Arc;

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use tollgate_runtime::{
    CallError, HttpRequest, HttpResponse, Identity, Invocation, Plugin, RequestContext,
};

use crate::gateway_response::GatewayError;
use crate::pipeline::RoutedRequest;

/// A method's mapper, resolved for its stage.
pub struct ResolvedMapper {
    pub plugin: Arc<Plugin>,
    /// The reference as the definition wrote it (`soap`, `soap:live`).
    pub reference: String,
    /// `soap:2`, for logs.
    pub label: String,
    pub request: bool,
    pub response: bool,
    pub config: Arc<BTreeMap<String, String>>,
}

/// The integration request a mapper sees and returns.
pub struct MappedRequest {
    pub method: String,
    /// The path after the stage (for HTTP integrations the URI decides where it goes).
    pub path: String,
    pub query: Vec<(String, String)>,
    pub headers: HeaderMap,
    pub body: Bytes,
}

fn fields(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_string(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect()
}

fn header_map(fields: &[(String, String)]) -> Result<HeaderMap, GatewayError> {
    let mut headers = HeaderMap::new();
    for (name, value) in fields {
        let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
            GatewayError::IntegrationFailure {
                reason: format!("mapper returned an invalid header name {name:?}"),
            }
        })?;
        let value = HeaderValue::from_str(value).map_err(|_| GatewayError::IntegrationFailure {
            reason: format!("mapper returned an invalid value for header {name}"),
        })?;
        headers.append(name, value);
    }
    Ok(headers)
}

fn call_error(error: CallError, label: &str) -> GatewayError {
    match error {
        CallError::Timeout(limit) => GatewayError::IntegrationTimeout {
            millis: limit.as_millis() as u64,
        },
        // A mapper is part of the gateway's own processing, not the integration: its
        // failures are 500s, as the `mapping` interface documents.
        other => GatewayError::Internal {
            reason: format!("mapper {label}: {other}"),
        },
    }
}

impl ResolvedMapper {
    fn invocation(&self, routed: &RoutedRequest<'_>, timeout: std::time::Duration) -> Invocation {
        Invocation {
            request_id: routed.request.request_id.clone(),
            plugin: format!("mapper {}", self.label),
            stage_variables: routed.stage.stage_variables.clone(),
            key_value: None,
            config: self.config.clone(),
            timeout,
        }
    }

    /// Maps the integration request.
    pub async fn map_request(
        &self,
        routed: &RoutedRequest<'_>,
        request: MappedRequest,
        timeout: std::time::Duration,
    ) -> Result<MappedRequest, GatewayError> {
        let guest = HttpRequest {
            method: request.method,
            path: request.path,
            query: request.query,
            headers: fields(&request.headers),
            body: request.body.to_vec(),
        };
        let mapped = self
            .plugin
            .map_request(
                self.invocation(routed, timeout),
                guest,
                request_context(routed),
            )
            .await
            .map_err(|e| call_error(e, &self.label))?
            .map_err(|message| GatewayError::Internal {
                reason: format!("mapper {} refused the request: {message}", self.label),
            })?;
        Ok(MappedRequest {
            method: mapped.method,
            path: mapped.path,
            query: mapped.query,
            headers: header_map(&mapped.headers)?,
            body: Bytes::from(mapped.body),
        })
    }

    /// Maps the integration response.
    pub async fn map_response(
        &self,
        routed: &RoutedRequest<'_>,
        status: StatusCode,
        headers: &HeaderMap,
        body: Bytes,
        timeout: std::time::Duration,
    ) -> Result<(StatusCode, HeaderMap, Bytes), GatewayError> {
        let guest = HttpResponse {
            status: status.as_u16(),
            headers: fields(headers),
            body: body.to_vec(),
        };
        let mapped = self
            .plugin
            .map_response(
                self.invocation(routed, timeout),
                guest,
                request_context(routed),
            )
            .await
            .map_err(|e| call_error(e, &self.label))?
            .map_err(|message| GatewayError::Internal {
                reason: format!("mapper {} refused the response: {message}", self.label),
            })?;
        let status =
            StatusCode::from_u16(mapped.status).map_err(|_| GatewayError::IntegrationFailure {
                reason: format!("mapper {} returned status {}", self.label, mapped.status),
            })?;
        Ok((
            status,
            header_map(&mapped.headers)?,
            Bytes::from(mapped.body),
        ))
    }
}

/// The WIT `request-context` of a routed request (for mappers and authorizers).
pub fn request_context(routed: &RoutedRequest<'_>) -> RequestContext {
    RequestContext {
        request_id: routed.request.request_id.clone(),
        api_id: routed.stage.api_id.clone(),
        stage: routed.stage.stage.clone(),
        resource_path: routed.resource_path.to_string(),
        http_method: routed.request.method.to_string(),
        identity: Identity {
            source_ip: routed.request.source_ip.to_string(),
            user_agent: routed.request.header("user-agent").map(str::to_string),
            api_key: routed.caller.api_key.as_ref().map(|key| key.value.clone()),
        },
        stage_variables: routed
            .stage
            .stage_variables
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        authorizer: routed.caller.authorizer_fields(),
        request_time_epoch: crate::mapping::context::epoch_millis(routed.request.received_at),
    }
}
