//! `x-tollgate-mapper`, Tollgate's own operation extension: the mapper component (a WASM
//! component of the `mapper` world) a method runs on its request and/or its response.
//!
//! ```yaml
//! x-tollgate-mapper:
//!   uri: mapper:soap-json:${stageVariables.alias}   # mapper:NAME[:QUALIFIER]
//!   request: true          # default true
//!   response: true         # default true
//!   config:                # string → string, given to the mapper
//!     namespace: urn:example
//! ```
//!
//! Every key is known; an unknown one is an error, as everywhere in an extension.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{Problems, pointer, uri};
use crate::error::ImportErrorKind;
use crate::model::MapperRef;

/// The extension's key in an operation.
pub(crate) const MAPPER: &str = "x-tollgate-mapper";

const MAPPER_KEYS: &[&str] = &["uri", "request", "response", "config"];

/// Reads the `x-tollgate-mapper` object at `at`; `None` when it has errors (reported).
pub(crate) fn read(value: &Value, at: &str, problems: &mut Problems) -> Option<MapperRef> {
    let Value::Object(object) = value else {
        problems.invalid(
            at,
            "a mapping with `uri` (mapper:NAME[:QUALIFIER]) and optional `request`, \
             `response` and `config`",
            value,
        );
        return None;
    };
    let before = problems.len();
    for key in object.keys() {
        if !MAPPER_KEYS.contains(&key.as_str()) {
            problems.unknown_key(
                &pointer::child(at, key),
                format!(
                    "unknown key `{key}` in {MAPPER} (expected one of {})",
                    MAPPER_KEYS.join(", ")
                ),
            );
        }
    }

    let uri_at = pointer::child(at, "uri");
    let target = match object.get("uri") {
        None => {
            problems.missing(
                &uri_at,
                format!(
                    "missing the `uri` of the mapper (expected {})",
                    uri::MAPPER_URI_EXPECTED
                ),
            );
            None
        }
        Some(Value::String(text)) => match uri::parse_mapper_uri(text) {
            Ok(target) => Some(target),
            Err(why) => {
                let expected = if why.is_empty() {
                    uri::MAPPER_URI_EXPECTED.to_owned()
                } else {
                    format!("{} ({why})", uri::MAPPER_URI_EXPECTED)
                };
                problems.invalid(&uri_at, expected, &Value::from(text.as_str()));
                None
            }
        },
        Some(other) => {
            problems.invalid(&uri_at, uri::MAPPER_URI_EXPECTED, other);
            None
        }
    };
    let request = flag(
        object.get("request"),
        &pointer::child(at, "request"),
        problems,
    );
    let response = flag(
        object.get("response"),
        &pointer::child(at, "response"),
        problems,
    );
    if !request && !response {
        problems.push(
            at,
            ImportErrorKind::Invalid,
            "the mapper maps neither the request nor the response (`request` and `response` \
             are both false): set one of them to true, or remove the mapper",
        );
    }
    let config = read_config(
        object.get("config"),
        &pointer::child(at, "config"),
        problems,
    );

    if problems.len() != before {
        return None;
    }
    let (name, qualifier) = target?;
    Some(MapperRef {
        name,
        qualifier,
        request,
        response,
        config,
    })
}

/// `request` / `response`: `true` when absent.
fn flag(value: Option<&Value>, at: &str, problems: &mut Problems) -> bool {
    match value {
        None => true,
        Some(Value::Bool(flag)) => *flag,
        Some(other) => {
            problems.invalid(at, "true or false", other);
            true
        }
    }
}

fn read_config(
    value: Option<&Value>,
    at: &str,
    problems: &mut Problems,
) -> BTreeMap<String, String> {
    let mut config = BTreeMap::new();
    let Some(value) = value else {
        return config;
    };
    let Value::Object(entries) = value else {
        problems.invalid(at, "a mapping of name to string value", value);
        return config;
    };
    for (key, entry) in entries {
        match entry {
            Value::String(text) => {
                config.insert(key.clone(), text.clone());
            }
            other => problems.invalid(
                &pointer::child(at, key),
                "a string (quote numbers and booleans: \"3\", \"true\")",
                other,
            ),
        }
    }
    config
}
