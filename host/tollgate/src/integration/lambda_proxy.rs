//! The Lambda-proxy contract of REST APIs (payload format 1.0): the event a function
//! receives and the response it must return. Pure functions, no I/O, so every field can be
//! pinned by unit tests.

use std::collections::BTreeMap;

use base64::Engine as _;
use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use serde_json::{Map, Value, json};

use crate::access::Caller;
use crate::mapping::context::ACCOUNT_ID;

/// What the event is built from.
pub struct EventInput<'a> {
    pub resource_path: &'a str,
    /// The path after the stage, as the client sent it.
    pub path: &'a str,
    /// The path including the stage, as `requestContext.path` reports it.
    pub full_path: &'a str,
    pub http_method: &'a str,
    pub headers: &'a HeaderMap,
    pub query: &'a [(String, String)],
    pub path_parameters: &'a [(String, String)],
    pub stage_variables: &'a BTreeMap<String, String>,
    pub request_id: &'a str,
    pub api_id: &'a str,
    pub stage: &'a str,
    pub source_ip: &'a str,
    pub protocol: &'a str,
    pub request_time_epoch_millis: u64,
    pub request_time: &'a str,
    pub body: &'a [u8],
    /// Whether the body's content type is one of the API's binary media types.
    pub body_is_binary: bool,
    /// What the access steps learnt of the caller (`requestContext.authorizer`, `identity`).
    pub caller: &'a Caller,
}

/// Single-value and multi-value maps as API Gateway builds them: the single-value map keeps
/// the last value of a repeated name; both are `null` when empty.
fn value_maps<'a>(pairs: impl Iterator<Item = (&'a str, String)>) -> (Value, Value) {
    let mut single = Map::new();
    let mut multi: Map<String, Value> = Map::new();
    for (name, value) in pairs {
        single.insert(name.to_string(), Value::String(value.clone()));
        match multi.get_mut(name) {
            Some(Value::Array(values)) => values.push(Value::String(value)),
            _ => {
                multi.insert(name.to_string(), json!([value]));
            }
        }
    }
    if single.is_empty() {
        (Value::Null, Value::Null)
    } else {
        (Value::Object(single), Value::Object(multi))
    }
}

fn string_map<'a>(pairs: impl Iterator<Item = (&'a String, &'a String)>) -> Value {
    let map: Map<String, Value> = pairs
        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
        .collect();
    if map.is_empty() {
        Value::Null
    } else {
        Value::Object(map)
    }
}

/// Builds the Lambda-proxy event JSON.
pub fn build_event(input: &EventInput<'_>) -> Value {
    let header_pairs = input.headers.iter().map(|(name, value)| {
        // hyper hands header names over lower-cased (HTTP/2 sends them so on the wire).
        (
            name.as_str(),
            String::from_utf8_lossy(value.as_bytes()).into_owned(),
        )
    });
    let (headers, multi_value_headers) = value_maps(header_pairs);
    let (query, multi_value_query) =
        value_maps(input.query.iter().map(|(k, v)| (k.as_str(), v.clone())));
    let path_parameters = string_map(input.path_parameters.iter().map(|(k, v)| (k, v)));
    let stage_variables = string_map(input.stage_variables.iter());
    let user_agent = input
        .headers
        .get(http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok());
    let (body, is_base64) = if input.body.is_empty() {
        (Value::Null, false)
    } else if input.body_is_binary {
        (
            Value::String(base64::engine::general_purpose::STANDARD.encode(input.body)),
            true,
        )
    } else {
        (
            Value::String(String::from_utf8_lossy(input.body).into_owned()),
            false,
        )
    };
    let mut event = json!({
        "resource": input.resource_path,
        "path": input.path,
        "httpMethod": input.http_method,
        "headers": headers,
        "multiValueHeaders": multi_value_headers,
        "queryStringParameters": query,
        "multiValueQueryStringParameters": multi_value_query,
        "pathParameters": path_parameters,
        "stageVariables": stage_variables,
        "requestContext": {
            "resourceId": resource_id(input.resource_path),
            "resourcePath": input.resource_path,
            "httpMethod": input.http_method,
            "extendedRequestId": input.request_id,
            "requestTime": input.request_time,
            "path": input.full_path,
            "accountId": ACCOUNT_ID,
            "protocol": input.protocol,
            "stage": input.stage,
            "domainPrefix": input.api_id,
            "requestTimeEpoch": input.request_time_epoch_millis,
            "requestId": input.request_id,
            "identity": {
                "cognitoIdentityPoolId": null,
                "accountId": null,
                "cognitoIdentityId": null,
                "caller": null,
                "sourceIp": input.source_ip,
                "principalOrgId": null,
                "accessKey": null,
                "cognitoAuthenticationType": null,
                "cognitoAuthenticationProvider": null,
                "userArn": null,
                "userAgent": user_agent,
                "user": null,
            },
            "domainName": format!("{}.execute-api.localhost", input.api_id),
            "apiId": input.api_id,
        },
        "body": body,
        "isBase64Encoded": is_base64,
    });
    let request_context = &mut event["requestContext"];
    if let Some(authorizer) = &input.caller.authorizer {
        request_context["authorizer"] = Value::Object(authorizer.clone());
    }
    if let Some(identity) = request_context["identity"].as_object_mut() {
        input.caller.fill_identity(identity);
    }
    event
}

/// A stable, AWS-looking resource id derived from the resource path.
pub fn resource_id(resource_path: &str) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(resource_path.as_bytes());
    hex::encode(&digest[..3])
}

/// A function's answer, checked against the Lambda-proxy response contract.
#[derive(Debug)]
pub struct ProxyResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

/// Why a function's output is not a Lambda-proxy response (the client gets 502).
#[derive(Debug, thiserror::Error, PartialEq)]
#[error("malformed Lambda proxy response: {0}")]
pub struct MalformedResponse(pub String);

const RESPONSE_KEYS: [&str; 5] = [
    "statusCode",
    "headers",
    "multiValueHeaders",
    "body",
    "isBase64Encoded",
];

fn malformed(reason: impl Into<String>) -> MalformedResponse {
    MalformedResponse(reason.into())
}

fn header_value_text(value: &Value, name: &str) -> Result<String, MalformedResponse> {
    match value {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        _ => Err(malformed(format!(
            "header {name:?} must be a string, found {value}"
        ))),
    }
}

/// Parses a function's output. API Gateway accepts exactly the keys `statusCode`, `headers`,
/// `multiValueHeaders`, `body` and `isBase64Encoded`; anything else is malformed.
pub fn parse_response(output: &str) -> Result<ProxyResponse, MalformedResponse> {
    let value: Value =
        serde_json::from_str(output).map_err(|e| malformed(format!("not JSON: {e}")))?;
    let Value::Object(object) = value else {
        return Err(malformed("not a JSON object"));
    };
    if let Some(unknown) = object.keys().find(|k| !RESPONSE_KEYS.contains(&k.as_str())) {
        return Err(malformed(format!("unexpected key {unknown:?}")));
    }
    let status = match object.get("statusCode") {
        Some(Value::Number(n)) => n.as_u64(),
        Some(Value::String(s)) => s.parse::<u64>().ok(),
        _ => None,
    }
    .and_then(|n| u16::try_from(n).ok())
    .and_then(|n| StatusCode::from_u16(n).ok())
    .filter(|s| (100..=599).contains(&s.as_u16()))
    .ok_or_else(|| malformed("statusCode must be an integer status code"))?;

    let mut headers = HeaderMap::new();
    let insert = |headers: &mut HeaderMap, name: &str, value: String, append: bool| {
        let name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| malformed(format!("invalid header name {name:?}")))?;
        let value = HeaderValue::from_str(&value)
            .map_err(|_| malformed(format!("invalid value for header {name}")))?;
        if append {
            headers.append(name, value);
        } else {
            headers.insert(name, value);
        }
        Ok::<_, MalformedResponse>(())
    };
    // API Gateway merges both maps; a name present in `multiValueHeaders` takes its values
    // from there only.
    let mut multi_names = Vec::new();
    match object.get("multiValueHeaders") {
        None | Some(Value::Null) => {}
        Some(Value::Object(map)) => {
            for (name, values) in map {
                let Value::Array(values) = values else {
                    return Err(malformed(format!(
                        "multiValueHeaders.{name} must be an array of strings"
                    )));
                };
                for value in values {
                    insert(&mut headers, name, header_value_text(value, name)?, true)?;
                }
                multi_names.push(name.to_ascii_lowercase());
            }
        }
        Some(_) => return Err(malformed("multiValueHeaders must be an object")),
    }
    match object.get("headers") {
        None | Some(Value::Null) => {}
        Some(Value::Object(map)) => {
            for (name, value) in map {
                if value.is_null() || multi_names.contains(&name.to_ascii_lowercase()) {
                    continue;
                }
                insert(&mut headers, name, header_value_text(value, name)?, false)?;
            }
        }
        Some(_) => return Err(malformed("headers must be an object")),
    }

    let is_base64 = match object.get("isBase64Encoded") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err(malformed("isBase64Encoded must be a boolean")),
    };
    let body = match object.get("body") {
        None | Some(Value::Null) => Bytes::new(),
        Some(Value::String(text)) if is_base64 => Bytes::from(
            base64::engine::general_purpose::STANDARD
                .decode(text)
                .map_err(|e| malformed(format!("body is not valid base64: {e}")))?,
        ),
        Some(Value::String(text)) => Bytes::from(text.clone()),
        Some(other) => {
            return Err(malformed(format!(
                "body must be a string, found {}",
                json_kind(other)
            )));
        }
    };
    if !headers.contains_key(http::header::CONTENT_TYPE) {
        // API Gateway's default content type for REST API responses.
        headers.insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
    }
    Ok(ProxyResponse {
        status,
        headers,
        body,
    })
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static CALLER: Caller = Caller {
        authorizer: None,
        iam: None,
        api_key: None,
    };

    fn input<'a>(
        headers: &'a HeaderMap,
        query: &'a [(String, String)],
        params: &'a [(String, String)],
        vars: &'a BTreeMap<String, String>,
        body: &'a [u8],
    ) -> EventInput<'a> {
        EventInput {
            resource_path: "/items/{id}",
            path: "/items/42",
            full_path: "/dev/items/42",
            http_method: "GET",
            headers,
            query,
            path_parameters: params,
            stage_variables: vars,
            request_id: "req-1",
            api_id: "demo",
            stage: "dev",
            source_ip: "127.0.0.1",
            caller: &CALLER,
            protocol: "HTTP/1.1",
            request_time_epoch_millis: 1_700_000_000_123,
            request_time: "14/Nov/2023:22:13:20 +0000",
            body,
            body_is_binary: false,
        }
    }

    #[test]
    fn event_has_every_field_of_the_rest_payload() {
        let mut headers = HeaderMap::new();
        headers.append("x-a", HeaderValue::from_static("1"));
        headers.append("x-a", HeaderValue::from_static("2"));
        let query = vec![
            ("q".to_string(), "a".to_string()),
            ("q".to_string(), "b".to_string()),
        ];
        let params = vec![("id".to_string(), "42".to_string())];
        let vars = BTreeMap::from([("alias".to_string(), "v1".to_string())]);
        let event = build_event(&input(&headers, &query, &params, &vars, b"{}"));
        assert_eq!(event["resource"], "/items/{id}");
        assert_eq!(event["path"], "/items/42");
        assert_eq!(event["headers"]["x-a"], "2");
        assert_eq!(event["multiValueHeaders"]["x-a"], json!(["1", "2"]));
        assert_eq!(event["queryStringParameters"]["q"], "b");
        assert_eq!(
            event["multiValueQueryStringParameters"]["q"],
            json!(["a", "b"])
        );
        assert_eq!(event["pathParameters"]["id"], "42");
        assert_eq!(event["stageVariables"]["alias"], "v1");
        assert_eq!(event["requestContext"]["requestId"], "req-1");
        assert_eq!(event["requestContext"]["stage"], "dev");
        assert_eq!(event["requestContext"]["resourcePath"], "/items/{id}");
        assert_eq!(event["requestContext"]["path"], "/dev/items/42");
        assert_eq!(event["requestContext"]["identity"]["sourceIp"], "127.0.0.1");
        assert_eq!(
            event["requestContext"]["requestTimeEpoch"],
            1_700_000_000_123u64
        );
        assert_eq!(event["body"], "{}");
        assert_eq!(event["isBase64Encoded"], false);
    }

    #[test]
    fn empty_maps_are_null_as_in_aws() {
        let headers = HeaderMap::new();
        let vars = BTreeMap::new();
        let event = build_event(&input(&headers, &[], &[], &vars, b""));
        for key in [
            "headers",
            "multiValueHeaders",
            "queryStringParameters",
            "multiValueQueryStringParameters",
            "pathParameters",
            "stageVariables",
            "body",
        ] {
            assert_eq!(event[key], Value::Null, "{key}");
        }
    }

    #[test]
    fn binary_bodies_are_base64() {
        let headers = HeaderMap::new();
        let vars = BTreeMap::new();
        let mut input = input(&headers, &[], &[], &vars, &[0, 159, 146, 150]);
        input.body_is_binary = true;
        let event = build_event(&input);
        assert_eq!(event["body"], "AJ+Slg==");
        assert_eq!(event["isBase64Encoded"], true);
    }

    #[test]
    fn parses_a_full_response() {
        let response = parse_response(
            r#"{"statusCode":201,"headers":{"x-one":"1","x-both":"h"},"multiValueHeaders":{"x-both":["m1","m2"]},"body":"hi","isBase64Encoded":false}"#,
        )
        .unwrap();
        assert_eq!(response.status, 201);
        assert_eq!(response.headers["x-one"], "1");
        let both: Vec<_> = response.headers.get_all("x-both").iter().collect();
        assert_eq!(both, ["m1", "m2"]);
        assert_eq!(response.headers["content-type"], "application/json");
        assert_eq!(&response.body[..], b"hi");
    }

    #[test]
    fn decodes_base64_bodies() {
        let response =
            parse_response(r#"{"statusCode":200,"body":"aGk=","isBase64Encoded":true}"#).unwrap();
        assert_eq!(&response.body[..], b"hi");
    }

    #[test]
    fn refuses_malformed_responses() {
        for output in [
            "hello",
            "[1]",
            r#"{"body":"x"}"#,
            r#"{"statusCode":"abc"}"#,
            r#"{"statusCode":700}"#,
            r#"{"statusCode":200,"body":"x","bogus":1}"#,
            r#"{"statusCode":200,"body":{"a":1}}"#,
            r#"{"statusCode":200,"headers":[1]}"#,
            r#"{"statusCode":200,"headers":{"a":{"b":1}}}"#,
            r#"{"statusCode":200,"isBase64Encoded":"yes"}"#,
            r#"{"statusCode":200,"body":"!!","isBase64Encoded":true}"#,
        ] {
            assert!(
                parse_response(output).is_err(),
                "{output} should be refused"
            );
        }
    }
}
