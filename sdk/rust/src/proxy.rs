//! API Gateway's Lambda-proxy contract (REST API, payload format 1.0) as typed values.
//!
//! [`ProxyEvent`] is what a [`Function`](crate::Function) receives and [`ProxyResponse`] what
//! it answers. Both are plain serde types with AWS's camelCase field names, so a plugin
//! written against them also reads events captured from AWS. Unknown fields of an event are
//! ignored (the host may add more than AWS sends), and `null` is accepted wherever AWS sends
//! `null` for "empty". This module does no I/O and never panics.

use std::collections::BTreeMap;
use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};

/// A JSON object, as found in `requestContext.authorizer`.
pub type JsonMap = serde_json::Map<String, serde_json::Value>;

/// The Lambda-proxy integration event: one HTTP request as API Gateway hands it to a
/// function (REST API, payload format 1.0).
///
/// The maps are `None` when AWS would send `null`: no headers, no query string, no path
/// parameters or no stage variables.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProxyEvent {
    /// The matched resource path template, e.g. `/items/{id}`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub resource: String,
    /// The request path, e.g. `/items/42`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub path: String,
    /// The HTTP method, e.g. `GET`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub http_method: String,
    /// Request headers, the last value of each name.
    #[serde(default)]
    pub headers: Option<BTreeMap<String, String>>,
    /// Request headers, every value of each name.
    #[serde(default)]
    pub multi_value_headers: Option<BTreeMap<String, Vec<String>>>,
    /// Query-string parameters, the last value of each name.
    #[serde(default)]
    pub query_string_parameters: Option<BTreeMap<String, String>>,
    /// Query-string parameters, every value of each name.
    #[serde(default)]
    pub multi_value_query_string_parameters: Option<BTreeMap<String, Vec<String>>>,
    /// The values of the path template's parameters, e.g. `{"id": "42"}`.
    #[serde(default)]
    pub path_parameters: Option<BTreeMap<String, String>>,
    /// The stage variables of the stage serving the request.
    #[serde(default)]
    pub stage_variables: Option<BTreeMap<String, String>>,
    /// What the gateway knows about the request.
    #[serde(default, deserialize_with = "null_as_default")]
    pub request_context: ProxyRequestContext,
    /// The request body: text, or base64 when `is_base64_encoded` is true.
    #[serde(default)]
    pub body: Option<String>,
    /// Whether `body` is base64-encoded binary.
    #[serde(default, deserialize_with = "null_as_default")]
    pub is_base64_encoded: bool,
}

/// The event's `requestContext`: the fields of API Gateway's `$context` a function sees.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProxyRequestContext {
    /// The request id, also sent to the client as `x-amzn-RequestId`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub request_id: String,
    /// AWS's extended request id, when the host sends one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extended_request_id: Option<String>,
    /// The stage name, e.g. `dev`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub stage: String,
    /// The matched resource path template, e.g. `/items/{id}`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub resource_path: String,
    /// The HTTP method.
    #[serde(default, deserialize_with = "null_as_default")]
    pub http_method: String,
    /// The full request path, stage included, e.g. `/dev/items/42`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub path: String,
    /// The API's id.
    #[serde(default, deserialize_with = "null_as_default")]
    pub api_id: String,
    /// The account id of the API's owner.
    #[serde(default, deserialize_with = "null_as_default")]
    pub account_id: String,
    /// The resource's id.
    #[serde(default, deserialize_with = "null_as_default")]
    pub resource_id: String,
    /// The id of the deployment serving the request, when the host sends one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployment_id: Option<String>,
    /// The request protocol, e.g. `HTTP/1.1`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub protocol: String,
    /// The request time in CLF format, e.g. `09/Apr/2015:12:34:56 +0000`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub request_time: String,
    /// The request time in milliseconds since the Unix epoch.
    #[serde(default, deserialize_with = "null_as_default")]
    pub request_time_epoch: u64,
    /// The domain name the client called, when the host sends one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain_name: Option<String>,
    /// The first label of `domain_name`, when the host sends one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain_prefix: Option<String>,
    /// The caller.
    #[serde(default, deserialize_with = "null_as_default")]
    pub identity: ProxyIdentity,
    /// The context an authorizer returned (`principalId` plus its context values); `None`
    /// without an authorizer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorizer: Option<JsonMap>,
}

/// The event's `requestContext.identity`: who called.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProxyIdentity {
    /// The caller's IP address.
    #[serde(default, deserialize_with = "null_as_default")]
    pub source_ip: String,
    /// The `User-Agent` header.
    #[serde(default)]
    pub user_agent: Option<String>,
    /// The API key the caller presented.
    #[serde(default)]
    pub api_key: Option<String>,
    /// The id of the API key the caller presented.
    #[serde(default)]
    pub api_key_id: Option<String>,
    /// The access key of a SigV4-signed request.
    #[serde(default)]
    pub access_key: Option<String>,
    /// The account id of a SigV4-signed request.
    #[serde(default)]
    pub account_id: Option<String>,
    /// The principal of a SigV4-signed request.
    #[serde(default)]
    pub caller: Option<String>,
    /// The user of a SigV4-signed request.
    #[serde(default)]
    pub user: Option<String>,
    /// The ARN of the user of a SigV4-signed request.
    #[serde(default)]
    pub user_arn: Option<String>,
    /// Cognito's authentication provider (always `None` on Tollgate; kept for AWS parity).
    #[serde(default)]
    pub cognito_authentication_provider: Option<String>,
    /// Cognito's authentication type (always `None` on Tollgate; kept for AWS parity).
    #[serde(default)]
    pub cognito_authentication_type: Option<String>,
    /// Cognito's identity id (always `None` on Tollgate; kept for AWS parity).
    #[serde(default)]
    pub cognito_identity_id: Option<String>,
    /// Cognito's identity pool id (always `None` on Tollgate; kept for AWS parity).
    #[serde(default)]
    pub cognito_identity_pool_id: Option<String>,
    /// The caller's organisation id.
    #[serde(default)]
    pub principal_org_id: Option<String>,
    /// The client certificate of a mutual-TLS request, as AWS describes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_cert: Option<serde_json::Value>,
}

/// Why the body of an event could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyError {
    /// The request has no body.
    Missing,
    /// `isBase64Encoded` is true but the body is not valid base64.
    Base64(String),
    /// The body is not the JSON the caller asked for.
    Json(String),
}

impl fmt::Display for BodyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BodyError::Missing => f.write_str("the request has no body"),
            BodyError::Base64(e) => write!(f, "the body is not valid base64: {e}"),
            BodyError::Json(e) => write!(f, "the body is not valid JSON: {e}"),
        }
    }
}

impl std::error::Error for BodyError {}

impl ProxyEvent {
    /// Parses the JSON of a Lambda-proxy event.
    pub fn from_json(json: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(json)
    }

    /// The value of the path parameter `name` (`{name}` in the resource path).
    pub fn path_parameter(&self, name: &str) -> Option<&str> {
        self.path_parameters.as_ref()?.get(name).map(String::as_str)
    }

    /// The value of the query-string parameter `name` (its last value when repeated).
    pub fn query(&self, name: &str) -> Option<&str> {
        if let Some(value) = self
            .query_string_parameters
            .as_ref()
            .and_then(|query| query.get(name))
        {
            return Some(value);
        }
        self.multi_value_query_string_parameters
            .as_ref()
            .and_then(|query| query.get(name))
            .and_then(|values| values.last())
            .map(String::as_str)
    }

    /// Every value of the query-string parameter `name`, in the order received.
    pub fn query_values(&self, name: &str) -> Vec<&str> {
        match self
            .multi_value_query_string_parameters
            .as_ref()
            .and_then(|query| query.get(name))
        {
            Some(values) => values.iter().map(String::as_str).collect(),
            None => self
                .query_string_parameters
                .as_ref()
                .and_then(|query| query.get(name))
                .map(String::as_str)
                .into_iter()
                .collect(),
        }
    }

    /// The value of the header `name`, compared case-insensitively (its last value when
    /// repeated).
    pub fn header(&self, name: &str) -> Option<&str> {
        if let Some(value) = self
            .headers
            .as_ref()
            .and_then(|headers| find_ignore_case(headers, name))
        {
            return Some(value);
        }
        self.multi_value_headers
            .as_ref()
            .and_then(|headers| find_ignore_case(headers, name))
            .and_then(|values| values.last())
            .map(String::as_str)
    }

    /// The value of the stage variable `name`, as the event carries it.
    pub fn stage_variable(&self, name: &str) -> Option<&str> {
        self.stage_variables.as_ref()?.get(name).map(String::as_str)
    }

    /// The body as bytes: base64-decoded when `isBase64Encoded`, empty without a body.
    pub fn body_bytes(&self) -> Result<Vec<u8>, BodyError> {
        match &self.body {
            None => Ok(Vec::new()),
            Some(body) if self.is_base64_encoded => BASE64
                .decode(body)
                .map_err(|e| BodyError::Base64(e.to_string())),
            Some(body) => Ok(body.clone().into_bytes()),
        }
    }

    /// The body parsed as JSON into `T`.
    pub fn json_body<T: DeserializeOwned>(&self) -> Result<T, BodyError> {
        let body = match &self.body {
            None => return Err(BodyError::Missing),
            Some(body) if body.is_empty() => return Err(BodyError::Missing),
            Some(_) => self.body_bytes()?,
        };
        serde_json::from_slice(&body).map_err(|e| BodyError::Json(e.to_string()))
    }
}

/// The Lambda-proxy response a function answers with.
///
/// Serialises with AWS's names (`statusCode`, `headers`, `multiValueHeaders`, `body`,
/// `isBase64Encoded`), leaving out empty maps, a missing body and a false
/// `isBase64Encoded`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProxyResponse {
    /// The HTTP status code.
    pub status_code: u16,
    /// Response headers, one value each.
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub headers: BTreeMap<String, String>,
    /// Response headers with several values.
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub multi_value_headers: BTreeMap<String, Vec<String>>,
    /// The body: text, or base64 when `is_base64_encoded` is true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// Whether `body` is base64-encoded binary the gateway decodes before answering.
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "is_false"
    )]
    pub is_base64_encoded: bool,
}

impl ProxyResponse {
    /// A response with `status` and no headers and no body (e.g. `204 No Content`).
    pub fn new(status: u16) -> Self {
        ProxyResponse {
            status_code: status,
            ..ProxyResponse::default()
        }
    }

    /// A JSON response: `value` serialised, with `content-type: application/json`.
    ///
    /// Serialising a value can only fail for types serde_json cannot represent (such as a
    /// map with non-string keys); then the response is a `500` with
    /// `{"message": "<why>"}`. Use [`ProxyResponse::try_json`] to handle that yourself.
    pub fn json<T: Serialize + ?Sized>(status: u16, value: &T) -> Self {
        Self::try_json(status, value).unwrap_or_else(|e| {
            let message =
                serde_json::json!({ "message": format!("cannot serialise the response: {e}") });
            Self::with_json_body(500, message.to_string())
        })
    }

    /// Like [`ProxyResponse::json`], but returns the serialisation error.
    pub fn try_json<T: Serialize + ?Sized>(
        status: u16,
        value: &T,
    ) -> Result<Self, serde_json::Error> {
        Ok(Self::with_json_body(status, serde_json::to_string(value)?))
    }

    fn with_json_body(status: u16, body: String) -> Self {
        ProxyResponse {
            body: Some(body),
            ..ProxyResponse::new(status)
        }
        .with_header("content-type", "application/json")
    }

    /// A text response with `content-type: text/plain; charset=utf-8`.
    pub fn text(status: u16, body: impl Into<String>) -> Self {
        ProxyResponse {
            body: Some(body.into()),
            ..ProxyResponse::new(status)
        }
        .with_header("content-type", "text/plain; charset=utf-8")
    }

    /// A binary response: `bytes` base64-encoded with `isBase64Encoded: true` and
    /// `content-type: application/octet-stream` (replace it with
    /// [`with_header`](ProxyResponse::with_header)).
    pub fn binary(status: u16, bytes: impl AsRef<[u8]>) -> Self {
        ProxyResponse {
            body: Some(BASE64.encode(bytes)),
            is_base64_encoded: true,
            ..ProxyResponse::new(status)
        }
        .with_header("content-type", "application/octet-stream")
    }

    /// Sets header `name` to `value`, replacing any header of the same name in any case.
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        let name = name.into();
        self.headers.retain(|k, _| !k.eq_ignore_ascii_case(&name));
        self.multi_value_headers
            .retain(|k, _| !k.eq_ignore_ascii_case(&name));
        self.headers.insert(name, value.into());
        self
    }

    /// Sets header `name` to several values (`multiValueHeaders`), replacing any header of
    /// the same name in any case.
    pub fn with_header_values<I, V>(mut self, name: impl Into<String>, values: I) -> Self
    where
        I: IntoIterator<Item = V>,
        V: Into<String>,
    {
        let name = name.into();
        self.headers.retain(|k, _| !k.eq_ignore_ascii_case(&name));
        self.multi_value_headers
            .retain(|k, _| !k.eq_ignore_ascii_case(&name));
        self.multi_value_headers
            .insert(name, values.into_iter().map(Into::into).collect());
        self
    }

    /// The value of header `name`, compared case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        find_ignore_case(&self.headers, name)
            .map(String::as_str)
            .or_else(|| {
                find_ignore_case(&self.multi_value_headers, name)
                    .and_then(|values| values.first())
                    .map(String::as_str)
            })
    }

    /// The JSON of this response, as the `handler` interface returns it.
    pub fn to_json(&self) -> String {
        // A struct of strings, maps of strings, a number and a bool always serialises.
        serde_json::to_string(self).unwrap_or_default()
    }
}

fn find_ignore_case<'a, V>(map: &'a BTreeMap<String, V>, name: &str) -> Option<&'a V> {
    map.get(name).or_else(|| {
        map.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    })
}

fn is_false(value: &bool) -> bool {
    !*value
}

/// Deserialises `null` as the type's default, as AWS sends `null` for "empty".
fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    const AWS_EVENT: &str = r#"{
        "resource": "/items/{id}",
        "path": "/items/42",
        "httpMethod": "POST",
        "headers": {"Content-Type": "application/json", "X-Thing": "a"},
        "multiValueHeaders": {"Content-Type": ["application/json"], "X-Thing": ["b", "a"]},
        "queryStringParameters": {"x": "2"},
        "multiValueQueryStringParameters": {"x": ["1", "2"]},
        "pathParameters": {"id": "42"},
        "stageVariables": null,
        "requestContext": {
            "resourceId": "abc123", "resourcePath": "/items/{id}", "httpMethod": "POST",
            "extendedRequestId": "ext", "requestTime": "09/Apr/2015:12:34:56 +0000",
            "path": "/dev/items/42", "accountId": "123456789012", "protocol": "HTTP/1.1",
            "stage": "dev", "domainPrefix": "api", "requestTimeEpoch": 1428582896000,
            "requestId": "req-1", "domainName": "api.example.com", "apiId": "a1b2c3",
            "identity": {"sourceIp": "127.0.0.1", "userAgent": "curl/8", "cognitoIdentityId": null,
                         "somethingNew": true},
            "authorizer": {"principalId": "alice", "scope": "read"},
            "somethingElse": 1
        },
        "body": "{\"name\":\"widget\"}",
        "isBase64Encoded": false,
        "futureField": [1, 2]
    }"#;

    #[test]
    fn parses_an_aws_event_and_ignores_unknown_fields() {
        let event = ProxyEvent::from_json(AWS_EVENT).unwrap();
        assert_eq!(event.http_method, "POST");
        assert_eq!(event.path_parameter("id"), Some("42"));
        assert_eq!(event.path_parameter("nope"), None);
        assert_eq!(event.query("x"), Some("2"));
        assert_eq!(event.query_values("x"), vec!["1", "2"]);
        assert_eq!(event.header("content-type"), Some("application/json"));
        assert_eq!(event.header("x-thing"), Some("a"));
        assert_eq!(event.stage_variables, None);
        assert_eq!(event.request_context.request_time_epoch, 1_428_582_896_000);
        assert_eq!(event.request_context.identity.source_ip, "127.0.0.1");
        assert_eq!(
            event.request_context.authorizer.as_ref().unwrap()["principalId"],
            "alice"
        );
        let body: serde_json::Value = event.json_body().unwrap();
        assert_eq!(body["name"], "widget");
    }

    #[test]
    fn parses_a_minimal_event_with_nulls() {
        let event = ProxyEvent::from_json(
            r#"{"httpMethod":"GET","path":"/","headers":null,"requestContext":null,"body":null,"isBase64Encoded":null}"#,
        )
        .unwrap();
        assert_eq!(event.header("x"), None);
        assert_eq!(event.query("x"), None);
        assert_eq!(event.body_bytes().unwrap(), Vec::<u8>::new());
        assert_eq!(
            event.json_body::<serde_json::Value>(),
            Err(BodyError::Missing)
        );
    }

    #[test]
    fn decodes_base64_bodies() {
        let event = ProxyEvent {
            body: Some("aGk=".into()),
            is_base64_encoded: true,
            ..ProxyEvent::default()
        };
        assert_eq!(event.body_bytes().unwrap(), b"hi");
        let bad = ProxyEvent {
            body: Some("!!".into()),
            ..event
        };
        assert!(matches!(bad.body_bytes(), Err(BodyError::Base64(_))));
    }

    #[test]
    fn rejects_invalid_json_bodies() {
        let event = ProxyEvent {
            body: Some("{nope".into()),
            ..ProxyEvent::default()
        };
        assert!(matches!(
            event.json_body::<serde_json::Value>(),
            Err(BodyError::Json(_))
        ));
    }

    #[test]
    fn responses_serialise_with_aws_names_and_omit_empty_fields() {
        assert_eq!(ProxyResponse::new(204).to_json(), r#"{"statusCode":204}"#);
        assert_eq!(
            ProxyResponse::json(200, &serde_json::json!({"a": 1})).to_json(),
            r#"{"statusCode":200,"headers":{"content-type":"application/json"},"body":"{\"a\":1}"}"#
        );
        assert_eq!(
            ProxyResponse::binary(200, b"hi")
                .with_header("Content-Type", "image/png")
                .to_json(),
            r#"{"statusCode":200,"headers":{"Content-Type":"image/png"},"body":"aGk=","isBase64Encoded":true}"#
        );
        let text = ProxyResponse::text(404, "no").with_header_values("set-cookie", ["a=1", "b=2"]);
        assert_eq!(
            text.header("Content-Type"),
            Some("text/plain; charset=utf-8")
        );
        assert_eq!(text.header("Set-Cookie"), Some("a=1"));
        assert_eq!(
            text.to_json(),
            r#"{"statusCode":404,"headers":{"content-type":"text/plain; charset=utf-8"},"multiValueHeaders":{"set-cookie":["a=1","b=2"]},"body":"no"}"#
        );
    }

    #[test]
    fn responses_round_trip_and_accept_nulls() {
        let response: ProxyResponse = serde_json::from_str(
            r#"{"statusCode":200,"headers":null,"multiValueHeaders":null,"body":"x","isBase64Encoded":null}"#,
        )
        .unwrap();
        assert_eq!(
            response,
            ProxyResponse {
                body: Some("x".into()),
                ..ProxyResponse::new(200)
            }
        );
    }

    #[test]
    fn json_falls_back_to_500_on_unserialisable_values() {
        let mut map = std::collections::HashMap::new();
        map.insert((1, 2), 3);
        let response = ProxyResponse::json(200, &map);
        assert_eq!(response.status_code, 500);
        assert!(ProxyResponse::try_json(200, &map).is_err());
    }
}
