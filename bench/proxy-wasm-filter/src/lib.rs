//! The `envelope` mapper of `plugins/examples/rust/mapper` as a proxy-wasm HTTP filter, so the
//! benchmark compares Tollgate's WASM mapper with Envoy running the same transform:
//!
//! - request: the JSON body becomes `{"payload":BODY,"stage":STAGE}`, with the headers
//!   `content-type: application/json` and `x-envelope: request`;
//! - response: the body becomes `{"data":BODY,"status":STATUS}` (a body that is not JSON is
//!   wrapped as a JSON string), with `content-type: application/json` and
//!   `x-envelope: response`.
//!
//! STAGE is the filter's configuration (Envoy's `plugin_config.configuration`), `bench` by
//! default. A request body that is not JSON answers 500, as the mapper's error does in
//! Tollgate. Both bodies are buffered whole before they are rewritten, as Tollgate's mapper
//! sees whole bodies too.
//!
//! The proxy-wasm ABI is callbacks over host state; the transform itself is the two plain
//! functions [`wrap_request`] and [`wrap_response`], which the tests check byte for byte
//! against the mapper's documented answers.

use proxy_wasm::traits::{Context, HttpContext, RootContext};
use proxy_wasm::types::{Action, ContextType, LogLevel};
use serde_json::{Value, json};

/// What the request body is wrapped with when the filter has no configuration.
const DEFAULT_STAGE: &str = "bench";

/// `{"payload":BODY,"stage":STAGE}`; an empty body is a `null` payload. `None` when the body
/// is not JSON.
pub fn wrap_request(body: &[u8], stage: &str) -> Option<Vec<u8>> {
    let payload = if body.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(body).ok()?
    };
    Some(
        json!({ "payload": payload, "stage": stage })
            .to_string()
            .into_bytes(),
    )
}

/// `{"data":BODY,"status":STATUS}`; a body that is not JSON becomes a JSON string.
pub fn wrap_response(body: &[u8], status: u16) -> Vec<u8> {
    let data = serde_json::from_slice(body)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(body).into_owned()));
    json!({ "data": data, "status": status })
        .to_string()
        .into_bytes()
}

proxy_wasm::main! {{
    proxy_wasm::set_log_level(LogLevel::Warn);
    proxy_wasm::set_root_context(|_| -> Box<dyn RootContext> {
        Box::new(EnvelopeRoot { stage: DEFAULT_STAGE.to_owned() })
    });
}}

/// One per filter configuration: holds the stage name every request is wrapped with.
struct EnvelopeRoot {
    stage: String,
}

impl Context for EnvelopeRoot {}

impl RootContext for EnvelopeRoot {
    fn on_configure(&mut self, _plugin_configuration_size: usize) -> bool {
        if let Some(configuration) = self.get_plugin_configuration() {
            let stage = String::from_utf8_lossy(&configuration).trim().to_owned();
            if !stage.is_empty() {
                self.stage = stage;
            }
        }
        true
    }

    fn create_http_context(&self, _context_id: u32) -> Option<Box<dyn HttpContext>> {
        Some(Box::new(EnvelopeStream {
            stage: self.stage.clone(),
            status: 0,
        }))
    }

    fn get_type(&self) -> Option<ContextType> {
        Some(ContextType::HttpContext)
    }
}

/// One per request.
struct EnvelopeStream {
    stage: String,
    /// The upstream's status, read from the response headers for the response body.
    status: u16,
}

impl Context for EnvelopeStream {}

impl HttpContext for EnvelopeStream {
    fn on_http_request_headers(&mut self, _num_headers: usize, _end_of_stream: bool) -> Action {
        // The body changes length; without a content-length Envoy frames it itself.
        self.set_http_request_header("content-length", None);
        self.set_http_request_header("content-type", Some("application/json"));
        self.set_http_request_header("x-envelope", Some("request"));
        Action::Continue
    }

    fn on_http_request_body(&mut self, body_size: usize, end_of_stream: bool) -> Action {
        if !end_of_stream {
            // Pausing makes Envoy buffer the body until the last chunk.
            return Action::Pause;
        }
        let body = self.get_http_request_body(0, body_size).unwrap_or_default();
        match wrap_request(&body, &self.stage) {
            Some(wrapped) => {
                self.set_http_request_body(0, body_size, &wrapped);
                Action::Continue
            }
            None => {
                self.send_http_response(
                    500,
                    vec![("content-type", "application/json")],
                    Some(br#"{"message": "Internal server error"}"#),
                );
                Action::Pause
            }
        }
    }

    fn on_http_response_headers(&mut self, _num_headers: usize, _end_of_stream: bool) -> Action {
        self.status = self
            .get_http_response_header(":status")
            .and_then(|status| status.parse().ok())
            .unwrap_or(0);
        self.set_http_response_header("content-length", None);
        self.set_http_response_header("content-type", Some("application/json"));
        self.set_http_response_header("x-envelope", Some("response"));
        Action::Continue
    }

    fn on_http_response_body(&mut self, body_size: usize, end_of_stream: bool) -> Action {
        if !end_of_stream {
            return Action::Pause;
        }
        let body = self
            .get_http_response_body(0, body_size)
            .unwrap_or_default();
        self.set_http_response_body(0, body_size, &wrap_response(&body, self.status));
        Action::Continue
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The same cases as the mapper's own tests (plugins/examples/rust/mapper/src/lib.rs).
    #[test]
    fn requests_are_wrapped_compactly_in_key_order() {
        let body = r#"{ "z": [1, 2.5, "é\n"], "a": {"n": null} }"#;
        assert_eq!(
            String::from_utf8(wrap_request(body.as_bytes(), "dev").unwrap()).unwrap(),
            r#"{"payload":{"z":[1,2.5,"é\n"],"a":{"n":null}},"stage":"dev"}"#
        );
    }

    #[test]
    fn an_empty_request_body_is_a_null_payload_and_a_bad_one_is_refused() {
        assert_eq!(
            wrap_request(b"", "dev").unwrap(),
            br#"{"payload":null,"stage":"dev"}"#
        );
        assert_eq!(wrap_request(b"not json", "dev"), None);
    }

    #[test]
    fn responses_are_wrapped_with_their_status_and_text_becomes_a_string() {
        assert_eq!(
            wrap_response(br#"{"b":1,"a":2}"#, 200),
            br#"{"data":{"b":1,"a":2},"status":200}"#
        );
        assert_eq!(
            wrap_response(b"plain \"text\"", 404),
            br#"{"data":"plain \"text\"","status":404}"#
        );
    }
}
