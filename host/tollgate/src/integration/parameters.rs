//! Integration request parameter mapping (`requestParameters`): the values a mapping
//! expression names, read from the method request, the stage or the context; and the
//! substitution of `{name}` and `${stageVariables.name}` into integration URIs.

use std::collections::BTreeMap;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use tollgate_definition::{
    MappingSource, ParameterLocation, ParameterMapping, RequestValueLocation,
};

use crate::gateway_response::GatewayError;

/// What mapping expressions can read.
pub struct MappingInput<'a> {
    pub path_parameters: &'a [(String, String)],
    pub query: &'a [(String, String)],
    pub headers: &'a http::HeaderMap,
    pub stage_variables: &'a BTreeMap<String, String>,
    /// `$context` (see `mapping::context`); `context.a.b` reads `a` then `b`.
    pub context: &'a serde_json::Value,
    pub body: Option<&'a [u8]>,
}

/// The integration request values produced by `requestParameters`.
#[derive(Debug, Default, PartialEq)]
pub struct MappedParameters {
    pub path: Vec<(String, String)>,
    pub query: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
}

impl MappedParameters {
    /// The mapped path parameter `name`, if any.
    pub fn path(&self, name: &str) -> Option<&str> {
        self.path
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The last value of `name` among pairs (API Gateway's single-value view of a repeated name).
pub fn last<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .rev()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// A `$context` value by its dotted name, as text (`null` and absent values map nothing).
pub fn context_value(context: &serde_json::Value, name: &str) -> Option<String> {
    let value = name
        .split('.')
        .try_fold(context, |value, part| value.get(part))?;
    match value {
        serde_json::Value::Null => None,
        serde_json::Value::String(text) => Some(text.clone()),
        other => Some(other.to_string()),
    }
}

/// Evaluates every mapping; a source with no value maps nothing (as in API Gateway).
pub fn map_request_parameters(
    mappings: &[ParameterMapping],
    input: &MappingInput<'_>,
) -> Result<MappedParameters, GatewayError> {
    let mut mapped = MappedParameters::default();
    for mapping in mappings {
        let values: Vec<String> = match &mapping.source {
            MappingSource::MethodRequest { location, name } => match location {
                RequestValueLocation::Path => last(input.path_parameters, name)
                    .map(str::to_string)
                    .into_iter()
                    .collect(),
                RequestValueLocation::QueryString => last(input.query, name)
                    .map(str::to_string)
                    .into_iter()
                    .collect(),
                RequestValueLocation::MultiValueQueryString => input
                    .query
                    .iter()
                    .filter(|(n, _)| n == name)
                    .map(|(_, v)| v.clone())
                    .collect(),
                RequestValueLocation::Header => input
                    .headers
                    .get_all(name.as_str())
                    .iter()
                    .next_back()
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string)
                    .into_iter()
                    .collect(),
                RequestValueLocation::MultiValueHeader => input
                    .headers
                    .get_all(name.as_str())
                    .iter()
                    .filter_map(|v| v.to_str().ok())
                    .map(str::to_string)
                    .collect(),
            },
            MappingSource::Static(value) => vec![value.clone()],
            MappingSource::StageVariable(name) => input
                .stage_variables
                .get(name)
                .cloned()
                .into_iter()
                .collect(),
            MappingSource::Context(name) => {
                context_value(input.context, name).into_iter().collect()
            }
            MappingSource::MethodRequestBody => input
                .body
                .map(|b| String::from_utf8_lossy(b).into_owned())
                .into_iter()
                .collect(),
            MappingSource::MethodRequestBodyPath(path) => {
                return Err(GatewayError::ApiConfigurationError {
                    reason: format!(
                        "request parameter source method.request.body{} (JSONPath) is not supported yet",
                        path.trim_start_matches('$')
                    ),
                });
            }
        };
        let target = match mapping.target.location {
            ParameterLocation::Path => &mut mapped.path,
            ParameterLocation::Query => &mut mapped.query,
            ParameterLocation::Header => &mut mapped.headers,
        };
        for value in values {
            target.push((mapping.target.name.clone(), value));
        }
    }
    Ok(mapped)
}

/// Replaces `${stageVariables.name}` references. An undefined variable is a configuration
/// error (API Gateway fails the request with 500 rather than calling a half-built URI).
pub fn substitute_stage_variables(
    text: &str,
    variables: &BTreeMap<String, String>,
) -> Result<String, GatewayError> {
    const OPEN: &str = "${stageVariables.";
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(OPEN) {
        out.push_str(&rest[..start]);
        let after = &rest[start + OPEN.len()..];
        let Some(end) = after.find('}') else {
            return Err(GatewayError::ApiConfigurationError {
                reason: format!("unterminated stage variable reference in {text:?}"),
            });
        };
        let name = &after[..end];
        let value = variables
            .get(name)
            .ok_or_else(|| GatewayError::ApiConfigurationError {
                reason: format!("stage variable {name:?} used in {text:?} is not defined"),
            })?;
        out.push_str(value);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Characters escaped in a path segment value.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');
/// Greedy values keep their slashes.
const GREEDY: &AsciiSet = &SEGMENT.remove(b'/');

/// Fills `{name}` / `{name+}` placeholders of a URL template from the mapped path parameters,
/// falling back to the method's own path parameter of the same name.
pub fn fill_path_placeholders(
    template: &str,
    mapped: &MappedParameters,
    method_path_parameters: &[(String, String)],
) -> Result<String, GatewayError> {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            return Ok(out);
        };
        let raw_name = &after[..end];
        let greedy = raw_name.ends_with('+');
        let name = raw_name.trim_end_matches('+');
        let value = mapped
            .path(name)
            .or_else(|| last(method_path_parameters, name))
            .ok_or_else(|| GatewayError::ApiConfigurationError {
                reason: format!(
                    "integration URI placeholder {{{raw_name}}} has no value: map it with \
                     integration.request.path.{name}"
                ),
            })?;
        let set = if greedy || name == "proxy" {
            GREEDY
        } else {
            SEGMENT
        };
        out.extend(utf8_percent_encode(value, set));
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stage_variables_are_substituted() {
        let vars = BTreeMap::from([("host".to_string(), "127.0.0.1:9".to_string())]);
        assert_eq!(
            substitute_stage_variables("http://${stageVariables.host}/x", &vars).unwrap(),
            "http://127.0.0.1:9/x"
        );
        assert!(substitute_stage_variables("http://${stageVariables.nope}/", &vars).is_err());
    }

    #[test]
    fn placeholders_prefer_mapped_values_and_keep_greedy_slashes() {
        let mapped = MappedParameters {
            path: vec![("id".into(), "a b".into())],
            ..Default::default()
        };
        let method = vec![
            ("id".to_string(), "ignored".to_string()),
            ("proxy".to_string(), "x/y z".to_string()),
        ];
        assert_eq!(
            fill_path_placeholders("http://h/items/{id}/{proxy}", &mapped, &method).unwrap(),
            "http://h/items/a%20b/x/y%20z"
        );
        assert!(fill_path_placeholders("http://h/{missing}", &mapped, &method).is_err());
    }
}
