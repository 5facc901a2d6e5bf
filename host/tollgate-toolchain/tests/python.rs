//! The Python backend end to end: the examples of `plugins/examples/python` and the
//! templates are built with the real toolchain (componentize-py) and run through
//! `tollgate-runtime`, the gateway's own runtime.
//!
//! The examples must answer what the Rust ones answer, byte for byte. The oracles are the
//! Rust plugins themselves, run natively on the same inputs (`crud::handle`,
//! `token_authorizer::TokenAuthorizer`), and for the envelope mapper its few lines redone
//! with serde_json. The SDK's own tests (`sdk/python/tests`) run natively, and its JSON,
//! base64 and lossy-UTF-8 helpers are compared with serde_json, base64 and Rust's std on
//! generated inputs.
//!
//! componentize-py is needed (`python3 -m pip install componentize-py==0.25.1`): without it
//! every build here fails with the tool's name and that command. No test is skipped.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde_json::{Value, json};
use tollgate_runtime::{
    AuthorizerRequest, HttpRequest, HttpResponse, Identity, Invocation, KeyValueGrant, Plugin,
    PluginKind, RequestContext, Runtime, RuntimeConfig,
};
use tollgate_sdk::{Authorizer as _, KvError, ProxyEvent};
use tollgate_store::{KeyValueStore, Store};
use tollgate_toolchain::{BuildError, BuildOptions, Language, Project, World};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn example(name: &str) -> PathBuf {
    repo().join("plugins/examples/python").join(name)
}

/// Builds the Python plugin in `dir` into `scratch` and returns the component's path.
fn build(dir: &Path, scratch: &Path) -> PathBuf {
    let project = Project::load(dir).unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(project.language, Language::Python, "{}", dir.display());
    let options = BuildOptions {
        out_dir: scratch.join("out"),
        work_dir: scratch.join("work"),
    };
    // A missing componentize-py fails here, with the tool and the pip command in the message.
    tollgate_toolchain::build(&project, &options)
        .unwrap_or_else(|error| panic!("building {}: {error}", dir.display()))
}

/// A runtime with the plugin in `dir` built and loaded, checked to be of `kind`.
struct Loaded {
    plugin: Arc<Plugin>,
    _runtime: Runtime,
    scratch: tempfile::TempDir,
}

fn load(dir: &Path, kind: PluginKind) -> Loaded {
    let scratch = tempfile::tempdir().unwrap();
    let wasm = std::fs::read(build(dir, scratch.path())).unwrap();
    let runtime = Runtime::new(RuntimeConfig::new(scratch.path().join("cache"))).unwrap();
    // The key names the compiled file in the cache: a plain name, not a path.
    let key = format!("py-{}", dir.file_name().unwrap().to_string_lossy());
    let plugin = runtime
        .load(&key, || Ok(wasm))
        .unwrap_or_else(|error| panic!("loading {}: {error}", dir.display()));
    assert_eq!(plugin.kind(), kind, "{}", dir.display());
    Loaded {
        plugin,
        _runtime: runtime,
        scratch,
    }
}

fn invocation(
    stage_variables: &[(&str, &str)],
    key_value: Option<KeyValueGrant>,
    config: &[(&str, &str)],
) -> Invocation {
    let map = |pairs: &[(&str, &str)]| {
        Arc::new(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect::<BTreeMap<_, _>>(),
        )
    };
    Invocation {
        request_id: "req-py".into(),
        plugin: "py-test".into(),
        stage_variables: map(stage_variables),
        key_value,
        config: map(config),
        timeout: Duration::from_secs(10),
    }
}

fn context() -> RequestContext {
    RequestContext {
        request_id: "req-py".into(),
        api_id: "api1".into(),
        stage: "dev".into(),
        resource_path: "/envelope".into(),
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

fn fields(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

// --- the SDK natively ----------------------------------------------------------------------

fn sdk_dir() -> PathBuf {
    repo().join("sdk/python")
}

fn python3(args: &[&str]) -> std::process::Output {
    Command::new("python3")
        .args(args)
        .current_dir(sdk_dir())
        .env("PYTHONPATH", sdk_dir())
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output()
        .unwrap_or_else(|error| panic!("python3 is needed to build Python plugins: {error}"))
}

#[test]
fn the_sdk_tests_pass_natively() {
    let output = python3(&["-m", "unittest", "discover", "-s", "tests", "-v"]);
    let text = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the Python SDK's tests failed:\n{text}"
    );
    // A discovery that finds nothing also succeeds: make sure the tests ran.
    assert!(
        text.contains("Ran ") && !text.contains("Ran 0 tests"),
        "{text}"
    );
}

/// The SDK's `to_json(from_json(bytes))`, base64 decoding, float printing and lossy UTF-8
/// decoding on generated inputs (`sdk/python/tests/differential.py`), against the crates
/// the Rust SDK uses, on the same bytes.
#[test]
fn the_sdk_reads_and_writes_json_base64_and_text_as_the_rust_sdk() {
    let output = python3(&["tests/differential.py", "20240611", "4000"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    let hex = |text: &str| -> Vec<u8> {
        (0..text.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
            .collect()
    };
    let (mut checked, mut mismatches) = (BTreeMap::<&str, usize>::new(), Vec::new());
    // Lines are split on '\n' only: printed strings may hold U+2028 and the like.
    for line in stdout.split('\n').filter(|line| !line.is_empty()) {
        let mut parts = line.splitn(3, ' ');
        let (kind, input, python) = (
            parts.next().unwrap(),
            parts.next().unwrap(),
            parts.next().unwrap_or(""),
        );
        let rust = match kind {
            "json" => match serde_json::from_slice::<Value>(&hex(input)) {
                Ok(value) => format!("OK {value}"),
                Err(error) => format!("ERR {error}"),
            },
            "float" => {
                let bits = u64::from_str_radix(input, 16).unwrap();
                serde_json::to_string(&f64::from_bits(bits)).unwrap()
            }
            "base64" => match BASE64.decode(hex(input)) {
                Ok(bytes) => format!(
                    "OK {}",
                    bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()
                ),
                Err(error) => format!("ERR {error}"),
            },
            "lossy" => serde_json::to_string(&String::from_utf8_lossy(&hex(input))).unwrap(),
            other => panic!("unknown line kind {other:?}"),
        };
        *checked.entry(kind).or_default() += 1;
        if rust != python {
            mismatches.push(format!(
                "{kind} {input}\n  rust:   {rust}\n  python: {python}"
            ));
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} of {:?} differ:\n{}",
        mismatches.len(),
        checked,
        mismatches[..mismatches.len().min(20)].join("\n")
    );
    for kind in ["json", "float", "base64", "lossy"] {
        assert!(
            checked.get(kind).copied().unwrap_or(0) > 1000,
            "{checked:?}"
        );
    }
}

// --- crud ----------------------------------------------------------------------------------

const NAMESPACE: &str = "function/crud";

/// The Rust crud's table, in memory.
#[derive(Default)]
struct MemoryTable(BTreeMap<String, Vec<u8>>);

impl crud::Table for MemoryTable {
    fn get(&mut self, key: &str) -> Result<Option<Vec<u8>>, KvError> {
        Ok(self.0.get(key).cloned())
    }
    fn set(&mut self, key: &str, value: &[u8]) -> Result<(), KvError> {
        self.0.insert(key.to_owned(), value.to_vec());
        Ok(())
    }
    fn delete(&mut self, key: &str) -> Result<bool, KvError> {
        Ok(self.0.remove(key).is_some())
    }
    fn list_keys(&mut self, prefix: &str, limit: u32) -> Result<Vec<String>, KvError> {
        let keys = self.0.keys().filter(|k| k.starts_with(prefix));
        Ok(keys.take(limit as usize).cloned().collect())
    }
}

/// The event the gateway sends for `/items` and `/items/{id}` (and, with `greedy`, for
/// `/{proxy+}`).
fn event(method: &str, path: &str, body: Option<&str>, base64: bool, greedy: bool) -> String {
    let id = path.strip_prefix("/items/").filter(|_| !greedy);
    json!({
        "resource": if greedy { "/{proxy+}" } else if id.is_some() { "/items/{id}" } else { "/items" },
        "path": path,
        "httpMethod": method,
        "headers": {"content-type": "application/json"},
        "multiValueHeaders": {"content-type": ["application/json"]},
        "queryStringParameters": null,
        "multiValueQueryStringParameters": null,
        "pathParameters": id.map(|id| json!({"id": id})),
        "stageVariables": null,
        "requestContext": {"stage": "dev", "requestId": "req-py", "identity": {"sourceIp": "127.0.0.1"}},
        "body": body,
        "isBase64Encoded": base64,
    })
    .to_string()
}

#[tokio::test]
async fn the_crud_example_answers_as_the_rust_crud_byte_for_byte() {
    let loaded = load(&example("crud"), PluginKind::Function);
    let store = Arc::new(Store::open(&loaded.scratch.path().join("store")).unwrap());
    let grant = KeyValueGrant {
        store: store.clone(),
        namespace: NAMESPACE.into(),
    };
    let mut rust_table = MemoryTable::default();

    // (method, path, body, isBase64Encoded, greedy resource)
    let mut calls: Vec<(&str, String, Option<String>, bool, bool)> = vec![
        ("GET", "/items".into(), None, false, false),
        (
            "POST",
            "/items".into(),
            Some(r#"{"name":"widget","id":"x"}"#.into()),
            false,
            false,
        ),
        (
            "POST",
            "/items".into(),
            Some(
                r#"{ "z": [1, 2.5, 1e2, -0, 1.5e300, 0.00001, 18446744073709551616],
                     "é\u2028": "\u00e9\n\u0001\"", "dup": 1, "a": {"n": null}, "dup": 2 }"#
                    .into(),
            ),
            false,
            false,
        ),
        (
            "POST",
            "/items".into(),
            Some("eyJhIjoxfQ==".into()),
            true,
            false,
        ),
        ("POST", "/items".into(), Some("!!".into()), true, false),
        ("POST", "/items".into(), Some("aGk".into()), true, false),
        (
            "POST",
            "/items".into(),
            Some("{not json".into()),
            false,
            false,
        ),
        ("POST", "/items".into(), Some("[1]".into()), false, false),
        (
            "POST",
            "/items".into(),
            Some("\"\\ud800\"".into()),
            false,
            false,
        ),
        (
            "POST",
            "/items".into(),
            Some("{\"a\":1e400}".into()),
            false,
            false,
        ),
        ("POST", "/items".into(), Some(String::new()), false, false),
        ("POST", "/items".into(), None, false, false),
        ("GET", "/items/2".into(), None, false, false),
        (
            "PUT",
            "/items/2".into(),
            Some(r#"{"colour":"red","id":"9"}"#.into()),
            false,
            false,
        ),
        ("PUT", "/items/9".into(), Some("{}".into()), false, false),
        ("PUT", "/items/9".into(), Some("[]".into()), false, false),
        ("DELETE", "/items/1".into(), None, false, false),
        ("DELETE", "/items/1".into(), None, false, false),
        ("GET", "/items/1".into(), None, false, false),
        ("PATCH", "/items/2".into(), None, false, false),
        ("DELETE", "/items".into(), None, false, false),
        ("GET", "/nope".into(), None, false, false),
        ("GET", "/items/1/more".into(), None, false, false),
        ("GET", "/v1/items/2".into(), None, false, true),
        ("GET", "/v1/items/".into(), None, false, true),
    ];
    // Enough items that ids sort numerically (10 after 9) in the list.
    for n in 0..9 {
        calls.push((
            "POST",
            "/items".into(),
            Some(format!(r#"{{"n":{n}}}"#)),
            false,
            false,
        ));
    }
    calls.push(("GET", "/items".into(), None, false, false));

    for (method, path, body, base64, greedy) in &calls {
        let event = event(method, path, body.as_deref(), *base64, *greedy);
        let python = loaded
            .plugin
            .handle_event(invocation(&[], Some(grant.clone()), &[]), &event)
            .await
            .unwrap_or_else(|error| panic!("{method} {path}: {error}"))
            .unwrap_or_else(|error| panic!("{method} {path}: function error {error}"));
        let rust = crud::handle(&mut rust_table, &ProxyEvent::from_json(&event).unwrap()).to_json();
        assert_eq!(python, rust, "{method} {path} {body:?}");
    }

    // The tables hold the same bytes, too.
    let keys = store.list_keys(NAMESPACE, "", 1000).unwrap();
    let python_table: BTreeMap<String, Vec<u8>> = keys
        .into_iter()
        .map(|key| {
            let value = store.get(NAMESPACE, &key).unwrap().unwrap();
            (key, value)
        })
        .collect();
    assert_eq!(python_table, rust_table.0);

    // And the answers are the ones the Rust crud's own tests expect.
    let answer = |method: &str, path: &str, body: Option<&str>| {
        let event = event(method, path, body, false, false);
        let plugin = loaded.plugin.clone();
        let grant = grant.clone();
        async move {
            plugin
                .handle_event(invocation(&[], Some(grant), &[]), &event)
                .await
                .unwrap()
                .unwrap()
        }
    };
    assert_eq!(
        answer("GET", "/items/2", None).await,
        r#"{"statusCode":200,"headers":{"content-type":"application/json"},"body":"{\"id\":\"2\",\"colour\":\"red\"}"}"#
    );
    assert_eq!(
        answer("GET", "/items/3", None).await,
        r#"{"statusCode":200,"headers":{"content-type":"application/json"},"body":"{\"id\":\"3\",\"a\":1}"}"#
    );
    assert_eq!(
        answer("DELETE", "/items/3", None).await,
        r#"{"statusCode":204}"#
    );

    // Without a key-value grant, the store's error is a 500 with the SDK's description.
    let event = event("GET", "/items/1", None, false, false);
    let answer = loaded
        .plugin
        .handle_event(invocation(&[], None, &[]), &event)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        answer,
        r#"{"statusCode":500,"headers":{"content-type":"application/json"},"body":"{\"message\":\"no key-value namespace is granted to this plugin\"}"}"#
    );
}

// --- the envelope mapper -------------------------------------------------------------------

/// The Rust envelope mapper (`plugins/examples/rust/mapper`), redone with serde_json: its
/// mapped body, or its error.
fn rust_envelope_request(body: &[u8], stage: &str) -> Result<Vec<u8>, String> {
    let payload = if body.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(body).map_err(|_| "request body is not JSON".to_owned())?
    };
    Ok(json!({ "payload": payload, "stage": stage })
        .to_string()
        .into_bytes())
}

fn rust_envelope_response(body: &[u8], status: u16) -> Vec<u8> {
    let data = serde_json::from_slice(body)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(body).into_owned()));
    json!({ "data": data, "status": status })
        .to_string()
        .into_bytes()
}

#[tokio::test]
async fn the_envelope_example_maps_as_the_rust_envelope() {
    let loaded = load(&example("mapper"), PluginKind::Mapper);
    let bodies: &[&[u8]] = &[
        br#"{ "z": [1, 2.5, "\u00e9\n"], "a": {"n": null} }"#,
        b"",
        b"{oops",
        b"[1e16, 1E-7, -0, 123456789012345678901234567890]",
        b"\"\\ud83d\\ude00 \\u2028\"",
        b"  true  ",
        b"plain \"text\" \xff\xfe",
        b"1 2",
    ];
    for body in bodies {
        let request = HttpRequest {
            method: "POST".into(),
            path: "/envelope".into(),
            query: fields(&[("q", "1")]),
            headers: fields(&[
                ("Content-Type", "text/plain"),
                ("x-keep", "1"),
                ("X-Envelope", "old"),
            ]),
            body: body.to_vec(),
        };
        let mapped = loaded
            .plugin
            .map_request(invocation(&[], None, &[]), request, context())
            .await
            .unwrap();
        match rust_envelope_request(body, "dev") {
            Ok(expected) => {
                let mapped = mapped.unwrap_or_else(|e| panic!("{body:?}: {e}"));
                assert_eq!(
                    String::from_utf8_lossy(&mapped.body),
                    String::from_utf8_lossy(&expected),
                    "{body:?}"
                );
                assert_eq!(
                    (mapped.method.as_str(), mapped.path.as_str()),
                    ("POST", "/envelope")
                );
                assert_eq!(mapped.query, fields(&[("q", "1")]));
                assert_eq!(
                    mapped.headers,
                    fields(&[
                        ("x-keep", "1"),
                        ("content-type", "application/json"),
                        ("x-envelope", "request"),
                    ])
                );
            }
            Err(error) => assert_eq!(mapped.unwrap_err(), error, "{body:?}"),
        }

        let response = HttpResponse {
            status: 404,
            headers: fields(&[("x-envelope", "old"), ("content-type", "text/plain")]),
            body: body.to_vec(),
        };
        let mapped = loaded
            .plugin
            .map_response(invocation(&[], None, &[]), response, context())
            .await
            .unwrap()
            .unwrap_or_else(|e| panic!("{body:?}: {e}"));
        assert_eq!(mapped.status, 404);
        assert_eq!(
            String::from_utf8_lossy(&mapped.body),
            String::from_utf8_lossy(&rust_envelope_response(body, 404)),
            "{body:?}"
        );
        assert_eq!(
            mapped.headers,
            fields(&[
                ("content-type", "application/json"),
                ("x-envelope", "response")
            ])
        );
    }
}

// --- the token authorizer ------------------------------------------------------------------

#[tokio::test]
async fn the_tokens_example_authorizes_as_the_rust_token_authorizer() {
    let loaded = load(&example("authorizer"), PluginKind::Authorizer);
    let stage_variables = [
        ("tokens", " s3cret=alice, t0ken=bob,=nobody,odd"),
        ("readers", "bob ,carol"),
    ];
    tollgate_sdk::testing::set_stage_variables(stage_variables);
    let arns = [
        "arn:aws:execute-api:local:000000000000:api1/dev/POST/items/1",
        "arn:aws:execute-api:local:000000000000:api1",
    ];
    let tokens = [
        Some("s3cret"),
        Some("Bearer s3cret"),
        Some("  bearer   t0ken  "),
        Some("BEARER t0ken"),
        Some("Basic s3cret"),
        Some("alice"),
        Some(""),
        Some("odd"),
        None,
    ];
    for arn in arns {
        for token in tokens {
            let request = AuthorizerRequest {
                kind: "TOKEN".into(),
                authorization_token: token.map(str::to_owned),
                method_arn: arn.into(),
                headers: vec![],
                query: vec![],
                path_parameters: vec![],
                context: context(),
            };
            let python = loaded
                .plugin
                .authorize(invocation(&stage_variables, None, &[]), request)
                .await
                .unwrap();
            let rust =
                token_authorizer::TokenAuthorizer::authorize(tollgate_sdk::AuthorizerRequest {
                    kind: "TOKEN".into(),
                    authorization_token: token.map(str::to_owned),
                    method_arn: arn.into(),
                    headers: vec![],
                    query: vec![],
                    path_parameters: vec![],
                    context: tollgate_sdk::RequestContext {
                        request_id: "req-py".into(),
                        api_id: "api1".into(),
                        stage: "dev".into(),
                        resource_path: "/envelope".into(),
                        http_method: "POST".into(),
                        identity: tollgate_sdk::Identity {
                            source_ip: "127.0.0.1".into(),
                            user_agent: None,
                            api_key: None,
                        },
                        stage_variables: vec![],
                        authorizer: vec![],
                        request_time_epoch: 0,
                    },
                });
            match (python, rust) {
                (Ok(python), Ok(rust)) => {
                    assert_eq!(python.principal_id, rust.principal_id, "{token:?} {arn}");
                    assert_eq!(
                        python.policy_document, rust.policy_document,
                        "{token:?} {arn}"
                    );
                    assert_eq!(python.context, rust.context, "{token:?} {arn}");
                    assert_eq!(python.usage_identifier_key, rust.usage_identifier_key);
                }
                (Err(python), Err(rust)) => assert_eq!(python, rust, "{token:?} {arn}"),
                (python, rust) => panic!("{token:?} {arn}: python {python:?}, rust {rust:?}"),
            }
        }
    }
}

// --- templates, the build's checks and the snapshot ----------------------------------------

#[tokio::test]
async fn each_template_builds_and_runs() {
    for world in World::ALL {
        let parent = tempfile::tempdir().unwrap();
        let dir = parent.path().join("greeter");
        tollgate_toolchain::scaffold(&dir, "greeter", Language::Python, world).unwrap();
        let kind = match world {
            World::Function => PluginKind::Function,
            World::Mapper => PluginKind::Mapper,
            World::Authorizer => PluginKind::Authorizer,
        };
        let loaded = load(&dir, kind);
        // Building leaves the plugin's directory as it was, but for build/.
        let mut entries: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        entries.sort();
        assert!(!entries.iter().any(|e| e == "__pycache__"), "{entries:?}");

        match world {
            World::Function => {
                let store = Arc::new(Store::open(&loaded.scratch.path().join("store")).unwrap());
                let grant = KeyValueGrant {
                    store,
                    namespace: "function/greeter".into(),
                };
                let sample = std::fs::read_to_string(dir.join("event.json")).unwrap();
                for greetings in 1..=2 {
                    let answer = loaded
                        .plugin
                        .handle_event(invocation(&[], Some(grant.clone()), &[]), &sample)
                        .await
                        .unwrap()
                        .unwrap();
                    let answer: Value = serde_json::from_str(&answer).unwrap();
                    assert_eq!(answer["statusCode"], 200);
                    assert_eq!(
                        answer["body"],
                        format!(r#"{{"hello":"world","greetings":{greetings}}}"#)
                    );
                }
            }
            World::Mapper => {
                let request = HttpRequest {
                    method: "GET".into(),
                    path: "/".into(),
                    query: vec![],
                    headers: vec![],
                    body: vec![],
                };
                let mapped = loaded
                    .plugin
                    .map_request(invocation(&[], None, &[("tag", "t1")]), request, context())
                    .await
                    .unwrap()
                    .unwrap();
                assert_eq!(
                    mapped.headers,
                    fields(&[("x-mapped-by", "t1"), ("x-stage", "dev")])
                );
            }
            World::Authorizer => {
                let ask = |token: &str| AuthorizerRequest {
                    kind: "TOKEN".into(),
                    authorization_token: Some(token.into()),
                    method_arn: "arn:aws:execute-api:us-east-1:000000000000:api/dev/GET/hello"
                        .into(),
                    headers: vec![],
                    query: vec![],
                    path_parameters: vec![],
                    context: context(),
                };
                let tokens = [("tokens", "s3cret=alice")];
                let allowed = loaded
                    .plugin
                    .authorize(invocation(&tokens, None, &[]), ask("Bearer s3cret"))
                    .await
                    .unwrap()
                    .unwrap();
                assert_eq!(allowed.principal_id, "alice");
                assert!(allowed.policy_document.contains("api/dev/*"));
                let refused = loaded
                    .plugin
                    .authorize(invocation(&tokens, None, &[]), ask("nope"))
                    .await
                    .unwrap();
                assert_eq!(refused.unwrap_err(), "Unauthorized");
            }
        }
    }
}

/// Writes a Python plugin project with `app` as its `app.py`.
fn project(parent: &Path, name: &str, world: &str, app: Option<&str>) -> PathBuf {
    let dir = parent.join(name);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("tollgate.toml"),
        format!("[plugin]\nname = \"{name}\"\nworld = \"{world}\"\nlanguage = \"python\"\n"),
    )
    .unwrap();
    if let Some(app) = app {
        std::fs::write(dir.join("app.py"), app).unwrap();
    }
    dir
}

fn try_build(dir: &Path, scratch: &Path) -> Result<PathBuf, BuildError> {
    let project = Project::load(dir).unwrap_or_else(|error| panic!("{error}"));
    let options = BuildOptions {
        out_dir: scratch.join("out"),
        work_dir: scratch.join("work"),
    };
    tollgate_toolchain::build(&project, &options)
}

#[test]
fn a_plugin_that_does_not_export_its_world_fails_the_build_saying_why() {
    let parent = tempfile::tempdir().unwrap();
    let wrong = project(
        parent.path(),
        "wrong",
        "function",
        Some(
            "from tollgate_sdk import authorizer\n\n@authorizer\ndef authorize(request):\n    return None\n",
        ),
    );
    match try_build(&wrong, parent.path()) {
        Err(BuildError::ToolFailed { tool, output, .. }) => {
            assert_eq!(tool, "componentize-py");
            assert!(
                output.contains(
                    "app.py registers @authorizer, which a function plugin cannot export"
                ),
                "{output}"
            );
        }
        other => panic!("expected the build to fail, got {other:?}"),
    }

    let empty = project(parent.path(), "empty", "mapper", Some("import json\n"));
    match try_build(&empty, parent.path()) {
        Err(BuildError::ToolFailed { output, .. }) => {
            assert!(
                output.contains("app.py registers no handler: a mapper plugin"),
                "{output}"
            );
        }
        other => panic!("expected the build to fail, got {other:?}"),
    }

    // Module-level code runs at build time, where there is no host to call.
    let early = project(
        parent.path(),
        "early",
        "function",
        Some(
            "from tollgate_sdk import function, stage\n\nTABLE = stage.variable(\"table\")\n\n@function\ndef handle(event):\n    return None\n",
        ),
    );
    match try_build(&early, parent.path()) {
        Err(BuildError::ToolFailed { output, .. }) => {
            assert!(
                output.contains("the stage interface was called at import time"),
                "{output}"
            );
        }
        other => panic!("expected the build to fail, got {other:?}"),
    }

    let broken = project(
        parent.path(),
        "broken",
        "function",
        Some("import nonexistent_module\n"),
    );
    match try_build(&broken, parent.path()) {
        Err(BuildError::ToolFailed { output, .. }) => {
            assert!(output.contains("nonexistent_module"), "{output}");
        }
        other => panic!("expected the build to fail, got {other:?}"),
    }
}

#[test]
fn a_plugin_without_app_py_is_refused_before_anything_runs() {
    let parent = tempfile::tempdir().unwrap();
    let dir = project(parent.path(), "bare", "function", None);
    std::fs::write(dir.join("main.py"), "x = 1\n").unwrap();
    match try_build(&dir, parent.path()) {
        Err(error @ BuildError::Project { .. }) => {
            assert!(
                error.to_string().contains("app.py, which is missing"),
                "{error}"
            );
        }
        other => panic!("expected a project error, got {other:?}"),
    }
}

/// componentize-py runs the module's top-level code at build time and snapshots it: a call
/// starts from the snapshot, so what the module computed at import time is there, already
/// old, and nothing a previous call did is.
#[tokio::test]
async fn module_level_code_runs_at_build_time_and_each_call_starts_from_the_snapshot() {
    let parent = tempfile::tempdir().unwrap();
    let dir = project(
        parent.path(),
        "snapshot",
        "function",
        Some(
            "import time\n\
             from tollgate_sdk import ProxyResponse, function\n\
             \n\
             IMPORTED_AT = time.time()\n\
             CALLS = []\n\
             \n\
             @function\n\
             def handle(event):\n\
             \x20   CALLS.append(event.path)\n\
             \x20   age = time.time() - IMPORTED_AT\n\
             \x20   return ProxyResponse.json(200, {\"age\": age, \"calls\": len(CALLS)})\n",
        ),
    );
    let loaded = load(&dir, PluginKind::Function);
    // Loading compiled the component: seconds after the build imported the module.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    for _ in 0..3 {
        let answer = loaded
            .plugin
            .handle_event(invocation(&[], None, &[]), r#"{"path":"/"}"#)
            .await
            .unwrap()
            .unwrap();
        let answer: Value = serde_json::from_str(&answer).unwrap();
        let body: Value = serde_json::from_str(answer["body"].as_str().unwrap()).unwrap();
        assert_eq!(body["calls"], 1, "a call saw another call's state: {body}");
        let age = body["age"].as_f64().unwrap();
        assert!(
            age >= 1.0,
            "the module was imported during the call ({age} s before it)"
        );
    }

    // What a fresh instance and a call cost, for the record (BENCHMARKS.md has the
    // release-mode numbers): printed, and bounded loosely so that a snapshot that stopped
    // working (an import per call costs tens of milliseconds) fails.
    let mut times = Vec::new();
    for _ in 0..60 {
        let started = Instant::now();
        loaded
            .plugin
            .handle_event(invocation(&[], None, &[]), r#"{"path":"/"}"#)
            .await
            .unwrap()
            .unwrap();
        times.push(started.elapsed());
    }
    times.sort();
    let median = times[times.len() / 2];
    eprintln!(
        "python fresh instance + call: median {median:?}, max {:?}",
        times[times.len() - 1]
    );
    assert!(median < Duration::from_millis(50), "median {median:?}");
}
