//! JSON Pointers (RFC 6901): how import errors name the member they are about, and the keys
//! of the position index. `~` is written `~0` and `/` is written `~1`; nothing else is escaped.

/// The pointer to member `token` of the value at `parent`.
pub(crate) fn child(parent: &str, token: &str) -> String {
    let mut pointer = String::with_capacity(parent.len() + token.len() + 1);
    pointer.push_str(parent);
    pointer.push('/');
    for c in token.chars() {
        match c {
            '~' => pointer.push_str("~0"),
            '/' => pointer.push_str("~1"),
            c => pointer.push(c),
        }
    }
    pointer
}

/// The pointer to element `index` of the array at `parent`.
pub(crate) fn index(parent: &str, index: usize) -> String {
    format!("{parent}/{index}")
}

/// The pointer to the value containing the one at `pointer`; `None` for the root (`""`).
pub(crate) fn parent(pointer: &str) -> Option<&str> {
    pointer.rfind('/').map(|slash| &pointer[..slash])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_slash_and_tilde_only() {
        assert_eq!(child("/paths", "/items/{id}"), "/paths/~1items~1{id}");
        assert_eq!(child("", "a~b"), "/a~0b");
        assert_eq!(index("/tags", 3), "/tags/3");
    }

    #[test]
    fn parent_walks_up_to_the_root() {
        assert_eq!(parent("/paths/~1items/get"), Some("/paths/~1items"));
        assert_eq!(parent("/paths"), Some(""));
        assert_eq!(parent(""), None);
    }
}
