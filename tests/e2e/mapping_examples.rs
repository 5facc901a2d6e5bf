//! The seed's two mapping examples, end to end through the real binary:
//!
//! 1. **JSON → SOAP → JSON**: the bundled `plugins/soap-mapper/openapi.yaml`, with the
//!    `soap-mapper` component published as the plugin `soap` and named by the methods'
//!    `x-tollgate-mapper`, in front of a real SOAP service (`tollgate_tests::SoapBackend`).
//!    The service must receive the exact envelope and `SOAPAction`; the client must get the
//!    conversion as JSON, and a SOAP fault as a 502 with the fault as JSON.
//! 2. **Query string → function event**: an `aws` (non-proxy) integration to a function with
//!    a VTL request template that builds the function's JSON event from query-string
//!    parameters, the stage and a stage variable; the function (`tc-raw-echo`) returns its
//!    input unchanged, so the client sees exactly what it received — as is, and wrapped by a
//!    response template.

use std::time::{Duration, Instant};

use serde_json::json;
use tollgate_tests::soap::{self, SoapBackend};
use tollgate_tests::{Gateway, TempData, components, send};

/// The bundled example definition, read from the repository (these tests are compiled as
/// tests of the `tollgate` package, whose manifest directory is `host/tollgate`).
const SOAP_API: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../plugins/soap-mapper/openapi.yaml"
);

fn serve(data: &TempData) -> Gateway {
    Gateway::start(&["serve", "--data-dir", data.path().to_str().unwrap()])
}

/// A gateway serving the SOAP example on stage `dev`, with `soapHost` pointing at `backend`.
fn soap_example(data: &TempData, backend: &SoapBackend) -> Gateway {
    let gateway = serve(data);
    gateway.cli_ok(&["plugin", "publish", "soap", components::SOAP_MAPPER]);
    gateway.cli_ok(&[
        "deploy",
        SOAP_API,
        "--stage",
        "dev",
        "--var",
        &format!("soapHost={}", backend.host()),
    ]);
    gateway
}

/// The envelope the mapper must send for `operation` with the fields' XML `inner`.
fn envelope(operation: &str, inner: &str) -> String {
    format!(
        "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body>\
         <ns:{operation} xmlns:ns=\"http://tollgate.example/tempconvert/\">{inner}</ns:{operation}>\
         </soap:Body></soap:Envelope>"
    )
}

async fn post_json(gateway: &Gateway, path: &str, body: &str) -> tollgate_tests::Answer {
    send(
        "POST",
        &gateway.url(path),
        &[("content-type", "application/json")],
        body.to_owned(),
    )
    .await
}

/// Waits (a liveness bound) until the gateway's stderr contains `needle`.
async fn wait_for_log(gateway: &Gateway, needle: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut seen = String::new();
    loop {
        seen.push_str(&gateway.stderr());
        seen.push('\n');
        if seen.contains(needle) || Instant::now() > deadline {
            return seen;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[test]
fn the_example_definition_names_the_services_contract() {
    let definition = std::fs::read_to_string(SOAP_API).expect("plugins/soap-mapper/openapi.yaml");
    for needle in [
        "uri: \"mapper:soap\"",
        "operation: CelsiusToFahrenheit",
        &format!("namespace: \"{}\"", soap::NAMESPACE),
        &format!(
            "soap-action: \"{}\"",
            soap::soap_action("CelsiusToFahrenheit")
        ),
        "uri: \"http://${stageVariables.soapHost}/soap\"",
    ] {
        assert!(definition.contains(needle), "openapi.yaml lacks {needle}");
    }
}

#[tokio::test]
async fn soap_example_sends_the_envelope_and_answers_json() {
    let backend = SoapBackend::start().await;
    let data = TempData::new();
    let gateway = soap_example(&data, &backend);

    let answer = post_json(&gateway, "/dev/convert", r#"{"Celsius": 100}"#).await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    assert_eq!(answer.text(), r#"{"CelsiusToFahrenheitResult":"212"}"#);
    assert_eq!(answer.header("content-type"), Some("application/json"));

    let received = backend.last_request().expect("the SOAP service was called");
    assert_eq!(received.method, "POST");
    assert_eq!(received.path, "/soap");
    assert_eq!(
        received.body,
        envelope("CelsiusToFahrenheit", "<Celsius>100</Celsius>")
    );
    assert_eq!(
        received.header("content-type"),
        Some("text/xml; charset=utf-8")
    );
    assert_eq!(
        received.header("soapaction"),
        Some("\"http://tollgate.example/tempconvert/CelsiusToFahrenheit\"")
    );
    assert_eq!(backend.requests().len(), 1);
}

#[tokio::test]
async fn soap_example_configures_each_method_on_its_own() {
    let backend = SoapBackend::start().await;
    let data = TempData::new();
    let gateway = soap_example(&data, &backend);

    // Another operation and SOAPAction, and `numbers: "true"`: the result is a JSON number.
    let answer = post_json(
        &gateway,
        "/dev/convert/to-celsius",
        r#"{"Fahrenheit": 212}"#,
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    assert_eq!(answer.text(), r#"{"FahrenheitToCelsiusResult":100}"#);
    let received = backend.last_request().expect("the SOAP service was called");
    assert_eq!(
        received.body,
        envelope("FahrenheitToCelsius", "<Fahrenheit>212</Fahrenheit>")
    );
    assert_eq!(
        received.header("soapaction"),
        Some("\"http://tollgate.example/tempconvert/FahrenheitToCelsius\"")
    );

    // Decimals and negative numbers keep their JSON text on the way in.
    let answer = post_json(&gateway, "/dev/convert", r#"{"Celsius": -40.5}"#).await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    assert_eq!(answer.json(), json!({"CelsiusToFahrenheitResult": "-40.9"}));
    assert_eq!(
        backend.last_request().unwrap().body,
        envelope("CelsiusToFahrenheit", "<Celsius>-40.5</Celsius>")
    );
}

#[tokio::test]
async fn soap_fault_answers_502_with_the_fault_as_json() {
    let backend = SoapBackend::start().await;
    let data = TempData::new();
    let gateway = soap_example(&data, &backend);

    // Characters XML escapes, both ways: the service gets them escaped, echoes them in its
    // fault (escaped), and the client gets them back as plain JSON text.
    let answer = post_json(&gateway, "/dev/convert", r#"{"Celsius": "<hot> & humid"}"#).await;
    assert_eq!(answer.status, 502, "{}", answer.text());
    assert_eq!(
        answer.json(),
        json!({"fault": {"code": "soap:Client", "message": "Celsius must be a number: <hot> & humid"}})
    );
    assert_eq!(answer.header("content-type"), Some("application/json"));
    assert_eq!(
        backend.last_request().unwrap().body,
        envelope(
            "CelsiusToFahrenheit",
            "<Celsius>&lt;hot&gt; &amp; humid</Celsius>"
        )
    );
}

#[tokio::test]
async fn a_body_the_mapper_cannot_map_answers_500_and_never_reaches_the_service() {
    let backend = SoapBackend::start().await;
    let data = TempData::new();
    let gateway = soap_example(&data, &backend);

    let answer = post_json(&gateway, "/dev/convert", "[100]").await;
    assert_eq!(answer.status, 500, "{}", answer.text());
    assert!(
        backend.requests().is_empty(),
        "the service was called: {:?}",
        backend.requests()
    );
    let log = wait_for_log(&gateway, "the request body must be a JSON object").await;
    assert!(
        log.contains("soap-mapper: the request body must be a JSON object"),
        "the mapper's error is not in the gateway log:\n{log}"
    );
}

/// Example (2): query-string parameters mapped into a function's JSON event.
const QUERY_API: &str = include_str!("../../docs/examples/query-to-event.yaml");

/// A gateway serving [`QUERY_API`] on stage `dev` with `mode=demo`, `echo` = `tc-raw-echo`.
fn query_example(data: &TempData) -> Gateway {
    let gateway = serve(data);
    let published = gateway.cli_ok(&["function", "publish", "echo", components::RAW_ECHO]);
    assert!(published.contains("version 1"), "{published}");
    let file = data.write("query-api.yaml", QUERY_API);
    gateway.cli_ok(&[
        "deploy",
        file.to_str().unwrap(),
        "--stage",
        "dev",
        "--var",
        "mode=demo",
    ]);
    gateway
}

#[tokio::test]
async fn query_string_parameters_become_the_function_event() {
    let data = TempData::new();
    let gateway = query_example(&data);

    // The function returns its input unchanged and no response template applies: the
    // client gets, byte for byte, the rendered request template the function received.
    let answer = send("GET", &gateway.url("/dev/hello?name=Ada&limit=3"), &[], "").await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    assert_eq!(
        answer.text(),
        r#"{"name": "Ada", "limit": 3, "stage": "dev", "mode": "demo"}"#
    );
    assert_eq!(answer.header("content-type"), Some("application/json"));

    // Parameters arrive percent-decoded; an absent one renders empty; unmapped ones are not
    // in the event.
    let answer = send(
        "GET",
        &gateway.url("/dev/hello?name=Ada%20Lovelace&limit=10&other=x"),
        &[],
        "",
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    assert_eq!(
        answer.text(),
        r#"{"name": "Ada Lovelace", "limit": 10, "stage": "dev", "mode": "demo"}"#
    );
    let answer = send("GET", &gateway.url("/dev/hello?limit=1"), &[], "").await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    assert_eq!(
        answer.text(),
        r#"{"name": "", "limit": 1, "stage": "dev", "mode": "demo"}"#
    );
}

#[tokio::test]
async fn a_response_template_wraps_the_function_output() {
    let data = TempData::new();
    let gateway = query_example(&data);

    let answer = send(
        "GET",
        &gateway.url("/dev/hello/wrapped?name=Ada&limit=3"),
        &[],
        "",
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    // `$input.json('$')` writes the parsed integration response back as compact JSON, as
    // AWS does.
    assert_eq!(
        answer.text(),
        r#"{"echo": {"name":"Ada","limit":3,"stage":"dev","mode":"demo"}}"#
    );
    assert_eq!(answer.header("content-type"), Some("application/json"));
}

#[tokio::test]
async fn a_stage_variable_change_reaches_the_event_without_a_redeploy() {
    let data = TempData::new();
    let gateway = query_example(&data);
    gateway.cli_ok(&["stage", "vars", "set", "dev", "mode=live"]);
    let answer = send("GET", &gateway.url("/dev/hello?name=Ada&limit=3"), &[], "").await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    assert_eq!(
        answer.text(),
        r#"{"name": "Ada", "limit": 3, "stage": "dev", "mode": "live"}"#
    );
}
