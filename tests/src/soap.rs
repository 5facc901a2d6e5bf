//! A real SOAP 1.1 service for the SOAP mapping example: a temperature converter at
//! `POST /soap`, in the style of the classic .NET `tempconvert` services.
//!
//! It reads the envelope with a real XML parser (namespaces resolved, so the operation's
//! fields may be qualified or not), checks `SOAPAction` against the operation, and answers
//! a SOAP response computed from the request:
//!
//! ```text
//! CelsiusToFahrenheit(Celsius)  → <CelsiusToFahrenheitResponse xmlns="{NAMESPACE}">
//!                                   <CelsiusToFahrenheitResult>212</CelsiusToFahrenheitResult>
//! FahrenheitToCelsius(Fahrenheit) → <FahrenheitToCelsiusResponse> … <FahrenheitToCelsiusResult>
//! ```
//!
//! Anything else — a value that is not a number, an unknown operation or namespace, a
//! `SOAPAction` that does not name the operation, a body that is not a SOAP envelope —
//! answers a `soap:Fault` (`faultcode` `soap:Client`) with HTTP 500, as SOAP 1.1 requires.
//! Every request is recorded (method, path, headers, raw body) for assertions.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;

/// The SOAP 1.1 envelope namespace.
pub const SOAP_ENVELOPE_NS: &str = "http://schemas.xmlsoap.org/soap/envelope/";
/// The service's target namespace: the operations' elements must be in it.
pub const NAMESPACE: &str = "http://tollgate.example/tempconvert/";
/// The `content-type` of every answer.
pub const CONTENT_TYPE: &str = "text/xml; charset=utf-8";

/// The `SOAPAction` the service expects for `operation` (the namespace followed by the
/// operation's name, the .NET convention), without the quotes clients put around it.
pub fn soap_action(operation: &str) -> String {
    format!("{NAMESPACE}{operation}")
}

/// One request the service received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SoapRequest {
    /// `POST`, normally.
    pub method: String,
    /// The path (and query, if any) of the request line.
    pub path: String,
    /// Every header, names lower-cased, in the order received.
    pub headers: Vec<(String, String)>,
    /// The raw body, as text (lossy UTF-8).
    pub body: String,
}

impl SoapRequest {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A running SOAP service; stops when dropped.
pub struct SoapBackend {
    /// Where it listens.
    pub address: SocketAddr,
    requests: Arc<Mutex<Vec<SoapRequest>>>,
    task: tokio::task::JoinHandle<()>,
}

impl SoapBackend {
    /// Starts the service on a free loopback port.
    pub async fn start() -> SoapBackend {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("binding the SOAP backend");
        let address = listener.local_addr().expect("SOAP backend address");
        let requests = Arc::new(Mutex::new(Vec::new()));
        let recorded = requests.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let recorded = recorded.clone();
                tokio::spawn(async move {
                    let _ = auto::Builder::new(TokioExecutor::new())
                        .serve_connection(
                            TokioIo::new(stream),
                            service_fn(move |request| serve(request, recorded.clone())),
                        )
                        .await;
                });
            }
        });
        SoapBackend {
            address,
            requests,
            task,
        }
    }

    /// `ADDR` (`127.0.0.1:PORT`), e.g. for a stage variable `soapHost=ADDR`.
    pub fn host(&self) -> String {
        self.address.to_string()
    }

    /// `http://ADDR/soap`.
    pub fn url(&self) -> String {
        format!("http://{}/soap", self.address)
    }

    /// The last request received, if any.
    pub fn last_request(&self) -> Option<SoapRequest> {
        self.requests.lock().expect("requests").last().cloned()
    }

    /// Every request received, in order.
    pub fn requests(&self) -> Vec<SoapRequest> {
        self.requests.lock().expect("requests").clone()
    }
}

impl Drop for SoapBackend {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(
    request: Request<Incoming>,
    recorded: Arc<Mutex<Vec<SoapRequest>>>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let (parts, body) = request.into_parts();
    let body = body
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let received = SoapRequest {
        method: parts.method.as_str().to_owned(),
        path: parts
            .uri
            .path_and_query()
            .map_or_else(|| parts.uri.path().to_owned(), |p| p.as_str().to_owned()),
        headers: parts
            .headers
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body: String::from_utf8_lossy(&body).into_owned(),
    };
    let (status, content_type, answer) = if parts.uri.path() != "/soap" {
        (
            404,
            "text/plain",
            "no such endpoint; the service is at /soap".to_owned(),
        )
    } else if parts.method != http::Method::POST {
        (405, "text/plain", "SOAP requests are POSTs".to_owned())
    } else {
        let (status, xml) = answer(&received);
        (status, CONTENT_TYPE, xml)
    };
    recorded.lock().expect("requests").push(received);
    let response = Response::builder()
        .status(status)
        .header("content-type", content_type)
        .body(Full::new(Bytes::from(answer)))
        .expect("response");
    Ok(response)
}

/// The status and SOAP envelope the service answers to `request` (a POST to `/soap`).
pub fn answer(request: &SoapRequest) -> (u16, String) {
    match respond(request) {
        Ok(xml) => (200, xml),
        Err(message) => (500, fault("soap:Client", &message)),
    }
}

fn respond(request: &SoapRequest) -> Result<String, String> {
    let content_type = request.header("content-type").unwrap_or_default();
    if !content_type.to_ascii_lowercase().starts_with("text/xml") {
        return Err(format!(
            "a SOAP 1.1 request is text/xml; the content-type was {content_type:?}"
        ));
    }
    let operation = read_operation(&request.body)?;
    if operation.namespace.as_deref() != Some(NAMESPACE) {
        return Err(format!(
            "the operation {} is not in the namespace {NAMESPACE}: {:?}",
            operation.local, operation.namespace
        ));
    }
    let action = request.header("soapaction").ok_or("no SOAPAction header")?;
    let expected = soap_action(&operation.local);
    if action.trim().trim_matches('"') != expected {
        return Err(format!(
            "the SOAPAction {action} does not name the operation {} (expected \"{expected}\")",
            operation.local
        ));
    }
    let (input, convert): (&str, fn(f64) -> f64) = match operation.local.as_str() {
        "CelsiusToFahrenheit" => ("Celsius", |c| c * 9.0 / 5.0 + 32.0),
        "FahrenheitToCelsius" => ("Fahrenheit", |f| (f - 32.0) * 5.0 / 9.0),
        other => return Err(format!("no operation {other}")),
    };
    let text = operation
        .fields
        .iter()
        .find(|(name, _)| name == input)
        .map(|(_, text)| text.as_str())
        .ok_or_else(|| format!("{} has no {input}", operation.local))?;
    let value = text
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| format!("{input} must be a number: {text}"))?;
    let result = (convert(value) * 1e6).round() / 1e6;
    let name = &operation.local;
    Ok(envelope(&format!(
        "<{name}Response xmlns=\"{NAMESPACE}\"><{name}Result>{result}</{name}Result></{name}Response>"
    )))
}

/// A SOAP 1.1 envelope around `body`, as a .NET service writes it.
fn envelope(body: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><soap:Envelope xmlns:soap=\"{SOAP_ENVELOPE_NS}\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
         xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\"><soap:Body>{body}</soap:Body></soap:Envelope>"
    )
}

/// A `soap:Fault` envelope.
pub fn fault(code: &str, message: &str) -> String {
    envelope(&format!(
        "<soap:Fault><faultcode>{}</faultcode><faultstring>{}</faultstring></soap:Fault>",
        quick_xml::escape::escape(code),
        quick_xml::escape::escape(message)
    ))
}

/// The operation element of a request: its name and its child elements' texts.
#[derive(Debug, PartialEq)]
struct Operation {
    namespace: Option<String>,
    local: String,
    fields: Vec<(String, String)>,
}

/// Reads `soap:Envelope/soap:Body/{operation}/{field}` out of `xml`.
fn read_operation(xml: &str) -> Result<Operation, String> {
    let mut reader = NsReader::from_str(xml);
    // The local names of the open elements, outermost first, with their namespaces.
    let mut open: Vec<(Option<String>, String)> = Vec::new();
    let mut operation: Option<Operation> = None;
    let mut text = String::new();
    loop {
        let (namespace, event) = reader
            .read_resolved_event()
            .map_err(|e| format!("the request is not well-formed XML: {e}"))?;
        let namespace = match namespace {
            ResolveResult::Bound(ns) => Some(ns.0.to_owned()),
            ResolveResult::Unbound => None,
            ResolveResult::Unknown(prefix) => {
                return Err(format!("undeclared namespace prefix {prefix:?}"));
            }
        };
        let in_body = open.len() >= 2 && open[1].1 == "Body";
        match event {
            Event::Start(start) => {
                let local = start.local_name().into_inner().to_owned();
                check_position(&open, namespace.as_deref(), &local)?;
                if in_body && open.len() == 2 {
                    begin_operation(&mut operation, namespace.clone(), &local)?;
                }
                text.clear();
                open.push((namespace, local));
            }
            Event::Empty(start) => {
                let local = start.local_name().into_inner().to_owned();
                check_position(&open, namespace.as_deref(), &local)?;
                if in_body && open.len() == 2 {
                    begin_operation(&mut operation, namespace, &local)?;
                } else if in_body
                    && open.len() == 3
                    && let Some(operation) = operation.as_mut()
                {
                    operation.fields.push((local, String::new()));
                }
            }
            Event::End(_) => {
                let (_, local) = open.pop().ok_or("unmatched end tag")?;
                if in_body
                    && open.len() == 3
                    && let Some(operation) = operation.as_mut()
                {
                    operation.fields.push((local, std::mem::take(&mut text)));
                }
            }
            Event::Text(t) => {
                let t = t.xml10_content();
                if open.is_empty() && !t.trim().is_empty() {
                    return Err(
                        "the request is not well-formed XML: text outside the root element".into(),
                    );
                }
                text.push_str(&t);
            }
            Event::CData(t) => text.push_str(&t.xml10_content()),
            Event::GeneralRef(reference) => {
                if let Some(c) = reference
                    .resolve_char_ref()
                    .map_err(|e| format!("bad character reference: {e}"))?
                {
                    text.push(c);
                } else {
                    let resolved = quick_xml::escape::resolve_predefined_entity(&reference)
                        .ok_or_else(|| format!("undefined entity &{};", &*reference))?;
                    text.push_str(resolved);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    operation.ok_or_else(|| "the SOAP body holds no operation".into())
}

fn begin_operation(
    operation: &mut Option<Operation>,
    namespace: Option<String>,
    local: &str,
) -> Result<(), String> {
    if operation.is_some() {
        return Err("the SOAP body holds more than one operation".into());
    }
    *operation = Some(Operation {
        namespace,
        local: local.to_owned(),
        fields: Vec::new(),
    });
    Ok(())
}

/// Checks that an element opened inside `open` is where a SOAP request allows it: the root
/// is `soap:Envelope`, its children `soap:Header` (skipped) and `soap:Body`.
fn check_position(
    open: &[(Option<String>, String)],
    namespace: Option<&str>,
    local: &str,
) -> Result<(), String> {
    match open.len() {
        0 if namespace == Some(SOAP_ENVELOPE_NS) && local == "Envelope" => Ok(()),
        0 => Err(format!(
            "the root element is {local} in {namespace:?}, not a SOAP 1.1 Envelope"
        )),
        1 if namespace == Some(SOAP_ENVELOPE_NS) && matches!(local, "Header" | "Body") => Ok(()),
        1 => Err(format!("unexpected {local} in the SOAP envelope")),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(action: &str, body: &str) -> SoapRequest {
        SoapRequest {
            method: "POST".into(),
            path: "/soap".into(),
            headers: vec![
                ("content-type".into(), CONTENT_TYPE.into()),
                ("soapaction".into(), action.into()),
            ],
            body: body.into(),
        }
    }

    fn call(operation: &str, inner: &str) -> String {
        format!(
            "<soap:Envelope xmlns:soap=\"{SOAP_ENVELOPE_NS}\"><soap:Body>\
             <ns:{operation} xmlns:ns=\"{NAMESPACE}\">{inner}</ns:{operation}>\
             </soap:Body></soap:Envelope>"
        )
    }

    #[test]
    fn converts_celsius_and_fahrenheit() {
        let action = format!("\"{}\"", soap_action("CelsiusToFahrenheit"));
        let (status, xml) = answer(&request(
            &action,
            &call("CelsiusToFahrenheit", "<Celsius>100</Celsius>"),
        ));
        assert_eq!(status, 200, "{xml}");
        assert!(
            xml.ends_with(
                "<soap:Body><CelsiusToFahrenheitResponse xmlns=\"http://tollgate.example/tempconvert/\">\
                 <CelsiusToFahrenheitResult>212</CelsiusToFahrenheitResult>\
                 </CelsiusToFahrenheitResponse></soap:Body></soap:Envelope>"
            ),
            "{xml}"
        );
        // Qualified fields, an unquoted action, a header and a decimal result.
        let body = format!(
            "<s:Envelope xmlns:s=\"{SOAP_ENVELOPE_NS}\"><s:Header><t xmlns=\"urn:t\">1</t></s:Header>\
             <s:Body><FahrenheitToCelsius xmlns=\"{NAMESPACE}\"><Fahrenheit> 98.6 </Fahrenheit>\
             </FahrenheitToCelsius></s:Body></s:Envelope>"
        );
        let (status, xml) = answer(&request(&soap_action("FahrenheitToCelsius"), &body));
        assert_eq!(status, 200, "{xml}");
        assert!(
            xml.contains("<FahrenheitToCelsiusResult>37</FahrenheitToCelsiusResult>"),
            "{xml}"
        );
    }

    #[test]
    fn bad_input_answers_a_fault_with_500() {
        let action = soap_action("CelsiusToFahrenheit");
        let cases = [
            (
                call(
                    "CelsiusToFahrenheit",
                    "<Celsius>&lt;hot&gt; &amp; NaN</Celsius>",
                ),
                action.clone(),
                "Celsius must be a number: &lt;hot&gt; &amp; NaN",
            ),
            (
                call("CelsiusToFahrenheit", "<Kelvin>1</Kelvin>"),
                action.clone(),
                "CelsiusToFahrenheit has no Celsius",
            ),
            (
                call("CelsiusToFahrenheit", "<Celsius>1</Celsius>"),
                soap_action("FahrenheitToCelsius"),
                "does not name the operation CelsiusToFahrenheit",
            ),
            (
                call("KelvinToCelsius", "<Kelvin>1</Kelvin>"),
                soap_action("KelvinToCelsius"),
                "no operation KelvinToCelsius",
            ),
            (
                "{\"Celsius\": 1}".to_owned(),
                action.clone(),
                "not well-formed XML",
            ),
            (
                "<Envelope><Body/></Envelope>".to_owned(),
                action.clone(),
                "not a SOAP 1.1 Envelope",
            ),
        ];
        for (body, action, expected) in cases {
            let (status, xml) = answer(&request(&action, &body));
            assert_eq!(status, 500, "{body}: {xml}");
            assert!(
                xml.contains("<soap:Fault><faultcode>soap:Client</faultcode><faultstring>"),
                "{xml}"
            );
            assert!(xml.contains(expected), "{body}: {xml}");
        }
        let mut json = request(
            &action,
            &call("CelsiusToFahrenheit", "<Celsius>1</Celsius>"),
        );
        json.headers[0].1 = "application/json".into();
        let (status, xml) = answer(&json);
        assert_eq!(status, 500);
        assert!(xml.contains("a SOAP 1.1 request is text/xml"), "{xml}");
    }

    #[tokio::test]
    async fn serves_and_records_requests() {
        let backend = SoapBackend::start().await;
        let body = call("CelsiusToFahrenheit", "<Celsius>-40</Celsius>");
        let action = format!("\"{}\"", soap_action("CelsiusToFahrenheit"));
        let answer = crate::send(
            "POST",
            &backend.url(),
            &[("content-type", CONTENT_TYPE), ("SOAPAction", &action)],
            body.clone(),
        )
        .await;
        assert_eq!(answer.status, 200, "{}", answer.text());
        assert_eq!(answer.header("content-type"), Some(CONTENT_TYPE));
        assert!(
            answer
                .text()
                .contains("<CelsiusToFahrenheitResult>-40</CelsiusToFahrenheitResult>"),
            "{}",
            answer.text()
        );
        let recorded = backend.last_request().expect("a request was recorded");
        assert_eq!(recorded.method, "POST");
        assert_eq!(recorded.path, "/soap");
        assert_eq!(recorded.body, body);
        assert_eq!(recorded.header("SOAPAction"), Some(action.as_str()));

        let missing =
            crate::send("POST", &format!("http://{}/other", backend.host()), &[], "").await;
        assert_eq!(missing.status, 404);
        assert_eq!(backend.requests().len(), 2);
    }
}
