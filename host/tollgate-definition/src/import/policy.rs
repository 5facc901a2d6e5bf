//! `x-amazon-apigateway-policy`: the API's resource policy, an IAM policy document.
//!
//! ```yaml
//! x-amazon-apigateway-policy:
//!   Version: "2012-10-17"
//!   Statement:
//!     - Effect: Deny
//!       Principal: "*"
//!       Action: execute-api:Invoke
//!       Resource: execute-api:/*
//!       Condition:
//!         IpAddress: {aws:SourceIp: 192.0.2.0/24}
//! ```
//!
//! The document is kept as written (AWS's `execute-api:/…` shorthand unexpanded: the data
//! plane expands it). AWS shows the extension as a mapping; the policy of a REST API is a JSON
//! string in AWS's own API, so a string holding the document is read too. The import checks
//! the structure (a mapping with `Statement`, each statement with `Effect`, an action and a
//! resource, IAM's keys only), then parses it as a resource policy with `tollgate_policy`
//! (principals, actions, resources, condition operators), whose errors are reported at
//! `/x-amazon-apigateway-policy` followed by their pointer inside the policy.

use serde_json::{Map, Value};
use tollgate_policy::{PolicyDocument, PolicyKind};

use super::{Problems, pointer};
use crate::error::ImportErrorKind;

/// The extension's key at the top level.
pub(crate) const POLICY: &str = "x-amazon-apigateway-policy";

const DOCUMENT_KEYS: &[&str] = &["Version", "Id", "Statement"];

const STATEMENT_KEYS: &[&str] = &[
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
];

/// The policy language versions IAM knows.
const VERSIONS: &[&str] = &["2012-10-17", "2008-10-17"];

/// Reads the extension's value at `at`: the policy document, `None` when it has errors
/// (reported).
pub(crate) fn read(value: &Value, at: &str, problems: &mut Problems) -> Option<Value> {
    const EXPECTED: &str = "a policy document (a mapping with `Version` and `Statement`, or a \
         JSON string holding one)";
    let document = match value {
        Value::Object(_) => value.clone(),
        Value::String(text) => match serde_json::from_str::<Value>(text) {
            Ok(parsed @ Value::Object(_)) => parsed,
            Ok(other) => {
                problems.invalid(at, EXPECTED, &other);
                return None;
            }
            Err(error) => {
                problems.push(
                    at,
                    ImportErrorKind::Invalid,
                    format!("expected {EXPECTED}; the string is not JSON: {error}"),
                );
                return None;
            }
        },
        other => {
            problems.invalid(at, EXPECTED, other);
            return None;
        }
    };
    let before = problems.len();
    if let Value::Object(object) = &document {
        check_document(object, at, problems);
    }
    // The structure is sound: the policy crate checks what the statements say (principals,
    // actions, resources, condition operators), as the data plane will read them.
    if problems.len() == before
        && let Err(error) = PolicyDocument::from_json_as(&document, PolicyKind::Resource)
    {
        problems.push(
            &format!("{at}{}", error.pointer),
            ImportErrorKind::Invalid,
            error.message,
        );
    }
    (problems.len() == before).then_some(document)
}

fn check_document(object: &Map<String, Value>, at: &str, problems: &mut Problems) {
    for key in object.keys() {
        if !DOCUMENT_KEYS.contains(&key.as_str()) {
            problems.unknown_key(
                &pointer::child(at, key),
                format!(
                    "unknown key `{key}` in a policy document (expected one of {})",
                    DOCUMENT_KEYS.join(", ")
                ),
            );
        }
    }
    if let Some(version) = object.get("Version")
        && !version.as_str().is_some_and(|v| VERSIONS.contains(&v))
    {
        problems.invalid(
            &pointer::child(at, "Version"),
            "\"2012-10-17\" (the policy language version; quote it in YAML)",
            version,
        );
    }
    let statement_at = pointer::child(at, "Statement");
    match object.get("Statement") {
        None => problems.missing(
            &statement_at,
            "missing `Statement` (the policy's statements: Effect, Principal, Action, Resource)",
        ),
        Some(Value::Object(statement)) => check_statement(statement, &statement_at, problems),
        Some(Value::Array(statements)) if !statements.is_empty() => {
            for (index, statement) in statements.iter().enumerate() {
                let entry_at = pointer::index(&statement_at, index);
                match statement {
                    Value::Object(statement) => check_statement(statement, &entry_at, problems),
                    other => problems.invalid(
                        &entry_at,
                        "a statement (a mapping with Effect, Principal, Action and Resource)",
                        other,
                    ),
                }
            }
        }
        Some(other) => problems.invalid(
            &statement_at,
            "a non-empty list of statements (or one statement)",
            other,
        ),
    }
}

fn check_statement(statement: &Map<String, Value>, at: &str, problems: &mut Problems) {
    for key in statement.keys() {
        if !STATEMENT_KEYS.contains(&key.as_str()) {
            problems.unknown_key(
                &pointer::child(at, key),
                format!(
                    "unknown key `{key}` in a policy statement (expected one of {})",
                    STATEMENT_KEYS.join(", ")
                ),
            );
        }
    }
    let effect_at = pointer::child(at, "Effect");
    match statement.get("Effect") {
        Some(Value::String(effect)) if effect == "Allow" || effect == "Deny" => {}
        Some(other) => problems.invalid(&effect_at, "Allow or Deny", other),
        None => problems.missing(
            &effect_at,
            "missing the statement's `Effect` (Allow or Deny)",
        ),
    }
    for (positive, negative) in [("Action", "NotAction"), ("Resource", "NotResource")] {
        match (statement.get(positive), statement.get(negative)) {
            (Some(_), Some(_)) => problems.push(
                &pointer::child(at, negative),
                ImportErrorKind::Conflict,
                format!("a statement has `{positive}` or `{negative}`, not both"),
            ),
            (None, None) => problems.missing(
                &pointer::child(at, positive),
                format!(
                    "missing the statement's `{positive}` (such as {})",
                    if positive == "Action" {
                        "execute-api:Invoke"
                    } else {
                        "execute-api:/*"
                    }
                ),
            ),
            _ => {}
        }
    }
}
