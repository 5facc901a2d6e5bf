//! Gateway responses: the one place where anything that went wrong becomes the status, body
//! and `x-amzn-ErrorType` a client sees, exactly as API Gateway answers them. Every other
//! module returns a [`GatewayError`]; none builds an error response itself.
//!
//! The names follow API Gateway's gateway-response types (`MISSING_AUTHENTICATION_TOKEN`,
//! `INTEGRATION_TIMEOUT`, ...), so customising them (`x-amazon-apigateway-gateway-responses`)
//! can slot in here later.

use std::collections::BTreeMap;

use bytes::Bytes;
use http::{HeaderValue, Response, StatusCode};
use tollgate_definition::GatewayResponse;
use tollgate_vtl::Template;

use crate::access::Caller;
use crate::body::GatewayBody;
use crate::mapping::context::request_context;
use crate::mapping::templates::{Templates, choose_response, render_for};
use crate::request::MethodRequest;
use crate::stage::StagePipeline;

/// Where a failure came from: it decides logging and which metric counts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The caller sent something the gateway refuses.
    Client,
    /// The integration (backend, function) failed or misbehaved.
    Integration,
    /// The gateway itself failed.
    Internal,
}

/// Everything that ends a request early, by API Gateway's gateway-response type.
#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    /// No API, stage, resource or method matches (`MISSING_AUTHENTICATION_TOKEN`).
    #[error("no route matches {method} {path}")]
    MissingAuthenticationToken { method: String, path: String },
    /// The request body is larger than 10 MB (`REQUEST_TOO_LARGE`).
    #[error("request body exceeds {limit} bytes")]
    RequestTooLarge { limit: usize },
    /// The integration did not answer in time (`INTEGRATION_TIMEOUT`).
    #[error("integration timed out after {millis} ms")]
    IntegrationTimeout { millis: u64 },
    /// The integration failed: unreachable backend, function trap, malformed function output
    /// (`INTEGRATION_FAILURE`, answered as 502 like API Gateway's Lambda/HTTP failures).
    #[error("integration failed: {reason}")]
    IntegrationFailure { reason: String },
    /// A configuration error found only at request time, e.g. a function the deployment
    /// names but the store no longer has, or an integration URI that does not resolve
    /// (`API_CONFIGURATION_ERROR`, 500).
    #[error("configuration error: {reason}")]
    ApiConfigurationError { reason: String },
    /// No request template matches the content type and `passthroughBehavior` forbids
    /// passing the body through (`UNSUPPORTED_MEDIA_TYPE`, 415).
    #[error("unsupported media type")]
    UnsupportedMediaType,
    /// Required request parameters are missing (`BAD_REQUEST_PARAMETERS`, 400).
    #[error("missing required request parameters: {missing:?}")]
    BadRequestParameters { missing: Vec<String> },
    /// The body does not match the method's model (`BAD_REQUEST_BODY`, 400).
    #[error("invalid request body: {reason}")]
    BadRequestBody { reason: String },
    /// A mapping template read a body that is not JSON as JSON (`BAD_REQUEST_BODY`, 400,
    /// with the parser's message as API Gateway gives it).
    #[error("{message}")]
    UnparseableBody { message: String },
    /// The request could not be read (`BAD_REQUEST_BODY`-like, 400).
    #[error("bad request: {reason}")]
    BadRequest { reason: String },
    /// An internal failure of the gateway (`DEFAULT_5XX`).
    #[error("internal error: {reason}")]
    Internal { reason: String },
    /// No identity for the authorizer, or the authorizer (or JWT check) refused it
    /// (`UNAUTHORIZED`, 401).
    #[error("unauthorized")]
    Unauthorized,
    /// A policy refused the request (`ACCESS_DENIED`, 403); the message is AWS's for the
    /// policy that refused it.
    #[error("access denied: {message}")]
    AccessDenied { message: String },
    /// A valid token without any of the method's scopes (`ACCESS_DENIED`, 403 `Forbidden`).
    #[error("the token has none of the method's scopes")]
    InsufficientScope,
    /// The authorizer failed: it trapped, timed out, answered an error other than
    /// `Unauthorized` or an invalid policy, or its keys could not be fetched
    /// (`AUTHORIZER_CONFIGURATION_ERROR`, 500 with a null message, as AWS answers).
    #[error("authorizer failed: {reason}")]
    AuthorizerFailure { reason: String },
    /// The method requires an API key and the request has no valid one (`INVALID_API_KEY`,
    /// 403 `Forbidden`).
    #[error("no valid API key")]
    InvalidApiKey,
    /// A token bucket is empty (`THROTTLED`, 429).
    #[error("throttled")]
    Throttled,
    /// The key's usage-plan quota is used up for the period (`QUOTA_EXCEEDED`, 429).
    #[error("quota exceeded")]
    QuotaExceeded,
    /// A SigV4 signature is missing, malformed, unknown, wrong or expired (403 with AWS's
    /// message and error type).
    #[error("signature refused: {message}")]
    Signature {
        error_type: &'static str,
        message: String,
        /// No signature at all (`MISSING_AUTHENTICATION_TOKEN`), rather than a bad one
        /// (`INVALID_SIGNATURE`).
        missing: bool,
    },
}

impl GatewayError {
    /// Where the failure came from.
    pub fn source_kind(&self) -> Source {
        match self {
            GatewayError::MissingAuthenticationToken { .. }
            | GatewayError::RequestTooLarge { .. }
            | GatewayError::UnsupportedMediaType
            | GatewayError::BadRequestParameters { .. }
            | GatewayError::BadRequestBody { .. }
            | GatewayError::UnparseableBody { .. }
            | GatewayError::BadRequest { .. }
            | GatewayError::Unauthorized
            | GatewayError::AccessDenied { .. }
            | GatewayError::InsufficientScope
            | GatewayError::InvalidApiKey
            | GatewayError::Throttled
            | GatewayError::QuotaExceeded
            | GatewayError::Signature { .. } => Source::Client,
            GatewayError::IntegrationTimeout { .. } | GatewayError::IntegrationFailure { .. } => {
                Source::Integration
            }
            GatewayError::ApiConfigurationError { .. }
            | GatewayError::Internal { .. }
            | GatewayError::AuthorizerFailure { .. } => Source::Internal,
        }
    }

    /// API Gateway's gateway-response type for this failure, the key under which
    /// `x-amazon-apigateway-gateway-responses` customises it.
    pub fn response_type(&self) -> &'static str {
        match self {
            GatewayError::MissingAuthenticationToken { .. } => "MISSING_AUTHENTICATION_TOKEN",
            GatewayError::RequestTooLarge { .. } => "REQUEST_TOO_LARGE",
            GatewayError::IntegrationTimeout { .. } => "INTEGRATION_TIMEOUT",
            GatewayError::IntegrationFailure { .. } => "INTEGRATION_FAILURE",
            GatewayError::ApiConfigurationError { .. } => "API_CONFIGURATION_ERROR",
            GatewayError::UnsupportedMediaType => "UNSUPPORTED_MEDIA_TYPE",
            GatewayError::BadRequestParameters { .. } => "BAD_REQUEST_PARAMETERS",
            GatewayError::BadRequestBody { .. }
            | GatewayError::UnparseableBody { .. }
            | GatewayError::BadRequest { .. } => "BAD_REQUEST_BODY",
            GatewayError::Internal { .. } => "DEFAULT_5XX",
            GatewayError::Unauthorized => "UNAUTHORIZED",
            GatewayError::AccessDenied { .. } | GatewayError::InsufficientScope => "ACCESS_DENIED",
            GatewayError::AuthorizerFailure { .. } => "AUTHORIZER_CONFIGURATION_ERROR",
            GatewayError::InvalidApiKey => "INVALID_API_KEY",
            GatewayError::Throttled => "THROTTLED",
            GatewayError::QuotaExceeded => "QUOTA_EXCEEDED",
            GatewayError::Signature { missing: true, .. } => "MISSING_AUTHENTICATION_TOKEN",
            GatewayError::Signature { .. } => "INVALID_SIGNATURE",
        }
    }

    /// The message API Gateway puts in the default body (`$context.error.message`).
    pub fn message(&self) -> String {
        match self {
            GatewayError::BadRequestParameters { missing } => format!(
                "Missing required request parameters: [{}]",
                missing.join(", ")
            ),
            GatewayError::UnparseableBody { message } => message.clone(),
            GatewayError::AccessDenied { message } | GatewayError::Signature { message, .. } => {
                message.clone()
            }
            other => other.aws_shape().1.to_string(),
        }
    }

    /// API Gateway's status, message and error type for this failure.
    fn aws_shape(&self) -> (StatusCode, &'static str, &'static str) {
        match self {
            GatewayError::BadRequestParameters { .. } => (
                StatusCode::BAD_REQUEST,
                "Missing required request parameters",
                "BadRequestException",
            ),
            GatewayError::BadRequestBody { .. } => (
                StatusCode::BAD_REQUEST,
                "Invalid request body",
                "BadRequestException",
            ),
            GatewayError::UnparseableBody { .. } => (
                StatusCode::BAD_REQUEST,
                "Could not parse request body into json",
                "BadRequestException",
            ),
            GatewayError::MissingAuthenticationToken { .. } => (
                StatusCode::FORBIDDEN,
                "Missing Authentication Token",
                "MissingAuthenticationTokenException",
            ),
            GatewayError::RequestTooLarge { .. } => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "Request Too Long",
                "RequestTooLongException",
            ),
            GatewayError::IntegrationTimeout { .. } => (
                StatusCode::GATEWAY_TIMEOUT,
                "Endpoint request timed out",
                "InternalServerErrorException",
            ),
            GatewayError::IntegrationFailure { .. } => (
                StatusCode::BAD_GATEWAY,
                "Internal server error",
                "InternalServerErrorException",
            ),
            GatewayError::ApiConfigurationError { .. } | GatewayError::Internal { .. } => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Internal server error",
                "InternalServerErrorException",
            ),
            GatewayError::UnsupportedMediaType => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Unsupported Media Type",
                "UnsupportedMediaTypeException",
            ),
            GatewayError::BadRequest { .. } => (
                StatusCode::BAD_REQUEST,
                "Bad Request",
                "BadRequestException",
            ),
            GatewayError::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                "Unauthorized",
                "UnauthorizedException",
            ),
            GatewayError::AccessDenied { .. } => (
                StatusCode::FORBIDDEN,
                "User is not authorized to access this resource",
                "AccessDeniedException",
            ),
            GatewayError::InsufficientScope | GatewayError::InvalidApiKey => {
                (StatusCode::FORBIDDEN, "Forbidden", "ForbiddenException")
            }
            GatewayError::AuthorizerFailure { .. } => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "null",
                "AuthorizerConfigurationException",
            ),
            GatewayError::Throttled => (
                StatusCode::TOO_MANY_REQUESTS,
                "Too Many Requests",
                "TooManyRequestsException",
            ),
            GatewayError::QuotaExceeded => (
                StatusCode::TOO_MANY_REQUESTS,
                "Limit Exceeded",
                "LimitExceededException",
            ),
            GatewayError::Signature {
                error_type,
                missing,
                ..
            } => (
                StatusCode::FORBIDDEN,
                if *missing {
                    "Missing Authentication Token"
                } else {
                    "The request signature we calculated does not match the signature you provided."
                },
                error_type,
            ),
        }
    }

    /// The default body: `{"message": ...}`, except that AWS answers policy denials with a
    /// capitalised `Message` and authorizer failures with a null message.
    fn default_body(&self) -> String {
        match self {
            GatewayError::AccessDenied { message } => {
                let mut body = serde_json::Map::new();
                body.insert(
                    tollgate_policy::MESSAGE_KEY.to_string(),
                    serde_json::Value::String(message.clone()),
                );
                serde_json::Value::Object(body).to_string()
            }
            GatewayError::AuthorizerFailure { .. } => r#"{"message":null}"#.to_string(),
            other => serde_json::json!({ "message": other.message() }).to_string(),
        }
    }

    /// The response the client sees.
    pub fn into_response(self) -> Response<GatewayBody> {
        let (status, _, error_type) = self.aws_shape();
        let body = self.default_body();
        let mut response = Response::new(GatewayBody::full(Bytes::from(body)));
        *response.status_mut() = status;
        let headers = response.headers_mut();
        headers.insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        headers.insert("x-amzn-errortype", HeaderValue::from_static(error_type));
        response
    }
}

/// One customised gateway response (`x-amazon-apigateway-gateway-responses`), compiled.
pub struct CompiledGatewayResponse {
    status: Option<u16>,
    /// Header name → source (`'static'`, `method.request.*`, `stageVariables.*`, `context.*`).
    headers: Vec<(String, String)>,
    templates: Templates,
}

/// An API's customised gateway responses, by response type.
#[derive(Default)]
pub struct CompiledGatewayResponses(BTreeMap<String, CompiledGatewayResponse>);

impl CompiledGatewayResponses {
    /// Compiles the templates of every customised response.
    pub fn compile(responses: &BTreeMap<String, GatewayResponse>) -> Result<Self, String> {
        let mut compiled = BTreeMap::new();
        for (response_type, response) in responses {
            let templates = response
                .response_templates
                .iter()
                .map(|(content_type, source)| {
                    Template::compile(source)
                        .map(|t| (content_type.to_ascii_lowercase(), t))
                        .map_err(|e| {
                            format!(
                                "gateway response {response_type}, template for {content_type}: {e}"
                            )
                        })
                })
                .collect::<Result<_, _>>()?;
            let headers = response
                .header_parameters()
                .map(|(name, source)| (name.to_string(), source.to_string()))
                .collect();
            compiled.insert(
                response_type.clone(),
                CompiledGatewayResponse {
                    status: response.status_code,
                    headers,
                    templates,
                },
            );
        }
        Ok(CompiledGatewayResponses(compiled))
    }

    /// The customisation that applies to `error`: its own type's, else `DEFAULT_4XX` /
    /// `DEFAULT_5XX` by its status, as API Gateway falls back.
    fn find(&self, error: &GatewayError) -> Option<&CompiledGatewayResponse> {
        self.0.get(error.response_type()).or_else(|| {
            let fallback = if error.aws_shape().0.is_client_error() {
                "DEFAULT_4XX"
            } else {
                "DEFAULT_5XX"
            };
            self.0.get(fallback)
        })
    }
}

/// What a customised gateway response can read about the request.
pub struct ErrorSite<'a> {
    pub stage: &'a StagePipeline,
    pub request: &'a MethodRequest,
    pub path_parameters: &'a [(String, String)],
    /// The matched resource, or `""` when none matched.
    pub resource_path: &'a str,
    /// What the access steps learnt of the caller so far.
    pub caller: &'a Caller,
}

impl GatewayError {
    /// The response the client sees, with the API's customisation when the request reached
    /// a stage.
    pub fn into_response_at(self, site: Option<ErrorSite<'_>>) -> Response<GatewayBody> {
        let Some(site) = site else {
            return self.into_response();
        };
        let Some(custom) = site.stage.gateway_responses.find(&self) else {
            return self.into_response();
        };
        let (default_status, _, error_type) = self.aws_shape();
        let message = self.message();
        let mut context =
            request_context(site.stage, site.request, site.resource_path, site.caller);
        context["error"] = serde_json::json!({
            "message": message,
            "messageString": serde_json::Value::String(message.clone()).to_string(),
            "responseType": self.response_type(),
            "validationErrorString": match &self {
                GatewayError::BadRequestBody { reason } => reason.clone(),
                _ => String::new(),
            },
        });
        let accept = site.request.header("accept");
        let (body, content_type) = match choose_response(&custom.templates, accept) {
            Some((content_type, template)) => match render_for(
                template,
                site.request,
                site.path_parameters,
                &site.stage.stage_variables,
                &context,
                b"",
            ) {
                Ok(rendered) => (Bytes::from(rendered.output), content_type.to_string()),
                Err(error) => {
                    tracing::warn!(%error, "gateway response template failed; answering the default");
                    return self.into_response();
                }
            },
            None => (
                Bytes::from(self.default_body()),
                "application/json".to_string(),
            ),
        };
        let mut response = Response::new(GatewayBody::full(body));
        *response.status_mut() = custom
            .status
            .and_then(|s| StatusCode::from_u16(s).ok())
            .unwrap_or(default_status);
        let headers = response.headers_mut();
        if let Ok(value) = HeaderValue::from_str(&content_type) {
            headers.insert(http::header::CONTENT_TYPE, value);
        }
        headers.insert("x-amzn-errortype", HeaderValue::from_static(error_type));
        let query = site.request.query_pairs();
        for (name, source) in &custom.headers {
            let value = header_source_value(source, &site, &query, &context);
            if let (Some(value), Ok(name)) = (value, http::HeaderName::from_bytes(name.as_bytes()))
                && let Ok(value) = HeaderValue::from_str(&value)
            {
                headers.insert(name, value);
            }
        }
        response
    }
}

/// The value of a gateway-response header source.
fn header_source_value(
    source: &str,
    site: &ErrorSite<'_>,
    query: &[(String, String)],
    context: &serde_json::Value,
) -> Option<String> {
    if let Some(literal) = source.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')) {
        return Some(literal.to_string());
    }
    if let Some(name) = source.strip_prefix("stageVariables.") {
        return site.stage.stage_variables.get(name).cloned();
    }
    if let Some(name) = source.strip_prefix("context.") {
        return crate::integration::parameters::context_value(context, name);
    }
    let last = |pairs: &[(String, String)], name: &str| {
        crate::integration::parameters::last(pairs, name).map(str::to_string)
    };
    if let Some(name) = source.strip_prefix("method.request.path.") {
        return last(site.path_parameters, name);
    }
    if let Some(name) = source.strip_prefix("method.request.querystring.") {
        return last(query, name);
    }
    if let Some(name) = source.strip_prefix("method.request.header.") {
        return site.request.header(name).map(str::to_string);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    async fn parts(error: GatewayError) -> (u16, String, String) {
        let response = error.into_response();
        let status = response.status().as_u16();
        let error_type = response.headers()["x-amzn-errortype"]
            .to_str()
            .unwrap()
            .to_string();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        (
            status,
            String::from_utf8(body.to_vec()).unwrap(),
            error_type,
        )
    }

    #[tokio::test]
    async fn missing_route_is_403_missing_authentication_token() {
        let (status, body, kind) = parts(GatewayError::MissingAuthenticationToken {
            method: "GET".into(),
            path: "/nope".into(),
        })
        .await;
        assert_eq!(status, 403);
        assert_eq!(body, r#"{"message":"Missing Authentication Token"}"#);
        assert_eq!(kind, "MissingAuthenticationTokenException");
    }

    #[tokio::test]
    async fn integration_failure_is_502_internal_server_error() {
        let (status, body, _) = parts(GatewayError::IntegrationFailure {
            reason: "trap".into(),
        })
        .await;
        assert_eq!(status, 502);
        assert_eq!(body, r#"{"message":"Internal server error"}"#);
    }

    #[tokio::test]
    async fn access_errors_have_aws_bodies_and_types() {
        let cases = [
            (
                GatewayError::Unauthorized,
                401,
                r#"{"message":"Unauthorized"}"#,
                "UnauthorizedException",
            ),
            (
                GatewayError::AccessDenied {
                    message: "User is not authorized to access this resource".into(),
                },
                403,
                r#"{"Message":"User is not authorized to access this resource"}"#,
                "AccessDeniedException",
            ),
            (
                GatewayError::AuthorizerFailure {
                    reason: "trap".into(),
                },
                500,
                r#"{"message":null}"#,
                "AuthorizerConfigurationException",
            ),
            (
                GatewayError::InvalidApiKey,
                403,
                r#"{"message":"Forbidden"}"#,
                "ForbiddenException",
            ),
            (
                GatewayError::InsufficientScope,
                403,
                r#"{"message":"Forbidden"}"#,
                "ForbiddenException",
            ),
            (
                GatewayError::Throttled,
                429,
                r#"{"message":"Too Many Requests"}"#,
                "TooManyRequestsException",
            ),
            (
                GatewayError::QuotaExceeded,
                429,
                r#"{"message":"Limit Exceeded"}"#,
                "LimitExceededException",
            ),
            (
                GatewayError::Signature {
                    error_type: "UnrecognizedClientException",
                    message: "The security token included in the request is invalid.".into(),
                    missing: false,
                },
                403,
                r#"{"message":"The security token included in the request is invalid."}"#,
                "UnrecognizedClientException",
            ),
        ];
        for (error, status, body, kind) in cases {
            let response_type = error.response_type();
            assert_eq!(
                parts(error).await,
                (status, body.to_string(), kind.to_string()),
                "{response_type}"
            );
        }
    }

    #[tokio::test]
    async fn missing_parameters_are_listed_as_aws_does() {
        let (status, body, kind) = parts(GatewayError::BadRequestParameters {
            missing: vec!["name".into(), "x-trace".into()],
        })
        .await;
        assert_eq!(status, 400);
        assert_eq!(
            body,
            r#"{"message":"Missing required request parameters: [name, x-trace]"}"#
        );
        assert_eq!(kind, "BadRequestException");
    }

    #[tokio::test]
    async fn an_invalid_body_is_400_invalid_request_body() {
        let (status, body, _) = parts(GatewayError::BadRequestBody { reason: "x".into() }).await;
        assert_eq!(status, 400);
        assert_eq!(body, r#"{"message":"Invalid request body"}"#);
    }

    #[tokio::test]
    async fn timeout_is_504() {
        let (status, body, _) = parts(GatewayError::IntegrationTimeout { millis: 50 }).await;
        assert_eq!(status, 504);
        assert_eq!(body, r#"{"message":"Endpoint request timed out"}"#);
    }
}
