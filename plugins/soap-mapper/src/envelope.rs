//! JSON → SOAP 1.1: the request direction.
//!
//! A JSON object becomes the body of a SOAP 1.1 envelope:
//!
//! ```text
//! <soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>
//!   <ns:{operation} xmlns:ns="{namespace}">…one element per field…</ns:{operation}>
//! </soap:Body></soap:Envelope>
//! ```
//!
//! (without the line breaks: nothing is indented). A field `"k": v` becomes `<k>…</k>`:
//! a string is its XML-escaped text, a number its JSON text, a boolean `true`/`false`, `null`
//! an empty element, an object nested elements in the same way; an array repeats the element
//! once per item (`"k": [1, 2]` → `<k>1</k><k>2</k>`). With `qualified`, the fields' elements
//! are in the operation's namespace too (`<ns:k>`), as services whose schema says
//! `elementFormDefault="qualified"` (every .NET service) expect.

use serde_json::{Map, Value};

/// The SOAP 1.1 envelope namespace.
pub const SOAP_ENVELOPE_NS: &str = "http://schemas.xmlsoap.org/soap/envelope/";

/// The deepest nesting of JSON objects and arrays turned into elements.
const MAX_DEPTH: usize = 128;

/// What the request direction needs from the configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvelopeConfig {
    /// The operation: the local name of the body's element.
    pub operation: String,
    /// The operation's namespace (`xmlns:ns`).
    pub namespace: String,
    /// Whether the fields' elements are qualified with the operation's namespace.
    pub qualified: bool,
}

/// The SOAP envelope for the JSON request `body` (empty or `null`: an operation element
/// without fields). Fails, saying why, when the body is not a JSON object or holds something
/// XML cannot carry (a key that is not an XML name, a control character, arrays of arrays).
pub fn build(config: &EnvelopeConfig, body: &[u8]) -> Result<String, String> {
    check_name(&config.operation, "the operation")?;
    let fields = parse_body(body)?;
    let mut xml = String::with_capacity(256 + body.len() * 2);
    xml.push_str("<soap:Envelope xmlns:soap=\"");
    xml.push_str(SOAP_ENVELOPE_NS);
    xml.push_str("\"><soap:Body><ns:");
    xml.push_str(&config.operation);
    xml.push_str(" xmlns:ns=\"");
    push_escaped(&mut xml, &config.namespace, true)?;
    xml.push_str("\">");
    let prefix = if config.qualified { "ns:" } else { "" };
    push_fields(&mut xml, &fields, prefix, 1)?;
    xml.push_str("</ns:");
    xml.push_str(&config.operation);
    xml.push_str("></soap:Body></soap:Envelope>");
    Ok(xml)
}

/// The request body as a JSON object (an empty or whitespace-only body, or `null`, is `{}`).
fn parse_body(body: &[u8]) -> Result<Map<String, Value>, String> {
    let body = body.strip_prefix(b"\xef\xbb\xbf").unwrap_or(body);
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    let value: Value =
        serde_json::from_slice(body).map_err(|e| format!("the request body is not JSON: {e}"))?;
    match value {
        Value::Object(fields) => Ok(fields),
        Value::Null => Ok(Map::new()),
        other => Err(format!(
            "the request body must be a JSON object (its fields become the operation's \
             elements); found {}",
            kind(&other)
        )),
    }
}

fn push_fields(
    xml: &mut String,
    fields: &Map<String, Value>,
    prefix: &str,
    depth: usize,
) -> Result<(), String> {
    if depth > MAX_DEPTH {
        return Err(format!(
            "the request body nests deeper than {MAX_DEPTH} levels"
        ));
    }
    for (name, value) in fields {
        check_name(name, "a field name")?;
        match value {
            Value::Array(items) => {
                for item in items {
                    if item.is_array() {
                        return Err(format!(
                            "field \"{name}\" holds an array of arrays, which has no XML form \
                             (an array repeats its element; wrap inner arrays in objects)"
                        ));
                    }
                    push_element(xml, name, item, prefix, depth)?;
                }
            }
            value => push_element(xml, name, value, prefix, depth)?,
        }
    }
    Ok(())
}

fn push_element(
    xml: &mut String,
    name: &str,
    value: &Value,
    prefix: &str,
    depth: usize,
) -> Result<(), String> {
    xml.push('<');
    xml.push_str(prefix);
    xml.push_str(name);
    xml.push('>');
    match value {
        Value::Null => {}
        Value::Bool(b) => xml.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => xml.push_str(&n.to_string()),
        Value::String(s) => push_escaped(xml, s, false)?,
        Value::Object(fields) => push_fields(xml, fields, prefix, depth + 1)?,
        Value::Array(_) => unreachable!("arrays are expanded by push_fields"),
    }
    xml.push_str("</");
    xml.push_str(prefix);
    xml.push_str(name);
    xml.push('>');
    Ok(())
}

/// Appends `text` escaped for element content (`&`, `<`, `>`; `\r` as a character reference
/// so that it survives end-of-line normalisation) or, with `attribute`, for a double-quoted
/// attribute value (also `"`, and tabs and line breaks as references).
fn push_escaped(xml: &mut String, text: &str, attribute: bool) -> Result<(), String> {
    for c in text.chars() {
        match c {
            '&' => xml.push_str("&amp;"),
            '<' => xml.push_str("&lt;"),
            '>' => xml.push_str("&gt;"),
            '\r' => xml.push_str("&#13;"),
            '"' if attribute => xml.push_str("&quot;"),
            '\t' if attribute => xml.push_str("&#9;"),
            '\n' if attribute => xml.push_str("&#10;"),
            c if is_xml_char(c) => xml.push(c),
            c => {
                return Err(format!(
                    "the character U+{:04X} cannot appear in XML 1.0",
                    u32::from(c)
                ));
            }
        }
    }
    Ok(())
}

/// XML 1.0's `Char` production.
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Checks that `name` can be an element's local name (an XML `NCName`: a letter or `_`,
/// then letters, digits, `-`, `_`, `.`; no `:`).
fn check_name(name: &str, what: &str) -> Result<(), String> {
    let mut chars = name.chars();
    let valid = match chars.next() {
        Some(first) if first.is_alphabetic() || first == '_' => {
            chars.all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '\u{B7}'))
        }
        _ => false,
    };
    if valid {
        Ok(())
    } else {
        Err(format!(
            "{what} {name:?} is not an XML element name (a letter or `_`, then letters, \
             digits, `-`, `_` or `.`)"
        ))
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(qualified: bool) -> EnvelopeConfig {
        EnvelopeConfig {
            operation: "CelsiusToFahrenheit".into(),
            namespace: "urn:example:tempconvert".into(),
            qualified,
        }
    }

    fn wrap(inner: &str) -> String {
        format!(
            "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body>\
             <ns:CelsiusToFahrenheit xmlns:ns=\"urn:example:tempconvert\">{inner}\
             </ns:CelsiusToFahrenheit></soap:Body></soap:Envelope>"
        )
    }

    #[test]
    fn fields_become_elements_in_order() {
        let xml = build(&config(false), br#"{"Celsius": 100, "unit": "C"}"#).unwrap();
        assert_eq!(xml, wrap("<Celsius>100</Celsius><unit>C</unit>"));
    }

    #[test]
    fn qualified_fields_take_the_operation_prefix() {
        let xml = build(&config(true), br#"{"Celsius": 100, "o": {"a": 1}}"#).unwrap();
        assert_eq!(
            xml,
            wrap("<ns:Celsius>100</ns:Celsius><ns:o><ns:a>1</ns:a></ns:o>")
        );
    }

    #[test]
    fn nested_objects_nest_and_arrays_repeat() {
        let body =
            br#"{"order": {"id": 7, "lines": [{"sku": "a"}, {"sku": "b"}], "tags": ["x", "y"]}}"#;
        let xml = build(&config(false), body).unwrap();
        assert_eq!(
            xml,
            wrap(
                "<order><id>7</id><lines><sku>a</sku></lines><lines><sku>b</sku></lines>\
                 <tags>x</tags><tags>y</tags></order>"
            )
        );
    }

    #[test]
    fn scalars_have_their_json_text_and_null_is_empty() {
        let body = br#"{"t": true, "f": false, "n": null, "x": -1.5e3, "e": "", "o": {}, "a": []}"#;
        let xml = build(&config(false), body).unwrap();
        assert_eq!(
            xml,
            wrap("<t>true</t><f>false</f><n></n><x>-1500.0</x><e></e><o></o>")
        );
    }

    #[test]
    fn text_is_escaped() {
        let body = br#"{"q": "<a href=\"x\">Tom & 'Jerry'</a>\r\n\t"}"#;
        let xml = build(&config(false), body).unwrap();
        assert_eq!(
            xml,
            wrap("<q>&lt;a href=\"x\"&gt;Tom &amp; 'Jerry'&lt;/a&gt;&#13;\n\t</q>")
        );
    }

    #[test]
    fn the_namespace_is_escaped_as_an_attribute() {
        let config = EnvelopeConfig {
            operation: "Op".into(),
            namespace: "urn:a\"b&c<d".into(),
            qualified: false,
        };
        let xml = build(&config, b"{}").unwrap();
        assert!(
            xml.contains("<ns:Op xmlns:ns=\"urn:a&quot;b&amp;c&lt;d\"></ns:Op>"),
            "{xml}"
        );
    }

    #[test]
    fn empty_and_null_bodies_give_an_empty_operation() {
        for body in [&b""[..], b"  \n", b"null", b"{}", b"\xef\xbb\xbf{}"] {
            assert_eq!(build(&config(false), body).unwrap(), wrap(""), "{body:?}");
        }
    }

    #[test]
    fn unicode_passes_through() {
        let xml = build(&config(false), "{\"città\": \"Zürich ☃ 𝄞\"}".as_bytes()).unwrap();
        assert_eq!(xml, wrap("<città>Zürich ☃ 𝄞</città>"));
    }

    #[test]
    fn what_xml_cannot_carry_is_refused() {
        let cases: &[(&[u8], &str)] = &[
            (b"[1, 2]", "must be a JSON object"),
            (b"42", "found a number"),
            (b"{not json", "not JSON"),
            (br#"{"a b": 1}"#, "\"a b\" is not an XML element name"),
            (br#"{"1st": 1}"#, "\"1st\" is not an XML element name"),
            (br#"{"ns:x": 1}"#, "\"ns:x\" is not an XML element name"),
            (br#"{"": 1}"#, "\"\" is not an XML element name"),
            (br#"{"a": [[1]]}"#, "array of arrays"),
            (br#"{"a": "\u0001"}"#, "U+0001 cannot appear in XML"),
        ];
        for (body, expected) in cases {
            let error = build(&config(false), body).unwrap_err();
            assert!(
                error.contains(expected),
                "{}: {error}",
                String::from_utf8_lossy(body)
            );
        }
        let bad_operation = EnvelopeConfig {
            operation: "Do It".into(),
            ..config(false)
        };
        assert!(
            build(&bad_operation, b"{}")
                .unwrap_err()
                .contains("the operation")
        );
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let depth = MAX_DEPTH + 1;
        let body = format!("{}1{}", r#"{"a":"#.repeat(depth), "}".repeat(depth));
        // serde_json refuses at 128 levels itself; either way it is an error, not a crash.
        assert!(build(&config(false), body.as_bytes()).is_err());
    }
}
