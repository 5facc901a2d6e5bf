//! The API definition model: what a REST API *is* once imported, in AWS API Gateway's
//! vocabulary (resources, methods, integrations, integration responses, parameter mappings).
//!
//! Values here are already validated by the import (see `crate::import`): a [`Method`] always
//! has an [`Integration`], a function integration always names a function, every selection
//! pattern compiles. The model keeps templates, URIs and mapping expressions as text where a
//! later layer (VTL, stage variables, the data plane) interprets them; it never does I/O.

use std::collections::BTreeMap;
use std::fmt;

use regex::Regex;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::access::{ApiKeySource, Authorizer, CorsConfiguration, MethodAuthorization};

/// A REST API as defined by an imported OpenAPI document.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ApiDefinition {
    /// `info.title`.
    pub title: String,
    /// `info.version`.
    pub version: Option<String>,
    /// `info.description`.
    pub description: Option<String>,
    /// One per entry of `paths`, in document order.
    pub resources: Vec<Resource>,
    /// `x-amazon-apigateway-binary-media-types`.
    pub binary_media_types: Vec<String>,
    /// The original document as JSON, kept for export.
    pub document: serde_json::Value,
    /// The API's models: every `components.schemas` entry (OpenAPI 3) or `definitions` entry
    /// (Swagger 2), by name, each as a standalone JSON Schema draft 4 document — with
    /// `$schema` set, OpenAPI-only keywords converted, and the models it references copied
    /// under its `definitions` (its `$ref`s rewritten to `#/definitions/NAME`), so that a
    /// validator compiles it without the rest of the document. See [`Schema`].
    #[serde(default)]
    pub models: BTreeMap<String, serde_json::Value>,
    /// `x-amazon-apigateway-request-validators`, by name.
    #[serde(default)]
    pub request_validators: BTreeMap<String, RequestValidator>,
    /// The API-level `x-amazon-apigateway-request-validator`: the name of the validator of
    /// every method that names none (already applied to [`Method::request_validator`]).
    #[serde(default)]
    pub default_request_validator: Option<String>,
    /// `x-amazon-apigateway-gateway-responses`, by response type (`DEFAULT_4XX`,
    /// `BAD_REQUEST_BODY`, ...; every key is one of [`GatewayResponse::TYPES`]).
    #[serde(default)]
    pub gateway_responses: BTreeMap<String, GatewayResponse>,
    /// The authorizers (security schemes with `x-amazon-apigateway-authtype` or
    /// `x-amazon-apigateway-authorizer`), by scheme name.
    #[serde(default)]
    pub authorizers: BTreeMap<String, Authorizer>,
    /// `x-amazon-apigateway-api-key-source`.
    #[serde(default)]
    pub api_key_source: ApiKeySource,
    /// `x-amazon-apigateway-policy`: the resource policy document as written (AWS's
    /// `execute-api:/stage/METHOD/path` shorthand unexpanded; the data plane expands it).
    #[serde(default)]
    pub resource_policy: Option<serde_json::Value>,
    /// `x-amazon-apigateway-cors`.
    #[serde(default)]
    pub cors: Option<CorsConfiguration>,
}

impl ApiDefinition {
    /// The standalone draft 4 document of a body schema: the model it names, or the inline
    /// document. `None` only for a model name the definition does not have (never the case
    /// for an imported definition).
    pub fn schema_document<'a>(&'a self, schema: &'a Schema) -> Option<&'a serde_json::Value> {
        match schema {
            Schema::Model(name) => self.models.get(name),
            Schema::Inline(document) => Some(document),
        }
    }
}

/// A resource: a path template such as `/items/{id}` or `/{proxy+}`, and its methods.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Resource {
    pub path: String,
    pub methods: Vec<Method>,
}

/// A method of a resource: an HTTP verb (or `ANY`) and where its requests go.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Method {
    /// `GET`, `PUT`, `POST`, `DELETE`, `PATCH`, `HEAD`, `OPTIONS`, or `ANY` for
    /// `x-amazon-apigateway-any-method`.
    pub http_method: String,
    pub operation_id: Option<String>,
    /// The method request parameters: path-item level ones merged with the operation's own
    /// (the operation's win on the same name and location).
    pub parameters: Vec<Parameter>,
    pub integration: Integration,
    /// The effective request validator: the operation's
    /// `x-amazon-apigateway-request-validator`, else the API-level one, else `None` (no
    /// validation).
    #[serde(default)]
    pub request_validator: Option<RequestValidator>,
    /// The method request body: OpenAPI 3 `requestBody` (a `$ref` to
    /// `components.requestBodies` resolved), or the Swagger 2 `in: body` parameter (one
    /// content type per `consumes` entry, `application/json` when there is none).
    #[serde(default)]
    pub request_body: Option<RequestBodySpec>,
    /// `x-tollgate-mapper`: a mapper component applied to the request and/or the response.
    #[serde(default)]
    pub mapper: Option<MapperRef>,
    /// The authorizer of the method's `security` requirement (the operation's, else the
    /// document's).
    #[serde(default)]
    pub authorization: MethodAuthorization,
    /// Whether the `security` requirement names the API key scheme (`x-api-key`).
    #[serde(default)]
    pub api_key_required: bool,
}

/// A request validator (an entry of `x-amazon-apigateway-request-validators`): what API
/// Gateway checks before the integration request. A missing flag is `false`, as in AWS.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct RequestValidator {
    /// The validator's name (its key in `x-amazon-apigateway-request-validators`).
    pub name: String,
    /// `validateRequestBody`: the body must match the method's model for its content type.
    pub validate_request_body: bool,
    /// `validateRequestParameters`: the required parameters must be present and non-blank.
    pub validate_request_parameters: bool,
}

/// A method request body: whether it is required, and the schema of each content type.
///
/// Content types declared without a schema are not in `content` (there is nothing to
/// validate them against); the keys are the media types (or media ranges such as
/// `application/*`) as written.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RequestBodySpec {
    /// OpenAPI 3 `requestBody.required`, or the Swagger 2 body parameter's `required`.
    pub required: bool,
    /// Content type → schema.
    pub content: BTreeMap<String, Schema>,
}

/// A body schema: a model of the API, by name, or a schema written in place.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub enum Schema {
    /// `$ref: '#/components/schemas/NAME'` (or `#/definitions/NAME`): the key of
    /// [`ApiDefinition::models`].
    Model(String),
    /// An inline schema, as a standalone draft 4 document (built as the models are).
    Inline(serde_json::Value),
}

/// `x-tollgate-mapper`: the mapper component a method runs on its request and/or response.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct MapperRef {
    /// NAME of `mapper:NAME[:QUALIFIER]`.
    pub name: String,
    /// QUALIFIER (a version, an alias, `$LATEST`), possibly with `${stageVariables.x}`.
    pub qualifier: Option<String>,
    /// Whether the mapper maps the request (default `true`).
    pub request: bool,
    /// Whether the mapper maps the response (default `true`).
    pub response: bool,
    /// Configuration given to the mapper, verbatim.
    pub config: BTreeMap<String, String>,
}

/// A gateway response (an entry of `x-amazon-apigateway-gateway-responses`): how API Gateway
/// answers a request it fails itself, for one response type.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct GatewayResponse {
    /// `statusCode`; `None` keeps the type's default status (see
    /// [`GatewayResponse::default_status_code`]).
    pub status_code: Option<u16>,
    /// `responseParameters`, in document order: the key as written
    /// (`gatewayresponse.header.NAME`) and the source expression as written (`'static'`,
    /// `method.request.header.x`, `method.request.querystring.x`, `method.request.path.x`,
    /// `stageVariables.x`, `context.x`).
    pub response_parameters: Vec<(String, String)>,
    /// `responseTemplates`: content type → template text, verbatim (AWS substitutes
    /// `$context`, `$stageVariables` and method request parameters in them; no VTL).
    pub response_templates: BTreeMap<String, String>,
}

impl GatewayResponse {
    /// The gateway response types AWS defines, with their default status codes
    /// (`None` for `DEFAULT_4XX` and `DEFAULT_5XX`, whose status is the one of the response
    /// they stand in for).
    pub const TYPES: &'static [(&'static str, Option<u16>)] = &[
        ("ACCESS_DENIED", Some(403)),
        ("API_CONFIGURATION_ERROR", Some(500)),
        ("AUTHORIZER_CONFIGURATION_ERROR", Some(500)),
        ("AUTHORIZER_FAILURE", Some(500)),
        ("BAD_REQUEST_PARAMETERS", Some(400)),
        ("BAD_REQUEST_BODY", Some(400)),
        ("DEFAULT_4XX", None),
        ("DEFAULT_5XX", None),
        ("EXPIRED_TOKEN", Some(403)),
        ("INTEGRATION_FAILURE", Some(504)),
        ("INTEGRATION_TIMEOUT", Some(504)),
        ("INVALID_API_KEY", Some(403)),
        ("INVALID_SIGNATURE", Some(403)),
        ("MISSING_AUTHENTICATION_TOKEN", Some(403)),
        ("QUOTA_EXCEEDED", Some(429)),
        ("REQUEST_TOO_LARGE", Some(413)),
        ("RESOURCE_NOT_FOUND", Some(404)),
        ("THROTTLED", Some(429)),
        ("UNAUTHORIZED", Some(401)),
        ("UNSUPPORTED_MEDIA_TYPE", Some(415)),
        ("WAF_FILTERED", Some(403)),
    ];

    /// The status code AWS answers a response type with when no gateway response sets one;
    /// `None` for `DEFAULT_4XX`, `DEFAULT_5XX` and names that are not response types.
    pub fn default_status_code(response_type: &str) -> Option<u16> {
        Self::TYPES
            .iter()
            .find(|(name, _)| *name == response_type)
            .and_then(|(_, status)| *status)
    }

    /// The headers this gateway response sets: (header name, source expression), for the
    /// `gatewayresponse.header.NAME` parameters.
    pub fn header_parameters(&self) -> impl Iterator<Item = (&str, &str)> {
        self.response_parameters.iter().filter_map(|(key, source)| {
            key.strip_prefix("gatewayresponse.header.")
                .map(|header| (header, source.as_str()))
        })
    }
}

/// A method request parameter declared in the OpenAPI document.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Parameter {
    pub name: String,
    pub location: ParameterLocation,
    pub required: bool,
}

/// Where a request parameter lives. Serialized as AWS names it in mapping expressions.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash)]
pub enum ParameterLocation {
    #[serde(rename = "path")]
    Path,
    #[serde(rename = "querystring")]
    Query,
    #[serde(rename = "header")]
    Header,
}

impl ParameterLocation {
    /// The name AWS uses in mapping expressions (`path`, `querystring`, `header`).
    pub fn as_aws_str(self) -> &'static str {
        match self {
            ParameterLocation::Path => "path",
            ParameterLocation::Query => "querystring",
            ParameterLocation::Header => "header",
        }
    }
}

/// `x-amazon-apigateway-integration`: where a method's request goes and how request and
/// response are mapped.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Integration {
    pub integration_type: IntegrationType,
    /// The `uri` as written, possibly containing `${stageVariables.x}` and `{param}`.
    pub uri: Option<String>,
    /// What the `uri` designates.
    pub target: IntegrationTarget,
    /// The integration `httpMethod`, upper-case (`ANY` allowed for HTTP integrations).
    pub http_method: Option<String>,
    pub passthrough_behavior: PassthroughBehavior,
    pub request_parameters: Vec<ParameterMapping>,
    /// Content type → mapping template text, verbatim.
    pub request_templates: BTreeMap<String, String>,
    /// `timeoutInMillis`: 50..=29000, 29000 when absent.
    pub timeout_millis: u32,
    pub content_handling: Option<ContentHandling>,
    /// From the `responses` map, in document order; the `default` key has no selection pattern.
    pub responses: Vec<IntegrationResponse>,
    pub cache_key_parameters: Vec<String>,
    pub cache_namespace: Option<String>,
}

impl Integration {
    /// The timeout AWS applies when `timeoutInMillis` is absent.
    pub const DEFAULT_TIMEOUT_MILLIS: u32 = 29_000;
    /// The smallest `timeoutInMillis` AWS accepts.
    pub const MIN_TIMEOUT_MILLIS: u32 = 50;
    /// The largest `timeoutInMillis` AWS accepts (without a quota increase).
    pub const MAX_TIMEOUT_MILLIS: u32 = 29_000;

    /// AWS's integration response selection: the first response (in document order) whose
    /// selection pattern matches `value` as a whole; otherwise the default response (the one
    /// without a pattern); `None` when neither exists.
    ///
    /// `value` is the integration's status code as text for HTTP integrations, the
    /// `statusCode` produced by the request template for MOCK, and the function's
    /// `errorMessage` for AWS (non-proxy) function integrations.
    pub fn select_response(&self, value: &str) -> Option<&IntegrationResponse> {
        self.responses
            .iter()
            .find(|response| response.matches(value))
            .or_else(|| self.default_response())
    }

    /// The response under the `default` key, if any.
    pub fn default_response(&self) -> Option<&IntegrationResponse> {
        self.responses
            .iter()
            .find(|response| response.selection_pattern.is_none())
    }
}

/// The integration `type`.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash)]
pub enum IntegrationType {
    #[serde(rename = "MOCK")]
    Mock,
    #[serde(rename = "HTTP")]
    Http,
    #[serde(rename = "HTTP_PROXY")]
    HttpProxy,
    #[serde(rename = "AWS_PROXY")]
    AwsProxy,
    #[serde(rename = "AWS")]
    Aws,
}

impl IntegrationType {
    /// The name AWS uses in its API (`MOCK`, `HTTP`, ...).
    pub fn as_aws_str(self) -> &'static str {
        match self {
            IntegrationType::Mock => "MOCK",
            IntegrationType::Http => "HTTP",
            IntegrationType::HttpProxy => "HTTP_PROXY",
            IntegrationType::AwsProxy => "AWS_PROXY",
            IntegrationType::Aws => "AWS",
        }
    }

    /// Whether the request and response pass through unmapped (`HTTP_PROXY`, `AWS_PROXY`).
    pub fn is_proxy(self) -> bool {
        matches!(self, IntegrationType::HttpProxy | IntegrationType::AwsProxy)
    }
}

/// What an integration `uri` designates.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub enum IntegrationTarget {
    /// MOCK: no backend.
    None,
    /// HTTP / HTTP_PROXY: a URL template, as written (`{param}` placeholders and
    /// `${stageVariables.x}` references are resolved per request).
    Url(String),
    /// AWS / AWS_PROXY: a function by name, with an optional version or alias. Either part
    /// may contain `${stageVariables.x}` references.
    Function {
        name: String,
        qualifier: Option<String>,
    },
}

/// `passthroughBehavior`: what happens to a request body whose content type has no template.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq, Hash)]
pub enum PassthroughBehavior {
    #[default]
    #[serde(rename = "WHEN_NO_MATCH")]
    WhenNoMatch,
    #[serde(rename = "WHEN_NO_TEMPLATES")]
    WhenNoTemplates,
    #[serde(rename = "NEVER")]
    Never,
}

/// `contentHandling`: payload conversion between text and binary.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash)]
pub enum ContentHandling {
    #[serde(rename = "CONVERT_TO_TEXT")]
    ConvertToText,
    #[serde(rename = "CONVERT_TO_BINARY")]
    ConvertToBinary,
}

/// One entry of `requestParameters`: `integration.request.<location>.<name>` ← source.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ParameterMapping {
    pub target: MappingTarget,
    pub source: MappingSource,
}

/// The integration request parameter a mapping writes.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct MappingTarget {
    pub location: ParameterLocation,
    pub name: String,
}

/// Where a method request value comes from, for mapping sources and cache keys.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash)]
pub enum RequestValueLocation {
    #[serde(rename = "path")]
    Path,
    #[serde(rename = "querystring")]
    QueryString,
    #[serde(rename = "multivaluequerystring")]
    MultiValueQueryString,
    #[serde(rename = "header")]
    Header,
    #[serde(rename = "multivalueheader")]
    MultiValueHeader,
}

impl RequestValueLocation {
    /// The parameter location a value of this kind is declared in.
    pub fn parameter_location(self) -> ParameterLocation {
        match self {
            RequestValueLocation::Path => ParameterLocation::Path,
            RequestValueLocation::QueryString | RequestValueLocation::MultiValueQueryString => {
                ParameterLocation::Query
            }
            RequestValueLocation::Header | RequestValueLocation::MultiValueHeader => {
                ParameterLocation::Header
            }
        }
    }
}

/// The value side of a request parameter mapping.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub enum MappingSource {
    /// `method.request.<location>.<name>`.
    MethodRequest {
        location: RequestValueLocation,
        name: String,
    },
    /// `'literal'` (the quotes removed).
    Static(String),
    /// `stageVariables.<name>`.
    StageVariable(String),
    /// `context.<name>` (the name may be dotted, e.g. `authorizer.principalId`).
    Context(String),
    /// `method.request.body`.
    MethodRequestBody,
    /// `method.request.body.<path>`, kept as the JSONPath `$.<path>`.
    MethodRequestBodyPath(String),
}

/// One entry of an integration's `responses` map.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct IntegrationResponse {
    /// `None` for the `default` key.
    pub selection_pattern: Option<SelectionPattern>,
    pub status_code: u16,
    pub response_parameters: Vec<ResponseParameterMapping>,
    /// Content type → mapping template text, verbatim.
    pub response_templates: BTreeMap<String, String>,
    pub content_handling: Option<ContentHandling>,
}

impl IntegrationResponse {
    /// Whether this response's selection pattern matches `value` as a whole. The default
    /// response (no pattern) matches nothing here: it is the fallback of
    /// [`Integration::select_response`].
    pub fn matches(&self, value: &str) -> bool {
        self.selection_pattern
            .as_ref()
            .is_some_and(|pattern| pattern.matches(value))
    }
}

/// One entry of `responseParameters`: `method.response.header.<header>` ← source.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ResponseParameterMapping {
    /// The method response header written.
    pub header: String,
    pub source: ResponseMappingSource,
}

/// The value side of a response parameter mapping.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub enum ResponseMappingSource {
    /// `integration.response.header.<name>`.
    IntegrationResponseHeader(String),
    /// `integration.response.multivalueheader.<name>`.
    IntegrationResponseMultiValueHeader(String),
    /// `integration.response.body`.
    IntegrationResponseBody,
    /// `integration.response.body.<path>`, kept as the JSONPath `$.<path>`.
    IntegrationResponseBodyPath(String),
    /// `'literal'` (the quotes removed).
    Static(String),
    /// `stageVariables.<name>`.
    StageVariable(String),
    /// `context.<name>`.
    Context(String),
}

/// An integration response selection pattern: the text as written, compiled once.
///
/// AWS matches selection patterns (Java regular expressions) against the *whole* value, so
/// the compiled form is anchored: `^(?:pattern)$`. It is not compiled with `(?s)`: AWS
/// documents that `.+` does not match an error message containing a newline, i.e. `.` does
/// not match `\n`, as in Java without `DOTALL`. Constructs the `regex` crate lacks
/// (look-around, back-references) are refused at import.
#[derive(Clone)]
pub struct SelectionPattern {
    text: String,
    anchored: Regex,
}

impl SelectionPattern {
    /// Compiles `text` as an anchored pattern.
    pub fn new(text: &str) -> Result<SelectionPattern, regex::Error> {
        let anchored = Regex::new(&format!("^(?:{text})$"))?;
        Ok(SelectionPattern {
            text: text.to_owned(),
            anchored,
        })
    }

    /// The pattern as written in the document.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether the pattern matches the whole of `value`.
    pub fn matches(&self, value: &str) -> bool {
        self.anchored.is_match(value)
    }
}

impl fmt::Debug for SelectionPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("SelectionPattern").field(&self.text).finish()
    }
}

impl fmt::Display for SelectionPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl PartialEq for SelectionPattern {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl Eq for SelectionPattern {}

impl Serialize for SelectionPattern {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for SelectionPattern {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        SelectionPattern::new(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(pattern: Option<&str>, status_code: u16) -> IntegrationResponse {
        IntegrationResponse {
            selection_pattern: pattern.map(|p| SelectionPattern::new(p).expect("valid pattern")),
            status_code,
            response_parameters: Vec::new(),
            response_templates: BTreeMap::new(),
            content_handling: None,
        }
    }

    fn integration(responses: Vec<IntegrationResponse>) -> Integration {
        Integration {
            integration_type: IntegrationType::Http,
            uri: Some("https://example.com".to_owned()),
            target: IntegrationTarget::Url("https://example.com".to_owned()),
            http_method: Some("GET".to_owned()),
            passthrough_behavior: PassthroughBehavior::WhenNoMatch,
            request_parameters: Vec::new(),
            request_templates: BTreeMap::new(),
            timeout_millis: Integration::DEFAULT_TIMEOUT_MILLIS,
            content_handling: None,
            responses,
            cache_key_parameters: Vec::new(),
            cache_namespace: None,
        }
    }

    #[test]
    fn selection_pattern_must_match_the_whole_value() {
        let pattern = SelectionPattern::new("4\\d{2}").expect("valid");
        assert!(pattern.matches("404"));
        assert!(!pattern.matches("4040"));
        assert!(!pattern.matches("x404"));
    }

    #[test]
    fn selection_pattern_dot_does_not_match_newline_as_in_aws() {
        let pattern = SelectionPattern::new(".+").expect("valid");
        assert!(pattern.matches("boom"));
        assert!(!pattern.matches("line one\nline two"));
    }

    #[test]
    fn alternation_is_anchored_as_a_whole() {
        let pattern = SelectionPattern::new("400|401").expect("valid");
        assert!(pattern.matches("401"));
        assert!(!pattern.matches("4011"));
    }

    #[test]
    fn select_response_prefers_first_matching_pattern_then_default() {
        let integration = integration(vec![
            response(None, 200),
            response(Some("4\\d{2}"), 400),
            response(Some("404"), 404),
            response(Some("5\\d{2}"), 500),
        ]);
        let status = |value: &str| integration.select_response(value).map(|r| r.status_code);
        assert_eq!(
            status("404"),
            Some(400),
            "first matching pattern in document order"
        );
        assert_eq!(status("503"), Some(500));
        assert_eq!(status("201"), Some(200), "default when nothing matches");
    }

    #[test]
    fn select_response_without_default_can_select_nothing() {
        let integration = integration(vec![response(Some("2\\d{2}"), 200)]);
        assert!(integration.select_response("500").is_none());
        assert_eq!(
            integration.select_response("204").map(|r| r.status_code),
            Some(200)
        );
    }

    #[test]
    fn selection_pattern_serializes_as_its_text() {
        let response = response(Some("2\\d{2}"), 200);
        let json = serde_json::to_value(&response).expect("serializes");
        assert_eq!(json["selection_pattern"], "2\\d{2}");
        let back: IntegrationResponse = serde_json::from_value(json).expect("deserializes");
        assert_eq!(back, response);
        assert!(back.matches("204"));
    }
}
