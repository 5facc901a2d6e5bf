//! `soap-mapper`: a mapper (world `mapper`) that puts a SOAP service behind a JSON API — the
//! first of the mapping examples (`plugins/soap-mapper/openapi.yaml`, README.md next to it).
//!
//! - **Request**: the JSON body becomes a SOAP 1.1 envelope whose body is the element
//!   `<ns:{operation} xmlns:ns="{namespace}">` with one child element per field
//!   ([`envelope`]); the request gets `content-type: text/xml; charset=utf-8` and
//!   `SOAPAction: "{soap-action}"`.
//! - **Response**: the children of the SOAP body's first element become a JSON object
//!   ([`answer`]); a `soap:Fault` becomes `{"fault": {"code", "message"}}` with status 502
//!   unless the status already is an error (≥ 400). `content-type: application/json`.
//!
//! Configuration (the `x-tollgate-mapper` extension's `config`, read through the `config`
//! host interface), every value a string:
//!
//! | key | direction | meaning |
//! | --- | --- | --- |
//! | `operation` | request, required | the operation element's local name, e.g. `CelsiusToFahrenheit` |
//! | `namespace` | request, required | the operation's namespace URI |
//! | `soap-action` | request | the `SOAPAction` value, sent quoted (SOAP 1.1 §6.1.1); default `""` |
//! | `qualified` | request | `true`: the fields' elements are in the operation's namespace too (`<ns:Celsius>`), as .NET services expect; default `false` |
//! | `numbers` | response | `true`: a leaf whose text is a JSON number becomes a number; default `false` (strings) |
//!
//! A mapping that cannot be done (a body that is not a JSON object, an answer that is not a
//! SOAP envelope, a missing `operation`) is an `Err`: the gateway answers 500 and logs why.

pub mod answer;
pub mod envelope;

use envelope::EnvelopeConfig;
use tollgate_sdk::{HttpRequest, HttpResponse, Mapper, RequestContext, config};

/// What the request direction sends as `content-type`.
pub const SOAP_CONTENT_TYPE: &str = "text/xml; charset=utf-8";

/// The status a fault answers with when the integration response's status is not an error.
pub const FAULT_STATUS: u16 = 502;

/// The request direction's configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestConfig {
    /// Operation, namespace, element form.
    pub envelope: EnvelopeConfig,
    /// The `SOAPAction` header's value, already quoted.
    pub soap_action: String,
}

impl RequestConfig {
    /// Reads the configuration through `get` (the `config` interface's `get`).
    pub fn read(get: impl Fn(&str) -> Option<String>) -> Result<RequestConfig, String> {
        let required = |key: &str| {
            get(key).filter(|v| !v.is_empty()).ok_or_else(|| {
                format!(
                    "the mapper's configuration has no `{key}` (x-tollgate-mapper.config.{key})"
                )
            })
        };
        let soap_action = get("soap-action").unwrap_or_default();
        if soap_action.chars().any(char::is_control) {
            return Err(format!(
                "the mapper's configuration `soap-action` cannot be a header value: {soap_action:?}"
            ));
        }
        Ok(RequestConfig {
            envelope: EnvelopeConfig {
                operation: required("operation")?,
                namespace: required("namespace")?,
                qualified: flag(&get, "qualified")?,
            },
            soap_action: quote(&soap_action),
        })
    }
}

/// The response direction's configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResponseConfig {
    /// Whether numeric leaf texts become JSON numbers.
    pub numbers: bool,
}

impl ResponseConfig {
    /// Reads the configuration through `get`.
    pub fn read(get: impl Fn(&str) -> Option<String>) -> Result<ResponseConfig, String> {
        Ok(ResponseConfig {
            numbers: flag(&get, "numbers")?,
        })
    }
}

/// A boolean configuration value: `true`/`false` in any case; absent is false.
fn flag(get: &impl Fn(&str) -> Option<String>, key: &str) -> Result<bool, String> {
    match get(key) {
        None => Ok(false),
        Some(value) if value.eq_ignore_ascii_case("true") => Ok(true),
        Some(value) if value.eq_ignore_ascii_case("false") || value.is_empty() => Ok(false),
        Some(value) => Err(format!(
            "the mapper's configuration `{key}` must be \"true\" or \"false\"; found {value:?}"
        )),
    }
}

/// SOAP 1.1's `SOAPAction` is a quoted string; a value already quoted is kept as is.
fn quote(action: &str) -> String {
    if action.len() >= 2 && action.starts_with('"') && action.ends_with('"') {
        action.to_owned()
    } else {
        format!("\"{action}\"")
    }
}

/// The exported mapper.
pub struct SoapMapper;

impl Mapper for SoapMapper {
    fn map_request(
        mut request: HttpRequest,
        _context: RequestContext,
    ) -> Result<HttpRequest, String> {
        let config = RequestConfig::read(config::get).map_err(prefixed)?;
        request.body = request_body(&config, &request.body).map_err(prefixed)?;
        request.remove_header("content-length");
        request.set_header("content-type", SOAP_CONTENT_TYPE);
        request.set_header("SOAPAction", &config.soap_action);
        Ok(request)
    }

    fn map_response(
        mut response: HttpResponse,
        _context: RequestContext,
    ) -> Result<HttpResponse, String> {
        let config = ResponseConfig::read(config::get).map_err(prefixed)?;
        let (status, body) =
            response_body(config, response.status, &response.body).map_err(prefixed)?;
        response.status = status;
        response.body = body;
        response.remove_header("content-length");
        response.set_header("content-type", "application/json");
        Ok(response)
    }
}

tollgate_sdk::export_mapper!(SoapMapper);

/// Errors name the plugin, so that the gateway log says which mapper failed.
fn prefixed(message: String) -> String {
    format!("soap-mapper: {message}")
}

/// The request direction on plain values: the SOAP envelope for the JSON body `json`.
pub fn request_body(config: &RequestConfig, json: &[u8]) -> Result<Vec<u8>, String> {
    envelope::build(&config.envelope, json).map(String::into_bytes)
}

/// The response direction on plain values: the status and JSON body the client gets for an
/// integration response of `status` with body `xml`.
pub fn response_body(
    config: ResponseConfig,
    status: u16,
    xml: &[u8],
) -> Result<(u16, Vec<u8>), String> {
    let xml =
        std::str::from_utf8(xml).map_err(|e| format!("the SOAP answer is not UTF-8 text: {e}"))?;
    let answer = answer::read(xml, config.numbers)?;
    let status = match answer {
        answer::Answer::Fault { .. } if status < 400 => FAULT_STATUS,
        _ => status,
    };
    let json = serde_json::to_vec(&answer.to_json())
        .map_err(|e| format!("cannot write the JSON answer: {e}"))?;
    Ok((status, json))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tollgate_sdk::Identity;

    fn context() -> RequestContext {
        RequestContext {
            request_id: "r-1".into(),
            api_id: "tempconvert".into(),
            stage: "dev".into(),
            resource_path: "/convert".into(),
            http_method: "POST".into(),
            identity: Identity {
                source_ip: "127.0.0.1".into(),
                user_agent: None,
                api_key: None,
            },
            stage_variables: vec![],
            authorizer: vec![],
            request_time_epoch: 0,
        }
    }

    fn configure(extra: &[(&str, &str)]) {
        let mut entries = vec![
            ("operation", "CelsiusToFahrenheit"),
            ("namespace", "http://tollgate.example/tempconvert/"),
            (
                "soap-action",
                "http://tollgate.example/tempconvert/CelsiusToFahrenheit",
            ),
        ];
        entries.extend_from_slice(extra);
        config::set_for_testing(entries);
    }

    fn request(body: &str) -> HttpRequest {
        HttpRequest {
            method: "POST".into(),
            path: "/convert".into(),
            query: vec![("q".into(), "1".into())],
            headers: vec![
                ("Content-Type".into(), "application/json".into()),
                ("Content-Length".into(), body.len().to_string()),
                ("X-Kept".into(), "yes".into()),
            ],
            body: body.as_bytes().to_vec(),
        }
    }

    fn response(status: u16, xml: &str) -> HttpResponse {
        HttpResponse {
            status,
            headers: vec![
                ("Content-Type".into(), "text/xml; charset=utf-8".into()),
                ("Content-Length".into(), xml.len().to_string()),
            ],
            body: xml.as_bytes().to_vec(),
        }
    }

    const ANSWER: &str = r#"<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><CelsiusToFahrenheitResponse xmlns="http://tollgate.example/tempconvert/"><CelsiusToFahrenheitResult>212</CelsiusToFahrenheitResult></CelsiusToFahrenheitResponse></soap:Body></soap:Envelope>"#;

    const FAULT: &str = r#"<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault><faultcode>soap:Client</faultcode><faultstring>Celsius must be a number: hot</faultstring></soap:Fault></soap:Body></soap:Envelope>"#;

    #[test]
    fn map_request_makes_the_envelope_and_soap_headers() {
        configure(&[]);
        let mapped = SoapMapper::map_request(request(r#"{"Celsius": 100}"#), context()).unwrap();
        assert_eq!(
            mapped.body_text(),
            Some(
                "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body>\
                 <ns:CelsiusToFahrenheit xmlns:ns=\"http://tollgate.example/tempconvert/\">\
                 <Celsius>100</Celsius></ns:CelsiusToFahrenheit></soap:Body></soap:Envelope>"
            )
        );
        assert_eq!(mapped.header("content-type"), Some(SOAP_CONTENT_TYPE));
        assert_eq!(
            mapped.header("soapaction"),
            Some("\"http://tollgate.example/tempconvert/CelsiusToFahrenheit\"")
        );
        assert_eq!(
            mapped.header("content-length"),
            None,
            "the body changed length"
        );
        assert_eq!(mapped.header("x-kept"), Some("yes"));
        assert_eq!(
            (mapped.method.as_str(), mapped.path.as_str()),
            ("POST", "/convert")
        );
        assert_eq!(mapped.query, vec![("q".to_owned(), "1".to_owned())]);
    }

    #[test]
    fn configuration_shapes_the_request() {
        configure(&[("qualified", "TRUE"), ("soap-action", "\"urn:quoted\"")]);
        let mapped = SoapMapper::map_request(request(r#"{"Celsius": 1}"#), context()).unwrap();
        assert!(
            mapped
                .body_text()
                .unwrap()
                .contains("<ns:Celsius>1</ns:Celsius>")
        );
        assert_eq!(mapped.header("SOAPAction"), Some("\"urn:quoted\""));

        config::set_for_testing([("operation", "Ping"), ("namespace", "urn:p")]);
        let mapped = SoapMapper::map_request(request(""), context()).unwrap();
        assert_eq!(mapped.header("SOAPAction"), Some("\"\""));
        assert!(
            mapped
                .body_text()
                .unwrap()
                .contains("<ns:Ping xmlns:ns=\"urn:p\"></ns:Ping>")
        );
    }

    #[test]
    fn missing_or_bad_configuration_is_an_error() {
        config::set_for_testing([("namespace", "urn:p")]);
        let error = SoapMapper::map_request(request("{}"), context()).unwrap_err();
        assert!(
            error.starts_with("soap-mapper: ") && error.contains("`operation`"),
            "{error}"
        );
        configure(&[("qualified", "yes")]);
        let error = SoapMapper::map_request(request("{}"), context()).unwrap_err();
        assert!(error.contains("`qualified` must be"), "{error}");
        configure(&[("soap-action", "urn:a\r\nX-Injected: 1")]);
        let error = SoapMapper::map_request(request("{}"), context()).unwrap_err();
        assert!(error.contains("cannot be a header value"), "{error}");
        configure(&[("numbers", "1")]);
        let error = SoapMapper::map_response(response(200, ANSWER), context()).unwrap_err();
        assert!(error.contains("`numbers` must be"), "{error}");
    }

    #[test]
    fn a_body_that_is_not_an_object_is_an_error() {
        configure(&[]);
        let error = SoapMapper::map_request(request("[1]"), context()).unwrap_err();
        assert!(error.contains("must be a JSON object"), "{error}");
    }

    #[test]
    fn map_response_makes_json() {
        configure(&[]);
        let mapped = SoapMapper::map_response(response(200, ANSWER), context()).unwrap();
        assert_eq!(mapped.status, 200);
        assert_eq!(
            mapped.body_text(),
            Some(r#"{"CelsiusToFahrenheitResult":"212"}"#)
        );
        assert_eq!(mapped.header("content-type"), Some("application/json"));
        assert_eq!(mapped.header("content-length"), None);

        configure(&[("numbers", "true")]);
        let mapped = SoapMapper::map_response(response(200, ANSWER), context()).unwrap();
        assert_eq!(
            mapped.body_text(),
            Some(r#"{"CelsiusToFahrenheitResult":212}"#)
        );
    }

    #[test]
    fn a_fault_answers_502_unless_already_an_error() {
        configure(&[]);
        let expected =
            r#"{"fault":{"code":"soap:Client","message":"Celsius must be a number: hot"}}"#;
        for (status, mapped_status) in [(200, 502), (201, 502), (500, 500), (502, 502), (404, 404)]
        {
            let mapped = SoapMapper::map_response(response(status, FAULT), context()).unwrap();
            assert_eq!(mapped.status, mapped_status, "from {status}");
            assert_eq!(mapped.body_text(), Some(expected));
            assert_eq!(mapped.header("content-type"), Some("application/json"));
        }
    }

    #[test]
    fn an_answer_that_is_not_soap_is_an_error() {
        configure(&[]);
        let error = SoapMapper::map_response(response(502, "<html>Bad Gateway</html>"), context())
            .unwrap_err();
        assert!(error.contains("not a SOAP envelope"), "{error}");
        let mut binary = response(200, "");
        binary.body = vec![0xff, 0xfe];
        let error = SoapMapper::map_response(binary, context()).unwrap_err();
        assert!(error.contains("not UTF-8"), "{error}");
    }
}
