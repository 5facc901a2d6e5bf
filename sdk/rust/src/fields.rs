//! Lookups in WIT `list<field>` values (headers, query strings, stage variables), shared by
//! the mapper and authorizer helpers.

/// The first value of `name` in `fields`, compared case-insensitively.
pub(crate) fn get_ignore_case<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// The first value of `name` in `fields`, compared exactly.
pub(crate) fn get_exact<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// The last value of `name` in `fields`, compared case-insensitively.
pub(crate) fn last_ignore_case<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .rfind(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// The last value of `name` in `fields`, compared exactly.
pub(crate) fn last_exact<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .rfind(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Replaces every `name` (any case) in `fields` by one `name: value`.
pub(crate) fn set_ignore_case(fields: &mut Vec<(String, String)>, name: &str, value: &str) {
    fields.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
    fields.push((name.to_owned(), value.to_owned()));
}

/// Removes every `name` (any case) from `fields`.
pub(crate) fn remove_ignore_case(fields: &mut Vec<(String, String)>, name: &str) {
    fields.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
}
