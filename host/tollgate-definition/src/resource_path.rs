//! The resource path template grammar of API Gateway REST APIs — `/`, `/items`,
//! `/items/{id}`, `/files/{proxy+}` — shared by the import (which validates paths) and the
//! router (which builds its tree from them).
//!
//! AWS's rules: a path part is made of `a-zA-Z0-9._-`, or is a variable `{name}` with such a
//! name, or a greedy variable `{name+}`, which must be the last part. Parts are never empty,
//! so a path other than `/` does not end with `/`.

use std::fmt;

/// One `/`-separated part of a resource path.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PathSegment {
    /// A fixed part, such as `items`.
    Literal(String),
    /// `{name}`: exactly one request path segment.
    Variable(String),
    /// `{name+}`: one or more request path segments (the rest of the path).
    Greedy(String),
}

impl PathSegment {
    /// The variable name, for variable and greedy parts.
    pub fn variable_name(&self) -> Option<&str> {
        match self {
            PathSegment::Literal(_) => None,
            PathSegment::Variable(name) | PathSegment::Greedy(name) => Some(name),
        }
    }
}

impl fmt::Display for PathSegment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PathSegment::Literal(text) => f.write_str(text),
            PathSegment::Variable(name) => write!(f, "{{{name}}}"),
            PathSegment::Greedy(name) => write!(f, "{{{name}+}}"),
        }
    }
}

/// Why a resource path is not valid, in words for an import error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourcePathError(pub String);

impl fmt::Display for ResourcePathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Whether `name` is a valid path part or path variable name (`[A-Za-z0-9._-]+`).
pub fn is_valid_part(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

/// Splits and validates a resource path template. `/` is the root: no segments.
pub fn parse(path: &str) -> Result<Vec<PathSegment>, ResourcePathError> {
    let Some(rest) = path.strip_prefix('/') else {
        return Err(ResourcePathError(format!(
            "expected a resource path starting with `/`; found \"{path}\""
        )));
    };
    if rest.is_empty() {
        return Ok(Vec::new());
    }
    let parts: Vec<&str> = rest.split('/').collect();
    let mut segments = Vec::with_capacity(parts.len());
    for (position, part) in parts.iter().enumerate() {
        let is_last = position + 1 == parts.len();
        let segment = if let Some(inner) = part.strip_prefix('{').and_then(|p| p.strip_suffix('}'))
        {
            match inner.strip_suffix('+') {
                Some(name) if is_valid_part(name) => {
                    if !is_last {
                        return Err(ResourcePathError(format!(
                            "the greedy path variable {part} must be the last part of the path"
                        )));
                    }
                    PathSegment::Greedy(name.to_owned())
                }
                None if is_valid_part(inner) => PathSegment::Variable(inner.to_owned()),
                _ => {
                    return Err(ResourcePathError(format!(
                        "path variable {part}: a name is made of A-Z, a-z, 0-9, `.`, `_` and `-`"
                    )));
                }
            }
        } else if part.is_empty() {
            return Err(ResourcePathError(if is_last {
                "a resource path does not end with `/` (AWS treats `/items/` as `/items`)"
                    .to_owned()
            } else {
                "a resource path has no empty parts (`//`)".to_owned()
            }));
        } else if is_valid_part(part) {
            PathSegment::Literal((*part).to_owned())
        } else {
            return Err(ResourcePathError(format!(
                "path part \"{part}\": a part is made of A-Z, a-z, 0-9, `.`, `_` and `-`, or is a \
                 variable `{{name}}` or a greedy variable `{{name+}}`"
            )));
        };
        if let Some(name) = segment.variable_name()
            && segments
                .iter()
                .any(|s: &PathSegment| s.variable_name() == Some(name))
        {
            return Err(ResourcePathError(format!(
                "the path variable `{name}` appears twice in the path"
            )));
        }
        segments.push(segment);
    }
    Ok(segments)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn literal(s: &str) -> PathSegment {
        PathSegment::Literal(s.to_owned())
    }

    #[test]
    fn parses_root_literals_variables_and_greedy() {
        assert_eq!(parse("/"), Ok(vec![]));
        assert_eq!(
            parse("/items/{id}/a.b_c-d/{proxy+}"),
            Ok(vec![
                literal("items"),
                PathSegment::Variable("id".to_owned()),
                literal("a.b_c-d"),
                PathSegment::Greedy("proxy".to_owned()),
            ])
        );
    }

    #[test]
    fn refuses_greedy_not_last() {
        let error = parse("/{proxy+}/items").expect_err("greedy not last");
        assert!(error.0.contains("must be the last part"), "{error}");
    }

    #[test]
    fn refuses_malformed_paths() {
        for path in [
            "items",
            "/items/",
            "/a//b",
            "/items/{}",
            "/items/{a b}",
            "/it ems",
            "/{id}/{id}",
            "/x{id}",
        ] {
            assert!(parse(path).is_err(), "{path} should be refused");
        }
    }

    #[test]
    fn displays_segments_as_written() {
        let segments = parse("/a/{b}/{c+}").expect("valid");
        let shown: Vec<String> = segments.iter().map(ToString::to_string).collect();
        assert_eq!(shown, ["a", "{b}", "{c+}"]);
    }
}
