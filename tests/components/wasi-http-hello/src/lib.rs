//! `tc-wasi-http-hello`: a standard `wasi:http/proxy` component (it exports
//! `wasi:http/incoming-handler@0.2.x`) built with the `wasip2` crate, without the Tollgate
//! SDK, proving components from other toolchains plug in unchanged.
//!
//! It answers `200` with `content-type: application/json`, `x-served-by: wasi-http` and the
//! body `{"method":M,"pathWithQuery":P,"xEcho":E}`: the request's method, path with query,
//! and its `x-echo` header (`null` when absent).

use serde_json::json;
use wasip2::http::types::{
    Fields, IncomingRequest, Method, OutgoingBody, OutgoingResponse, ResponseOutparam,
};

/// The exported handler.
pub struct Hello;

impl wasip2::exports::http::incoming_handler::Guest for Hello {
    fn handle(request: IncomingRequest, response_out: ResponseOutparam) {
        let method = match request.method() {
            Method::Get => "GET".to_owned(),
            Method::Head => "HEAD".to_owned(),
            Method::Post => "POST".to_owned(),
            Method::Put => "PUT".to_owned(),
            Method::Delete => "DELETE".to_owned(),
            Method::Connect => "CONNECT".to_owned(),
            Method::Options => "OPTIONS".to_owned(),
            Method::Trace => "TRACE".to_owned(),
            Method::Patch => "PATCH".to_owned(),
            Method::Other(other) => other,
        };
        let echo = request
            .headers()
            .get("x-echo")
            .first()
            .map(|value| String::from_utf8_lossy(value).into_owned());
        let body = json!({
            "method": method,
            "pathWithQuery": request.path_with_query(),
            "xEcho": echo,
        })
        .to_string();

        let headers = Fields::from_list(&[
            ("content-type".to_owned(), b"application/json".to_vec()),
            ("x-served-by".to_owned(), b"wasi-http".to_vec()),
        ])
        .expect("valid header names");
        let response = OutgoingResponse::new(headers);
        response.set_status_code(200).expect("valid status");
        let outgoing_body = response.body().expect("body taken once");
        ResponseOutparam::set(response_out, Ok(response));
        {
            let stream = outgoing_body.write().expect("stream taken once");
            // Small enough for one write (the limit of `blocking-write-and-flush` is 4 KiB).
            stream
                .blocking_write_and_flush(body.as_bytes())
                .expect("write the body");
        }
        OutgoingBody::finish(outgoing_body, None).expect("finish the body");
    }
}

// Only in WebAssembly: a native cdylib cannot link symbols named like
// `wasi:http/incoming-handler@0.2.12#handle`.
#[cfg(target_arch = "wasm32")]
wasip2::http::proxy::export!(Hello);
