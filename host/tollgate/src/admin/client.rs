//! The admin API client the CLI uses to act on a running gateway.

use bytes::Bytes;
use http::{Method, Request};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::Value;

/// Why an admin call failed.
#[derive(Debug, thiserror::Error)]
pub enum AdminCallError {
    /// The gateway answered with an error.
    #[error("{message} (admin API answered {status})")]
    Refused { status: u16, message: String },
    /// The gateway could not be reached or answered something unreadable.
    #[error("admin API at {url}: {message}")]
    Unreachable { url: String, message: String },
}

/// A client for one gateway's admin API.
pub struct AdminClient {
    base: String,
    token: Option<String>,
    client: Client<HttpConnector, Full<Bytes>>,
}

impl AdminClient {
    pub fn new(base: &str, token: Option<String>) -> AdminClient {
        AdminClient {
            base: base.trim_end_matches('/').to_string(),
            token,
            client: Client::builder(TokioExecutor::new()).build_http(),
        }
    }

    /// Calls an endpoint with a JSON body (or raw bytes with their content type) and returns
    /// the JSON answer; an error status becomes [`AdminCallError::Refused`] with the
    /// gateway's message.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<(Bytes, &str)>,
    ) -> Result<Value, AdminCallError> {
        let url = format!("{}{path}", self.base);
        let unreachable = |message: String| AdminCallError::Unreachable {
            url: self.base.clone(),
            message,
        };
        let mut request = Request::builder().method(method).uri(&url);
        if let Some(token) = &self.token {
            request = request.header(http::header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let (bytes, content_type) = body.unwrap_or((Bytes::new(), "application/json"));
        request = request.header(http::header::CONTENT_TYPE, content_type);
        let request = request
            .body(Full::new(bytes))
            .map_err(|e| unreachable(e.to_string()))?;
        let response = self
            .client
            .request(request)
            .await
            .map_err(|e| unreachable(e.to_string()))?;
        let status = response.status().as_u16();
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(|e| unreachable(e.to_string()))?
            .to_bytes();
        let value: Value = serde_json::from_slice(&body)
            .map_err(|e| unreachable(format!("answer is not JSON: {e}")))?;
        if (200..300).contains(&status) {
            Ok(value)
        } else {
            let message = value["message"]
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| value.to_string());
            Err(AdminCallError::Refused { status, message })
        }
    }

    /// Calls with a JSON body.
    pub async fn call_json(
        &self,
        method: Method,
        path: &str,
        body: &Value,
    ) -> Result<Value, AdminCallError> {
        self.call(
            method,
            path,
            Some((Bytes::from(body.to_string()), "application/json")),
        )
        .await
    }
}
