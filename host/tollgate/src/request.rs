//! The method request: what the client sent, as the pipeline's steps read it. Built once in
//! the listener; the body stays a stream until a step needs it whole.

use std::net::IpAddr;
use std::time::SystemTime;

use bytes::Bytes;
use http::{HeaderMap, Method};
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;

use crate::gateway_response::GatewayError;

/// API Gateway's payload limit for REST APIs.
pub const MAX_PAYLOAD_BYTES: usize = 10 * 1024 * 1024;

/// A request body: still streaming, or read in full.
pub enum RequestBody {
    /// Not read yet.
    Streaming(Incoming),
    /// Read in full (at most [`MAX_PAYLOAD_BYTES`]).
    Buffered(Bytes),
    /// Handed on to an integration that streams it.
    Taken,
}

/// What the client sent.
pub struct MethodRequest {
    /// The request id, also sent back as `x-amzn-RequestId`.
    pub request_id: String,
    /// When the gateway received it.
    pub received_at: SystemTime,
    /// The HTTP method.
    pub method: Method,
    /// The full path as received, stage included, still percent-encoded.
    pub full_path: String,
    /// The raw query string, if any.
    pub raw_query: Option<String>,
    /// The request headers.
    pub headers: HeaderMap,
    /// The TCP peer.
    pub source_ip: IpAddr,
    /// `HTTP/1.1` or `HTTP/2.0`, as `$context.protocol` reports it.
    pub protocol: &'static str,
    /// The body.
    pub body: RequestBody,
}

impl MethodRequest {
    /// Query-string pairs, percent-decoded, in the order received.
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        match &self.raw_query {
            Some(query) => form_urlencoded::parse(query.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
            None => Vec::new(),
        }
    }

    /// The value of a header (the last one when repeated, as API Gateway's single-value maps do).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get_all(name)
            .iter()
            .next_back()
            .and_then(|v| v.to_str().ok())
    }

    /// The `Content-Length` the client declared, if any.
    pub fn declared_length(&self) -> Option<u64> {
        self.header("content-length").and_then(|v| v.parse().ok())
    }

    /// Reads the body in full, refusing more than [`MAX_PAYLOAD_BYTES`] with 413.
    pub async fn buffered_body(&mut self) -> Result<Bytes, GatewayError> {
        if self
            .declared_length()
            .is_some_and(|len| len > MAX_PAYLOAD_BYTES as u64)
        {
            return Err(GatewayError::RequestTooLarge {
                limit: MAX_PAYLOAD_BYTES,
            });
        }
        match std::mem::replace(&mut self.body, RequestBody::Taken) {
            RequestBody::Buffered(bytes) => {
                self.body = RequestBody::Buffered(bytes.clone());
                Ok(bytes)
            }
            RequestBody::Streaming(incoming) => {
                let collected = Limited::new(incoming, MAX_PAYLOAD_BYTES)
                    .collect()
                    .await
                    .map_err(|e| {
                        if e.is::<http_body_util::LengthLimitError>() {
                            GatewayError::RequestTooLarge {
                                limit: MAX_PAYLOAD_BYTES,
                            }
                        } else {
                            GatewayError::BadRequest {
                                reason: format!("reading the request body: {e}"),
                            }
                        }
                    })?
                    .to_bytes();
                self.body = RequestBody::Buffered(collected.clone());
                Ok(collected)
            }
            RequestBody::Taken => Err(GatewayError::Internal {
                reason: "request body read after it was handed on".into(),
            }),
        }
    }
}
