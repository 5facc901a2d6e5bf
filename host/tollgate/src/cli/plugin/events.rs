//! The event files of `tollgate plugin test`, one shape per world, and how answers are
//! printed. Pure conversions between JSON and the runtime's types, so every shape is pinned
//! by the unit tests below; docs/plugins.md describes them for users.
//!
//! - function: the Lambda-proxy event itself (what the gateway sends), passed on unchanged.
//! - mapper: `{"request": HTTP-REQUEST}` or `{"response": HTTP-RESPONSE}`, plus optional
//!   `context`, `config` and `stageVariables`.
//! - authorizer: a Lambda authorizer event (`type`, `authorizationToken`, `methodArn`, and
//!   for `REQUEST` authorizers `headers`, `queryStringParameters`, `pathParameters`,
//!   `requestContext`…), plus optional `stageVariables`.
//!
//! Headers and query strings are written either as an object (`{"name": "value"}`, or a list
//! of values for a repeated name) or as a list of `[name, value]` pairs, which keeps order
//! and repeats; answers use pairs. Bodies are text, or base64 with `"isBase64Encoded": true`.

use std::collections::BTreeMap;

use base64::Engine as _;
use serde_json::{Map, Value, json};
use tollgate_runtime::{
    AuthorizerRequest, AuthorizerResponse, HttpRequest, HttpResponse, Identity, RequestContext,
};

/// What an event file lacks or gets wrong.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct EventError(pub String);

fn fail<T>(message: impl Into<String>) -> Result<T, EventError> {
    Err(EventError(message.into()))
}

/// The region and account of method ARNs the gateway builds (`docs/access-control.md`).
const DEFAULT_ARN_PREFIX: &str = "arn:aws:execute-api:us-east-1:000000000000";

/// Which mapper export an event calls.
#[derive(Debug)]
pub enum MapperCall {
    Request(HttpRequest),
    Response(HttpResponse),
}

/// A mapper event: which direction, the context, the config map, the stage variables.
#[derive(Debug)]
pub struct MapperEvent {
    pub call: MapperCall,
    pub context: RequestContext,
    pub config: BTreeMap<String, String>,
    pub stage_variables: BTreeMap<String, String>,
}

/// An authorizer event and the stage variables the `stage` interface answers with.
#[derive(Debug)]
pub struct AuthorizerEvent {
    pub request: AuthorizerRequest,
    pub stage_variables: BTreeMap<String, String>,
}

fn object<'a>(value: &'a Value, what: &str) -> Result<&'a Map<String, Value>, EventError> {
    value
        .as_object()
        .ok_or_else(|| EventError(format!("{what}: expected a JSON object, found {value}")))
}

fn optional_string(
    map: &Map<String, Value>,
    key: &str,
    what: &str,
) -> Result<Option<String>, EventError> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.clone())),
        Some(other) => fail(format!("{what}.{key}: expected a string, found {other}")),
    }
}

fn refuse_unknown(map: &Map<String, Value>, known: &[&str], what: &str) -> Result<(), EventError> {
    match map.keys().find(|key| !known.contains(&key.as_str())) {
        Some(key) => fail(format!(
            "{what}: unknown key {key:?} (expected {})",
            known.join(", ")
        )),
        None => Ok(()),
    }
}

/// `{"name": "value" | ["values"]}` or `[["name", "value"], …]` as pairs.
pub fn fields(value: Option<&Value>, what: &str) -> Result<Vec<(String, String)>, EventError> {
    let mut pairs = Vec::new();
    match value {
        None | Some(Value::Null) => {}
        Some(Value::Object(map)) => {
            for (name, value) in map {
                match value {
                    Value::String(text) => pairs.push((name.clone(), text.clone())),
                    Value::Array(values) => {
                        for value in values {
                            let Value::String(text) = value else {
                                return fail(format!(
                                    "{what}.{name}: expected strings, found {value}"
                                ));
                            };
                            pairs.push((name.clone(), text.clone()));
                        }
                    }
                    other => {
                        return fail(format!(
                            "{what}.{name}: expected a string or a list of strings, found {other}"
                        ));
                    }
                }
            }
        }
        Some(Value::Array(list)) => {
            for pair in list {
                match pair.as_array().map(Vec::as_slice) {
                    Some([Value::String(name), Value::String(text)]) => {
                        pairs.push((name.clone(), text.clone()));
                    }
                    _ => {
                        return fail(format!(
                            "{what}: expected [name, value] pairs of strings, found {pair}"
                        ));
                    }
                }
            }
        }
        Some(other) => {
            return fail(format!(
                "{what}: expected an object or a list of [name, value] pairs, found {other}"
            ));
        }
    }
    Ok(pairs)
}

/// A string-to-string map (`stageVariables`, `config`).
pub fn string_map(
    value: Option<&Value>,
    what: &str,
) -> Result<BTreeMap<String, String>, EventError> {
    let mut map = BTreeMap::new();
    match value {
        None | Some(Value::Null) => {}
        Some(Value::Object(entries)) => {
            for (key, value) in entries {
                let Value::String(text) = value else {
                    return fail(format!("{what}.{key}: expected a string, found {value}"));
                };
                map.insert(key.clone(), text.clone());
            }
        }
        Some(other) => return fail(format!("{what}: expected an object, found {other}")),
    }
    Ok(map)
}

fn pairs_json(pairs: &[(String, String)]) -> Value {
    Value::Array(pairs.iter().map(|(k, v)| json!([k, v])).collect())
}

fn map_json(pairs: &[(String, String)]) -> Value {
    Value::Object(
        pairs
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect(),
    )
}

fn body(map: &Map<String, Value>, what: &str) -> Result<Vec<u8>, EventError> {
    let base64 = match map.get("isBase64Encoded") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(flag)) => *flag,
        Some(other) => {
            return fail(format!(
                "{what}.isBase64Encoded: expected a boolean, found {other}"
            ));
        }
    };
    let text = optional_string(map, "body", what)?.unwrap_or_default();
    if base64 {
        base64::engine::general_purpose::STANDARD
            .decode(text.as_bytes())
            .map_err(|e| EventError(format!("{what}.body: not valid base64 ({e})")))
    } else {
        Ok(text.into_bytes())
    }
}

/// `"body": "text"`, or base64 with `"isBase64Encoded": true` when it is not UTF-8.
fn body_json(target: &mut Map<String, Value>, body: &[u8]) {
    match std::str::from_utf8(body) {
        Ok(text) => {
            target.insert("body".into(), Value::String(text.to_owned()));
        }
        Err(_) => {
            target.insert(
                "body".into(),
                Value::String(base64::engine::general_purpose::STANDARD.encode(body)),
            );
            target.insert("isBase64Encoded".into(), Value::Bool(true));
        }
    }
}

fn now_millis() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// The defaults a request context takes from what else the event says.
struct ContextDefaults {
    api_id: String,
    stage: String,
    resource_path: String,
    http_method: String,
}

/// A `context` / `requestContext` object (Lambda's names) as the runtime's context.
fn request_context(
    value: Option<&Value>,
    defaults: ContextDefaults,
    stage_variables: &BTreeMap<String, String>,
    what: &str,
) -> Result<RequestContext, EventError> {
    let empty = Map::new();
    let map = match value {
        None | Some(Value::Null) => &empty,
        Some(value) => object(value, what)?,
    };
    let identity_what = format!("{what}.identity");
    let identity = match map.get("identity") {
        None | Some(Value::Null) => &empty,
        Some(value) => object(value, &identity_what)?,
    };
    let request_time_epoch = match map.get("requestTimeEpoch") {
        None | Some(Value::Null) => now_millis(),
        Some(value) => value.as_u64().ok_or_else(|| {
            EventError(format!(
                "{what}.requestTimeEpoch: expected milliseconds since the epoch, found {value}"
            ))
        })?,
    };
    Ok(RequestContext {
        request_id: optional_string(map, "requestId", what)?
            .unwrap_or_else(|| "plugin-test".into()),
        api_id: optional_string(map, "apiId", what)?.unwrap_or(defaults.api_id),
        stage: optional_string(map, "stage", what)?.unwrap_or(defaults.stage),
        resource_path: optional_string(map, "resourcePath", what)?
            .unwrap_or(defaults.resource_path),
        http_method: optional_string(map, "httpMethod", what)?.unwrap_or(defaults.http_method),
        identity: Identity {
            source_ip: optional_string(identity, "sourceIp", &identity_what)?
                .unwrap_or_else(|| "127.0.0.1".into()),
            user_agent: optional_string(identity, "userAgent", &identity_what)?,
            api_key: optional_string(identity, "apiKey", &identity_what)?,
        },
        stage_variables: stage_variables
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        authorizer: fields(map.get("authorizer"), &format!("{what}.authorizer"))?,
        request_time_epoch,
    })
}

/// Stage variables from the event, with `--var`s over them.
fn merged(
    from_event: BTreeMap<String, String>,
    overrides: &[(String, String)],
) -> BTreeMap<String, String> {
    let mut variables = from_event;
    variables.extend(overrides.iter().cloned());
    variables
}

/// A function's event: the Lambda-proxy event as written, with `--var`s merged into its
/// `stageVariables` (which the `stage` interface answers with too).
pub fn function_event(
    event: Value,
    overrides: &[(String, String)],
) -> Result<(String, BTreeMap<String, String>), EventError> {
    let mut event = event;
    let map = match event.as_object_mut() {
        Some(map) => map,
        None => return fail("a function's event is a Lambda-proxy event: a JSON object"),
    };
    let variables = merged(
        string_map(map.get("stageVariables"), "stageVariables")?,
        overrides,
    );
    if !overrides.is_empty() {
        let object = variables
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect();
        map.insert("stageVariables".into(), Value::Object(object));
    }
    Ok((event.to_string(), variables))
}

/// A mapper's event.
pub fn mapper_event(
    event: &Value,
    overrides: &[(String, String)],
) -> Result<MapperEvent, EventError> {
    let map = object(event, "the event")?;
    refuse_unknown(
        map,
        &["request", "response", "context", "config", "stageVariables"],
        "the event",
    )?;
    let stage_variables = merged(
        string_map(map.get("stageVariables"), "stageVariables")?,
        overrides,
    );
    let config = string_map(map.get("config"), "config")?;
    let (call, resource_path, http_method) = match (map.get("request"), map.get("response")) {
        (Some(request), None) => {
            let request = object(request, "request")?;
            refuse_unknown(
                request,
                &[
                    "method",
                    "path",
                    "query",
                    "headers",
                    "body",
                    "isBase64Encoded",
                ],
                "request",
            )?;
            let method = optional_string(request, "method", "request")?
                .unwrap_or_else(|| "GET".into())
                .to_ascii_uppercase();
            let path = optional_string(request, "path", "request")?.unwrap_or_else(|| "/".into());
            let call = MapperCall::Request(HttpRequest {
                method: method.clone(),
                path: path.clone(),
                query: fields(request.get("query"), "request.query")?,
                headers: fields(request.get("headers"), "request.headers")?,
                body: body(request, "request")?,
            });
            (call, path, method)
        }
        (None, Some(response)) => {
            let response = object(response, "response")?;
            refuse_unknown(
                response,
                &["status", "headers", "body", "isBase64Encoded"],
                "response",
            )?;
            let status = match response.get("status") {
                None | Some(Value::Null) => 200,
                Some(value) => value
                    .as_u64()
                    .and_then(|n| u16::try_from(n).ok())
                    .filter(|n| (100..=599).contains(n))
                    .ok_or_else(|| {
                        EventError(format!(
                            "response.status: expected 100 to 599, found {value}"
                        ))
                    })?,
            };
            let call = MapperCall::Response(HttpResponse {
                status,
                headers: fields(response.get("headers"), "response.headers")?,
                body: body(response, "response")?,
            });
            (call, "/".to_owned(), "GET".to_owned())
        }
        _ => {
            return fail(
                "a mapper's event has exactly one of \"request\" (for map-request) and \
                 \"response\" (for map-response)",
            );
        }
    };
    let context = request_context(
        map.get("context"),
        ContextDefaults {
            api_id: "test".into(),
            stage: "test".into(),
            resource_path,
            http_method,
        },
        &stage_variables,
        "context",
    )?;
    Ok(MapperEvent {
        call,
        context,
        config,
        stage_variables,
    })
}

/// The API id, stage, method and resource a method ARN names
/// (`arn:aws:execute-api:REGION:ACCOUNT:API/STAGE/METHOD/RESOURCE`).
fn arn_parts(arn: &str) -> Option<(String, String, String, String)> {
    let (_, path) = arn.rsplit_once(':')?;
    let mut parts = path.splitn(4, '/');
    let api = parts.next()?.to_owned();
    let stage = parts.next()?.to_owned();
    let method = parts.next().unwrap_or("GET").to_owned();
    let resource = format!("/{}", parts.next().unwrap_or(""));
    Some((api, stage, method, resource))
}

/// An authorizer's event, in Lambda's shape.
pub fn authorizer_event(
    event: &Value,
    overrides: &[(String, String)],
) -> Result<AuthorizerEvent, EventError> {
    let map = object(event, "the event")?;
    refuse_unknown(
        map,
        &[
            "type",
            "authorizationToken",
            "methodArn",
            "resource",
            "path",
            "httpMethod",
            "headers",
            "multiValueHeaders",
            "queryStringParameters",
            "multiValueQueryStringParameters",
            "pathParameters",
            "stageVariables",
            "requestContext",
        ],
        "the event",
    )?;
    let stage_variables = merged(
        string_map(map.get("stageVariables"), "stageVariables")?,
        overrides,
    );
    let token = optional_string(map, "authorizationToken", "the event")?;
    let kind = optional_string(map, "type", "the event")?
        .unwrap_or_else(|| if token.is_some() { "TOKEN" } else { "REQUEST" }.into())
        .to_ascii_uppercase();
    if kind != "TOKEN" && kind != "REQUEST" {
        return fail(format!("type: expected TOKEN or REQUEST, found {kind:?}"));
    }
    let method_arn = optional_string(map, "methodArn", "the event")?;
    let (api_id, stage, method, resource) = method_arn
        .as_deref()
        .and_then(arn_parts)
        .unwrap_or_else(|| ("test".into(), "test".into(), "GET".into(), "/".into()));
    let http_method = optional_string(map, "httpMethod", "the event")?.unwrap_or(method);
    let resource_path = optional_string(map, "resource", "the event")?.unwrap_or(resource);
    let context = request_context(
        map.get("requestContext"),
        ContextDefaults {
            api_id,
            stage,
            resource_path,
            http_method,
        },
        &stage_variables,
        "requestContext",
    )?;
    let method_arn = method_arn.unwrap_or_else(|| {
        format!(
            "{DEFAULT_ARN_PREFIX}:{}/{}/{}/{}",
            context.api_id,
            context.stage,
            context.http_method,
            context.resource_path.trim_start_matches('/')
        )
    });
    // Lambda's events carry both maps; the multi-value one has every value.
    let either = |multi: &str, single: &str| -> Result<Vec<(String, String)>, EventError> {
        match map.get(multi) {
            Some(value) if !value.is_null() => fields(Some(value), multi),
            _ => fields(map.get(single), single),
        }
    };
    Ok(AuthorizerEvent {
        request: AuthorizerRequest {
            kind,
            authorization_token: token,
            method_arn,
            headers: either("multiValueHeaders", "headers")?,
            query: either("multiValueQueryStringParameters", "queryStringParameters")?,
            path_parameters: fields(map.get("pathParameters"), "pathParameters")?,
            context,
        },
        stage_variables,
    })
}

/// A mapped request or response in the event file's shape (pairs for headers and query).
pub fn mapped_request_json(request: &HttpRequest) -> Value {
    let mut map = Map::new();
    map.insert("method".into(), Value::String(request.method.clone()));
    map.insert("path".into(), Value::String(request.path.clone()));
    map.insert("query".into(), pairs_json(&request.query));
    map.insert("headers".into(), pairs_json(&request.headers));
    body_json(&mut map, &request.body);
    json!({ "request": map })
}

pub fn mapped_response_json(response: &HttpResponse) -> Value {
    let mut map = Map::new();
    map.insert("status".into(), json!(response.status));
    map.insert("headers".into(), pairs_json(&response.headers));
    body_json(&mut map, &response.body);
    json!({ "response": map })
}

/// An authorizer's answer as a Lambda authorizer returns it; the policy document parsed
/// when it is JSON (the gateway refuses one that is not, with a 500).
pub fn authorizer_response_json(response: &AuthorizerResponse) -> Value {
    let policy = serde_json::from_str::<Value>(&response.policy_document)
        .unwrap_or_else(|_| Value::String(response.policy_document.clone()));
    let mut map = Map::new();
    map.insert(
        "principalId".into(),
        Value::String(response.principal_id.clone()),
    );
    map.insert("policyDocument".into(), policy);
    map.insert("context".into(), map_json(&response.context));
    if let Some(key) = &response.usage_identifier_key {
        map.insert("usageIdentifierKey".into(), Value::String(key.clone()));
    }
    Value::Object(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn fields_are_objects_or_pairs() {
        let object = json!({"a": "1", "b": ["2", "3"]});
        assert_eq!(
            fields(Some(&object), "h").unwrap(),
            pairs(&[("a", "1"), ("b", "2"), ("b", "3")])
        );
        let list = json!([["b", "1"], ["a", "2"], ["b", "3"]]);
        assert_eq!(
            fields(Some(&list), "h").unwrap(),
            pairs(&[("b", "1"), ("a", "2"), ("b", "3")])
        );
        assert_eq!(
            fields(Some(&json!({"a": 1})), "headers").unwrap_err().0,
            "headers.a: expected a string or a list of strings, found 1"
        );
        assert!(fields(Some(&json!([["a"]])), "h").is_err());
        assert!(fields(Some(&json!("a=1")), "h").is_err());
    }

    #[test]
    fn a_mapper_request_event_with_defaults() {
        let event = json!({
            "request": {"method": "post", "path": "/x", "headers": {"a": "1"}, "body": "{}"},
            "context": {"stage": "dev"},
            "config": {"k": "v"},
            "stageVariables": {"s": "1", "t": "event"},
        });
        let parsed = mapper_event(&event, &pairs(&[("t", "flag")])).unwrap();
        let MapperCall::Request(request) = &parsed.call else {
            panic!("a request: {parsed:?}");
        };
        assert_eq!(request.method, "POST");
        assert_eq!(request.body, b"{}");
        assert_eq!(request.headers, pairs(&[("a", "1")]));
        assert_eq!(parsed.context.stage, "dev");
        assert_eq!(parsed.context.api_id, "test");
        assert_eq!(parsed.context.resource_path, "/x");
        assert_eq!(parsed.context.http_method, "POST");
        assert_eq!(parsed.context.identity.source_ip, "127.0.0.1");
        assert_eq!(
            parsed.context.stage_variables,
            pairs(&[("s", "1"), ("t", "flag")])
        );
        assert_eq!(parsed.config.get("k").map(String::as_str), Some("v"));
    }

    #[test]
    fn a_mapper_response_event_and_its_errors() {
        let event = json!({"response": {"status": 404, "body": "aGk=", "isBase64Encoded": true}});
        let parsed = mapper_event(&event, &[]).unwrap();
        let MapperCall::Response(response) = parsed.call else {
            panic!("a response: {parsed:?}");
        };
        assert_eq!(response.status, 404);
        assert!(response.headers.is_empty());
        assert_eq!(response.body, b"hi");
        for (event, message) in [
            (json!({}), "exactly one of"),
            (json!({"request": {}, "response": {}}), "exactly one of"),
            (
                json!({"request": {}, "stagevariables": {}}),
                "unknown key \"stagevariables\"",
            ),
            (
                json!({"request": {"verb": "GET"}}),
                "request: unknown key \"verb\"",
            ),
            (
                json!({"response": {"status": 99}}),
                "response.status: expected 100 to 599",
            ),
            (
                json!({"request": {"body": 3}}),
                "request.body: expected a string",
            ),
            (
                json!({"request": {}, "config": {"a": 1}}),
                "config.a: expected a string",
            ),
        ] {
            let error = mapper_event(&event, &[]).unwrap_err().0;
            assert!(error.contains(message), "{event}: {error}");
        }
    }

    #[test]
    fn answers_print_in_the_event_shape() {
        let request = HttpRequest {
            method: "GET".into(),
            path: "/p".into(),
            query: pairs(&[("q", "1")]),
            headers: pairs(&[("h", "v")]),
            body: vec![0xff, 0x00],
        };
        assert_eq!(
            mapped_request_json(&request),
            json!({"request": {"method": "GET", "path": "/p", "query": [["q", "1"]],
                   "headers": [["h", "v"]], "body": "/wA=", "isBase64Encoded": true}})
        );
        let response = HttpResponse {
            status: 201,
            headers: vec![],
            body: b"ok".to_vec(),
        };
        assert_eq!(
            mapped_response_json(&response),
            json!({"response": {"status": 201, "headers": [], "body": "ok"}})
        );
    }

    #[test]
    fn a_token_authorizer_event_takes_its_context_from_the_method_arn() {
        let event = json!({
            "type": "TOKEN",
            "authorizationToken": "Bearer x",
            "methodArn": "arn:aws:execute-api:us-east-1:000000000000:api1/dev/POST/items/7",
            "stageVariables": {"tokens": "x=alice"},
        });
        let parsed = authorizer_event(&event, &[]).unwrap();
        let request = &parsed.request;
        assert_eq!(request.kind, "TOKEN");
        assert_eq!(request.authorization_token.as_deref(), Some("Bearer x"));
        assert_eq!(request.context.api_id, "api1");
        assert_eq!(request.context.stage, "dev");
        assert_eq!(request.context.http_method, "POST");
        assert_eq!(request.context.resource_path, "/items/7");
        assert_eq!(
            request.context.stage_variables,
            pairs(&[("tokens", "x=alice")])
        );
        assert_eq!(parsed.stage_variables.len(), 1);
    }

    #[test]
    fn a_request_authorizer_event_keeps_every_header_value() {
        let event = json!({
            "type": "REQUEST",
            "headers": {"x-token": "b"},
            "multiValueHeaders": {"x-token": ["a", "b"]},
            "queryStringParameters": {"q": "1"},
            "pathParameters": {"id": "7"},
            "requestContext": {"apiId": "api2", "stage": "prod", "resourcePath": "/items/{id}",
                               "httpMethod": "GET", "identity": {"sourceIp": "10.0.0.1"}},
        });
        let parsed = authorizer_event(&event, &[]).unwrap();
        let request = &parsed.request;
        assert_eq!(
            request.headers,
            pairs(&[("x-token", "a"), ("x-token", "b")])
        );
        assert_eq!(request.query, pairs(&[("q", "1")]));
        assert_eq!(request.path_parameters, pairs(&[("id", "7")]));
        assert_eq!(
            request.method_arn,
            "arn:aws:execute-api:us-east-1:000000000000:api2/prod/GET/items/{id}"
        );
        assert_eq!(request.context.identity.source_ip, "10.0.0.1");
        assert!(authorizer_event(&json!({"type": "COOKIE"}), &[]).is_err());
    }

    #[test]
    fn authorizer_answers_print_as_lambda_returns_them() {
        let response = AuthorizerResponse {
            principal_id: "alice".into(),
            policy_document: r#"{"Version":"2012-10-17","Statement":[]}"#.into(),
            context: pairs(&[("user", "alice")]),
            usage_identifier_key: None,
        };
        assert_eq!(
            authorizer_response_json(&response),
            json!({"principalId": "alice",
                   "policyDocument": {"Version": "2012-10-17", "Statement": []},
                   "context": {"user": "alice"}})
        );
    }

    #[test]
    fn function_events_get_the_command_lines_stage_variables() {
        let event = json!({"httpMethod": "GET", "stageVariables": {"a": "1"}});
        let (text, variables) = function_event(event.clone(), &[]).unwrap();
        assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), event);
        assert_eq!(variables.get("a").map(String::as_str), Some("1"));
        let (text, variables) = function_event(event, &pairs(&[("b", "2")])).unwrap();
        assert_eq!(
            serde_json::from_str::<Value>(&text).unwrap()["stageVariables"],
            json!({"a": "1", "b": "2"})
        );
        assert_eq!(variables.len(), 2);
        assert!(function_event(json!([1]), &[]).is_err());
    }
}
