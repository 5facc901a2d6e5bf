//! Gateway responses: the one place where anything that went wrong becomes the status, body
//! and `x-amzn-ErrorType` a client sees, exactly as API Gateway answers them. Every other
//! module returns a [`GatewayError`]; none builds an error response itself.
//!
//! The names follow API Gateway's gateway-response types (`MISSING_AUTHENTICATION_TOKEN`,
//! `INTEGRATION_TIMEOUT`, ...), so customising them (`x-amazon-apigateway-gateway-responses`)
//! can slot in here later.

use bytes::Bytes;
use http::{HeaderValue, Response, StatusCode};

use crate::body::GatewayBody;

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
    /// The request could not be read (`BAD_REQUEST_BODY`-like, 400).
    #[error("bad request: {reason}")]
    BadRequest { reason: String },
    /// An internal failure of the gateway (`DEFAULT_5XX`).
    #[error("internal error: {reason}")]
    Internal { reason: String },
}

impl GatewayError {
    /// Where the failure came from.
    pub fn source_kind(&self) -> Source {
        match self {
            GatewayError::MissingAuthenticationToken { .. }
            | GatewayError::RequestTooLarge { .. }
            | GatewayError::UnsupportedMediaType
            | GatewayError::BadRequest { .. } => Source::Client,
            GatewayError::IntegrationTimeout { .. } | GatewayError::IntegrationFailure { .. } => {
                Source::Integration
            }
            GatewayError::ApiConfigurationError { .. } | GatewayError::Internal { .. } => {
                Source::Internal
            }
        }
    }

    /// API Gateway's status, message and error type for this failure.
    fn aws_shape(&self) -> (StatusCode, &'static str, &'static str) {
        match self {
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
        }
    }

    /// The response the client sees.
    pub fn into_response(self) -> Response<GatewayBody> {
        let (status, message, error_type) = self.aws_shape();
        let body = serde_json::json!({ "message": message }).to_string();
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
    async fn timeout_is_504() {
        let (status, body, _) = parts(GatewayError::IntegrationTimeout { millis: 50 }).await;
        assert_eq!(status, 504);
        assert_eq!(body, r#"{"message":"Endpoint request timed out"}"#);
    }
}
