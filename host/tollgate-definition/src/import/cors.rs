//! `x-amazon-apigateway-cors`: the CORS configuration the gateway answers with itself (AWS's
//! HTTP API way: preflight `OPTIONS` requests are answered without a route, and the headers
//! are added to every CORS response).
//!
//! ```yaml
//! x-amazon-apigateway-cors:
//!   allowOrigins: [https://www.example.com]   # origins, *, https://* or http://*
//!   allowCredentials: true                    # refused with the * origin, as AWS does
//!   allowMethods: [GET, POST]                 # or *
//!   allowHeaders: [authorization, content-type]   # or *
//!   exposeHeaders: [x-request-id]             # or *
//!   maxAge: 300                               # -1..=86400 seconds
//! ```
//!
//! Every key is known and optional; a missing list is empty. AWS's rules: `maxAge` is
//! -1..=86400 (kept as 0 for -1: both mean "do not cache the preflight"), and
//! `allowCredentials: true` with the `*` origin is refused ("allow-credentials is not supported
//! if 'allow-origin' is *", AWS's answer; browsers refuse that combination too).

use serde_json::{Map, Value};

use super::authorizer::is_header_name;
use super::{Problems, pointer};
use crate::access::CorsConfiguration;
use crate::error::ImportErrorKind;

/// The extension's key at the top level.
pub(crate) const CORS: &str = "x-amazon-apigateway-cors";

const CORS_KEYS: &[&str] = &[
    "allowOrigins",
    "allowCredentials",
    "exposeHeaders",
    "maxAge",
    "allowMethods",
    "allowHeaders",
];

/// AWS's range of `maxAge` (seconds).
const MAX_AGE_RANGE: std::ops::RangeInclusive<i64> = -1..=86_400;

/// The longest method AWS accepts in `allowMethods`.
const MAX_METHOD_LENGTH: usize = 64;

/// Reads the extension's value at `at`; `None` when it has errors (reported).
pub(crate) fn read(value: &Value, at: &str, problems: &mut Problems) -> Option<CorsConfiguration> {
    let Value::Object(object) = value else {
        problems.invalid(
            at,
            "a CORS configuration (a mapping with allowOrigins, allowMethods, allowHeaders, ...)",
            value,
        );
        return None;
    };
    let before = problems.len();
    for key in object.keys() {
        if !CORS_KEYS.contains(&key.as_str()) {
            problems.unknown_key(
                &pointer::child(at, key),
                format!(
                    "unknown key `{key}` in {CORS} (expected one of {})",
                    CORS_KEYS.join(", ")
                ),
            );
        }
    }
    let allow_origins = list(
        object,
        at,
        "allowOrigins",
        "an origin such as \"https://www.example.com\" (scheme://host[:port], no path), \"*\", \
         \"https://*\" or \"http://*\"",
        is_origin,
        problems,
    );
    let allow_methods = list(
        object,
        at,
        "allowMethods",
        "an HTTP method such as \"GET\", or \"*\"",
        |method| method == "*" || (method.len() <= MAX_METHOD_LENGTH && is_header_name(method)),
        problems,
    );
    let allow_headers = list(
        object,
        at,
        "allowHeaders",
        "a header name, or \"*\"",
        |header| header == "*" || is_header_name(header),
        problems,
    );
    let expose_headers = list(
        object,
        at,
        "exposeHeaders",
        "a header name, or \"*\"",
        |header| header == "*" || is_header_name(header),
        problems,
    );
    let max_age = object.get("maxAge").and_then(|value| {
        match value.as_i64().filter(|age| MAX_AGE_RANGE.contains(age)) {
            // -1 ("do not cache") becomes 0, which means the same to browsers.
            Some(age) => Some(u32::try_from(age).unwrap_or(0)),
            None => {
                problems.invalid(
                    &pointer::child(at, "maxAge"),
                    format_args!(
                        "an integer from {} to {} (seconds)",
                        MAX_AGE_RANGE.start(),
                        MAX_AGE_RANGE.end()
                    ),
                    value,
                );
                None
            }
        }
    });
    let credentials_at = pointer::child(at, "allowCredentials");
    let allow_credentials = match object.get("allowCredentials") {
        None => false,
        Some(Value::Bool(flag)) => *flag,
        Some(other) => {
            problems.invalid(&credentials_at, "true or false", other);
            false
        }
    };
    if allow_credentials && allow_origins.iter().any(|origin| origin == "*") {
        problems.push(
            &credentials_at,
            ImportErrorKind::Conflict,
            "allowCredentials: true is not supported with the \"*\" origin (AWS refuses it, and \
             browsers never send credentials to a wildcard origin): list the origins in \
             allowOrigins",
        );
    }
    (problems.len() == before).then_some(CorsConfiguration {
        allow_origins,
        allow_methods,
        allow_headers,
        expose_headers,
        max_age,
        allow_credentials,
    })
}

/// A list of strings at `object[key]`, each accepted by `valid`; empty when absent.
fn list(
    object: &Map<String, Value>,
    at: &str,
    key: &str,
    expected: &str,
    valid: impl Fn(&str) -> bool,
    problems: &mut Problems,
) -> Vec<String> {
    let Some(value) = object.get(key) else {
        return Vec::new();
    };
    let list_at = pointer::child(at, key);
    let Value::Array(entries) = value else {
        problems.invalid(
            &list_at,
            format_args!("a list, each entry {expected}"),
            value,
        );
        return Vec::new();
    };
    let mut items = Vec::with_capacity(entries.len());
    for (index, entry) in entries.iter().enumerate() {
        match entry.as_str() {
            Some(text) if valid(text) => items.push(text.to_owned()),
            _ => problems.invalid(&pointer::index(&list_at, index), expected, entry),
        }
    }
    items
}

/// `*`, `https://*`, `http://*`, or `scheme://host[:port]` — what a browser sends as
/// `Origin` (a trailing `/` or a path would never match one).
fn is_origin(origin: &str) -> bool {
    if matches!(origin, "*" | "https://*" | "http://*") {
        return true;
    }
    let Some((scheme, authority)) = origin.split_once("://") else {
        return false;
    };
    let scheme_ok = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    let (host, port) = match authority.strip_prefix('[') {
        // An IPv6 literal: [address] then an optional :port.
        Some(rest) => match rest.split_once(']') {
            Some((address, "")) => (address, None),
            Some((address, after)) => match after.strip_prefix(':') {
                Some(port) => (address, Some(port)),
                None => return false,
            },
            None => return false,
        },
        None => match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        },
    };
    let host_ok = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | ':'));
    let port_ok = port.is_none_or(|port| {
        !port.is_empty() && port.len() <= 5 && port.chars().all(|c| c.is_ascii_digit())
    });
    scheme_ok && host_ok && port_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins() {
        for good in [
            "*",
            "https://*",
            "http://*",
            "https://www.example.com",
            "http://localhost:3000",
            "capacitor://localhost",
            "http://[::1]:8080",
        ] {
            assert!(is_origin(good), "{good} should be an origin");
        }
        for bad in [
            "",
            "www.example.com",
            "https://",
            "https://example.com/",
            "https://example.com/app",
            "https://example.com:",
            "https://example.com:port",
            "https://*.example.com",
            "https://exa mple.com",
        ] {
            assert!(!is_origin(bad), "{bad} should be refused");
        }
    }
}
