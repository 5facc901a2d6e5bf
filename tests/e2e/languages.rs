//! The same three plugins in four languages answer the same requests identically.
//!
//! For each language, its examples (`plugins/examples/<lang>/{crud,mapper,authorizer}`, built
//! from source by the tests' build script with tollgate-toolchain) are published to a real
//! gateway under the same names and the same API (`plugins/examples/openapi.yaml`) is deployed
//! with the language as its API id: the CRUD function behind `AWS_PROXY`, the envelope mapper
//! around an `HTTP` integration to an echo server and a `MOCK`, the token authorizer in front
//! of `MOCK` methods. The same request script runs against it and against the Rust examples,
//! and every answer — status, headers, body — must be the same byte for byte.
//!
//! Each language gets a gateway (and data directory) of its own: functions and their
//! key-value tables are per gateway, and the definition names them the same in every
//! language. The Rust answers are checked against the specification
//! (`plugins/examples/README.md`) by `rust_examples_answer_as_specified`; each other language
//! is its own test, so a missing toolchain fails only that language's test, with the build
//! error naming the tool.

use std::collections::BTreeMap;

use serde_json::{Value, json};
use tollgate_tests::{Gateway, TempData, Upstream, examples, send};

const API: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../plugins/examples/openapi.yaml"
);

/// Headers that differ on every response whoever answers.
const VOLATILE_HEADERS: &[&str] = &["x-amzn-requestid", "date"];

/// One request of the script.
struct Step {
    method: &'static str,
    path: &'static str,
    headers: &'static [(&'static str, &'static str)],
    body: &'static str,
}

const fn step(
    method: &'static str,
    path: &'static str,
    headers: &'static [(&'static str, &'static str)],
    body: &'static str,
) -> Step {
    Step {
        method,
        path,
        headers,
        body,
    }
}

const JSON: &[(&str, &str)] = &[("content-type", "application/json")];

/// A JSON body with what serialisers disagree on: key order, a decimal, `null`, non-ASCII,
/// quotes, backslashes, a newline and a control character.
const PEAR: &str = r#"{"id":"x","name":"pear","tags":["green","ripe"],"price":2.5,"stock":null,"origin":{"country":"España","note":"line\nbreak \"quoted\" \\ \u0001"}}"#;

/// The requests, in order; later ones see what earlier ones stored.
const SCRIPT: &[Step] = &[
    // crud
    step("POST", "/dev/items", JSON, r#"{"name":"apple","price":3}"#),
    step("POST", "/dev/items", JSON, PEAR),
    step("GET", "/dev/items", &[], ""),
    step("GET", "/dev/items/1", &[], ""),
    step(
        "PUT",
        "/dev/items/1",
        JSON,
        r#"{"name":"red apple","id":"99"}"#,
    ),
    step("PUT", "/dev/items/42", JSON, r#"{"name":"ghost"}"#),
    step("PUT", "/dev/items/42", JSON, "not json"),
    step("DELETE", "/dev/items/2", &[], ""),
    step("DELETE", "/dev/items/2", &[], ""),
    step("GET", "/dev/items/2", &[], ""),
    step("POST", "/dev/items", JSON, "[1,2]"),
    step("POST", "/dev/items", JSON, r#"{"broken""#),
    step("POST", "/dev/items", JSON, ""),
    step("PATCH", "/dev/items", JSON, "{}"),
    step("PATCH", "/dev/items/1", JSON, "{}"),
    step("POST", "/dev/items", JSON, r#"{"n":1}"#),
    step("GET", "/dev/items", &[], ""),
    // envelope
    step(
        "POST",
        "/dev/envelope",
        &[("content-type", "text/plain"), ("x-envelope", "client")],
        r#" {"z": [1, 2.5, "é\t"], "a": {"n": null}} "#,
    ),
    step("POST", "/dev/envelope", &[], ""),
    step("POST", "/dev/envelope", JSON, "not json"),
    step("GET", "/dev/envelope/text", &[], ""),
    step("GET", "/dev/envelope/missing", &[], ""),
    // tokens
    step(
        "GET",
        "/dev/notes",
        &[("authorization", "Bearer s3cret")],
        "",
    ),
    step("POST", "/dev/notes", &[("authorization", "s3cret")], ""),
    step(
        "GET",
        "/dev/notes",
        &[("authorization", "Bearer r3ader")],
        "",
    ),
    step(
        "POST",
        "/dev/notes",
        &[("authorization", "Bearer r3ader")],
        "",
    ),
    step(
        "GET",
        "/dev/notes",
        &[("authorization", "Bearer wrong")],
        "",
    ),
    step("GET", "/dev/notes", &[], ""),
    step(
        "GET",
        "/dev/notes",
        &[("authorization", "bearer   s3cret")],
        "",
    ),
    step(
        "GET",
        "/dev/notes",
        &[("authorization", "Basic s3cret")],
        "",
    ),
];

/// What a client saw.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Observed {
    request: String,
    status: u16,
    /// Every header but the volatile ones, names lower-case, values in order.
    headers: BTreeMap<String, Vec<String>>,
    body: String,
}

impl Observed {
    fn header(&self, name: &str) -> Option<&str> {
        match self.headers.get(name).map(Vec::as_slice) {
            Some([value]) => Some(value),
            _ => None,
        }
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("{}: body is not JSON ({e}): {}", self.request, self.body))
    }
}

/// The three components of `language`; panics with the build error (naming a missing tool)
/// before anything starts.
fn components(language: &str) -> [&'static str; 3] {
    [
        examples::component(language, "crud"),
        examples::component(language, "mapper"),
        examples::component(language, "authorizer"),
    ]
}

/// Deploys `language`'s examples to a gateway of their own and runs the script.
async fn run_script(language: &str, upstream: &Upstream) -> Vec<Observed> {
    let [crud, mapper, authorizer] = components(language);
    let data = TempData::new();
    let gateway = Gateway::start(&["serve", "--data-dir", data.path().to_str().unwrap()]);
    for (name, component) in [("crud", crud), ("envelope", mapper), ("tokens", authorizer)] {
        gateway.cli_ok(&["plugin", "publish", name, component]);
    }
    gateway.cli_ok(&[
        "deploy",
        API,
        "--api-id",
        language,
        "--stage",
        "dev",
        "--var",
        "tokens=s3cret=alice,r3ader=bob",
        "--var",
        "readers=bob",
        "--var",
        &format!("upstream={}", upstream.address),
    ]);
    let mut observed = Vec::new();
    for step in SCRIPT {
        let answer = send(
            step.method,
            &gateway.url(step.path),
            step.headers,
            step.body,
        )
        .await;
        let mut headers: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (name, value) in &answer.headers {
            if !VOLATILE_HEADERS.contains(&name.as_str()) {
                headers
                    .entry(name.as_str().to_owned())
                    .or_default()
                    .push(String::from_utf8_lossy(value.as_bytes()).into_owned());
            }
        }
        observed.push(Observed {
            request: format!(
                "{} {} {:?} {:?}",
                step.method, step.path, step.headers, step.body
            ),
            status: answer.status,
            headers,
            body: answer.text(),
        });
    }
    observed
}

/// Runs the script on `language` and on Rust, and requires identical answers.
async fn answers_like_rust(language: &str) {
    // Fail on a missing toolchain before starting anything.
    components(language);
    let upstream = Upstream::start().await;
    let rust = run_script("rust", &upstream).await;
    let other = run_script(language, &upstream).await;
    assert_eq!(rust.len(), other.len());
    for (rust, other) in rust.iter().zip(&other) {
        assert_eq!(
            other, rust,
            "{language} answered `{}` differently from Rust (left: {language}, right: Rust)",
            rust.request
        );
    }
}

#[tokio::test]
async fn python_answers_exactly_as_rust() {
    answers_like_rust("python").await;
}

#[tokio::test]
async fn javascript_answers_exactly_as_rust() {
    answers_like_rust("js").await;
}

#[tokio::test]
async fn c_answers_exactly_as_rust() {
    answers_like_rust("c").await;
}

/// The reference: the Rust examples answer what `plugins/examples/README.md` specifies.
#[tokio::test]
async fn rust_examples_answer_as_specified() {
    let upstream = Upstream::start().await;
    let observed = run_script("rust", &upstream).await;
    let mut answers = observed.iter();
    let mut next = |status: u16| {
        let answer = answers.next().expect("an answer per step");
        assert_eq!(answer.status, status, "{}: {}", answer.request, answer.body);
        answer
    };
    let json_only = |answer: &Observed, body: &str| {
        assert_eq!(answer.body, body, "{}", answer.request);
        assert_eq!(answer.header("content-type"), Some("application/json"));
        assert!(!answer.headers.contains_key("allow"), "{}", answer.request);
    };

    // crud
    let apple = r#"{"id":"1","name":"apple","price":3}"#;
    let pear = r#"{"id":"2","name":"pear","tags":["green","ripe"],"price":2.5,"stock":null,"origin":{"country":"España","note":"line\nbreak \"quoted\" \\ \u0001"}}"#;
    json_only(next(201), apple);
    json_only(next(201), pear);
    json_only(next(200), &format!(r#"{{"items":[{apple},{pear}]}}"#));
    json_only(next(200), apple);
    let red_apple = r#"{"id":"1","name":"red apple"}"#;
    json_only(next(200), red_apple);
    json_only(next(404), r#"{"message":"Item not found: 42"}"#);
    json_only(
        next(400),
        r#"{"message":"Invalid request body: the body is not valid JSON"}"#,
    );
    let deleted = next(204);
    assert_eq!(deleted.body, "");
    // The function answered no headers; API Gateway's default content type fills in.
    assert_eq!(deleted.header("content-type"), Some("application/json"));
    json_only(next(404), r#"{"message":"Item not found: 2"}"#);
    json_only(next(404), r#"{"message":"Item not found: 2"}"#);
    json_only(
        next(400),
        r#"{"message":"The request body must be a JSON object"}"#,
    );
    json_only(
        next(400),
        r#"{"message":"Invalid request body: the body is not valid JSON"}"#,
    );
    json_only(
        next(400),
        r#"{"message":"Invalid request body: the request has no body"}"#,
    );
    let patch = next(405);
    assert_eq!(
        patch.body,
        r#"{"message":"Method PATCH is not allowed on /items"}"#
    );
    assert_eq!(patch.header("allow"), Some("GET, POST"));
    let patch = next(405);
    assert_eq!(
        patch.body,
        r#"{"message":"Method PATCH is not allowed on /items/1"}"#
    );
    assert_eq!(patch.header("allow"), Some("GET, PUT, DELETE"));
    // Id 2 was deleted, but the counter had moved on: the next item is 3.
    let third = r#"{"id":"3","n":1}"#;
    json_only(next(201), third);
    json_only(next(200), &format!(r#"{{"items":[{red_apple},{third}]}}"#));

    // envelope: the echo server shows what the mapper sent; the client gets it wrapped.
    let echoed = |answer: &Observed, status: u16| -> Value {
        assert_eq!(answer.header("content-type"), Some("application/json"));
        assert_eq!(answer.header("x-envelope"), Some("response"));
        let wrapped = answer.json();
        assert_eq!(
            wrapped.as_object().unwrap().keys().collect::<Vec<_>>(),
            ["data", "status"],
            "{}",
            answer.body
        );
        assert_eq!(wrapped["status"], status);
        // Compact, in the echo server's key order: the mapper re-serialised what it parsed.
        assert_eq!(
            answer.body,
            format!(r#"{{"data":{},"status":{status}}}"#, wrapped["data"])
        );
        wrapped["data"].clone()
    };
    let echo = echoed(next(200), 200);
    assert_eq!(
        echo["body"],
        r#"{"payload":{"z":[1,2.5,"é\t"],"a":{"n":null}},"stage":"dev"}"#
    );
    assert_eq!(echo["headers"]["content-type"], "application/json");
    assert_eq!(echo["headers"]["x-envelope"], "request");
    let echo = echoed(next(200), 200);
    assert_eq!(echo["body"], r#"{"payload":null,"stage":"dev"}"#);
    json_only(next(500), r#"{"message":"Internal server error"}"#);
    let text = next(200);
    assert_eq!(
        text.body,
        r#"{"data":"plain text from stage dev, \"quoted\"","status":200}"#
    );
    assert_eq!(text.header("x-envelope"), Some("response"));
    let echo = echoed(next(404), 404);
    assert_eq!(echo["method"], "GET");
    assert_eq!(echo["path"], "/status/404");

    // tokens
    assert_eq!(
        next(200).json(),
        json!({"notes": [], "user": "alice", "role": "writer"})
    );
    assert_eq!(next(201).json(), json!({"created": true, "by": "alice"}));
    assert_eq!(
        next(200).json(),
        json!({"notes": [], "user": "bob", "role": "reader"})
    );
    assert_eq!(
        next(403).body,
        r#"{"Message":"User is not authorized to access this resource"}"#
    );
    assert_eq!(next(401).body, r#"{"message":"Unauthorized"}"#);
    assert_eq!(next(401).body, r#"{"message":"Unauthorized"}"#);
    assert_eq!(next(200).json()["user"], "alice");
    assert_eq!(next(401).body, r#"{"message":"Unauthorized"}"#);
    assert!(
        answers.next().is_none(),
        "the script has more steps than checked"
    );
}
