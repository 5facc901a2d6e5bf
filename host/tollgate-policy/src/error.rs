//! The parse error, and the JSON pointer that says where it is.

use serde_json::Value;

/// A policy that was refused, and where: `pointer` is a JSON pointer (RFC 6901) into the
/// policy document, e.g. `/Statement/0/Effect` (the empty string is the whole document);
/// `message` says what was expected and what was found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{pointer}: {message}")]
pub struct PolicyError {
    pub pointer: String,
    pub message: String,
}

/// Where the parser is inside the policy.
#[derive(Debug, Clone)]
pub(crate) struct Pointer(String);

impl Pointer {
    pub(crate) fn root() -> Self {
        Pointer(String::new())
    }

    pub(crate) fn key(&self, key: &str) -> Self {
        // RFC 6901: `~` and `/` inside a member name are escaped; condition keys such as
        // `aws:PrincipalTag/team` contain a `/`.
        let escaped = key.replace('~', "~0").replace('/', "~1");
        Pointer(format!("{}/{escaped}", self.0))
    }

    pub(crate) fn index(&self, index: usize) -> Self {
        Pointer(format!("{}/{index}", self.0))
    }

    pub(crate) fn error(&self, message: impl Into<String>) -> PolicyError {
        PolicyError {
            pointer: self.0.clone(),
            message: message.into(),
        }
    }
}

/// A found value, as an error message names it.
pub(crate) fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) => format!("{s:?}"),
        Value::Array(_) => "a list".to_owned(),
        Value::Object(_) => "an object".to_owned(),
    }
}

/// A member that is one string or a non-empty list of strings (`Action`, `Resource`, the
/// values of `Principal.AWS`), with `what` naming one element in messages.
pub(crate) fn string_or_list<'v>(
    value: &'v Value,
    at: &Pointer,
    what: &str,
) -> Result<Vec<(&'v str, Pointer)>, PolicyError> {
    match value {
        Value::String(s) => Ok(vec![(s.as_str(), at.clone())]),
        Value::Array(items) if items.is_empty() => {
            Err(at.error(format!("expected at least one {what}, found an empty list")))
        }
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| match item {
                Value::String(s) => Ok((s.as_str(), at.index(i))),
                other => Err(at.index(i).error(format!(
                    "expected a {what} (a string), found {}",
                    describe(other)
                ))),
            })
            .collect(),
        other => Err(at.error(format!(
            "expected a {what} or a list of them, found {}",
            describe(other)
        ))),
    }
}
