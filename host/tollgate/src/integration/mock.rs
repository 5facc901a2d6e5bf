//! MOCK integrations: no backend. The request template's `statusCode` selects the
//! integration response (as API Gateway does), whose template makes the answer.

use ::http::{HeaderMap, Response};
use bytes::Bytes;
use tollgate_definition::Integration;

use crate::body::GatewayBody;
use crate::gateway_response::GatewayError;
use crate::integration::mapped::{IntegrationResult, integration_request, method_response};
use crate::mapping::context::context_json;
use crate::pipeline::RoutedRequest;
use crate::stage::ResolvedMethod;

/// The `statusCode` a rendered MOCK request template asks for; 200 without one.
fn requested_status(rendered: &[u8]) -> String {
    serde_json::from_slice::<serde_json::Value>(rendered)
        .ok()
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
    resolved: &ResolvedMethod,
) -> Result<Response<GatewayBody>, GatewayError> {
    let body = routed.request.buffered_body().await?;
    let context = context_json(routed);
    let request = integration_request(routed, integration, resolved, body, &context)?;
    let status = if request.templated {
        requested_status(&request.body)
    } else {
        "200".to_string()
    };
    let result = IntegrationResult {
        selection: Some(status),
        headers: HeaderMap::new(),
        body: Bytes::new(),
    };
    method_response(routed, integration, resolved, result, &context).await
}

#[cfg(test)]
mod tests {
    use super::requested_status;

    #[test]
    fn the_request_template_names_the_status() {
        assert_eq!(requested_status(br#"{"statusCode": 201}"#), "201");
        assert_eq!(requested_status(br#"{"statusCode": "404"}"#), "404");
        assert_eq!(requested_status(b"not json"), "200");
        assert_eq!(requested_status(b"{}"), "200");
    }
}
