//! Import of an AWS-flavoured OpenAPI document (OpenAPI 3.0.x, or Swagger 2.0) into an
//! [`ApiDefinition`], with AWS API Gateway's rules for `x-amazon-apigateway-*` extensions.
//!
//! The text is parsed into a `serde_json::Value` (JSON when its first non-space character is
//! `{`, YAML otherwise), then read member by member; every problem found is collected with
//! its JSON pointer, and located in the text through a [`position::PositionIndex`]. Features
//! Tollgate does not implement yet are refused, never ignored. This module reads text only: it
//! never touches the network or the gateway.
//!
//! Where each part is read: the document's structure and its extensions in `document`;
//! integrations in `integration` (with `uri`, `expression`); models and body schemas in
//! `schema`; gateway responses and mappers in `gateway_responses` and `mapper`; access
//! control in `security` (schemes, `security` requirements, `x-amazon-apigateway-auth`),
//! `authorizer` (`x-amazon-apigateway-authorizer`), `policy` (`x-amazon-apigateway-policy`)
//! and `cors` (`x-amazon-apigateway-cors`).

mod authorizer;
mod cors;
mod document;
mod expression;
mod gateway_responses;
mod integration;
mod mapper;
pub(crate) mod pointer;
mod policy;
mod position;
mod schema;
mod security;
mod uri;

use std::fmt::Display;
use std::path::Path;

use serde_json::Value;

use crate::error::{ImportError, ImportErrorKind};
use crate::model::ApiDefinition;
use position::PositionIndex;

/// Reads and imports the OpenAPI document at `path` (YAML or JSON, told apart by content).
pub fn import_file(path: &Path) -> Result<ApiDefinition, ImportError> {
    let file = path.display().to_string();
    match std::fs::read_to_string(path) {
        Ok(text) => import_str(&text, &file),
        Err(error) => Err(ImportError {
            file,
            pointer: String::new(),
            line: None,
            column: None,
            kind: ImportErrorKind::Io,
            message: format!("cannot read the file: {error}"),
            further: Vec::new(),
        }),
    }
}

/// Imports an OpenAPI document given as text. `source_name` names it in errors.
///
/// The text is JSON when its first non-space character is `{`, YAML otherwise.
pub fn import_str(text: &str, source_name: &str) -> Result<ApiDefinition, ImportError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let is_json = text.trim_start().starts_with('{');
    let parsed = if is_json {
        serde_json::from_str::<Value>(text).map_err(|error| {
            syntax_error(
                source_name,
                "JSON",
                &error.to_string(),
                Some((error.line(), error.column())),
            )
        })
    } else {
        serde_yaml_ng::from_str::<Value>(text).map_err(|error| {
            let location = error.location().map(|at| (at.line(), at.column()));
            syntax_error(source_name, "YAML", &error.to_string(), location)
        })
    };
    let document = parsed?;
    let positions = if is_json {
        PositionIndex::from_json(text)
    } else {
        PositionIndex::from_yaml(text)
    };

    let mut problems = Problems::default();
    for duplicate in positions.duplicates() {
        problems.found.push(Problem {
            pointer: duplicate.pointer.clone(),
            position: Some(duplicate.position),
            kind: ImportErrorKind::Conflict,
            message: "duplicate key: this member is defined more than once in the same mapping"
                .to_owned(),
        });
    }
    let definition = document::read(&document, &mut problems);
    match (definition, problems.into_error(source_name, &positions)) {
        (Some(definition), None) => Ok(definition),
        (_, Some(error)) => Err(error),
        (None, None) => Err(ImportError {
            file: source_name.to_owned(),
            pointer: String::new(),
            line: None,
            column: None,
            kind: ImportErrorKind::Invalid,
            message: "the document does not define an API".to_owned(),
            further: Vec::new(),
        }),
    }
}

fn syntax_error(
    file: &str,
    language: &str,
    message: &str,
    location: Option<(usize, usize)>,
) -> ImportError {
    ImportError {
        file: file.to_owned(),
        pointer: String::new(),
        line: location.map(|(line, _)| saturate(line)),
        column: location.map(|(_, column)| saturate(column)),
        kind: ImportErrorKind::Syntax,
        message: format!("{language} syntax error: {}", strip_locations(message)),
        further: Vec::new(),
    }
}

fn saturate(number: usize) -> u32 {
    u32::try_from(number).unwrap_or(u32::MAX)
}

/// Removes the parsers' own ` at line L column C` notes: the position is shown in front.
fn strip_locations(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(at) = rest.find(" at line ") {
        out.push_str(&rest[..at]);
        let after = &rest[at + " at line ".len()..];
        let digits = after.len() - after.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        let tail = &after[digits..];
        match tail.strip_prefix(" column ") {
            Some(column) if digits > 0 => {
                rest = column.trim_start_matches(|c: char| c.is_ascii_digit());
            }
            _ => {
                out.push_str(" at line ");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// One problem, before it is located in the text.
struct Problem {
    pointer: String,
    /// Where the problem is when it is not where the pointer leads (a duplicate key).
    position: Option<position::Position>,
    kind: ImportErrorKind,
    message: String,
}

/// The problems found while reading a document, in the order found.
#[derive(Default)]
pub(crate) struct Problems {
    found: Vec<Problem>,
}

impl Problems {
    pub(crate) fn push(
        &mut self,
        pointer: &str,
        kind: ImportErrorKind,
        message: impl Into<String>,
    ) {
        self.found.push(Problem {
            pointer: pointer.to_owned(),
            position: None,
            kind,
            message: message.into(),
        });
    }

    /// A value of the wrong type, format or range.
    pub(crate) fn invalid(&mut self, pointer: &str, expected: impl Display, found: &Value) {
        self.push(
            pointer,
            ImportErrorKind::Invalid,
            format!("expected {expected}; found {}", describe(found)),
        );
    }

    /// A required member is absent; `pointer` names the member that should be there.
    pub(crate) fn missing(&mut self, pointer: &str, message: impl Into<String>) {
        self.push(pointer, ImportErrorKind::Missing, message);
    }

    /// A feature Tollgate refuses for now.
    pub(crate) fn not_supported(&mut self, pointer: &str, what: impl Display) {
        self.push(
            pointer,
            ImportErrorKind::NotSupportedYet,
            format!("{what} is not supported yet"),
        );
    }

    pub(crate) fn unknown_key(&mut self, pointer: &str, message: impl Into<String>) {
        self.push(pointer, ImportErrorKind::UnknownKey, message);
    }

    /// The number of problems found so far (to tell whether a part added any).
    pub(crate) fn len(&self) -> usize {
        self.found.len()
    }

    /// All problems as one error, sorted by position in the text; `None` when there are none.
    fn into_error(self, file: &str, positions: &PositionIndex) -> Option<ImportError> {
        let mut located: Vec<ImportError> = self
            .found
            .into_iter()
            .map(|problem| {
                let position = problem
                    .position
                    .or_else(|| positions.locate(&problem.pointer));
                ImportError {
                    file: file.to_owned(),
                    line: position.map(|p| saturate(p.line)),
                    column: position.map(|p| saturate(p.column)),
                    pointer: problem.pointer,
                    kind: problem.kind,
                    message: problem.message,
                    further: Vec::new(),
                }
            })
            .collect();
        located.sort_by_key(|error| (error.line.is_none(), error.line, error.column));
        located.dedup_by(|a, b| a.pointer == b.pointer && a.message == b.message);
        let mut errors = located.into_iter();
        let mut first = errors.next()?;
        first.further = errors.collect();
        Some(first)
    }
}

/// A short rendering of a value for "found ..." messages.
pub(crate) fn describe(value: &Value) -> String {
    match value {
        Value::Object(_) => "a mapping".to_owned(),
        Value::Array(_) => "a list".to_owned(),
        Value::Null => "nothing (null)".to_owned(),
        Value::String(text) => {
            const LIMIT: usize = 80;
            let rendered = Value::String(text.clone()).to_string();
            if rendered.chars().count() > LIMIT {
                let cut: String = rendered.chars().take(LIMIT).collect();
                format!("{cut}…\"")
            } else {
                rendered
            }
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parser_locations_are_stripped_from_messages() {
        assert_eq!(
            strip_locations(
                "did not find expected ',' or ']' at line 2 column 1, while parsing a flow sequence at line 1 column 4"
            ),
            "did not find expected ',' or ']', while parsing a flow sequence"
        );
        assert_eq!(
            strip_locations("expected value at line 3 column 7"),
            "expected value"
        );
        assert_eq!(strip_locations("nothing at line x"), "nothing at line x");
    }

    #[test]
    fn describe_quotes_strings_and_names_collections() {
        assert_eq!(describe(&Value::from("lambda")), "\"lambda\"");
        assert_eq!(describe(&serde_json::json!({"a": 1})), "a mapping");
        assert_eq!(describe(&serde_json::json!([1])), "a list");
        assert_eq!(describe(&serde_json::json!(42)), "42");
    }
}
