//! What is measured: each scenario is one request, the peers that can serve it (and at which
//! path), and the answer every one of them must give before it is loaded — a benchmark of
//! error answers is worthless, so a peer that answers anything else fails the run.

use serde_json::{Value, json};

use crate::peers::PeerKind;
use crate::peers::tollgate::{API_KEY, STAGE};
use crate::upstream::{SMALL_BODY, large_body};

/// The JSON body of every POST scenario.
pub const REQUEST_BODY: &str = r#"{"order":{"item":"4f1c2b","quantity":2},"note":"benchmark"}"#;

const JSON: (&str, &str) = ("content-type", "application/json");
const BEARER: (&str, &str) = ("authorization", "Bearer bench-token");

/// How the load generator talks to the peers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// HTTP/1.1 keep-alive, with wrk.
    Http1,
    /// Cleartext HTTP/2 with prior knowledge, one stream at a time per connection (as
    /// HTTP/1.1's one request at a time), with h2load.
    Http2,
}

/// One scenario.
#[derive(Debug)]
pub struct Scenario {
    pub name: &'static str,
    pub summary: &'static str,
    pub protocol: Protocol,
    pub method: &'static str,
    pub body: &'static str,
    pub headers: &'static [(&'static str, &'static str)],
    /// Who serves it, at which path.
    pub targets: &'static [(PeerKind, &'static str)],
    /// The answer every target must give.
    pub expected: fn() -> ExpectedBody,
}

/// What a 2xx answer's body must be.
#[derive(Debug, Clone, PartialEq)]
pub enum ExpectedBody {
    /// Byte for byte.
    Exact(Vec<u8>),
    /// The same JSON value (VTL's whitespace is its own).
    Json(Value),
}

impl ExpectedBody {
    pub fn accepts(&self, body: &[u8]) -> bool {
        match self {
            ExpectedBody::Exact(expected) => expected == body,
            ExpectedBody::Json(expected) => {
                serde_json::from_slice::<Value>(body).is_ok_and(|actual| &actual == expected)
            }
        }
    }
}

/// A scenario the issue lists that cannot run yet.
#[derive(Debug, Clone, serde::Serialize)]
pub struct NotRun {
    pub scenario: &'static str,
    pub reason: &'static str,
}

pub const NOT_RUN: &[NotRun] = &[NotRun {
    scenario: "websocket-echo",
    reason: "Tollgate has no WebSocket APIs yet (DESIGN.md's WebSocket section is a later issue); \
             there is nothing of Tollgate's to put beside nginx and Envoy",
}];

/// The path of Tollgate's resource `resource` in the benchmark stage.
macro_rules! tollgate_path {
    ($resource:literal) => {
        concat!("/", "bench", $resource)
    };
}

pub const SCENARIOS: &[Scenario] = &[
    Scenario {
        name: "proxy-small",
        summary: "HTTP proxy, no plugins: POST a 59-byte JSON body, 85-byte JSON answer",
        protocol: Protocol::Http1,
        method: "POST",
        body: REQUEST_BODY,
        headers: &[JSON],
        targets: &[
            (PeerKind::Direct, "/small"),
            (PeerKind::Tollgate, tollgate_path!("/small")),
            (PeerKind::Nginx, "/small"),
            (PeerKind::Envoy, "/small"),
            (PeerKind::Hyper, "/small"),
        ],
        expected: || ExpectedBody::Exact(SMALL_BODY.as_bytes().to_vec()),
    },
    Scenario {
        name: "proxy-small-h2",
        summary: "proxy-small over cleartext HTTP/2 from the client (h2load); every peer \
                  goes on to the upstream over HTTP/1.1",
        protocol: Protocol::Http2,
        method: "POST",
        body: REQUEST_BODY,
        headers: &[JSON],
        targets: &[
            (PeerKind::Tollgate, tollgate_path!("/small")),
            (PeerKind::Nginx, "/small"),
            (PeerKind::Envoy, "/small"),
            (PeerKind::Hyper, "/small"),
        ],
        expected: || ExpectedBody::Exact(SMALL_BODY.as_bytes().to_vec()),
    },
    Scenario {
        name: "proxy-64k",
        summary: "HTTP proxy, no plugins: GET a 64 KiB JSON answer",
        protocol: Protocol::Http1,
        method: "GET",
        body: "",
        headers: &[],
        targets: &[
            (PeerKind::Direct, "/large"),
            (PeerKind::Tollgate, tollgate_path!("/large")),
            (PeerKind::Nginx, "/large"),
            (PeerKind::Envoy, "/large"),
            (PeerKind::Hyper, "/large"),
        ],
        expected: || ExpectedBody::Exact(large_body().into_bytes()),
    },
    Scenario {
        name: "wasm-mapper",
        summary: "the envelope transform in WASM on request and response: Tollgate's mapper \
                  (plugins/examples/rust/mapper) vs Envoy's proxy-wasm filter",
        protocol: Protocol::Http1,
        method: "POST",
        body: REQUEST_BODY,
        headers: &[JSON],
        targets: &[
            (PeerKind::Tollgate, tollgate_path!("/mapped")),
            (PeerKind::EnvoyWasm, "/small"),
        ],
        expected: || ExpectedBody::Exact(envelope_response(SMALL_BODY.as_bytes(), 200)),
    },
    Scenario {
        name: "wasm-function",
        summary: "a WASM function answers, no upstream: plugins/crud GET /items/1 from its \
                  key-value table",
        protocol: Protocol::Http1,
        method: "GET",
        body: "",
        headers: &[],
        targets: &[(PeerKind::Tollgate, tollgate_path!("/items/1"))],
        expected: || ExpectedBody::Exact(CRUD_ITEM.as_bytes().to_vec()),
    },
    Scenario {
        name: "vtl-templates",
        summary: "the envelope transform as native VTL request and response templates",
        protocol: Protocol::Http1,
        method: "POST",
        body: REQUEST_BODY,
        headers: &[JSON],
        targets: &[(PeerKind::Tollgate, tollgate_path!("/templated"))],
        expected: || {
            ExpectedBody::Json(json!({
                "data": serde_json::from_str::<Value>(SMALL_BODY).unwrap_or_default(),
                "status": 200
            }))
        },
    },
    Scenario {
        name: "access-control",
        summary: "API key + usage plan (throttle and quota) + token authorizer (cache hit) in \
                  front of proxy-small's HTTP proxy",
        protocol: Protocol::Http1,
        method: "POST",
        body: REQUEST_BODY,
        headers: &[JSON, ("x-api-key", API_KEY), BEARER],
        targets: &[(PeerKind::Tollgate, tollgate_path!("/guarded"))],
        expected: || ExpectedBody::Exact(SMALL_BODY.as_bytes().to_vec()),
    },
];

/// The item the runner creates before the `wasm-function` scenario reads it.
pub const CRUD_ITEM_BODY: &str = r#"{"name":"apple","price":3}"#;
/// What `GET /items/1` answers once [`CRUD_ITEM_BODY`] is created.
pub const CRUD_ITEM: &str = r#"{"id":"1","name":"apple","price":3}"#;

/// The stage name both envelope implementations wrap requests with.
pub const ENVELOPE_STAGE: &str = STAGE;

/// The mapper's request transform (`plugins/examples/README.md`): `{"payload":…,"stage":…}`.
/// Written here again, not shared with the filter, so the check is independent of both.
pub fn envelope_request(body: &[u8], stage: &str) -> Vec<u8> {
    let payload: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    json!({ "payload": payload, "stage": stage })
        .to_string()
        .into_bytes()
}

/// The mapper's response transform: `{"data":…,"status":…}`.
pub fn envelope_response(body: &[u8], status: u16) -> Vec<u8> {
    let data = serde_json::from_slice(body)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(body).into_owned()));
    json!({ "data": data, "status": status })
        .to_string()
        .into_bytes()
}

/// Finds a scenario by name.
pub fn by_name(name: &str) -> Option<&'static Scenario> {
    SCENARIOS.iter().find(|scenario| scenario.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tollgate_paths_are_in_the_benchmark_stage() {
        for scenario in SCENARIOS {
            for (peer, path) in scenario.targets {
                if *peer == PeerKind::Tollgate {
                    assert!(path.starts_with(&format!("/{STAGE}/")), "{path}");
                }
            }
        }
    }

    #[test]
    fn the_envelope_keeps_key_order_and_is_compact() {
        assert_eq!(
            envelope_request(br#"{"b":1,"a":[1,2.5]}"#, "bench"),
            br#"{"payload":{"b":1,"a":[1,2.5]},"stage":"bench"}"#
        );
        assert_eq!(
            envelope_response(b"text", 404),
            br#"{"data":"text","status":404}"#
        );
    }

    #[test]
    fn json_expectations_ignore_whitespace_only() {
        let expected = ExpectedBody::Json(json!({"a": 1}));
        assert!(expected.accepts(br#"{ "a" : 1 }"#));
        assert!(!expected.accepts(br#"{"a":2}"#));
    }
}
