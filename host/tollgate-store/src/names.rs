//! Validation of the names and ids the store keys records by.
//!
//! The shapes follow AWS where AWS has one (Lambda function and alias names); a name that
//! fails is refused with [`StoreError::InvalidName`] before anything is read or written.

use crate::StoreError;

fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_'
}

fn check(
    kind: &'static str,
    name: &str,
    expected: &'static str,
    max_len: usize,
    allowed: impl Fn(char) -> bool,
) -> Result<(), StoreError> {
    if name.is_empty() || name.len() > max_len || !name.chars().all(allowed) {
        return Err(StoreError::InvalidName {
            kind,
            name: name.to_owned(),
            expected,
        });
    }
    Ok(())
}

/// A function name, as Lambda: `[A-Za-z0-9_-]{1,64}`.
pub(crate) fn function_name(name: &str) -> Result<(), StoreError> {
    check(
        "function name",
        name,
        "1 to 64 characters from A-Z, a-z, 0-9, '-' and '_'",
        64,
        is_word_char,
    )
}

/// A function alias, as Lambda: `[A-Za-z0-9_-]{1,128}`, not all digits (those name versions).
pub(crate) fn alias_name(name: &str) -> Result<(), StoreError> {
    const EXPECTED: &str = "1 to 128 characters from A-Z, a-z, 0-9, '-' and '_', not all digits (digits name a version)";
    check("function alias", name, EXPECTED, 128, is_word_char)?;
    if name.chars().all(|c| c.is_ascii_digit()) {
        return Err(StoreError::InvalidName {
            kind: "function alias",
            name: name.to_owned(),
            expected: EXPECTED,
        });
    }
    Ok(())
}

/// A stage name: `[A-Za-z0-9_-]{1,128}`.
pub(crate) fn stage_name(name: &str) -> Result<(), StoreError> {
    check(
        "stage name",
        name,
        "1 to 128 characters from A-Z, a-z, 0-9, '-' and '_'",
        128,
        is_word_char,
    )
}

/// An API id: `[a-z0-9-]{1,64}`.
pub(crate) fn api_id(name: &str) -> Result<(), StoreError> {
    check(
        "API id",
        name,
        "1 to 64 characters from a-z, 0-9 and '-'",
        64,
        |c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-',
    )
}

/// The name of an API key, a usage plan: `[A-Za-z0-9._-]{1,128}`, so that it is one path
/// segment and one shell word.
pub(crate) fn resource_name(kind: &'static str, name: &str) -> Result<(), StoreError> {
    check(
        kind,
        name,
        "1 to 128 characters from A-Z, a-z, 0-9, '.', '-' and '_'",
        128,
        |c| is_word_char(c) || c == '.',
    )
}

/// An IAM user name, as IAM: `[A-Za-z0-9+=,.@_-]{1,64}`.
pub(crate) fn principal(name: &str) -> Result<(), StoreError> {
    check(
        "principal",
        name,
        "an IAM user name: 1 to 64 characters from A-Z, a-z, 0-9 and +=,.@_-",
        64,
        |c| is_word_char(c) || "+=,.@".contains(c),
    )
}

/// A key-value namespace: 1 to 256 bytes without control characters. Any other character is
/// safe, since namespaces and keys are stored as a tuple key and never concatenated.
pub(crate) fn namespace(name: &str) -> Result<(), StoreError> {
    if name.is_empty() || name.len() > 256 || name.chars().any(char::is_control) {
        return Err(StoreError::InvalidName {
            kind: "key-value namespace",
            name: name.to_owned(),
            expected: "1 to 256 bytes without control characters",
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn function_names_follow_lambda() {
        assert!(function_name("crud").is_ok());
        assert!(function_name("My_Func-2").is_ok());
        assert!(function_name(&"a".repeat(64)).is_ok());
        assert!(function_name(&"a".repeat(65)).is_err());
        assert!(function_name("").is_err());
        assert!(function_name("a:b").is_err());
        assert!(function_name("a b").is_err());
        assert!(function_name("é").is_err());
    }

    #[test]
    fn aliases_may_not_be_all_digits() {
        assert!(alias_name("prod").is_ok());
        assert!(alias_name("v2").is_ok());
        assert!(alias_name("2v").is_ok());
        assert!(alias_name("12").is_err());
        assert!(alias_name("$LATEST").is_err());
        assert!(alias_name("").is_err());
        assert!(alias_name(&"a".repeat(129)).is_err());
    }

    #[test]
    fn stage_and_api_names() {
        assert!(stage_name("prod").is_ok());
        assert!(stage_name("v1_beta-2").is_ok());
        assert!(stage_name("a/b").is_err());
        assert!(api_id("pets-api").is_ok());
        assert!(api_id("a1b2c3d4e5").is_ok());
        assert!(api_id("Pets").is_err());
        assert!(api_id("pets_api").is_err());
        assert!(api_id("").is_err());
    }

    #[test]
    fn resource_names_and_principals() {
        assert!(resource_name("API key name", "partner-1.prod").is_ok());
        assert!(resource_name("API key name", "a b").is_err());
        assert!(resource_name("API key name", "a/b").is_err());
        assert!(resource_name("API key name", &"k".repeat(129)).is_err());
        assert!(principal("alice@example.com").is_ok());
        assert!(principal("alice smith").is_err());
        assert!(principal("").is_err());
    }

    #[test]
    fn namespaces() {
        assert!(namespace("orders").is_ok());
        assert!(namespace("a\u{0}b").is_err());
        assert!(namespace("").is_err());
        assert!(namespace(&"n".repeat(257)).is_err());
    }

    #[test]
    fn invalid_name_message_says_what_is_expected() {
        let error = function_name("a b").err().map(|e| e.to_string());
        assert_eq!(
            error.as_deref(),
            Some(
                "invalid function name `a b`: expected 1 to 64 characters from A-Z, a-z, 0-9, '-' and '_'"
            )
        );
    }
}
