//! Steps 9–11 of the pipeline: integration request, integration call, integration response.
//! One module per integration type; this one only dispatches and holds what they share.

pub mod function;
pub mod http;
pub mod lambda_proxy;
pub mod mapped;
pub mod mock;
pub mod parameters;

use std::time::Duration;

use ::http::Response;
use tollgate_definition::{Integration, IntegrationType, Method};

use crate::body::GatewayBody;
use crate::gateway_response::GatewayError;
use crate::pipeline::RoutedRequest;
use crate::stage::{ResolvedIntegration, ResolvedMethod};
use crate::upstream::Upstream;

/// The integration's timeout.
pub fn timeout(integration: &Integration) -> Duration {
    Duration::from_millis(u64::from(integration.timeout_millis))
}

/// Runs the method's integration and returns the method response.
pub async fn invoke(
    routed: &mut RoutedRequest<'_>,
    method: &Method,
    resolved: &ResolvedMethod,
    upstream: &Upstream,
) -> Result<Response<GatewayBody>, GatewayError> {
    let integration = &method.integration;
    match (integration.integration_type, &resolved.integration) {
        (IntegrationType::Mock, ResolvedIntegration::Mock) => {
            mock::invoke(routed, integration, resolved).await
        }
        (IntegrationType::HttpProxy, ResolvedIntegration::Http { url_template }) => {
            http::invoke_proxy(routed, integration, url_template, upstream).await
        }
        (IntegrationType::Http, ResolvedIntegration::Http { url_template }) => {
            http::invoke_mapped(routed, integration, resolved, url_template, upstream).await
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
        (
            IntegrationType::Aws,
            ResolvedIntegration::Function {
                plugin,
                label,
                key_value,
                ..
            },
        ) => {
            function::invoke_aws(
                routed,
                integration,
                resolved,
                plugin,
                label,
                key_value.clone(),
            )
            .await
        }
        (kind, _) => Err(GatewayError::Internal {
            reason: format!(
                "integration {} was resolved for another type",
                kind.as_aws_str()
            ),
        }),
    }
}
