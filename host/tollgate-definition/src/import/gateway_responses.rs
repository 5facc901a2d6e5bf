//! `x-amazon-apigateway-gateway-responses`: how API Gateway answers the requests it fails
//! itself (no route, invalid body, integration timeout, ...), one entry per response type.
//!
//! ```yaml
//! x-amazon-apigateway-gateway-responses:
//!   BAD_REQUEST_BODY:
//!     statusCode: 422
//!     responseParameters:
//!       gatewayresponse.header.X-Reason: "'validation'"
//!     responseTemplates:
//!       application/json: '{"error": $context.error.messageString}'
//! ```
//!
//! Response types are AWS's (see [`GatewayResponse::TYPES`]); an unknown one is an error.
//! Parameter sources are the method request's parameters, stage variables, context
//! variables and static values, as AWS documents for gateway responses.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{Problems, expression, pointer};
use crate::error::ImportErrorKind;
use crate::model::{GatewayResponse, MappingSource};

const RESPONSE_KEYS: &[&str] = &["statusCode", "responseParameters", "responseTemplates"];

const HEADER_PREFIX: &str = "gatewayresponse.header.";

const SOURCE_EXPECTED: &str = "method.request.path.NAME, method.request.querystring.NAME, \
     method.request.multivaluequerystring.NAME, method.request.header.NAME, \
     method.request.multivalueheader.NAME, stageVariables.NAME, context.NAME or a 'static value'";

/// Reads the extension's value at `at`.
pub(crate) fn read(
    value: &Value,
    at: &str,
    problems: &mut Problems,
) -> BTreeMap<String, GatewayResponse> {
    let mut responses = BTreeMap::new();
    let Value::Object(entries) = value else {
        problems.invalid(
            at,
            "a mapping of gateway response type (DEFAULT_4XX, BAD_REQUEST_BODY, ...) to \
             gateway response",
            value,
        );
        return responses;
    };
    for (response_type, entry) in entries {
        let entry_at = pointer::child(at, response_type);
        let types: Vec<&str> = GatewayResponse::TYPES.iter().map(|(t, _)| *t).collect();
        if !types.contains(&response_type.as_str()) {
            let upper = response_type.to_ascii_uppercase();
            let hint = if types.contains(&upper.as_str()) {
                format!(" (response types are upper-case: `{upper}`)")
            } else {
                String::new()
            };
            problems.unknown_key(
                &entry_at,
                format!(
                    "unknown gateway response type `{response_type}`{hint} (expected one of {})",
                    types.join(", ")
                ),
            );
            continue;
        }
        if let Some(response) = read_response(entry, &entry_at, problems) {
            responses.insert(response_type.clone(), response);
        }
    }
    responses
}

fn read_response(value: &Value, at: &str, problems: &mut Problems) -> Option<GatewayResponse> {
    let Value::Object(object) = value else {
        problems.invalid(
            at,
            "a gateway response (a mapping with statusCode, responseParameters, \
             responseTemplates)",
            value,
        );
        return None;
    };
    let before = problems.len();
    for key in object.keys() {
        if !RESPONSE_KEYS.contains(&key.as_str()) {
            problems.unknown_key(
                &pointer::child(at, key),
                format!(
                    "unknown key `{key}` in a gateway response (expected one of {})",
                    RESPONSE_KEYS.join(", ")
                ),
            );
        }
    }

    let status_code = object.get("statusCode").and_then(|value| {
        let code = match value {
            Value::String(text) => text.parse::<u16>().ok(),
            Value::Number(number) => number.as_u64().and_then(|n| u16::try_from(n).ok()),
            _ => None,
        };
        let valid = code.filter(|code| (100..=599).contains(code));
        if valid.is_none() {
            problems.invalid(
                &pointer::child(at, "statusCode"),
                "an HTTP status code from 100 to 599",
                value,
            );
        }
        valid
    });

    let mut response_parameters = Vec::new();
    if let Some(value) = object.get("responseParameters") {
        let parameters_at = pointer::child(at, "responseParameters");
        match value {
            Value::Object(entries) => {
                for (key, source) in entries {
                    let entry_at = pointer::child(&parameters_at, key);
                    if let Some(parameter) = read_parameter(key, source, &entry_at, problems) {
                        response_parameters.push(parameter);
                    }
                }
            }
            other => problems.invalid(
                &parameters_at,
                "a mapping of gatewayresponse.header.NAME to source expressions",
                other,
            ),
        }
    }

    let mut response_templates = BTreeMap::new();
    if let Some(value) = object.get("responseTemplates") {
        let templates_at = pointer::child(at, "responseTemplates");
        match value {
            Value::Object(entries) => {
                for (content_type, template) in entries {
                    match template {
                        Value::String(text) => {
                            response_templates.insert(content_type.clone(), text.clone());
                        }
                        Value::Null => {
                            response_templates.insert(content_type.clone(), String::new());
                        }
                        other => problems.invalid(
                            &pointer::child(&templates_at, content_type),
                            "a template (a string)",
                            other,
                        ),
                    }
                }
            }
            other => problems.invalid(
                &templates_at,
                "a mapping of content type to template",
                other,
            ),
        }
    }

    if problems.len() != before {
        return None;
    }
    Some(GatewayResponse {
        status_code,
        response_parameters,
        response_templates,
    })
}

/// One `responseParameters` entry: `gatewayresponse.header.NAME` ← a request value, a
/// stage or context variable, or a static value.
fn read_parameter(
    key: &str,
    source: &Value,
    at: &str,
    problems: &mut Problems,
) -> Option<(String, String)> {
    let header = key.strip_prefix(HEADER_PREFIX);
    if header.is_none_or(|name| name.is_empty() || name.chars().any(char::is_whitespace)) {
        let why = if key.starts_with("gatewayresponse.") || key.starts_with("method.response.") {
            " (a gateway response sets headers only)"
        } else {
            ""
        };
        problems.unknown_key(
            at,
            format!("expected a key gatewayresponse.header.NAME{why}; found \"{key}\""),
        );
        return None;
    }
    let Some(expression) = source.as_str() else {
        problems.invalid(at, "a mapping expression (a string)", source);
        return None;
    };
    match expression::request_source(expression) {
        Ok(MappingSource::MethodRequestBody | MappingSource::MethodRequestBodyPath(_)) => {
            problems.push(
                at,
                ImportErrorKind::Invalid,
                format!(
                    "expected {SOURCE_EXPECTED} (a gateway response cannot read the request \
                     body); found \"{expression}\""
                ),
            );
            None
        }
        Ok(_) => Some((key.to_owned(), expression.to_owned())),
        Err(_) => {
            problems.invalid(at, SOURCE_EXPECTED, source);
            None
        }
    }
}
