//! `vtl-mapper`: API Gateway mapping templates (Velocity, via `tollgate-vtl`) as a `mapper`
//! component.
//!
//! Its templates come from the plugin's configuration (the `x-tollgate-mapper` extension's
//! `config` map, read through `tollgate:plugin/config`):
//!
//! | key | renders | with `$input` being |
//! | --- | --- | --- |
//! | `request-template` | the integration request body | the integration request as the gateway built it: its body (after any request template), query string and headers (for HTTP integrations the mapped `requestParameters`; for AWS functions the method request's) |
//! | `response-template` | the method response body | the integration response: body, headers |
//!
//! A missing key leaves that side unchanged. `$context` and `$stageVariables` come from the
//! `request-context` the gateway passes. A template may set
//! `$context.requestOverride.header.*` / `.querystring.*` (applied to the mapped request) and
//! `$context.responseOverride.status` / `.header.*` (applied to the mapped response), as in
//! API Gateway.
//!
//! A template is compiled once per instance (the gateway gives every call a fresh instance).
//! A template that does not compile or fails to render fails the call with its line and
//! column in the message.
//!
//! The mapping logic is plain Rust ([`map_request`], [`map_response`]) so it is tested and
//! benchmarked natively as well.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde_json::{Map, Value, json};
use tollgate_sdk::{HttpRequest, HttpResponse, Mapper, RequestContext, config};
use tollgate_vtl::{RenderInput, Rendered, Template};

/// The configuration key of the request template.
pub const REQUEST_TEMPLATE: &str = "request-template";
/// The configuration key of the response template.
pub const RESPONSE_TEMPLATE: &str = "response-template";

type Compiled = Option<Result<Template, String>>;

static REQUEST: OnceLock<Compiled> = OnceLock::new();
static RESPONSE: OnceLock<Compiled> = OnceLock::new();

fn compiled(cell: &'static OnceLock<Compiled>, key: &str) -> &'static Compiled {
    cell.get_or_init(|| {
        config::get(key).map(|source| Template::compile(&source).map_err(|e| format!("{key}: {e}")))
    })
}

/// The exported mapper.
pub struct VtlMapper;

impl Mapper for VtlMapper {
    fn map_request(request: HttpRequest, context: RequestContext) -> Result<HttpRequest, String> {
        match compiled(&REQUEST, REQUEST_TEMPLATE) {
            None => Ok(request),
            Some(Err(e)) => Err(e.clone()),
            Some(Ok(template)) => map_request(template, request, &context),
        }
    }

    fn map_response(
        response: HttpResponse,
        context: RequestContext,
    ) -> Result<HttpResponse, String> {
        match compiled(&RESPONSE, RESPONSE_TEMPLATE) {
            None => Ok(response),
            Some(Err(e)) => Err(e.clone()),
            Some(Ok(template)) => map_response(template, response, &context),
        }
    }
}

tollgate_sdk::export_mapper!(VtlMapper);

/// Renders `template` over the method request: the body becomes the rendered text, and the
/// template's `$context.requestOverride` headers and query parameters are applied.
pub fn map_request(
    template: &Template,
    mut request: HttpRequest,
    context: &RequestContext,
) -> Result<HttpRequest, String> {
    let body = String::from_utf8_lossy(&request.body).into_owned();
    let context_json = context_json(context, &request.path);
    let stage_variables = stage_variables(context);
    let rendered = template
        .render_detailed(&RenderInput {
            body: &body,
            path_params: &[],
            query_params: &request.query,
            headers: &request.headers,
            context: &context_json,
            stage_variables: &stage_variables,
        })
        .map_err(|e| format!("{REQUEST_TEMPLATE}: {e}"))?;
    apply_request_overrides(&mut request, &rendered);
    request.body = rendered.output.into_bytes();
    Ok(request)
}

/// Renders `template` over the integration response: the body becomes the rendered text, and
/// the template's `$context.responseOverride` status and headers are applied.
pub fn map_response(
    template: &Template,
    mut response: HttpResponse,
    context: &RequestContext,
) -> Result<HttpResponse, String> {
    let body = String::from_utf8_lossy(&response.body).into_owned();
    let context_json = context_json(context, "");
    let stage_variables = stage_variables(context);
    let rendered = template
        .render_detailed(&RenderInput {
            body: &body,
            path_params: &[],
            query_params: &[],
            headers: &response.headers,
            context: &context_json,
            stage_variables: &stage_variables,
        })
        .map_err(|e| format!("{RESPONSE_TEMPLATE}: {e}"))?;
    if let Some(status) = rendered
        .response_override
        .get("status")
        .and_then(status_code)
    {
        response.status = status;
    }
    for (name, value) in override_fields(&rendered.response_override, "header") {
        response.set_header(&name, &value);
    }
    response.body = rendered.output.into_bytes();
    Ok(response)
}

fn status_code(value: &Value) -> Option<u16> {
    let code = match value {
        Value::Number(n) => n.as_u64()?,
        Value::String(s) => s.trim().parse().ok()?,
        _ => return None,
    };
    u16::try_from(code).ok().filter(|c| (100..=599).contains(c))
}

fn override_fields(overrides: &Value, section: &str) -> Vec<(String, String)> {
    let Some(Value::Object(map)) = overrides.get(section) else {
        return Vec::new();
    };
    map.iter()
        .filter_map(|(k, v)| match v {
            Value::Null => None,
            Value::String(s) => Some((k.clone(), s.clone())),
            other => Some((k.clone(), other.to_string())),
        })
        .collect()
}

fn apply_request_overrides(request: &mut HttpRequest, rendered: &Rendered) {
    for (name, value) in override_fields(&rendered.request_override, "header") {
        request.set_header(&name, &value);
    }
    for (name, value) in override_fields(&rendered.request_override, "querystring") {
        request.query.retain(|(k, _)| *k != name);
        request.query.push((name, value));
    }
}

fn stage_variables(context: &RequestContext) -> BTreeMap<String, String> {
    context.stage_variables.iter().cloned().collect()
}

/// `$context` as API Gateway fills it, from the gateway's `request-context`.
pub fn context_json(context: &RequestContext, path: &str) -> Value {
    let authorizer: Map<String, Value> = context
        .authorizer
        .iter()
        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
        .collect();
    let mut identity = json!({
        "sourceIp": context.identity.source_ip,
        "userAgent": context.identity.user_agent,
    });
    if let Some(key) = &context.identity.api_key {
        identity["apiKey"] = Value::String(key.clone());
    }
    let mut value = json!({
        "requestId": context.request_id,
        "extendedRequestId": context.request_id,
        "apiId": context.api_id,
        "stage": context.stage,
        "resourcePath": context.resource_path,
        "httpMethod": context.http_method,
        "identity": identity,
        "authorizer": authorizer,
        "requestTimeEpoch": context.request_time_epoch,
        "requestTime": clf_time(context.request_time_epoch),
        "protocol": "HTTP/1.1",
    });
    if !path.is_empty() {
        value["path"] = Value::String(format!("/{}{}", context.stage, path));
    }
    value
}

/// `dd/MMM/yyyy:HH:mm:ss +0000` (CLF) of a Unix time in milliseconds.
pub fn clf_time(epoch_millis: u64) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let secs = epoch_millis / 1000;
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let (hour, minute, second) = (rem / 3600, (rem % 3600) / 60, rem % 60);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{day:02}/{}/{year:04}:{hour:02}:{minute:02}:{second:02} +0000",
        MONTHS[(month - 1) as usize]
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use tollgate_sdk::Identity;

    fn context() -> RequestContext {
        RequestContext {
            request_id: "req-1".into(),
            api_id: "api".into(),
            stage: "dev".into(),
            resource_path: "/pets".into(),
            http_method: "POST".into(),
            identity: Identity {
                source_ip: "192.0.2.1".into(),
                user_agent: Some("curl/8".into()),
                api_key: None,
            },
            stage_variables: vec![("alias".into(), "live".into())],
            authorizer: vec![("principalId".into(), "user-1".into())],
            request_time_epoch: 1_700_000_000_123,
        }
    }

    #[test]
    fn request_template_renders_body_params_and_context() {
        let template = Template::compile(
            "{\"name\":\"$input.path('$.name')\",\"q\":\"$input.params('q')\",\"stage\":\"$context.stage\",\"alias\":\"$stageVariables.alias\",\"who\":\"$context.authorizer.principalId\",\"path\":\"$context.path\"}",
        )
        .unwrap();
        let request = HttpRequest {
            method: "POST".into(),
            path: "/pets".into(),
            query: vec![("q".into(), "cats".into())],
            headers: vec![],
            body: br#"{"name":"rex"}"#.to_vec(),
        };
        let mapped = map_request(&template, request, &context()).unwrap();
        assert_eq!(
            mapped.body_text().unwrap(),
            r#"{"name":"rex","q":"cats","stage":"dev","alias":"live","who":"user-1","path":"/dev/pets"}"#
        );
    }

    #[test]
    fn response_overrides_apply() {
        let template = Template::compile(
            "#set($context.responseOverride.status = 418)#set($context.responseOverride.header.X-Tea = \"yes\")teapot",
        )
        .unwrap();
        let response = HttpResponse {
            status: 200,
            headers: vec![],
            body: b"{}".to_vec(),
        };
        let mapped = map_response(&template, response, &context()).unwrap();
        assert_eq!(mapped.status, 418);
        assert_eq!(mapped.header("x-tea"), Some("yes"));
        assert_eq!(mapped.body, b"teapot");
    }

    #[test]
    fn missing_templates_pass_through_and_config_is_read() {
        config::set_for_testing([(RESPONSE_TEMPLATE, "#set($x = )")]);
        let request = HttpRequest {
            method: "GET".into(),
            path: "/".into(),
            query: vec![],
            headers: vec![],
            body: b"unchanged".to_vec(),
        };
        // No request template: the request passes through.
        let mapped = <VtlMapper as Mapper>::map_request(request, context()).unwrap();
        assert_eq!(mapped.body, b"unchanged");
        // A response template that does not compile fails the call, with its position.
        let response = HttpResponse {
            status: 200,
            headers: vec![],
            body: vec![],
        };
        let err = <VtlMapper as Mapper>::map_response(response, context()).unwrap_err();
        assert!(
            err.starts_with("response-template: line 1, column"),
            "{err}"
        );
    }

    #[test]
    fn clf_time_formats_like_api_gateway() {
        assert_eq!(clf_time(1_700_000_000_123), "14/Nov/2023:22:13:20 +0000");
        assert_eq!(clf_time(0), "01/Jan/1970:00:00:00 +0000");
    }
}
