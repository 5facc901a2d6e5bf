//! The `x-amazon-apigateway-integration` object of an operation: its type, URI, mappings,
//! templates, timeout and integration responses.
//!
//! Every key AWS defines for the object is known here; unknown keys are errors (a typo must
//! not pass silently), and keys whose semantics Tollgate does not implement yet (credentials,
//! VPC links, TLS settings, AWS service integrations) are refused.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde_json::{Map, Value};

use super::Problems;
use super::expression;
use super::pointer;
use super::uri::{self, FunctionUriError};
use crate::error::ImportErrorKind;
use crate::model::{
    ContentHandling, Integration, IntegrationResponse, IntegrationTarget, IntegrationType,
    MappingSource, Parameter, ParameterLocation, ParameterMapping, PassthroughBehavior,
    RequestValueLocation, ResponseParameterMapping, SelectionPattern,
};

/// The keys AWS defines for `x-amazon-apigateway-integration`.
const INTEGRATION_KEYS: &[&str] = &[
    "type",
    "uri",
    "httpMethod",
    "passthroughBehavior",
    "requestParameters",
    "requestTemplates",
    "responses",
    "timeoutInMillis",
    "contentHandling",
    "cacheKeyParameters",
    "cacheNamespace",
    "credentials",
    "connectionType",
    "connectionId",
    "tlsConfig",
    "integrationSubtype",
    "payloadFormatVersion",
];

/// The keys AWS defines for an entry of `x-amazon-apigateway-integration.responses`.
const RESPONSE_KEYS: &[&str] = &[
    "statusCode",
    "responseTemplates",
    "responseParameters",
    "contentHandling",
];

const HTTP_METHODS: &[&str] = &[
    "GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "ANY",
];

/// The method responses an operation declares (its OpenAPI `responses`): status code →
/// header names (lower-case).
#[derive(Debug, Default)]
pub(crate) struct MethodResponses {
    pub(crate) headers_by_status: HashMap<String, HashSet<String>>,
}

/// What the integration reader needs to know about the method it belongs to.
pub(crate) struct MethodContext<'a> {
    pub(crate) resource_path: &'a str,
    /// The resource path's variable names (a greedy `{proxy+}` counts as `proxy`).
    pub(crate) path_variables: &'a [String],
    pub(crate) parameters: &'a [Parameter],
    /// `None` when the operation's `responses` could not be read (already reported).
    pub(crate) method_responses: Option<&'a MethodResponses>,
}

impl MethodContext<'_> {
    fn declares(&self, location: RequestValueLocation, name: &str) -> bool {
        match location.parameter_location() {
            ParameterLocation::Path => self.path_variables.iter().any(|v| v == name),
            ParameterLocation::Query => self
                .parameters
                .iter()
                .any(|p| p.location == ParameterLocation::Query && p.name == name),
            ParameterLocation::Header => self.parameters.iter().any(|p| {
                p.location == ParameterLocation::Header && p.name.eq_ignore_ascii_case(name)
            }),
        }
    }
}

/// Reads the integration object at `at`; `None` when it has errors (reported to `problems`).
pub(crate) fn read(
    value: &Value,
    at: &str,
    method: &MethodContext<'_>,
    problems: &mut Problems,
) -> Option<Integration> {
    let Value::Object(object) = value else {
        problems.invalid(at, "a mapping (the integration object)", value);
        return None;
    };
    let before = problems.len();

    for (key, member) in object {
        let member_at = pointer::child(at, key);
        if !INTEGRATION_KEYS.contains(&key.as_str()) {
            problems.unknown_key(
                &member_at,
                format!(
                    "unknown key `{key}` in x-amazon-apigateway-integration (expected one of {})",
                    INTEGRATION_KEYS.join(", ")
                ),
            );
            continue;
        }
        match key.as_str() {
            "credentials" => problems.not_supported(
                &member_at,
                "integration `credentials` (an IAM role for the gateway to assume)",
            ),
            "connectionId" => problems.not_supported(&member_at, "VPC links (`connectionId`)"),
            "tlsConfig" => {
                problems.not_supported(&member_at, "integration `tlsConfig` (backend TLS settings)")
            }
            "integrationSubtype" => problems.not_supported(
                &member_at,
                "`integrationSubtype` (AWS service integrations of HTTP APIs)",
            ),
            "connectionType" => match member.as_str().map(str::to_ascii_uppercase).as_deref() {
                Some("INTERNET") => {}
                Some("VPC_LINK") => {
                    problems.not_supported(&member_at, "VPC links (`connectionType: VPC_LINK`)")
                }
                _ => problems.invalid(&member_at, "INTERNET or VPC_LINK", member),
            },
            "payloadFormatVersion" if member.as_str() != Some("1.0") => problems.invalid(
                &member_at,
                "\"1.0\" (REST APIs send functions the proxy payload format 1.0)",
                member,
            ),
            _ => {}
        }
    }

    let integration_type = read_type(object, at, problems);
    let uri = optional_string(object, at, "uri", problems);
    let target = integration_type.and_then(|t| read_target(t, uri.as_deref(), at, problems));
    let http_method = read_http_method(object, at, integration_type, problems);
    let passthrough_behavior = read_passthrough(object, at, problems);
    let request_parameters = read_request_parameters(object, at, method, problems);
    let request_templates = read_templates(object, at, "requestTemplates", problems);
    let timeout_millis = read_timeout(object, at, problems);
    let content_handling = read_content_handling(object, at, problems);
    let responses = read_responses(object, at, method, problems);
    let cache_key_parameters = read_cache_keys(object, at, method, problems);
    let cache_namespace = optional_string(object, at, "cacheNamespace", problems);

    if let Some(IntegrationTarget::Url(url)) = &target {
        check_placeholders_mapped(url, object.get("requestParameters"), at, problems);
    }

    if problems.len() != before {
        return None;
    }
    Some(Integration {
        integration_type: integration_type?,
        uri,
        target: target?,
        http_method,
        passthrough_behavior,
        request_parameters: request_parameters?,
        request_templates,
        timeout_millis,
        content_handling,
        responses: responses?,
        cache_key_parameters,
        cache_namespace,
    })
}

fn optional_string(
    object: &Map<String, Value>,
    at: &str,
    key: &str,
    problems: &mut Problems,
) -> Option<String> {
    match object.get(key)? {
        Value::String(text) => Some(text.clone()),
        other => {
            problems.invalid(&pointer::child(at, key), "a string", other);
            None
        }
    }
}

fn read_type(
    object: &Map<String, Value>,
    at: &str,
    problems: &mut Problems,
) -> Option<IntegrationType> {
    const EXPECTED: &str = "one of mock, http, http_proxy, aws_proxy, aws";
    let type_at = pointer::child(at, "type");
    let Some(value) = object.get("type") else {
        problems.missing(
            &type_at,
            format!("missing the integration `type` (expected {EXPECTED})"),
        );
        return None;
    };
    let parsed = match value.as_str().map(str::to_ascii_lowercase).as_deref() {
        Some("mock") => Some(IntegrationType::Mock),
        Some("http") => Some(IntegrationType::Http),
        Some("http_proxy") => Some(IntegrationType::HttpProxy),
        Some("aws_proxy") => Some(IntegrationType::AwsProxy),
        Some("aws") => Some(IntegrationType::Aws),
        _ => None,
    };
    if parsed.is_none() {
        problems.invalid(&type_at, EXPECTED, value);
    }
    parsed
}

fn read_target(
    integration_type: IntegrationType,
    uri: Option<&str>,
    at: &str,
    problems: &mut Problems,
) -> Option<IntegrationTarget> {
    let uri_at = pointer::child(at, "uri");
    match integration_type {
        IntegrationType::Mock => Some(IntegrationTarget::None),
        IntegrationType::Http | IntegrationType::HttpProxy => {
            let Some(uri) = uri else {
                problems.missing(
                    &uri_at,
                    format!(
                        "missing the `uri` of an http/http_proxy integration (expected {})",
                        uri::URL_EXPECTED
                    ),
                );
                return None;
            };
            match uri::parse_http_url(uri) {
                Ok(_) => Some(IntegrationTarget::Url(uri.to_owned())),
                Err(why) => {
                    problems.invalid(
                        &uri_at,
                        format_args!("{} ({why})", uri::URL_EXPECTED),
                        &Value::from(uri),
                    );
                    None
                }
            }
        }
        IntegrationType::Aws | IntegrationType::AwsProxy => {
            let Some(uri) = uri else {
                problems.missing(
                    &uri_at,
                    format!(
                        "missing the `uri` of an aws/aws_proxy integration (expected {})",
                        uri::FUNCTION_URI_EXPECTED
                    ),
                );
                return None;
            };
            match uri::parse_function_uri(uri) {
                Ok(function) => Some(IntegrationTarget::Function {
                    name: function.name,
                    qualifier: function.qualifier,
                }),
                Err(FunctionUriError::ServiceIntegration(what)) => {
                    problems.not_supported(&uri_at, what);
                    None
                }
                Err(FunctionUriError::Invalid(why)) => {
                    let expected = if why.is_empty() {
                        uri::FUNCTION_URI_EXPECTED.to_owned()
                    } else {
                        format!("{} ({why})", uri::FUNCTION_URI_EXPECTED)
                    };
                    problems.invalid(&uri_at, expected, &Value::from(uri));
                    None
                }
            }
        }
    }
}

fn read_http_method(
    object: &Map<String, Value>,
    at: &str,
    integration_type: Option<IntegrationType>,
    problems: &mut Problems,
) -> Option<String> {
    let method_at = pointer::child(at, "httpMethod");
    let Some(value) = object.get("httpMethod") else {
        if matches!(
            integration_type,
            Some(IntegrationType::Http | IntegrationType::HttpProxy)
        ) {
            problems.missing(
                &method_at,
                "missing the `httpMethod` of an http/http_proxy integration \
                 (the method used to call the backend: GET, POST, ... or ANY)",
            );
        }
        return None;
    };
    let method = value.as_str().map(str::to_ascii_uppercase);
    match method {
        Some(method) if HTTP_METHODS.contains(&method.as_str()) => {
            if matches!(
                integration_type,
                Some(IntegrationType::Aws | IntegrationType::AwsProxy)
            ) && method != "POST"
            {
                problems.invalid(
                    &method_at,
                    "POST (functions are invoked with POST, as AWS Lambda is)",
                    value,
                );
                return None;
            }
            Some(method)
        }
        _ => {
            problems.invalid(
                &method_at,
                format_args!("one of {}", HTTP_METHODS.join(", ")),
                value,
            );
            None
        }
    }
}

fn read_passthrough(
    object: &Map<String, Value>,
    at: &str,
    problems: &mut Problems,
) -> PassthroughBehavior {
    let Some(value) = object.get("passthroughBehavior") else {
        return PassthroughBehavior::default();
    };
    match value.as_str().map(str::to_ascii_lowercase).as_deref() {
        Some("when_no_match") => PassthroughBehavior::WhenNoMatch,
        Some("when_no_templates") => PassthroughBehavior::WhenNoTemplates,
        Some("never") => PassthroughBehavior::Never,
        _ => {
            problems.invalid(
                &pointer::child(at, "passthroughBehavior"),
                "one of when_no_match, when_no_templates, never",
                value,
            );
            PassthroughBehavior::default()
        }
    }
}

fn read_content_handling(
    object: &Map<String, Value>,
    at: &str,
    problems: &mut Problems,
) -> Option<ContentHandling> {
    let value = object.get("contentHandling")?;
    content_handling(value, &pointer::child(at, "contentHandling"), problems)
}

fn content_handling(value: &Value, at: &str, problems: &mut Problems) -> Option<ContentHandling> {
    match value.as_str().map(str::to_ascii_uppercase).as_deref() {
        Some("CONVERT_TO_TEXT") => Some(ContentHandling::ConvertToText),
        Some("CONVERT_TO_BINARY") => Some(ContentHandling::ConvertToBinary),
        _ => {
            problems.invalid(at, "CONVERT_TO_TEXT or CONVERT_TO_BINARY", value);
            None
        }
    }
}

fn read_timeout(object: &Map<String, Value>, at: &str, problems: &mut Problems) -> u32 {
    let Some(value) = object.get("timeoutInMillis") else {
        return Integration::DEFAULT_TIMEOUT_MILLIS;
    };
    let range = Integration::MIN_TIMEOUT_MILLIS..=Integration::MAX_TIMEOUT_MILLIS;
    match value.as_u64().and_then(|v| u32::try_from(v).ok()) {
        Some(millis) if range.contains(&millis) => millis,
        _ => {
            problems.invalid(
                &pointer::child(at, "timeoutInMillis"),
                format_args!(
                    "an integer from {} to {} (milliseconds)",
                    range.start(),
                    range.end()
                ),
                value,
            );
            Integration::DEFAULT_TIMEOUT_MILLIS
        }
    }
}

/// A content type → template map. A null template (`application/json:` with nothing after
/// it in YAML) is the empty template.
fn read_templates(
    object: &Map<String, Value>,
    at: &str,
    key: &str,
    problems: &mut Problems,
) -> BTreeMap<String, String> {
    let mut templates = BTreeMap::new();
    let Some(value) = object.get(key) else {
        return templates;
    };
    let templates_at = pointer::child(at, key);
    let Value::Object(entries) = value else {
        problems.invalid(
            &templates_at,
            "a mapping of content type to template",
            value,
        );
        return templates;
    };
    for (content_type, template) in entries {
        match template {
            Value::String(text) => {
                templates.insert(content_type.clone(), text.clone());
            }
            Value::Null => {
                templates.insert(content_type.clone(), String::new());
            }
            other => problems.invalid(
                &pointer::child(&templates_at, content_type),
                "a template (a string)",
                other,
            ),
        }
    }
    templates
}

fn string_map<'v>(
    value: &'v Value,
    at: &str,
    what: &str,
    problems: &mut Problems,
) -> Option<Vec<(&'v String, &'v str, String)>> {
    let Value::Object(entries) = value else {
        problems.invalid(at, what, value);
        return None;
    };
    let mut out = Vec::with_capacity(entries.len());
    for (key, entry) in entries {
        let entry_at = pointer::child(at, key);
        match entry.as_str() {
            Some(text) => out.push((key, text, entry_at)),
            None => problems.invalid(&entry_at, "a mapping expression (a string)", entry),
        }
    }
    Some(out)
}

fn read_request_parameters(
    object: &Map<String, Value>,
    at: &str,
    method: &MethodContext<'_>,
    problems: &mut Problems,
) -> Option<Vec<ParameterMapping>> {
    let Some(value) = object.get("requestParameters") else {
        return Some(Vec::new());
    };
    let parameters_at = pointer::child(at, "requestParameters");
    let entries = string_map(
        value,
        &parameters_at,
        "a mapping of integration.request.* to source expressions",
        problems,
    )?;
    let mut mappings = Vec::with_capacity(entries.len());
    for (key, expression, entry_at) in entries {
        let target = match expression::request_target(key) {
            Ok(target) => target,
            Err(expected) => {
                problems.unknown_key(
                    &entry_at,
                    format!("expected a key {expected}; found \"{key}\""),
                );
                continue;
            }
        };
        let source = match expression::request_source(expression) {
            Ok(source) => source,
            Err(expected) => {
                problems.invalid(&entry_at, expected, &Value::from(expression));
                continue;
            }
        };
        if let MappingSource::MethodRequest { location, name } = &source
            && !method.declares(*location, name)
        {
            let explanation = if location.parameter_location() == ParameterLocation::Path {
                format!(
                    "`{expression}` names no variable of the resource path {}",
                    method.resource_path
                )
            } else {
                format!(
                    "`{expression}` is not a declared parameter of the method \
                     (declare it `in: {}` under `parameters`, as AWS requires)",
                    if location.parameter_location() == ParameterLocation::Query {
                        "query"
                    } else {
                        "header"
                    }
                )
            };
            problems.push(&entry_at, ImportErrorKind::Invalid, explanation);
            continue;
        }
        mappings.push(ParameterMapping { target, source });
    }
    Some(mappings)
}

/// Every `{param}` of an HTTP URL needs an `integration.request.path.param` mapping (whether
/// or not its source is valid: that is reported on its own).
fn check_placeholders_mapped(
    url: &str,
    request_parameters: Option<&Value>,
    at: &str,
    problems: &mut Problems,
) {
    let Ok(placeholders) = uri::parse_http_url(url) else {
        return;
    };
    let mapped_paths: Vec<String> = request_parameters
        .and_then(Value::as_object)
        .map(|entries| {
            entries
                .keys()
                .filter_map(|key| expression::request_target(key).ok())
                .filter(|target| target.location == ParameterLocation::Path)
                .map(|target| target.name)
                .collect()
        })
        .unwrap_or_default();
    for placeholder in placeholders {
        let mapped = mapped_paths.contains(&placeholder);
        if !mapped {
            problems.missing(
                &pointer::child(at, "uri"),
                format!(
                    "the uri placeholder {{{placeholder}}} has no value: map one in \
                     requestParameters, e.g. \"integration.request.path.{placeholder}\": \
                     \"method.request.path.{placeholder}\""
                ),
            );
        }
    }
}

fn read_cache_keys(
    object: &Map<String, Value>,
    at: &str,
    method: &MethodContext<'_>,
    problems: &mut Problems,
) -> Vec<String> {
    let Some(value) = object.get("cacheKeyParameters") else {
        return Vec::new();
    };
    let keys_at = pointer::child(at, "cacheKeyParameters");
    let Value::Array(entries) = value else {
        problems.invalid(&keys_at, "a list of method.request.* expressions", value);
        return Vec::new();
    };
    let mut keys = Vec::with_capacity(entries.len());
    for (index, entry) in entries.iter().enumerate() {
        let entry_at = pointer::index(&keys_at, index);
        let Some(text) = entry.as_str() else {
            problems.invalid(&entry_at, "a method.request.* expression (a string)", entry);
            continue;
        };
        match expression::cache_key(text) {
            Ok((location, name)) if method.declares(location, &name) => keys.push(text.to_owned()),
            Ok(_) => problems.push(
                &entry_at,
                ImportErrorKind::Invalid,
                format!("`{text}` is not a parameter of the method"),
            ),
            Err(expected) => problems.invalid(&entry_at, expected, entry),
        }
    }
    keys
}

fn read_responses(
    object: &Map<String, Value>,
    at: &str,
    method: &MethodContext<'_>,
    problems: &mut Problems,
) -> Option<Vec<IntegrationResponse>> {
    let Some(value) = object.get("responses") else {
        return Some(Vec::new());
    };
    let responses_at = pointer::child(at, "responses");
    let Value::Object(entries) = value else {
        problems.invalid(
            &responses_at,
            "a mapping of selection pattern (or `default`) to integration response",
            value,
        );
        return None;
    };
    let mut responses = Vec::with_capacity(entries.len());
    for (key, entry) in entries {
        let entry_at = pointer::child(&responses_at, key);
        let selection_pattern = if key == "default" {
            None
        } else {
            match compile_selection_pattern(key) {
                Ok(pattern) => Some(pattern),
                Err(why) => {
                    problems.invalid(
                        &entry_at,
                        format_args!(
                            "a selection pattern (a regular expression; look-around and \
                             back-references are not supported) ({why})"
                        ),
                        &Value::from(key.as_str()),
                    );
                    None
                }
            }
        };
        if let Some(response) = read_response(entry, &entry_at, selection_pattern, method, problems)
        {
            responses.push(response);
        }
    }
    Some(responses)
}

/// Compiles a selection pattern, refusing patterns that only compile once wrapped (such as
/// `a)|(b`, which would change meaning inside `^(?:...)$`).
fn compile_selection_pattern(text: &str) -> Result<SelectionPattern, String> {
    regex::Regex::new(text).map_err(|error| regex_reason(&error))?;
    SelectionPattern::new(text).map_err(|error| regex_reason(&error))
}

/// The one-line reason of a `regex` error (its display spans several lines).
fn regex_reason(error: &regex::Error) -> String {
    let text = error.to_string();
    text.lines()
        .rev()
        .find_map(|line| line.strip_prefix("error: "))
        .unwrap_or(text.lines().last().unwrap_or_default())
        .to_owned()
}

fn read_response(
    value: &Value,
    at: &str,
    selection_pattern: Option<SelectionPattern>,
    method: &MethodContext<'_>,
    problems: &mut Problems,
) -> Option<IntegrationResponse> {
    let Value::Object(object) = value else {
        problems.invalid(at, "a mapping (an integration response)", value);
        return None;
    };
    let before = problems.len();
    for key in object.keys() {
        if !RESPONSE_KEYS.contains(&key.as_str()) {
            problems.unknown_key(
                &pointer::child(at, key),
                format!(
                    "unknown key `{key}` in an integration response (expected one of {})",
                    RESPONSE_KEYS.join(", ")
                ),
            );
        }
    }

    let status_at = pointer::child(at, "statusCode");
    let status_code = match object.get("statusCode") {
        None => {
            problems.missing(
                &status_at,
                "missing the `statusCode` of the integration response (the method response status)",
            );
            None
        }
        Some(value) => {
            let code = match value {
                Value::String(text) => text.parse::<u16>().ok(),
                Value::Number(number) => number.as_u64().and_then(|n| u16::try_from(n).ok()),
                _ => None,
            };
            match code {
                Some(code) if (100..=599).contains(&code) => Some(code),
                _ => {
                    problems.invalid(&status_at, "an HTTP status code from 100 to 599", value);
                    None
                }
            }
        }
    };

    let declared_headers = match (status_code, method.method_responses) {
        (Some(code), Some(declared)) => {
            let headers = declared.headers_by_status.get(&code.to_string());
            if headers.is_none() {
                problems.push(
                    &status_at,
                    ImportErrorKind::Invalid,
                    format!(
                        "status code {code} has no method response: declare \"{code}\" under the \
                         operation's `responses` (AWS maps integration responses onto method \
                         responses)"
                    ),
                );
            }
            headers
        }
        _ => None,
    };

    let mut response_parameters = Vec::new();
    if let Some(value) = object.get("responseParameters") {
        let parameters_at = pointer::child(at, "responseParameters");
        if let Some(entries) = string_map(
            value,
            &parameters_at,
            "a mapping of method.response.header.* to source expressions",
            problems,
        ) {
            for (key, expression, entry_at) in entries {
                let header = match expression::response_target(key) {
                    Ok(header) => header,
                    Err(expected) => {
                        problems.unknown_key(
                            &entry_at,
                            format!("expected a key {expected}; found \"{key}\""),
                        );
                        continue;
                    }
                };
                let source = match expression::response_source(expression) {
                    Ok(source) => source,
                    Err(expected) => {
                        problems.invalid(&entry_at, expected, &Value::from(expression));
                        continue;
                    }
                };
                if let (Some(code), Some(headers)) = (status_code, declared_headers)
                    && !headers.contains(&header.to_ascii_lowercase())
                {
                    problems.push(
                        &entry_at,
                        ImportErrorKind::Invalid,
                        format!(
                            "the header `{header}` is not declared in the method response \
                             {code}: add it under `responses/{code}/headers` (AWS refuses to map \
                             undeclared headers)"
                        ),
                    );
                    continue;
                }
                response_parameters.push(ResponseParameterMapping { header, source });
            }
        }
    }

    let response_templates = read_templates(object, at, "responseTemplates", problems);
    let content_handling = object.get("contentHandling").and_then(|value| {
        content_handling(value, &pointer::child(at, "contentHandling"), problems)
    });

    if problems.len() != before {
        return None;
    }
    Some(IntegrationResponse {
        selection_pattern,
        status_code: status_code?,
        response_parameters,
        response_templates,
        content_handling,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regex_reason_is_one_line() {
        let error = regex::Regex::new(&format!("4{}", "\\d{2")).expect_err("invalid");
        let reason = regex_reason(&error);
        assert!(!reason.contains('\n'), "{reason}");
        assert!(reason.contains("repetition"), "{reason}");
    }

    #[test]
    fn patterns_that_only_compile_wrapped_are_refused() {
        assert!(compile_selection_pattern("a)|(b").is_err());
        assert!(compile_selection_pattern("(?=x)").is_err(), "look-ahead");
        assert!(compile_selection_pattern("2\\d{2}").is_ok());
    }
}
