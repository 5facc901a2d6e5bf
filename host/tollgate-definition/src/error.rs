//! The import error: which file, where in it (JSON pointer, line and column), and what was
//! expected versus found. One [`ImportError`] carries every problem found in a document, so a
//! user fixes them all in one pass; its fields describe the first one.

use std::fmt;

/// What kind of problem an [`ImportError`] reports, for callers that branch on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ImportErrorKind {
    /// The file could not be read.
    Io,
    /// The text is not valid YAML or JSON.
    Syntax,
    /// A required member is absent.
    Missing,
    /// A value has the wrong type, format or range.
    Invalid,
    /// A key that is not defined at this place, including an unknown extension.
    UnknownKey,
    /// A key or value that conflicts with another one (duplicate keys, sibling path variables).
    Conflict,
    /// A feature API Gateway has and Tollgate does not implement yet; refused rather than
    /// ignored, because ignoring it could change who gets in or what they get.
    NotSupportedYet,
}

/// A problem found while importing an API definition.
///
/// Displays as `file:line:column: pointer: message`, one line per problem (the first problem,
/// then each of [`ImportError::further`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ImportError {
    /// The source name given to the import (the file path for `import_file`).
    pub file: String,
    /// RFC 6901 JSON pointer to the offending member (`""` for the whole document).
    pub pointer: String,
    /// 1-based line of the member in the source text, when known.
    pub line: Option<u32>,
    /// 1-based column (in characters) of the member in the source text, when known.
    pub column: Option<u32>,
    pub kind: ImportErrorKind,
    /// What was expected and what was found.
    pub message: String,
    /// The other problems found in the same document, in source order.
    pub further: Vec<ImportError>,
}

impl ImportError {
    /// This problem followed by the further ones.
    pub fn problems(&self) -> impl Iterator<Item = &ImportError> {
        std::iter::once(self).chain(self.further.iter())
    }

    /// The number of problems reported.
    pub fn count(&self) -> usize {
        1 + self.further.len()
    }

    fn fmt_one(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        f.write_str(": ")?;
        if !self.pointer.is_empty() {
            write!(f, "{}: ", self.pointer)?;
        }
        f.write_str(&self.message)
    }
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.fmt_one(f)?;
        for further in &self.further {
            f.write_str("\n")?;
            further.fmt_one(f)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(line: Option<u32>, pointer: &str, message: &str) -> ImportError {
        ImportError {
            file: "api.yaml".to_owned(),
            pointer: pointer.to_owned(),
            line,
            column: line.map(|_| 9),
            kind: ImportErrorKind::Invalid,
            message: message.to_owned(),
            further: Vec::new(),
        }
    }

    #[test]
    fn displays_file_line_column_pointer_and_message() {
        let error = problem(
            Some(14),
            "/paths/~1items/get/x-amazon-apigateway-integration/type",
            "expected one of mock, http, http_proxy, aws_proxy, aws; found \"lambda\"",
        );
        assert_eq!(
            error.to_string(),
            "api.yaml:14:9: /paths/~1items/get/x-amazon-apigateway-integration/type: \
             expected one of mock, http, http_proxy, aws_proxy, aws; found \"lambda\""
        );
    }

    #[test]
    fn displays_without_position_or_pointer() {
        assert_eq!(
            problem(None, "", "cannot read").to_string(),
            "api.yaml: cannot read"
        );
    }

    #[test]
    fn displays_every_problem_on_its_own_line() {
        let mut error = problem(Some(1), "/a", "first");
        error.further.push(problem(Some(2), "/b", "second"));
        assert_eq!(error.count(), 2);
        assert_eq!(
            error.to_string(),
            "api.yaml:1:9: /a: first\napi.yaml:2:9: /b: second"
        );
    }
}
