//! Steps 9–11 of the pipeline: integration request, integration call, integration response.
//! One module per integration type; this one only dispatches and holds what they share.

pub mod function;
pub mod http;
pub mod lambda_proxy;
pub mod mock;
pub mod parameters;

use std::collections::BTreeMap;
use std::time::Duration;

use ::http::Response;
use tollgate_definition::{Integration, IntegrationType, Method};

use crate::body::GatewayBody;
use crate::gateway_response::GatewayError;
use crate::pipeline::RoutedRequest;
use crate::stage::ResolvedIntegration;
use crate::upstream::Upstream;

/// The `$context` values mapping expressions (`context.x`) can read.
pub fn context_values(routed: &RoutedRequest<'_>) -> BTreeMap<&'static str, String> {
    let request = &routed.request;
    BTreeMap::from([
        ("requestId", request.request_id.clone()),
        ("extendedRequestId", request.request_id.clone()),
        ("stage", routed.stage.stage.clone()),
        ("apiId", routed.stage.api_id.clone()),
        ("resourcePath", routed.resource_path.to_string()),
        ("httpMethod", request.method.to_string()),
        ("path", request.full_path.clone()),
        ("protocol", request.protocol.to_string()),
        ("identity.sourceIp", request.source_ip.to_string()),
        (
            "identity.userAgent",
            request.header("user-agent").unwrap_or_default().to_string(),
        ),
        ("deploymentId", routed.stage.deployment_id.clone()),
    ])
}

/// The integration's timeout.
pub fn timeout(integration: &Integration) -> Duration {
    Duration::from_millis(u64::from(integration.timeout_millis))
}

/// Runs the method's integration and returns the method response.
pub async fn invoke(
    routed: &mut RoutedRequest<'_>,
    method: &Method,
    resolved: &ResolvedIntegration,
    upstream: &Upstream,
) -> Result<Response<GatewayBody>, GatewayError> {
    let integration = &method.integration;
    match (integration.integration_type, resolved) {
        (IntegrationType::Mock, ResolvedIntegration::Mock) => {
            mock::invoke(routed, integration).await
        }
        (IntegrationType::HttpProxy, ResolvedIntegration::Http { url_template }) => {
            http::invoke_proxy(routed, integration, url_template, upstream).await
        }
        (IntegrationType::Http, ResolvedIntegration::Http { url_template }) => {
            http::invoke_mapped(routed, integration, url_template, upstream).await
        }
        (
            IntegrationType::AwsProxy,
            ResolvedIntegration::Function {
                plugin,
                label,
                key_value,
                ..
            },
        ) => function::invoke_proxy(routed, integration, plugin, label, key_value.clone()).await,
        (kind, _) => Err(GatewayError::Internal {
            reason: format!(
                "integration {} was resolved for another type",
                kind.as_aws_str()
            ),
        }),
    }
}
