//! HTTP and HTTP_PROXY integrations. HTTP_PROXY streams the request and the response through
//! (hop-by-hop headers dropped, everything else passed); HTTP sends only what
//! `requestParameters` map and answers through the integration responses.

use std::collections::BTreeMap;

use ::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use ::http::{Method, Request, Response, Uri};
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use tollgate_definition::{Integration, ResponseMappingSource, ResponseParameterMapping};

use crate::body::{BodyError, GatewayBody};
use crate::gateway_response::GatewayError;
use crate::integration::mapped::{
    IntegrationResult, integration_request, map_request, method_response,
};
use crate::integration::parameters::{
    MappedParameters, MappingInput, fill_path_placeholders, map_request_parameters,
};
use crate::integration::timeout;
use crate::mapping::context::context_json;
use crate::mapping::mapper::MappedRequest;
use crate::pipeline::RoutedRequest;
use crate::request::{MAX_PAYLOAD_BYTES, RequestBody};
use crate::stage::ResolvedMethod;
use crate::upstream::{Upstream, UpstreamBody};

/// Headers that describe one connection, not the message (RFC 9110 §7.6.1); never forwarded.
/// Parsed once: removing by a `&str` name would parse it again for every request.
const HOP_BY_HOP: [HeaderName; 8] = [
    header::CONNECTION,
    HeaderName::from_static("keep-alive"),
    header::PROXY_AUTHENTICATE,
    header::PROXY_AUTHORIZATION,
    header::TE,
    header::TRAILER,
    header::TRANSFER_ENCODING,
    header::UPGRADE,
];

fn strip_hop_by_hop(headers: &mut HeaderMap) {
    let named_in_connection: Vec<HeaderName> = headers
        .get_all(header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|name| HeaderName::from_bytes(name.trim().as_bytes()).ok())
        .collect();
    for name in named_in_connection {
        headers.remove(name);
    }
    for name in &HOP_BY_HOP {
        headers.remove(name);
    }
}

/// Evaluates the integration's `requestParameters` against the routed request.
fn mapped_parameters(
    routed: &RoutedRequest<'_>,
    integration: &Integration,
    context: &serde_json::Value,
    body: Option<&[u8]>,
) -> Result<MappedParameters, GatewayError> {
    let query = routed.request.query_pairs();
    map_request_parameters(
        &integration.request_parameters,
        &MappingInput {
            path_parameters: &routed.path_parameters,
            query: &query,
            headers: &routed.request.headers,
            stage_variables: &routed.stage.stage_variables,
            context,
            body,
        },
    )
}

/// Mapped `integration.request.header.*` values replace headers of the same name.
fn set_mapped_headers(headers: &mut HeaderMap, mapped: &MappedParameters) {
    let mut seen: Vec<HeaderName> = Vec::new();
    for (name, value) in &mapped.headers {
        let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) else {
            continue;
        };
        // The first value of a name replaces the client's; further ones (multi-value
        // mappings) are appended.
        if seen.contains(&name) {
            headers.append(name, value);
        } else {
            headers.insert(name.clone(), value);
            seen.push(name);
        }
    }
}

fn integration_method(routed: &RoutedRequest<'_>, integration: &Integration) -> Method {
    match integration.http_method.as_deref() {
        None | Some("ANY") => routed.request.method.clone(),
        Some(method) => Method::from_bytes(method.as_bytes()).unwrap_or(Method::GET),
    }
}

fn build_uri(
    routed: &RoutedRequest<'_>,
    url_template: &str,
    mapped: &MappedParameters,
    pass_client_query: bool,
) -> Result<Uri, GatewayError> {
    let url = fill_path_placeholders(url_template, mapped, &routed.path_parameters)?;
    let mut query: Vec<String> = Vec::new();
    if pass_client_query && let Some(raw) = &routed.request.raw_query {
        query.push(raw.clone());
    }
    if !mapped.query.is_empty() {
        query.push(
            form_urlencoded::Serializer::new(String::new())
                .extend_pairs(mapped.query.iter())
                .finish(),
        );
    }
    let full = if query.is_empty() {
        url
    } else {
        let separator = if url.contains('?') { '&' } else { '?' };
        format!("{url}{separator}{}", query.join("&"))
    };
    let uri: Uri = full
        .parse()
        .map_err(|e| GatewayError::ApiConfigurationError {
            reason: format!("integration URI {full:?} is invalid: {e}"),
        })?;
    // The stage build refused any backend that is not http://.
    Ok(uri)
}

fn host_header(uri: &Uri) -> Option<HeaderValue> {
    uri.authority()
        .and_then(|a| HeaderValue::from_str(a.as_str()).ok())
}

fn append_forwarded_for(headers: &mut HeaderMap, source_ip: &str) {
    let value = match headers.get("x-forwarded-for").and_then(|v| v.to_str().ok()) {
        Some(existing) => format!("{existing}, {source_ip}"),
        None => source_ip.to_string(),
    };
    if let Ok(value) = HeaderValue::from_str(&value) {
        headers.insert("x-forwarded-for", value);
    }
}

fn upstream_error(error: hyper_util::client::legacy::Error, uri: &Uri) -> GatewayError {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&error);
    while let Some(e) = source {
        if e.is::<http_body_util::LengthLimitError>() {
            return GatewayError::RequestTooLarge {
                limit: MAX_PAYLOAD_BYTES,
            };
        }
        source = e.source();
    }
    GatewayError::IntegrationFailure {
        reason: format!("backend {uri}: {error}"),
    }
}

async fn send_with_timeout(
    upstream: &Upstream,
    request: Request<UpstreamBody>,
    integration: &Integration,
) -> Result<Response<hyper::body::Incoming>, GatewayError> {
    let uri = request.uri().clone();
    let limit = timeout(integration);
    match tokio::time::timeout(limit, upstream.send(request)).await {
        Err(_) => Err(GatewayError::IntegrationTimeout {
            millis: limit.as_millis() as u64,
        }),
        Ok(Err(error)) => Err(upstream_error(error, &uri)),
        Ok(Ok(response)) => Ok(response),
    }
}

/// HTTP_PROXY: the method request goes to the backend as it came (path placeholders filled,
/// query string kept, hop-by-hop headers dropped), and the backend's answer comes back as it
/// is, streamed both ways.
pub async fn invoke_proxy(
    routed: &mut RoutedRequest<'_>,
    integration: &Integration,
    url_template: &str,
    upstream: &Upstream,
) -> Result<Response<GatewayBody>, GatewayError> {
    // The common proxy maps nothing: skip building `$context` and the query pairs.
    let mapped = if integration.request_parameters.is_empty() {
        MappedParameters::default()
    } else {
        mapped_parameters(routed, integration, &context_json(routed), None)?
    };
    let uri = build_uri(routed, url_template, &mapped, true)?;
    if routed
        .request
        .declared_length()
        .is_some_and(|len| len > MAX_PAYLOAD_BYTES as u64)
    {
        return Err(GatewayError::RequestTooLarge {
            limit: MAX_PAYLOAD_BYTES,
        });
    }
    let body: UpstreamBody = match std::mem::replace(&mut routed.request.body, RequestBody::Taken) {
        RequestBody::Streaming(incoming) => Limited::new(incoming, MAX_PAYLOAD_BYTES).boxed(),
        RequestBody::Buffered(bytes) => Full::new(bytes).map_err(|never| match never {}).boxed(),
        RequestBody::Taken => Full::new(Bytes::new())
            .map_err(|never| match never {})
            .boxed(),
    };
    let mut headers = routed.request.headers.clone();
    strip_hop_by_hop(&mut headers);
    set_mapped_headers(&mut headers, &mapped);
    if let Some(host) = host_header(&uri) {
        headers.insert(header::HOST, host);
    }
    append_forwarded_for(&mut headers, &routed.request.source_ip.to_string());
    let mut request = Request::new(body);
    *request.method_mut() = integration_method(routed, integration);
    *request.uri_mut() = uri;
    *request.headers_mut() = headers;

    let response = send_with_timeout(upstream, request, integration).await?;
    let (mut parts, body) = response.into_parts();
    strip_hop_by_hop(&mut parts.headers);
    let body = body.map_err(|e| Box::new(e) as BodyError).boxed_unsync();
    Ok(Response::from_parts(parts, GatewayBody::Streaming(body)))
}

/// Applies `responseParameters` whose values need no backend (static values, stage
/// variables), and, given backend headers, `integration.response.header.*`.
pub fn apply_static_response_parameters(
    response: &mut Response<GatewayBody>,
    mappings: &[ResponseParameterMapping],
    stage_variables: &BTreeMap<String, String>,
    backend_headers: Option<&HeaderMap>,
) {
    for mapping in mappings {
        let values: Vec<String> = match &mapping.source {
            ResponseMappingSource::Static(value) => vec![value.clone()],
            ResponseMappingSource::StageVariable(name) => {
                stage_variables.get(name).cloned().into_iter().collect()
            }
            ResponseMappingSource::IntegrationResponseHeader(name) => backend_headers
                .and_then(|h| h.get_all(name.as_str()).iter().next_back())
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
                .into_iter()
                .collect(),
            ResponseMappingSource::IntegrationResponseMultiValueHeader(name) => backend_headers
                .map(|h| {
                    h.get_all(name.as_str())
                        .iter()
                        .filter_map(|v| v.to_str().ok())
                        .map(str::to_string)
                        .collect::<Vec<_>>()
                        .join(",")
                })
                .into_iter()
                .collect(),
            // Body and context sources are read by the mapping-template step (not built yet);
            // the stage build refuses nothing here because they only add headers.
            ResponseMappingSource::IntegrationResponseBody
            | ResponseMappingSource::IntegrationResponseBodyPath(_)
            | ResponseMappingSource::Context(_) => Vec::new(),
        };
        let Ok(name) = HeaderName::from_bytes(mapping.header.as_bytes()) else {
            continue;
        };
        for value in values {
            if let Ok(value) = HeaderValue::from_str(&value) {
                response.headers_mut().insert(name.clone(), value);
            }
        }
    }
}

/// HTTP (non-proxy): the request template (or the body passed through) and only mapped
/// parameters reach the backend; the backend's status code selects the integration
/// response, whose template and parameters make the method response.
pub async fn invoke_mapped(
    routed: &mut RoutedRequest<'_>,
    integration: &Integration,
    resolved: &ResolvedMethod,
    url_template: &str,
    upstream: &Upstream,
) -> Result<Response<GatewayBody>, GatewayError> {
    let body = routed.request.buffered_body().await?;
    let context = context_json(routed);
    let mut mapped = mapped_parameters(routed, integration, &context, Some(&body))?;
    let request = integration_request(routed, integration, resolved, body, &context)?;
    mapped.query.extend(request.query_overrides);
    let content_type = routed.request.header("content-type").map(str::to_string);

    let mut headers = HeaderMap::new();
    set_mapped_headers(&mut headers, &mapped);
    for (name, value) in &request.header_overrides {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            headers.insert(name, value);
        }
    }
    if !headers.contains_key(header::CONTENT_TYPE) {
        let ct = content_type.unwrap_or_else(|| "application/json".to_string());
        if let Ok(value) = HeaderValue::from_str(&ct) {
            headers.insert(header::CONTENT_TYPE, value);
        }
    }
    let mapped_request = map_request(
        routed,
        integration,
        resolved,
        MappedRequest {
            method: integration_method(routed, integration).to_string(),
            path: routed.path.clone(),
            query: mapped.query.clone(),
            headers,
            body: request.body,
        },
    )
    .await?;
    mapped.query = mapped_request.query;
    let uri = build_uri(routed, url_template, &mapped, false)?;
    let mut headers = mapped_request.headers;
    if let Some(host) = host_header(&uri) {
        headers.insert(header::HOST, host);
    }
    let mut outgoing = Request::new(
        Full::new(mapped_request.body)
            .map_err(|never| match never {})
            .boxed(),
    );
    *outgoing.method_mut() =
        Method::from_bytes(mapped_request.method.as_bytes()).map_err(|_| {
            GatewayError::IntegrationFailure {
                reason: format!(
                    "mapper returned an invalid method {:?}",
                    mapped_request.method
                ),
            }
        })?;
    *outgoing.uri_mut() = uri;
    *outgoing.headers_mut() = headers;

    let response = send_with_timeout(upstream, outgoing, integration).await?;
    let (parts, body) = response.into_parts();
    let backend_body = Limited::new(body, MAX_PAYLOAD_BYTES)
        .collect()
        .await
        .map_err(|e| GatewayError::IntegrationFailure {
            reason: format!("reading the backend response: {e}"),
        })?
        .to_bytes();
    let result = IntegrationResult {
        selection: Some(parts.status.as_u16().to_string()),
        headers: parts.headers,
        body: backend_body,
    };
    method_response(routed, integration, resolved, result, &context).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hop_by_hop_headers_are_dropped() {
        let mut headers = HeaderMap::new();
        headers.insert("connection", HeaderValue::from_static("close, x-private"));
        headers.insert("x-private", HeaderValue::from_static("1"));
        headers.insert("transfer-encoding", HeaderValue::from_static("chunked"));
        headers.insert("x-kept", HeaderValue::from_static("1"));
        strip_hop_by_hop(&mut headers);
        assert_eq!(headers.len(), 1);
        assert!(headers.contains_key("x-kept"));
    }
}
