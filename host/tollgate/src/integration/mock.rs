//! MOCK integrations: no backend. The request template's `statusCode` selects the
//! integration response (as API Gateway does); its status and template make the answer.
//! Templates are literal text until the VTL engine lands (the stage build refuses others).

use ::http::{HeaderValue, Response, StatusCode};
use tollgate_definition::Integration;

use crate::body::GatewayBody;
use crate::gateway_response::GatewayError;
use crate::pipeline::RoutedRequest;

/// The `statusCode` a MOCK request template asks for; 200 without one (API Gateway's mock
/// answers 200 when the template names no status).
fn requested_status(routed: &RoutedRequest<'_>, integration: &Integration) -> String {
    let content_type = routed
        .request
        .header("content-type")
        .unwrap_or("application/json");
    let template = integration
        .request_templates
        .get(content_type)
        .or_else(|| integration.request_templates.get("application/json"))
        .or_else(|| integration.request_templates.values().next());
    template
        .and_then(|t| serde_json::from_str::<serde_json::Value>(t).ok())
        .and_then(|v| v.get("statusCode").cloned())
        .map(|v| match v {
            serde_json::Value::String(s) => s,
            other => other.to_string(),
        })
        .unwrap_or_else(|| "200".to_string())
}

pub async fn invoke(
    routed: &mut RoutedRequest<'_>,
    integration: &Integration,
) -> Result<Response<GatewayBody>, GatewayError> {
    // A MOCK integration still applies `passthroughBehavior` to the request (415 on NEVER).
    crate::integration::http::integration_request_body(
        integration,
        routed.request.header("content-type"),
        bytes::Bytes::new(),
    )?;
    let status = requested_status(routed, integration);
    let Some(selected) = integration.select_response(&status) else {
        // API Gateway answers 500 when no integration response matches and there is no
        // default ("Execution failed due to configuration error: No match for output mapping").
        return Err(GatewayError::ApiConfigurationError {
            reason: format!("no integration response matches mock status {status}"),
        });
    };
    let body = selected
        .response_templates
        .get("application/json")
        .or_else(|| selected.response_templates.values().next())
        .cloned()
        .unwrap_or_default();
    let content_type = selected
        .response_templates
        .keys()
        .next()
        .cloned()
        .unwrap_or_else(|| "application/json".to_string());
    let mut response = Response::new(GatewayBody::full(body));
    *response.status_mut() = StatusCode::from_u16(selected.status_code).map_err(|e| {
        GatewayError::ApiConfigurationError {
            reason: format!("integration response status {}: {e}", selected.status_code),
        }
    })?;
    response.headers_mut().insert(
        ::http::header::CONTENT_TYPE,
        HeaderValue::from_str(&content_type)
            .unwrap_or(HeaderValue::from_static("application/json")),
    );
    crate::integration::http::apply_static_response_parameters(
        &mut response,
        &selected.response_parameters,
        &routed.stage.stage_variables,
        None,
    );
    Ok(response)
}
