//! AWS_PROXY integrations to a function: the method request becomes a Lambda-proxy event,
//! the function (a `tollgate:plugin/function` component, or a standard `wasi:http/proxy`
//! one) runs in a fresh instance, and its answer becomes the method response. A function
//! that traps, errs, or answers something malformed is a 502; one that runs past the
//! integration timeout is a 504.

use std::sync::Arc;

use ::http::{HeaderValue, Response};
use bytes::Bytes;
use tollgate_definition::Integration;
use tollgate_runtime::{CallError, Invocation, KeyValueGrant, Plugin, PluginKind};

use crate::body::GatewayBody;
use crate::gateway_response::GatewayError;
use crate::integration::lambda_proxy::{EventInput, build_event, parse_response};
use crate::integration::mapped::{
    IntegrationResult, integration_request, map_request, method_response,
};
use crate::integration::timeout;
use crate::mapping::context::{context_json, epoch_millis, request_time};
use crate::mapping::mapper::MappedRequest;
use crate::pipeline::RoutedRequest;
use crate::stage::ResolvedMethod;

fn call_error(error: CallError, label: &str) -> GatewayError {
    match error {
        CallError::Timeout(limit) => GatewayError::IntegrationTimeout {
            millis: limit.as_millis() as u64,
        },
        other => GatewayError::IntegrationFailure {
            reason: format!("function {label}: {other}"),
        },
    }
}

/// Whether a content type is one of the API's binary media types (`*/*` and `image/*` style
/// wildcards allowed, as in API Gateway).
pub fn is_binary_media_type(binary_media_types: &[String], content_type: Option<&str>) -> bool {
    let Some(content_type) = content_type else {
        return false;
    };
    let content_type = content_type
        .split(';')
        .next()
        .unwrap_or(content_type)
        .trim()
        .to_ascii_lowercase();
    binary_media_types.iter().any(|pattern| {
        let pattern = pattern.to_ascii_lowercase();
        match pattern.split_once('/') {
            Some(("*", "*")) => true,
            Some((kind, "*")) => content_type.split('/').next() == Some(kind),
            _ => pattern == content_type,
        }
    })
}

pub async fn invoke_proxy(
    routed: &mut RoutedRequest<'_>,
    integration: &Integration,
    plugin: &Arc<Plugin>,
    label: &str,
    key_value: Option<KeyValueGrant>,
) -> Result<Response<GatewayBody>, GatewayError> {
    let body = routed.request.buffered_body().await?;
    let invocation = Invocation {
        request_id: routed.request.request_id.clone(),
        plugin: format!("function {label}"),
        stage_variables: routed.stage.stage_variables.clone(),
        key_value,
        config: Default::default(),
        timeout: timeout(integration),
    };
    if plugin.kind() == PluginKind::WasiHttp {
        return invoke_wasi_http(routed, plugin, label, invocation, body).await;
    }
    let query = routed.request.query_pairs();
    let received_at = routed.request.received_at;
    let (epoch_millis, request_time) = (epoch_millis(received_at), request_time(received_at));
    let source_ip = routed.request.source_ip.to_string();
    let full_path = routed.request.full_path.clone();
    let body_is_binary = is_binary_media_type(
        &routed.stage.definition.binary_media_types,
        routed.request.header("content-type"),
    );
    let event = build_event(&EventInput {
        resource_path: routed.resource_path,
        path: &routed.path,
        full_path: &full_path,
        http_method: routed.request.method.as_str(),
        headers: &routed.request.headers,
        query: &query,
        path_parameters: &routed.path_parameters,
        stage_variables: &routed.stage.stage_variables,
        request_id: &routed.request.request_id,
        api_id: &routed.stage.api_id,
        stage: &routed.stage.stage,
        source_ip: &source_ip,
        protocol: routed.request.protocol,
        caller: &routed.caller,
        request_time_epoch_millis: epoch_millis,
        request_time: &request_time,
        body: &body,
        body_is_binary,
    });
    let output = plugin
        .handle_event(invocation, &event.to_string())
        .await
        .map_err(|e| call_error(e, label))?;
    let output = output.map_err(|message| GatewayError::IntegrationFailure {
        reason: format!("function {label} returned an error: {message}"),
    })?;
    let parsed = parse_response(&output).map_err(|e| GatewayError::IntegrationFailure {
        reason: format!("function {label}: {e}"),
    })?;
    let mut response = Response::new(GatewayBody::full(parsed.body));
    *response.status_mut() = parsed.status;
    *response.headers_mut() = parsed.headers;
    Ok(response)
}

/// AWS (non-proxy) integrations to a function: the request template's output (or the body
/// passed through; `{}` when empty) is the function's input, and its output is the
/// integration response body. A function error's message is matched against the selection
/// patterns (success selects the default response), with the error as Lambda reports it,
/// `{"errorMessage": ..., "errorType": "Error"}`, as the body.
pub async fn invoke_aws(
    routed: &mut RoutedRequest<'_>,
    integration: &Integration,
    resolved: &ResolvedMethod,
    plugin: &Arc<Plugin>,
    label: &str,
    key_value: Option<KeyValueGrant>,
) -> Result<Response<GatewayBody>, GatewayError> {
    let body = routed.request.buffered_body().await?;
    let context = context_json(routed);
    let request = integration_request(routed, integration, resolved, body, &context)?;
    let request = map_request(
        routed,
        integration,
        resolved,
        MappedRequest {
            method: routed.request.method.to_string(),
            path: routed.path.clone(),
            query: routed.request.query_pairs(),
            headers: routed.request.headers.clone(),
            body: request.body,
        },
    )
    .await?;
    let event = if request.body.is_empty() {
        "{}".to_string()
    } else {
        String::from_utf8_lossy(&request.body).into_owned()
    };
    let invocation = Invocation {
        request_id: routed.request.request_id.clone(),
        plugin: format!("function {label}"),
        stage_variables: routed.stage.stage_variables.clone(),
        key_value,
        config: Default::default(),
        timeout: timeout(integration),
    };
    let output = plugin
        .handle_event(invocation, &event)
        .await
        .map_err(|e| call_error(e, label))?;
    let result = match output {
        Ok(output) => IntegrationResult {
            selection: None,
            headers: ::http::HeaderMap::new(),
            body: Bytes::from(output),
        },
        Err(message) => IntegrationResult {
            body: Bytes::from(
                serde_json::json!({ "errorMessage": message, "errorType": "Error" }).to_string(),
            ),
            selection: Some(message),
            headers: ::http::HeaderMap::new(),
        },
    };
    method_response(routed, integration, resolved, result, &context).await
}

/// A standard `wasi:http/proxy` component as a function: it gets the method request (path
/// after the stage, query, headers, body) and its HTTP answer is the method response.
async fn invoke_wasi_http(
    routed: &mut RoutedRequest<'_>,
    plugin: &Arc<Plugin>,
    label: &str,
    invocation: Invocation,
    body: Bytes,
) -> Result<Response<GatewayBody>, GatewayError> {
    let path_and_query = match &routed.request.raw_query {
        Some(query) => format!("{}?{query}", routed.path),
        None => routed.path.clone(),
    };
    let host = routed
        .request
        .header("host")
        .unwrap_or("localhost")
        .to_string();
    let uri: ::http::Uri = format!("http://{host}{path_and_query}")
        .parse()
        .map_err(|e| GatewayError::BadRequest {
            reason: format!("request URI: {e}"),
        })?;
    let mut request = ::http::Request::new(body);
    *request.method_mut() = routed.request.method.clone();
    *request.uri_mut() = uri;
    *request.headers_mut() = routed.request.headers.clone();
    let answer = plugin
        .serve_http(invocation, request)
        .await
        .map_err(|e| call_error(e, label))?;
    let (mut parts, body) = answer.into_parts();
    if !parts.headers.contains_key(::http::header::CONTENT_TYPE) {
        parts.headers.insert(
            ::http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
    }
    Ok(Response::from_parts(parts, GatewayBody::full(body)))
}

#[cfg(test)]
mod tests {
    use super::is_binary_media_type;

    #[test]
    fn binary_media_types_match_with_wildcards() {
        let types = vec![
            "image/*".to_string(),
            "application/octet-stream".to_string(),
        ];
        assert!(is_binary_media_type(&types, Some("image/png")));
        assert!(is_binary_media_type(
            &types,
            Some("application/octet-stream; x=1")
        ));
        assert!(!is_binary_media_type(&types, Some("application/json")));
        assert!(!is_binary_media_type(&types, None));
        assert!(is_binary_media_type(
            &["*/*".to_string()],
            Some("text/plain")
        ));
    }
}
