//! VTL mapping templates of one integration, compiled once when the stage is built, and
//! chosen per request as API Gateway chooses them: request templates by the request's
//! `Content-Type` under `passthroughBehavior`, response templates by the `Accept` header.

use std::collections::BTreeMap;

use serde_json::Value;
use tollgate_definition::{Integration, PassthroughBehavior};
use tollgate_vtl::{RenderInput, Rendered, Template};

use crate::gateway_response::GatewayError;
use crate::pipeline::RoutedRequest;
use crate::request::MethodRequest;

/// Templates by content type.
pub type Templates = BTreeMap<String, Template>;

/// An integration's templates, compiled.
pub struct IntegrationTemplates {
    pub request: Templates,
    /// Indexed like `integration.responses`.
    pub responses: Vec<Templates>,
}

fn compile_all(templates: &BTreeMap<String, String>, what: &str) -> Result<Templates, String> {
    templates
        .iter()
        .map(|(content_type, source)| {
            Template::compile(source)
                .map(|template| (content_type.to_ascii_lowercase(), template))
                .map_err(|e| format!("{what} template for {content_type}: {e}"))
        })
        .collect()
}

impl IntegrationTemplates {
    /// Compiles every template of an integration; an error names the template and the line
    /// and column.
    pub fn compile(integration: &Integration) -> Result<IntegrationTemplates, String> {
        let request = compile_all(&integration.request_templates, "request")?;
        let responses = integration
            .responses
            .iter()
            .map(|response| {
                compile_all(
                    &response.response_templates,
                    &format!("integration response {}", response.status_code),
                )
            })
            .collect::<Result<_, _>>()?;
        Ok(IntegrationTemplates { request, responses })
    }
}

/// The media type of a `Content-Type` or `Accept` value, lower-case, without parameters.
pub fn media_type(value: &str) -> String {
    value
        .split(';')
        .next()
        .unwrap_or(value)
        .trim()
        .to_ascii_lowercase()
}

/// What to send as the integration request body.
pub enum RequestBody<'a> {
    /// Render this template.
    Template(&'a Template),
    /// Pass the method request body through unchanged.
    Passthrough,
}

/// API Gateway's choice of request template: the one for the request's content type
/// (`application/json` when the request has none); without one, `passthroughBehavior`
/// decides between passing the body through and 415.
pub fn choose_request<'a>(
    integration: &Integration,
    templates: &'a Templates,
    content_type: Option<&str>,
) -> Result<RequestBody<'a>, GatewayError> {
    let content_type = content_type
        .map(media_type)
        .unwrap_or_else(|| "application/json".to_string());
    if let Some(template) = templates.get(&content_type) {
        return Ok(RequestBody::Template(template));
    }
    let passes = match integration.passthrough_behavior {
        PassthroughBehavior::WhenNoMatch => true,
        PassthroughBehavior::WhenNoTemplates => templates.is_empty(),
        PassthroughBehavior::Never => false,
    };
    if passes {
        Ok(RequestBody::Passthrough)
    } else {
        Err(GatewayError::UnsupportedMediaType)
    }
}

/// API Gateway's choice of response template: the one matching the request's `Accept`
/// media types in order, else `application/json`, else the first. Returns the content type
/// with it.
pub fn choose_response<'a>(
    templates: &'a Templates,
    accept: Option<&str>,
) -> Option<(&'a str, &'a Template)> {
    if let Some(accept) = accept {
        for wanted in accept.split(',').map(media_type) {
            if let Some((content_type, template)) = templates.get_key_value(&wanted) {
                return Some((content_type, template));
            }
        }
    }
    templates
        .get_key_value("application/json")
        .or_else(|| templates.iter().next())
        .map(|(content_type, template)| (content_type.as_str(), template))
}

/// Renders a template with `$input` over `body` and the routed request's parameters.
pub fn render(
    template: &Template,
    routed: &RoutedRequest<'_>,
    context: &Value,
    body: &[u8],
) -> Result<Rendered, GatewayError> {
    render_for(
        template,
        &routed.request,
        &routed.path_parameters,
        &routed.stage.stage_variables,
        context,
        body,
    )
    .map_err(|error| {
        if error.is_body_parse_error() {
            // API Gateway answers 400 with the parser's message when a template reads a
            // body that is not JSON.
            GatewayError::UnparseableBody {
                message: error.message.clone(),
            }
        } else {
            GatewayError::ApiConfigurationError {
                reason: format!("mapping template failed: {error}"),
            }
        }
    })
}

/// Renders a template for a request that may not have been routed (gateway responses).
pub fn render_for(
    template: &Template,
    request: &MethodRequest,
    path_parameters: &[(String, String)],
    stage_variables: &BTreeMap<String, String>,
    context: &Value,
    body: &[u8],
) -> Result<Rendered, tollgate_vtl::RenderError> {
    let body = String::from_utf8_lossy(body);
    let query = request.query_pairs();
    let headers: Vec<(String, String)> = request
        .headers
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_string(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect();
    let input = RenderInput {
        body: &body,
        path_params: path_parameters,
        query_params: &query,
        headers: &headers,
        context,
        stage_variables,
    };
    template.render_detailed(&input)
}
