//! SOAP → JSON: the response direction.
//!
//! The envelope's `Body` holds one element (the operation's response, e.g.
//! `<CelsiusToFahrenheitResponse>`); its children become a JSON object, by local name
//! (namespace prefixes are dropped):
//!
//! - an element with child elements becomes an object, a leaf its text (a string; with
//!   `numbers`, a text that is a JSON number and reads back the same becomes a number);
//!   `xsi:nil="true"` is `null`;
//! - an element name repeated among siblings becomes an array of their values, in order;
//! - attributes, comments, processing instructions and the text between child elements are
//!   dropped; CDATA is text; entity and character references are resolved.
//!
//! A `Fault` in the body (SOAP 1.1 `faultcode`/`faultstring`, or SOAP 1.2 `Code/Value` and
//! `Reason/Text`) becomes [`Answer::Fault`].

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;
use serde_json::{Map, Value};

use crate::envelope::SOAP_ENVELOPE_NS;

/// The SOAP 1.2 envelope namespace (read too, so that a 1.2 service's faults map the same).
const SOAP12_ENVELOPE_NS: &str = "http://www.w3.org/2003/05/soap-envelope";
/// XML Schema instance, for `xsi:nil`.
const XSI_NS: &str = "http://www.w3.org/2001/XMLSchema-instance";
/// The deepest element nesting accepted.
const MAX_DEPTH: usize = 128;

/// A SOAP answer, read.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// The body's first element's children, as a JSON object (`{}` for an empty body).
    Body(Value),
    /// A `soap:Fault`.
    Fault {
        /// `faultcode` (1.1) or `Code/Value` (1.2), as written (e.g. `soap:Client`).
        code: String,
        /// `faultstring` (1.1) or `Reason/Text` (1.2).
        message: String,
    },
}

impl Answer {
    /// The JSON the client gets: the body's object, or `{"fault": {"code", "message"}}`.
    pub fn to_json(&self) -> Value {
        match self {
            Answer::Body(value) => value.clone(),
            Answer::Fault { code, message } => serde_json::json!({
                "fault": { "code": code, "message": message }
            }),
        }
    }
}

/// One element, read into memory.
#[derive(Debug, Default)]
struct Element {
    /// The namespace the element's name is bound to, if any.
    namespace: Option<String>,
    local: String,
    nil: bool,
    children: Vec<Element>,
    /// Character data directly inside the element (text and CDATA, references resolved).
    text: String,
}

impl Element {
    fn child(&self, local: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.local == local)
    }
}

/// Reads a SOAP answer. Fails, saying why, when `xml` is not a well-formed SOAP envelope
/// with a `Body`.
pub fn read(xml: &str, numbers: bool) -> Result<Answer, String> {
    let xml = xml.strip_prefix('\u{feff}').unwrap_or(xml);
    if xml.trim().is_empty() {
        return Ok(Answer::Body(Value::Object(Map::new())));
    }
    let envelope = parse(xml)?;
    let envelope_ns = envelope.namespace.as_deref().unwrap_or_default();
    if envelope.local != "Envelope"
        || ![SOAP_ENVELOPE_NS, SOAP12_ENVELOPE_NS].contains(&envelope_ns)
    {
        return Err(format!(
            "the answer is not a SOAP envelope: its root element is {}",
            describe(&envelope)
        ));
    }
    let body = envelope
        .children
        .iter()
        .find(|c| c.local == "Body" && c.namespace == envelope.namespace)
        .ok_or("the SOAP envelope has no Body")?;
    let Some(first) = body.children.first() else {
        return Ok(Answer::Body(Value::Object(Map::new())));
    };
    if first.local == "Fault" && first.namespace == envelope.namespace {
        return Ok(fault(first));
    }
    Ok(Answer::Body(Value::Object(object(first, numbers))))
}

fn fault(fault: &Element) -> Answer {
    let text = |path: &[&str]| {
        let mut element = Some(fault);
        for local in path {
            element = element.and_then(|e| e.child(local));
        }
        element
            .map(|e| e.text.trim().to_owned())
            .unwrap_or_default()
    };
    if fault.child("faultcode").is_some() || fault.child("faultstring").is_some() {
        Answer::Fault {
            code: text(&["faultcode"]),
            message: text(&["faultstring"]),
        }
    } else {
        Answer::Fault {
            code: text(&["Code", "Value"]),
            message: text(&["Reason", "Text"]),
        }
    }
}

/// The children of `element` as an object, in document order of each name's first
/// occurrence: a name that occurs more than once becomes an array of its values.
fn object(element: &Element, numbers: bool) -> Map<String, Value> {
    let mut counts: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for child in &element.children {
        *counts.entry(&child.local).or_default() += 1;
    }
    let mut fields = Map::new();
    for child in &element.children {
        let value = value(child, numbers);
        if counts[child.local.as_str()] > 1 {
            let items = fields
                .entry(child.local.clone())
                .or_insert_with(|| Value::Array(Vec::new()));
            if let Value::Array(items) = items {
                items.push(value);
            }
        } else {
            fields.insert(child.local.clone(), value);
        }
    }
    fields
}

fn value(element: &Element, numbers: bool) -> Value {
    if element.nil {
        Value::Null
    } else if !element.children.is_empty() {
        Value::Object(object(element, numbers))
    } else if numbers && let Some(number) = number(&element.text) {
        Value::Number(number)
    } else {
        Value::String(element.text.clone())
    }
}

/// `text` as a JSON number, when it is one and writing the number back gives `text` again
/// (so `007`, `1e3` or a number too large for 64 bits stay strings).
fn number(text: &str) -> Option<serde_json::Number> {
    let number: serde_json::Number = serde_json::from_str(text).ok()?;
    (number.to_string() == text).then_some(number)
}

fn describe(element: &Element) -> String {
    match &element.namespace {
        Some(ns) => format!("{{{ns}}}{}", element.local),
        None => element.local.clone(),
    }
}

/// Reads the whole document into a tree and returns its root element.
fn parse(xml: &str) -> Result<Element, String> {
    let mut reader = NsReader::from_str(xml);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let (namespace, event) = reader
            .read_resolved_event()
            .map_err(|e| format!("the answer is not well-formed XML: {e}"))?;
        let namespace = match namespace {
            ResolveResult::Bound(ns) => Some(ns.0.to_owned()),
            ResolveResult::Unbound => None,
            ResolveResult::Unknown(prefix) => {
                return Err(format!(
                    "the answer uses the undeclared namespace prefix {prefix:?}"
                ));
            }
        };
        match event {
            Event::Start(_) | Event::Empty(_) if root.is_some() => {
                return Err("the answer has more than one root element".into());
            }
            Event::Start(start) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(format!("the answer nests deeper than {MAX_DEPTH} elements"));
                }
                stack.push(element(&reader, &start, namespace)?);
            }
            Event::Empty(start) => {
                let element = element(&reader, &start, namespace)?;
                close(&mut stack, &mut root, element);
            }
            Event::End(_) => {
                let element = stack.pop().ok_or("the answer has an unmatched end tag")?;
                close(&mut stack, &mut root, element);
            }
            Event::Text(text) => {
                let text = text.xml10_content();
                match stack.last_mut() {
                    Some(top) => top.text.push_str(&text),
                    None if text.trim().is_empty() => {}
                    None => {
                        return Err(
                            "the answer is not well-formed XML: text outside the root element"
                                .into(),
                        );
                    }
                }
            }
            Event::CData(cdata) => match stack.last_mut() {
                Some(top) => top.text.push_str(&cdata.xml10_content()),
                None => return Err("the answer has CDATA outside its root element".into()),
            },
            Event::GeneralRef(reference) => {
                let Some(top) = stack.last_mut() else {
                    return Err("the answer has a reference outside its root element".into());
                };
                if let Some(c) = reference
                    .resolve_char_ref()
                    .map_err(|e| format!("the answer has a bad character reference: {e}"))?
                {
                    top.text.push(c);
                } else if let Some(text) = quick_xml::escape::resolve_predefined_entity(&reference)
                {
                    top.text.push_str(text);
                } else {
                    return Err(format!(
                        "the answer uses the undefined entity &{};",
                        &*reference
                    ));
                }
            }
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }
    if !stack.is_empty() {
        return Err("the answer ends before its root element is closed".into());
    }
    root.ok_or_else(|| "the answer has no root element".into())
}

fn element(
    reader: &NsReader<&[u8]>,
    start: &BytesStart<'_>,
    namespace: Option<String>,
) -> Result<Element, String> {
    let mut nil = false;
    for attribute in start.attributes() {
        let attribute =
            attribute.map_err(|e| format!("the answer has a malformed attribute: {e}"))?;
        let (attribute_ns, local) = reader.resolver().resolve_attribute(attribute.key);
        if local.into_inner() == "nil"
            && matches!(attribute_ns, ResolveResult::Bound(ns) if ns.0 == XSI_NS)
        {
            let value = attribute
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map_err(|e| format!("the answer has a malformed attribute: {e}"))?;
            nil = matches!(value.trim(), "true" | "1");
        }
    }
    Ok(Element {
        namespace,
        local: start.local_name().into_inner().to_owned(),
        nil,
        ..Element::default()
    })
}

fn close(stack: &mut [Element], root: &mut Option<Element>, element: Element) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(element),
        None => *root = Some(element),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn envelope(body: &str) -> String {
        format!(
            r#"<?xml version="1.0" encoding="utf-8"?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <soap:Body>{body}</soap:Body>
</soap:Envelope>"#
        )
    }

    fn body(xml: &str, numbers: bool) -> Value {
        match read(xml, numbers).unwrap() {
            Answer::Body(value) => value,
            fault => panic!("expected a body, got {fault:?}"),
        }
    }

    #[test]
    fn the_first_elements_children_become_an_object() {
        let xml = envelope(
            r#"<CelsiusToFahrenheitResponse xmlns="urn:example:tempconvert">
                 <CelsiusToFahrenheitResult>212</CelsiusToFahrenheitResult>
               </CelsiusToFahrenheitResponse>"#,
        );
        assert_eq!(
            body(&xml, false),
            json!({"CelsiusToFahrenheitResult": "212"})
        );
        assert_eq!(body(&xml, true), json!({"CelsiusToFahrenheitResult": 212}));
    }

    #[test]
    fn nested_elements_become_objects_and_repeated_ones_arrays() {
        let xml = envelope(
            r#"<m:GetOrderResponse xmlns:m="urn:orders">
                 <m:order>
                   <m:id>7</m:id>
                   <m:line><m:sku>a</m:sku><m:qty>1</m:qty></m:line>
                   <m:line><m:sku>b</m:sku><m:qty>2</m:qty></m:line>
                   <m:line><m:sku>c</m:sku><m:qty>3</m:qty></m:line>
                   <m:note/>
                 </m:order>
                 <m:status>ok</m:status>
               </m:GetOrderResponse>"#,
        );
        assert_eq!(
            body(&xml, false),
            json!({
                "order": {
                    "id": "7",
                    "line": [
                        {"sku": "a", "qty": "1"},
                        {"sku": "b", "qty": "2"},
                        {"sku": "c", "qty": "3"}
                    ],
                    "note": ""
                },
                "status": "ok"
            })
        );
    }

    #[test]
    fn numbers_convert_only_when_they_read_back_the_same() {
        let xml = envelope(
            "<R><a>42</a><b>-1.5</b><c>007</c><d>1e3</d><e>12345678901234567890123</e>\
             <f> 5</f><g>abc</g><h>0</h><i>true</i></R>",
        );
        assert_eq!(
            body(&xml, true),
            json!({"a": 42, "b": -1.5, "c": "007", "d": "1e3", "e": "12345678901234567890123",
                   "f": " 5", "g": "abc", "h": 0, "i": "true"})
        );
        assert_eq!(body(&xml, false)["a"], json!("42"));
    }

    #[test]
    fn text_is_unescaped_and_cdata_is_text() {
        let xml = envelope(
            "<R><t>Tom &amp; &lt;Jerry&gt; &quot;&apos; &#65;&#x42;</t>\
             <c><![CDATA[<raw> & ]]>tail</c></R>",
        );
        assert_eq!(
            body(&xml, false),
            json!({"t": "Tom & <Jerry> \"' AB", "c": "<raw> & tail"})
        );
    }

    #[test]
    fn xsi_nil_is_null_and_attributes_are_dropped() {
        let xml =
            envelope(r#"<R><a xsi:nil="true"/><b unit="C">5</b><c xsi:nil="false">x</c></R>"#);
        assert_eq!(body(&xml, false), json!({"a": null, "b": "5", "c": "x"}));
    }

    #[test]
    fn headers_are_skipped_and_empty_bodies_are_empty_objects() {
        let xml = r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/">
            <s:Header><t:Trace xmlns:t="urn:t">1</t:Trace></s:Header>
            <s:Body><R><a>1</a></R></s:Body></s:Envelope>"#;
        assert_eq!(body(xml, false), json!({"a": "1"}));
        assert_eq!(body(&envelope(""), false), json!({}));
        assert_eq!(body(&envelope("<R/>"), false), json!({}));
        assert_eq!(body("", false), json!({}));
    }

    #[test]
    fn soap_1_1_faults() {
        let xml = envelope(
            "<soap:Fault><faultcode>soap:Client</faultcode>\
             <faultstring>Celsius must be a number: &lt;x&gt;</faultstring>\
             <detail><e>1</e></detail></soap:Fault>",
        );
        let answer = read(&xml, true).unwrap();
        assert_eq!(
            answer,
            Answer::Fault {
                code: "soap:Client".into(),
                message: "Celsius must be a number: <x>".into()
            }
        );
        assert_eq!(
            answer.to_json(),
            json!({"fault": {"code": "soap:Client", "message": "Celsius must be a number: <x>"}})
        );
    }

    #[test]
    fn soap_1_2_faults() {
        let xml = r#"<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope">
            <env:Body><env:Fault>
              <env:Code><env:Value>env:Sender</env:Value></env:Code>
              <env:Reason><env:Text xml:lang="en">bad input</env:Text></env:Reason>
            </env:Fault></env:Body></env:Envelope>"#;
        assert_eq!(
            read(xml, false).unwrap(),
            Answer::Fault {
                code: "env:Sender".into(),
                message: "bad input".into()
            }
        );
    }

    #[test]
    fn a_fault_element_outside_the_envelope_namespace_is_data() {
        let xml = envelope(r#"<Fault xmlns="urn:app"><faultcode>x</faultcode></Fault>"#);
        assert_eq!(body(&xml, false), json!({"faultcode": "x"}));
    }

    #[test]
    fn what_is_not_a_soap_envelope_is_refused() {
        let cases = [
            ("{\"json\": true}", "not well-formed XML"),
            (
                "<html><body>502 Bad Gateway</body></html>",
                "not a SOAP envelope",
            ),
            (
                "<Envelope><Body/></Envelope>",
                "not a SOAP envelope: its root element is Envelope",
            ),
            (
                r#"<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"/>"#,
                "no Body",
            ),
            (
                r#"<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>"#,
                "ends before",
            ),
            ("<a></b>", "not well-formed"),
            ("<x:a/>", "undeclared namespace prefix"),
            ("<a/><b/>", "more than one root"),
            ("<a>&custom;</a>", "undefined entity"),
        ];
        for (xml, expected) in cases {
            let error = read(xml, false).unwrap_err();
            assert!(error.contains(expected), "{xml}: {error}");
        }
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let xml = format!("{}{}", "<a>".repeat(100_000), "</a>".repeat(100_000));
        assert!(read(&xml, false).unwrap_err().contains("deeper than"));
    }
}
