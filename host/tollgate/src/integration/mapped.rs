//! What the non-proxy integrations (MOCK, HTTP, AWS) share: the integration request body
//! (request template or passthrough, content handling), the integration response
//! (selection, response template, response parameters, content handling), and the mapper
//! component around both.

use base64::Engine as _;
use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, Response, StatusCode};
use serde_json::Value;
use tollgate_definition::{ContentHandling, Integration};

use crate::body::GatewayBody;
use crate::gateway_response::GatewayError;
use crate::integration::function::is_binary_media_type;
use crate::integration::http::apply_static_response_parameters;
use crate::integration::timeout;
use crate::mapping::mapper::MappedRequest;
use crate::mapping::templates::{RequestBody, choose_request, choose_response, render};
use crate::pipeline::RoutedRequest;
use crate::stage::ResolvedMethod;

/// The integration request as the templates, parameters and mapper made it.
pub struct IntegrationRequest {
    pub body: Bytes,
    /// Headers the request template set through `$context.requestOverride.header`.
    pub header_overrides: Vec<(String, String)>,
    /// Query parameters set through `$context.requestOverride.querystring`.
    pub query_overrides: Vec<(String, String)>,
    /// Whether a request template rendered the body (MOCK reads its `statusCode` only then).
    pub templated: bool,
}

fn base64_decode(text: &[u8]) -> Result<Bytes, String> {
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .map(Bytes::from)
        .map_err(|e| format!("not base64: {e}"))
}

fn overrides(value: &Value, section: &str) -> Vec<(String, String)> {
    value
        .get(section)
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(k, v)| {
            (
                k.clone(),
                v.as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| v.to_string()),
            )
        })
        .collect()
}

/// Builds the integration request body: the request template chosen by `Content-Type` (or
/// passthrough, or 415), with `contentHandling` applied to the payload.
pub fn integration_request(
    routed: &RoutedRequest<'_>,
    integration: &Integration,
    resolved: &ResolvedMethod,
    body: Bytes,
    context: &Value,
) -> Result<IntegrationRequest, GatewayError> {
    let content_type = routed.request.header("content-type");
    let binary = is_binary_media_type(&routed.stage.definition.binary_media_types, content_type);
    let choice = choose_request(integration, &resolved.templates.request, content_type)?;
    // A binary payload reaches a template, or a CONVERT_TO_TEXT integration, as base64.
    let text_body = |body: Bytes| -> Bytes {
        if binary {
            Bytes::from(base64::engine::general_purpose::STANDARD.encode(&body))
        } else {
            body
        }
    };
    match choice {
        RequestBody::Template(template) => {
            let rendered = render(template, routed, context, &text_body(body))?;
            Ok(IntegrationRequest {
                body: Bytes::from(rendered.output),
                header_overrides: overrides(&rendered.request_override, "header"),
                query_overrides: overrides(&rendered.request_override, "querystring"),
                templated: true,
            })
        }
        RequestBody::Passthrough => {
            let body = match integration.content_handling {
                Some(ContentHandling::ConvertToText) => text_body(body),
                Some(ContentHandling::ConvertToBinary) if !binary => base64_decode(&body)
                    .map_err(|reason| GatewayError::BadRequestBody { reason })?,
                _ => body,
            };
            Ok(IntegrationRequest {
                body,
                header_overrides: Vec::new(),
                query_overrides: Vec::new(),
                templated: false,
            })
        }
    }
}

/// Runs the method's mapper over the integration request, when it has one for requests.
pub async fn map_request(
    routed: &RoutedRequest<'_>,
    integration: &Integration,
    resolved: &ResolvedMethod,
    request: MappedRequest,
) -> Result<MappedRequest, GatewayError> {
    match &resolved.mapper {
        Some(mapper) if mapper.request => {
            mapper
                .map_request(routed, request, timeout(integration))
                .await
        }
        _ => Ok(request),
    }
}

/// What the integration answered.
pub struct IntegrationResult {
    /// What the integration responses' selection patterns are matched against: the status
    /// code (HTTP), the requested `statusCode` (MOCK), the error message (AWS functions;
    /// `None` when the function succeeded, which selects the default response).
    pub selection: Option<String>,
    pub headers: HeaderMap,
    pub body: Bytes,
}

/// Turns an integration's answer into the method response: the selected integration
/// response's status, its response template (chosen by `Accept`) or the body passed through,
/// its response parameters, content handling, and the mapper.
pub async fn method_response(
    routed: &RoutedRequest<'_>,
    integration: &Integration,
    resolved: &ResolvedMethod,
    result: IntegrationResult,
    context: &Value,
) -> Result<Response<GatewayBody>, GatewayError> {
    let selected = match &result.selection {
        Some(value) => integration.select_response(value),
        None => integration.default_response(),
    };
    let Some(selected) = selected else {
        // API Gateway: "Execution failed due to configuration error: No match for output
        // mapping and no default output mapping configured".
        return Err(GatewayError::ApiConfigurationError {
            reason: format!(
                "no integration response matches {:?} and there is no default",
                result.selection.as_deref().unwrap_or("(success)")
            ),
        });
    };
    let index = integration
        .responses
        .iter()
        .position(|r| std::ptr::eq(r, selected))
        .unwrap_or_default();
    let mut status = StatusCode::from_u16(selected.status_code).map_err(|e| {
        GatewayError::ApiConfigurationError {
            reason: format!("integration response status {}: {e}", selected.status_code),
        }
    })?;
    let mut extra_headers = Vec::new();
    let templates = &resolved.templates.responses[index];
    let (body, content_type) = match choose_response(templates, routed.request.header("accept")) {
        Some((content_type, template)) => {
            let rendered = render(template, routed, context, &result.body)?;
            if let Some(code) = rendered
                .response_override
                .get("status")
                .and_then(Value::as_u64)
                && let Ok(code) = StatusCode::from_u16(code as u16)
            {
                status = code;
            }
            extra_headers = overrides(&rendered.response_override, "header");
            (Bytes::from(rendered.output), content_type.to_string())
        }
        None => (result.body, "application/json".to_string()),
    };
    let body = match selected.content_handling {
        Some(ContentHandling::ConvertToText) => {
            Bytes::from(base64::engine::general_purpose::STANDARD.encode(&body))
        }
        Some(ContentHandling::ConvertToBinary) => {
            base64_decode(&body).map_err(|reason| GatewayError::IntegrationFailure {
                reason: format!("CONVERT_TO_BINARY: the integration response is {reason}"),
            })?
        }
        None => body,
    };
    let mut response = Response::new(GatewayBody::full(body.clone()));
    *response.status_mut() = status;
    if let Ok(value) = HeaderValue::from_str(&content_type) {
        response
            .headers_mut()
            .insert(http::header::CONTENT_TYPE, value);
    }
    apply_static_response_parameters(
        &mut response,
        &selected.response_parameters,
        &routed.stage.stage_variables,
        Some(&result.headers),
    );
    for (name, value) in extra_headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(&value),
        ) {
            response.headers_mut().insert(name, value);
        }
    }
    match &resolved.mapper {
        Some(mapper) if mapper.response => {
            let (status, headers, body) = mapper
                .map_response(
                    routed,
                    response.status(),
                    response.headers(),
                    body,
                    timeout(integration),
                )
                .await?;
            let mut mapped = Response::new(GatewayBody::full(body));
            *mapped.status_mut() = status;
            *mapped.headers_mut() = headers;
            Ok(mapped)
        }
        _ => Ok(response),
    }
}
