//! `$util`: API Gateway's utility functions, byte-exact with the Java they are built on.
//!
//! - `escapeJavaScript` is Apache Commons Lang 2's `StringEscapeUtils.escapeJavaScript`: it
//!   escapes `'` as `\'` and `/` as `\/` (neither is a JSON escape: `\'` is invalid JSON,
//!   which is why AWS documents `.replaceAll("\\'","'")` after it), control characters as
//!   `\b \n \t \f \r` or `\u00XX`, and every non-ASCII UTF-16 unit as `\uXXXX` (upper-case hex;
//!   characters outside the BMP become two escaped surrogates).
//! - `urlEncode`/`urlDecode` are `java.net.URLEncoder`/`URLDecoder` with UTF-8:
//!   `application/x-www-form-urlencoded`, space ↔ `+`, unreserved `a-zA-Z0-9.-*_`.
//! - `base64Encode`/`base64Decode` are standard Base64 with padding over UTF-8.

use std::fmt::Write as _;

use base64::Engine as _;

/// `StringEscapeUtils.escapeJavaScript` (Commons Lang 2.x).
pub(crate) fn escape_javascript(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    for unit in s.encode_utf16() {
        match unit {
            0x08 => out.push_str("\\b"),
            0x0a => out.push_str("\\n"),
            0x09 => out.push_str("\\t"),
            0x0c => out.push_str("\\f"),
            0x0d => out.push_str("\\r"),
            0x27 => out.push_str("\\'"),
            0x22 => out.push_str("\\\""),
            0x5c => out.push_str("\\\\"),
            0x2f => out.push_str("\\/"),
            u if u < 0x20 => {
                let _ = write!(out, "\\u{u:04X}");
            }
            u if u > 0x7f => {
                let _ = write!(out, "\\u{u:04X}");
            }
            u => out.push(u as u8 as char),
        }
    }
    out
}

/// `URLEncoder.encode(s, "UTF-8")`.
pub(crate) fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'.' | b'-' | b'*' | b'_' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            b => {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
    out
}

/// `URLDecoder.decode(s, "UTF-8")`: `+` is a space, `%XX` a byte; a malformed escape is an
/// error (`IllegalArgumentException` in Java).
pub(crate) fn url_decode(s: &str) -> Result<String, String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b'%' => {
                let hex = bytes.get(i + 1..i + 3).ok_or_else(|| {
                    "URLDecoder: Incomplete trailing escape (%) pattern".to_owned()
                })?;
                let hex = std::str::from_utf8(hex).map_err(|_| {
                    "URLDecoder: Illegal hex characters in escape (%) pattern".to_owned()
                })?;
                let byte = u8::from_str_radix(hex, 16).map_err(|_| {
                    format!("URLDecoder: Illegal hex characters in escape (%) pattern - For input string: \"{hex}\"")
                })?;
                out.push(byte);
                i += 3;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

pub(crate) fn base64_encode(s: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(s.as_bytes())
}

/// Decodes standard Base64 (padding optional, as Java's MIME-tolerant decoders accept) into
/// UTF-8 text; malformed input is an error.
pub(crate) fn base64_decode(s: &str) -> Result<String, String> {
    let cleaned: String = s.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let engine = base64::engine::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
    );
    let bytes = engine
        .decode(cleaned.as_bytes())
        .map_err(|e| format!("base64Decode: {e}"))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_javascript_matches_commons_lang() {
        assert_eq!(
            escape_javascript(r#"He didn't say "stop"/go"#),
            r#"He didn\'t say \"stop\"\/go"#
        );
        assert_eq!(escape_javascript("a\nb\tc\u{1}"), "a\\nb\\tc\\u0001");
        assert_eq!(escape_javascript("é€😀"), "\\u00E9\\u20AC\\uD83D\\uDE00");
    }

    #[test]
    fn url_encoding_is_form_encoding() {
        assert_eq!(url_encode("a b&c=d/é*~"), "a+b%26c%3Dd%2F%C3%A9*%7E");
        assert_eq!(url_decode("a+b%26c").unwrap(), "a b&c");
        assert!(url_decode("%zz").is_err());
    }
}
