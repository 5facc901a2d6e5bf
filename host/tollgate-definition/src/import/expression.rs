//! AWS mapping expressions: the keys and values of `requestParameters`,
//! `responseParameters` and `cacheKeyParameters`
//! (`integration.request.path.id` ← `method.request.path.id`, `'static'`,
//! `stageVariables.x`, `context.x`, `method.request.body.a.b`, ...).
//!
//! Errors are returned as "expected ..." phrases; the caller adds the pointer and what was found.

use crate::model::{
    MappingSource, MappingTarget, ParameterLocation, RequestValueLocation, ResponseMappingSource,
};

const REQUEST_TARGET_EXPECTED: &str = "integration.request.path.NAME, integration.request.querystring.NAME or integration.request.header.NAME";

const REQUEST_SOURCE_EXPECTED: &str = "method.request.path.NAME, method.request.querystring.NAME, \
     method.request.multivaluequerystring.NAME, method.request.header.NAME, \
     method.request.multivalueheader.NAME, method.request.body, method.request.body.JSONPATH, \
     stageVariables.NAME, context.NAME or a 'static value'";

const RESPONSE_TARGET_EXPECTED: &str = "method.response.header.NAME";

const RESPONSE_SOURCE_EXPECTED: &str = "integration.response.header.NAME, \
     integration.response.multivalueheader.NAME, integration.response.body, \
     integration.response.body.JSONPATH, stageVariables.NAME, context.NAME or a 'static value'";

const CACHE_KEY_EXPECTED: &str = "method.request.path.NAME, method.request.querystring.NAME, \
     method.request.multivaluequerystring.NAME, method.request.header.NAME or \
     method.request.multivalueheader.NAME";

/// A parameter, header or variable name in an expression: non-empty, no spaces or controls.
fn is_name(name: &str) -> bool {
    !name.is_empty() && !name.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// A stage variable name: `[A-Za-z0-9_]+`, as AWS requires.
pub(crate) fn is_stage_variable_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn static_value(expression: &str) -> Option<String> {
    let inner = expression.strip_prefix('\'')?.strip_suffix('\'')?;
    Some(inner.to_owned())
}

fn json_path(path: &str) -> Option<String> {
    is_name(path).then(|| format!("$.{path}"))
}

/// `integration.request.<location>.<name>`.
pub(crate) fn request_target(key: &str) -> Result<MappingTarget, &'static str> {
    let rest = key
        .strip_prefix("integration.request.")
        .ok_or(REQUEST_TARGET_EXPECTED)?;
    let (location, name) = rest.split_once('.').ok_or(REQUEST_TARGET_EXPECTED)?;
    let location = match location {
        "path" => ParameterLocation::Path,
        "querystring" => ParameterLocation::Query,
        "header" => ParameterLocation::Header,
        _ => return Err(REQUEST_TARGET_EXPECTED),
    };
    if !is_name(name) {
        return Err(REQUEST_TARGET_EXPECTED);
    }
    Ok(MappingTarget {
        location,
        name: name.to_owned(),
    })
}

/// `method.request.<location>.<name>`, as used by sources and cache keys.
fn method_request_value(expression: &str) -> Option<(RequestValueLocation, String)> {
    let rest = expression.strip_prefix("method.request.")?;
    let (location, name) = rest.split_once('.')?;
    let location = match location {
        "path" => RequestValueLocation::Path,
        "querystring" => RequestValueLocation::QueryString,
        "multivaluequerystring" => RequestValueLocation::MultiValueQueryString,
        "header" => RequestValueLocation::Header,
        "multivalueheader" => RequestValueLocation::MultiValueHeader,
        _ => return None,
    };
    is_name(name).then(|| (location, name.to_owned()))
}

fn stage_variable_or_context(expression: &str) -> Option<Result<(bool, String), ()>> {
    if let Some(name) = expression.strip_prefix("stageVariables.") {
        return Some(if is_stage_variable_name(name) {
            Ok((true, name.to_owned()))
        } else {
            Err(())
        });
    }
    if let Some(name) = expression.strip_prefix("context.") {
        return Some(if is_name(name) {
            Ok((false, name.to_owned()))
        } else {
            Err(())
        });
    }
    None
}

/// The value side of a request parameter mapping.
pub(crate) fn request_source(expression: &str) -> Result<MappingSource, &'static str> {
    if let Some(value) = static_value(expression) {
        return Ok(MappingSource::Static(value));
    }
    if expression == "method.request.body" {
        return Ok(MappingSource::MethodRequestBody);
    }
    if let Some(path) = expression.strip_prefix("method.request.body.") {
        return json_path(path)
            .map(MappingSource::MethodRequestBodyPath)
            .ok_or(REQUEST_SOURCE_EXPECTED);
    }
    if let Some((location, name)) = method_request_value(expression) {
        return Ok(MappingSource::MethodRequest { location, name });
    }
    match stage_variable_or_context(expression) {
        Some(Ok((true, name))) => Ok(MappingSource::StageVariable(name)),
        Some(Ok((false, name))) => Ok(MappingSource::Context(name)),
        Some(Err(())) | None => Err(REQUEST_SOURCE_EXPECTED),
    }
}

/// `method.response.header.<name>` → the header name.
pub(crate) fn response_target(key: &str) -> Result<String, &'static str> {
    key.strip_prefix("method.response.header.")
        .filter(|name| is_name(name))
        .map(str::to_owned)
        .ok_or(RESPONSE_TARGET_EXPECTED)
}

/// The value side of a response parameter mapping.
pub(crate) fn response_source(expression: &str) -> Result<ResponseMappingSource, &'static str> {
    if let Some(value) = static_value(expression) {
        return Ok(ResponseMappingSource::Static(value));
    }
    if expression == "integration.response.body" {
        return Ok(ResponseMappingSource::IntegrationResponseBody);
    }
    if let Some(path) = expression.strip_prefix("integration.response.body.") {
        return json_path(path)
            .map(ResponseMappingSource::IntegrationResponseBodyPath)
            .ok_or(RESPONSE_SOURCE_EXPECTED);
    }
    if let Some(name) = expression.strip_prefix("integration.response.header.") {
        return is_name(name)
            .then(|| ResponseMappingSource::IntegrationResponseHeader(name.to_owned()))
            .ok_or(RESPONSE_SOURCE_EXPECTED);
    }
    if let Some(name) = expression.strip_prefix("integration.response.multivalueheader.") {
        return is_name(name)
            .then(|| ResponseMappingSource::IntegrationResponseMultiValueHeader(name.to_owned()))
            .ok_or(RESPONSE_SOURCE_EXPECTED);
    }
    match stage_variable_or_context(expression) {
        Some(Ok((true, name))) => Ok(ResponseMappingSource::StageVariable(name)),
        Some(Ok((false, name))) => Ok(ResponseMappingSource::Context(name)),
        Some(Err(())) | None => Err(RESPONSE_SOURCE_EXPECTED),
    }
}

/// A `cacheKeyParameters` entry: a method request value.
pub(crate) fn cache_key(expression: &str) -> Result<(RequestValueLocation, String), &'static str> {
    method_request_value(expression).ok_or(CACHE_KEY_EXPECTED)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_targets() {
        assert_eq!(
            request_target("integration.request.path.id"),
            Ok(MappingTarget {
                location: ParameterLocation::Path,
                name: "id".to_owned()
            })
        );
        assert_eq!(
            request_target("integration.request.header.X-Trace-Id").map(|t| t.location),
            Ok(ParameterLocation::Header)
        );
        assert!(request_target("integration.request.body").is_err());
        assert!(request_target("integration.request.cookie.a").is_err());
        assert!(request_target("method.request.path.id").is_err());
        assert!(request_target("integration.request.path.").is_err());
    }

    #[test]
    fn request_sources() {
        assert_eq!(
            request_source("method.request.path.id"),
            Ok(MappingSource::MethodRequest {
                location: RequestValueLocation::Path,
                name: "id".to_owned()
            })
        );
        assert_eq!(
            request_source("method.request.multivalueheader.Accept"),
            Ok(MappingSource::MethodRequest {
                location: RequestValueLocation::MultiValueHeader,
                name: "Accept".to_owned()
            })
        );
        assert_eq!(
            request_source("'application/json'"),
            Ok(MappingSource::Static("application/json".to_owned()))
        );
        assert_eq!(
            request_source("''"),
            Ok(MappingSource::Static(String::new()))
        );
        assert_eq!(
            request_source("stageVariables.backend_host"),
            Ok(MappingSource::StageVariable("backend_host".to_owned()))
        );
        assert_eq!(
            request_source("context.authorizer.principalId"),
            Ok(MappingSource::Context("authorizer.principalId".to_owned()))
        );
        assert_eq!(
            request_source("method.request.body"),
            Ok(MappingSource::MethodRequestBody)
        );
        assert_eq!(
            request_source("method.request.body.order.id"),
            Ok(MappingSource::MethodRequestBodyPath(
                "$.order.id".to_owned()
            ))
        );
        for bad in [
            "method.request.path",
            "method.request.cookie.a",
            "stageVariables.a-b",
            "'unterminated",
            "integration.response.body",
            "",
        ] {
            assert!(request_source(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn response_targets_and_sources() {
        assert_eq!(
            response_target("method.response.header.Location"),
            Ok("Location".to_owned())
        );
        assert!(response_target("method.response.body").is_err());
        assert_eq!(
            response_source("integration.response.body.redirect.url"),
            Ok(ResponseMappingSource::IntegrationResponseBodyPath(
                "$.redirect.url".to_owned()
            ))
        );
        assert_eq!(
            response_source("integration.response.header.ETag"),
            Ok(ResponseMappingSource::IntegrationResponseHeader(
                "ETag".to_owned()
            ))
        );
        assert_eq!(
            response_source("'*'"),
            Ok(ResponseMappingSource::Static("*".to_owned()))
        );
        assert!(response_source("method.request.path.id").is_err());
    }

    #[test]
    fn cache_keys() {
        assert_eq!(
            cache_key("method.request.querystring.page"),
            Ok((RequestValueLocation::QueryString, "page".to_owned()))
        );
        assert!(cache_key("method.request.body").is_err());
    }
}
