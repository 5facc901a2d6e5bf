//! The JavaScript backend end to end: each example of `plugins/examples/js` and each
//! template is built with the real toolchain (Node.js + componentize-js) and run in
//! `tollgate-runtime`, a fresh instance per call as the gateway runs it.
//!
//! The examples must answer exactly as the Rust ones do, so the CRUD function and the token
//! authorizer are run side by side with the Rust plugins themselves (`plugins/crud` and
//! `plugins/token-authorizer`, linked natively) on the same inputs, and their outputs are
//! compared byte for byte; the envelope mapper's expected output is computed with
//! serde_json. A missing toolchain fails these tests with the build error, which names the
//! tool and the command that installs it: they never skip.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tollgate_runtime::{Invocation, KeyValueGrant, Plugin, Runtime, RuntimeConfig};
use tollgate_store::{KeyValueStore, Store};
use tollgate_toolchain::{BuildOptions, Language, Project, World};

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Builds the plugin in `dir` into `scratch` and returns the component's bytes.
fn build(dir: &Path, scratch: &Path) -> Vec<u8> {
    let project = Project::load(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    assert_eq!(project.language, Language::Js, "{}", dir.display());
    let options = BuildOptions {
        out_dir: scratch.join("out"),
        work_dir: scratch.join("work"),
    };
    let started = Instant::now();
    let path = tollgate_toolchain::build(&project, &options)
        .unwrap_or_else(|e| panic!("building {} failed: {e}", dir.display()));
    let wasm = std::fs::read(&path).unwrap();
    eprintln!(
        "built {} in {:.1} s: {:.1} MB",
        project.name,
        started.elapsed().as_secs_f64(),
        wasm.len() as f64 / 1e6
    );
    wasm
}

struct Loaded {
    plugin: Arc<Plugin>,
    // Kept alive for the plugin's compiled-component cache.
    _runtime: Runtime,
    _cache: tempfile::TempDir,
}

fn load(name: &str, wasm: Vec<u8>) -> Loaded {
    let cache = tempfile::tempdir().unwrap();
    let runtime = Runtime::new(RuntimeConfig::new(cache.path())).unwrap();
    let started = Instant::now();
    let plugin = runtime.load(name, || Ok(wasm)).unwrap();
    eprintln!(
        "compiled {name} in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Loaded {
        plugin,
        _runtime: runtime,
        _cache: cache,
    }
}

fn example(name: &str) -> PathBuf {
    repository().join("plugins/examples/js").join(name)
}

fn invocation(stage_variables: &[(&str, &str)], key_value: Option<KeyValueGrant>) -> Invocation {
    Invocation {
        request_id: "js-test".into(),
        plugin: "js".into(),
        stage_variables: Arc::new(
            stage_variables
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        ),
        key_value,
        config: Default::default(),
        timeout: Duration::from_secs(10),
    }
}

// ------------------------------------------------------------------------------------------
// crud

/// The Rust crud's storage over the same kind of store the JavaScript one gets from the host.
struct StoreTable {
    store: Arc<Store>,
    namespace: String,
}

fn kv_error(error: tollgate_store::StoreError) -> tollgate_sdk::KvError {
    tollgate_sdk::KvError::Store(error.to_string())
}

impl crud::Table for StoreTable {
    fn get(&mut self, key: &str) -> Result<Option<Vec<u8>>, tollgate_sdk::KvError> {
        self.store.get(&self.namespace, key).map_err(kv_error)
    }
    fn set(&mut self, key: &str, value: &[u8]) -> Result<(), tollgate_sdk::KvError> {
        self.store
            .set(&self.namespace, key, value)
            .map_err(kv_error)
    }
    fn delete(&mut self, key: &str) -> Result<bool, tollgate_sdk::KvError> {
        self.store.delete(&self.namespace, key).map_err(kv_error)
    }
    fn list_keys(
        &mut self,
        prefix: &str,
        limit: u32,
    ) -> Result<Vec<String>, tollgate_sdk::KvError> {
        self.store
            .list_keys(&self.namespace, prefix, limit)
            .map_err(kv_error)
    }
}

/// A table without a namespace, as the host answers a plugin the stage grants none.
struct NoNamespace;

impl crud::Table for NoNamespace {
    fn get(&mut self, _: &str) -> Result<Option<Vec<u8>>, tollgate_sdk::KvError> {
        Err(tollgate_sdk::KvError::NoNamespace)
    }
    fn set(&mut self, _: &str, _: &[u8]) -> Result<(), tollgate_sdk::KvError> {
        Err(tollgate_sdk::KvError::NoNamespace)
    }
    fn delete(&mut self, _: &str) -> Result<bool, tollgate_sdk::KvError> {
        Err(tollgate_sdk::KvError::NoNamespace)
    }
    fn list_keys(&mut self, _: &str, _: u32) -> Result<Vec<String>, tollgate_sdk::KvError> {
        Err(tollgate_sdk::KvError::NoNamespace)
    }
}

/// A deterministic generator, so that a failure reproduces.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next() % items.len() as u64) as usize]
    }
}

/// Bodies that exercise every way serde_json and JavaScript's JSON differ: key order,
/// integer-like keys, number forms, escapes, duplicates, errors and their positions.
const BODIES: &[&str] = &[
    r#"{"name":"widget","id":"x"}"#,
    r#"{"b":1,"2":2.50,"n":1.0,"big":18446744073709551616,"neg":-0,"e":1e21,"small":1E-7}"#,
    r#"{"s":"é\u0000\"\\/\ud83d\ude00","t":"\u2028","c":"tab	"}"#,
    // Literals a best-effort parser rounds one ulp off (serde_json reads them correctly rounded).
    r#"{"r":177.6486543311e-56,"s":1413.85005757681656751e-3,"t":1917847057104702399588.389987421e-211,"u":-1.6608420675597905e+103}"#,
    r#"{"f":0.1,"g":1.7976931348623157e308,"h":5e-324,"i":123456789012345678901234567890,"j":-9223372036854775809}"#,
    r#"  { "dup" : 1 , "dup" : [ true , false , null ] , "__proto__" : { "x" : 1 } }  "#,
    r#"{"id":5,"nested":{"10":1,"9":2,"a":{"b":[{},[]]}}}"#,
    r#"{"deep":[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]}"#,
    "{}",
    "[1]",
    "\"just a string\"",
    "null",
    "{not json",
    "{\"a\":1,}",
    "{\"a\" 1}",
    "{\"a\":1e400}",
    "{\"a\":\"\\ud800\"}",
    "{\"a\":\"\\x\"}",
    "{\"a\":01}",
    "{\"a\":1}\n\nx",
    "{\n  \"a\": [1,\n   2,,]\n}",
    "",
];

/// Base64 bodies (`isBase64Encoded`): valid, invalid symbol, missing padding, bad padding,
/// and JSON with an invalid UTF-8 byte.
const BASE64_BODIES: &[&str] = &["eyJhIjoxfQ==", "!!", "eyJhIjoxfQ", "e===", "eyJhIjoi/yJ9"];

const PATHS: &[&str] = &[
    "/items",
    "/items/",
    "/items/1",
    "/items/2",
    "/items/3",
    "/v1/items/4",
    "/items/abc",
    "/items/✓",
    "/things",
    "/items/1/more",
    "/",
];

const METHODS: &[&str] = &["GET", "POST", "PUT", "DELETE", "PATCH"];

fn crud_event(rng: &mut Rng) -> String {
    let method = *rng.pick(METHODS);
    let path = *rng.pick(PATHS);
    let item = path
        .strip_prefix("/items/")
        .filter(|id| !id.is_empty() && !id.contains('/'));
    let (body, base64) = match rng.next() % 8 {
        0 => (None, false),
        1 => (Some(*rng.pick(BASE64_BODIES)), true),
        _ => (Some(*rng.pick(BODIES)), false),
    };
    json!({
        "resource": if item.is_some() { "/items/{id}" } else { "/{proxy+}" },
        "path": path,
        "httpMethod": method,
        "headers": {"content-type": "application/json"},
        "multiValueHeaders": {"content-type": ["application/json"]},
        "queryStringParameters": null,
        "multiValueQueryStringParameters": null,
        "pathParameters": item.map(|id| json!({"id": id})),
        "stageVariables": null,
        "requestContext": {"requestId": "js-test", "stage": "dev", "httpMethod": method},
        "body": body,
        "isBase64Encoded": base64,
    })
    .to_string()
}

/// Raw values both tables start with in the second round: ids that are not numbers, a
/// value that is not JSON, a JSON value that is not an object, and a counter with spaces.
const SEEDED: &[(&str, &str)] = &[
    ("item:abc", r#"{"id":"abc","n":1}"#),
    ("item:+5", r#"{"id":"+5"}"#),
    ("item:007", r#"{"id":"007","z":1.50}"#),
    (
        "item:18446744073709551615",
        r#"{"id":"18446744073709551615"}"#,
    ),
    ("item:zz", "not json"),
    ("item:num", "42"),
    ("item:𝔘", r#"{"id":"𝔘"}"#),
    ("item:\u{ffff}", r#"{"id":"\uffff"}"#),
    ("meta:next-id", " 2 "),
];

fn table_contents(store: &Store, namespace: &str) -> Vec<(String, String)> {
    store
        .list_keys(namespace, "", 1000)
        .unwrap()
        .into_iter()
        .map(|key| {
            let value = store.get(namespace, &key).unwrap().unwrap_or_default();
            (key, String::from_utf8_lossy(&value).into_owned())
        })
        .collect()
}

#[tokio::test]
async fn crud_answers_byte_for_byte_like_the_rust_crud() {
    let scratch = tempfile::tempdir().unwrap();
    let loaded = load("crud-js", build(&example("crud"), scratch.path()));
    let store = Arc::new(Store::open(&scratch.path().join("data")).unwrap());

    for (round, seeded) in [(0, false), (1, true)] {
        let rust_namespace = format!("function/crud-rust-{round}");
        let js_namespace = format!("function/crud-js-{round}");
        if seeded {
            for (key, value) in SEEDED {
                store.set(&rust_namespace, key, value.as_bytes()).unwrap();
                store.set(&js_namespace, key, value.as_bytes()).unwrap();
            }
        }
        let mut table = StoreTable {
            store: store.clone(),
            namespace: rust_namespace,
        };
        let grant = KeyValueGrant {
            store: store.clone(),
            namespace: js_namespace,
        };
        let mut rng = Rng(0x5eed_0000 + round);
        // A few creations first, so that reads, updates, deletes and sorting have items.
        let mut events: Vec<String> = (1..=11)
            .map(|n| {
                json!({"path": "/items", "httpMethod": "POST", "body": format!(r#"{{"n":{n}}}"#)})
                    .to_string()
            })
            .collect();
        // Every body, created and replacing, then a random mix.
        for body in BODIES {
            for (method, path) in [("POST", "/items"), ("PUT", "/items/2")] {
                events.push(json!({"path": path, "httpMethod": method, "body": body}).to_string());
            }
        }
        for body in BASE64_BODIES {
            events.push(
                json!({"path": "/items", "httpMethod": "POST", "body": body, "isBase64Encoded": true})
                    .to_string(),
            );
        }
        events.extend((0..250).map(|_| crud_event(&mut rng)));
        events.push(json!({"path": "/items", "httpMethod": "GET"}).to_string());
        let mut statuses = BTreeMap::new();
        for event in &events {
            let parsed = tollgate_sdk::ProxyEvent::from_json(event).unwrap();
            let expected = crud::handle(&mut table, &parsed).to_json();
            let answer = loaded
                .plugin
                .handle_event(invocation(&[], Some(grant.clone())), event)
                .await
                .unwrap()
                .unwrap_or_else(|e| panic!("the JS crud failed on {event}: {e}"));
            assert_eq!(answer, expected, "round {round}, event {event}");
            let status = serde_json::from_str::<Value>(&answer).unwrap()["statusCode"].clone();
            *statuses.entry(status.to_string()).or_insert(0) += 1;
            // The tables hold the same bytes too.
            assert_eq!(
                table_contents(&store, &table.namespace),
                table_contents(&store, &grant.namespace),
                "round {round}, after {event}"
            );
        }
        // The comparison saw every kind of answer.
        let seen: Vec<&str> = statuses.keys().map(String::as_str).collect();
        assert_eq!(
            seen,
            ["200", "201", "204", "400", "404", "405"],
            "{statuses:?}"
        );
    }

    // Without a key-value namespace, both answer the same 500.
    let event =
        json!({"path": "/items/1", "httpMethod": "GET", "pathParameters": {"id": "1"}}).to_string();
    let parsed = tollgate_sdk::ProxyEvent::from_json(&event).unwrap();
    let expected = crud::handle(&mut NoNamespace, &parsed).to_json();
    let answer = loaded
        .plugin
        .handle_event(invocation(&[], None), &event)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(answer, expected);
    assert!(answer.contains(r#""statusCode":500"#), "{answer}");
}

// ------------------------------------------------------------------------------------------
// token authorizer

fn rust_context(stage_variables: &[(&str, &str)]) -> tollgate_sdk::RequestContext {
    tollgate_sdk::RequestContext {
        request_id: "js-test".into(),
        api_id: "api1".into(),
        stage: "dev".into(),
        resource_path: "/items".into(),
        http_method: "GET".into(),
        identity: tollgate_sdk::Identity {
            source_ip: "127.0.0.1".into(),
            user_agent: Some("curl/8".into()),
            api_key: None,
        },
        stage_variables: stage_variables
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        authorizer: vec![],
        request_time_epoch: 1_700_000_000_000,
    }
}

fn host_context(stage_variables: &[(&str, &str)]) -> tollgate_runtime::RequestContext {
    let c = rust_context(stage_variables);
    tollgate_runtime::RequestContext {
        request_id: c.request_id,
        api_id: c.api_id,
        stage: c.stage,
        resource_path: c.resource_path,
        http_method: c.http_method,
        identity: tollgate_runtime::Identity {
            source_ip: c.identity.source_ip,
            user_agent: c.identity.user_agent,
            api_key: c.identity.api_key,
        },
        stage_variables: c.stage_variables,
        authorizer: c.authorizer,
        request_time_epoch: c.request_time_epoch,
    }
}

type Decision = Result<(String, String, Vec<(String, String)>, Option<String>), String>;

#[tokio::test]
async fn the_token_authorizer_decides_like_the_rust_one() {
    use tollgate_sdk::Authorizer as _;

    let scratch = tempfile::tempdir().unwrap();
    let loaded = load(
        "token-authorizer-js",
        build(&example("authorizer"), scratch.path()),
    );
    let stage_variable_sets: &[&[(&str, &str)]] = &[
        &[
            (
                "tokens",
                "s3cret=alice, t0ken=bob,bad,=nobody, sp ace = carol ,\u{feff}x=dave,a=b=c",
            ),
            ("readers", "bob, carol ,\u{85}dave\u{85}"),
        ],
        &[("tokens", "s3cret=alice")],
        &[],
    ];
    let tokens: &[Option<&str>] = &[
        None,
        Some(""),
        Some("s3cret"),
        Some("Bearer s3cret"),
        Some("bearer   t0ken "),
        Some("BEARER sp ace"),
        Some("Basic s3cret"),
        Some("alice"),
        Some(" s3cret\u{3000}"),
        Some("\u{feff}x"),
        Some("x"),
        Some("Bearer"),
        Some("Bearer "),
        Some("Bearer\u{a0}s3cret"),
        Some("a"),
        Some("=nobody"),
    ];
    let arns = [
        "arn:aws:execute-api:us-east-1:123456789012:api1/dev/GET/items",
        "arn:aws:execute-api:us-east-1:123456789012:api1/dev",
        "arn:aws:execute-api:us-east-1:123456789012:api1",
        "arn:aws:execute-api:us-east-1:123456789012:api1/*/POST/x/*",
    ];
    for variables in stage_variable_sets {
        tollgate_sdk::testing::set_stage_variables(variables.iter().copied());
        for token in tokens {
            for arn in arns {
                let request = tollgate_sdk::AuthorizerRequest {
                    kind: "TOKEN".into(),
                    authorization_token: token.map(str::to_owned),
                    method_arn: arn.into(),
                    headers: vec![],
                    query: vec![],
                    path_parameters: vec![],
                    context: rust_context(variables),
                };
                let expected: Decision =
                    token_authorizer::TokenAuthorizer::authorize(request).map(|r| {
                        (
                            r.principal_id,
                            r.policy_document,
                            r.context,
                            r.usage_identifier_key,
                        )
                    });
                let host_request = tollgate_runtime::AuthorizerRequest {
                    kind: "TOKEN".into(),
                    authorization_token: token.map(str::to_owned),
                    method_arn: arn.into(),
                    headers: vec![],
                    query: vec![],
                    path_parameters: vec![],
                    context: host_context(variables),
                };
                let answer: Decision = loaded
                    .plugin
                    .authorize(invocation(variables, None), host_request)
                    .await
                    .unwrap()
                    .map(|r| {
                        (
                            r.principal_id,
                            r.policy_document,
                            r.context,
                            r.usage_identifier_key,
                        )
                    });
                assert_eq!(
                    answer, expected,
                    "token {token:?}, arn {arn}, {variables:?}"
                );
            }
        }
    }
    // The cases above reach every outcome.
    tollgate_sdk::testing::set_stage_variables(stage_variable_sets[0].iter().copied());
    let policy_of = |token: &str| {
        let request = tollgate_runtime::AuthorizerRequest {
            kind: "TOKEN".into(),
            authorization_token: Some(token.into()),
            method_arn: arns[0].into(),
            headers: vec![],
            query: vec![],
            path_parameters: vec![],
            context: host_context(stage_variable_sets[0]),
        };
        loaded
            .plugin
            .authorize(invocation(stage_variable_sets[0], None), request)
    };
    let writer = policy_of("Bearer s3cret").await.unwrap().unwrap();
    assert_eq!(writer.principal_id, "alice");
    assert!(
        writer.policy_document.contains("api1/dev/*"),
        "{}",
        writer.policy_document
    );
    let reader = policy_of("t0ken").await.unwrap().unwrap();
    assert!(
        reader.policy_document.contains("api1/dev/GET/*"),
        "{}",
        reader.policy_document
    );
    assert_eq!(reader.context[1], ("role".to_owned(), "reader".to_owned()));
    assert_eq!(
        policy_of("nope").await.unwrap().unwrap_err(),
        "Unauthorized"
    );
}

// ------------------------------------------------------------------------------------------
// envelope mapper

fn http_request(body: &[u8]) -> tollgate_runtime::HttpRequest {
    tollgate_runtime::HttpRequest {
        method: "POST".into(),
        path: "/orders".into(),
        query: vec![("q".into(), "1".into())],
        headers: vec![
            ("Content-Type".into(), "text/plain".into()),
            ("accept".into(), "*/*".into()),
            ("X-Envelope".into(), "old".into()),
        ],
        body: body.to_vec(),
    }
}

/// `headers` with `name` replaced, any case, by one `name: value` at the end (the SDKs'
/// `with_header`).
fn with_header(
    mut headers: Vec<(String, String)>,
    name: &str,
    value: &str,
) -> Vec<(String, String)> {
    headers.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
    headers.push((name.into(), value.into()));
    headers
}

fn enveloped(headers: Vec<(String, String)>, direction: &str) -> Vec<(String, String)> {
    with_header(
        with_header(headers, "content-type", "application/json"),
        "x-envelope",
        direction,
    )
}

const MAPPER_BODIES: &[&[u8]] = &[
    br#"{"b":1,"2":2.50,"n":1.0,"big":18446744073709551616}"#,
    b"[1,-0,1e21]",
    b"  \"text\"  ",
    b"null",
    b"",
    b"not json",
    b"{\"a\":1,}",
    b"\xff\xfe",
    "{\"é\":\"\u{2028}\"}".as_bytes(),
];

#[tokio::test]
async fn the_envelope_mapper_wraps_as_serde_json_writes() {
    let scratch = tempfile::tempdir().unwrap();
    let loaded = load("envelope-js", build(&example("mapper"), scratch.path()));
    for body in MAPPER_BODIES {
        let mapped = loaded
            .plugin
            .map_request(invocation(&[], None), http_request(body), host_context(&[]))
            .await
            .unwrap();
        let payload = if body.is_empty() {
            Some(Value::Null)
        } else {
            serde_json::from_slice::<Value>(body).ok()
        };
        match payload {
            Some(payload) => {
                let mapped = mapped.unwrap();
                let expected = json!({"payload": payload, "stage": "dev"}).to_string();
                assert_eq!(String::from_utf8(mapped.body).unwrap(), expected);
                assert_eq!(
                    mapped.headers,
                    enveloped(http_request(body).headers, "request")
                );
                assert_eq!(
                    (mapped.method.as_str(), mapped.path.as_str(), mapped.query),
                    ("POST", "/orders", vec![("q".to_owned(), "1".to_owned())])
                );
            }
            None => assert_eq!(mapped.unwrap_err(), "request body is not JSON"),
        }

        for status in [200, 404] {
            let response = tollgate_runtime::HttpResponse {
                status,
                headers: vec![("content-type".into(), "text/plain".into())],
                body: body.to_vec(),
            };
            let mapped = loaded
                .plugin
                .map_response(invocation(&[], None), response.clone(), host_context(&[]))
                .await
                .unwrap()
                .unwrap();
            let data = serde_json::from_slice::<Value>(body)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(body).into_owned()));
            let expected = json!({"data": data, "status": status}).to_string();
            assert_eq!(String::from_utf8(mapped.body).unwrap(), expected);
            assert_eq!(mapped.status, status);
            assert_eq!(mapped.headers, enveloped(response.headers, "response"));
        }
    }
}

// ------------------------------------------------------------------------------------------
// templates

#[tokio::test]
async fn every_template_builds_and_runs() {
    let scratch = tempfile::tempdir().unwrap();
    for world in World::ALL {
        let dir = scratch.path().join(format!("new-{world}"));
        tollgate_toolchain::scaffold(&dir, &format!("new-{world}"), Language::Js, world).unwrap();
        let wasm = build(&dir, &scratch.path().join(format!("build-{world}")));
        let loaded = load(&format!("new-{world}"), wasm);
        match world {
            World::Function => {
                let store = Arc::new(Store::open(&scratch.path().join("data")).unwrap());
                let grant = KeyValueGrant {
                    store,
                    namespace: "function/new-function".into(),
                };
                let event = std::fs::read_to_string(dir.join("event.json")).unwrap();
                for greetings in 1..=2 {
                    let answer = loaded
                        .plugin
                        .handle_event(invocation(&[], Some(grant.clone())), &event)
                        .await
                        .unwrap()
                        .unwrap();
                    let answer: Value = serde_json::from_str(&answer).unwrap();
                    assert_eq!(answer["statusCode"], 200);
                    assert_eq!(
                        answer["body"],
                        json!({"hello": "world", "greetings": greetings}).to_string()
                    );
                }
            }
            World::Mapper => {
                let mapped = loaded
                    .plugin
                    .map_request(
                        invocation(&[], None),
                        http_request(b"{}"),
                        host_context(&[]),
                    )
                    .await
                    .unwrap()
                    .unwrap();
                let header = |name: &str| {
                    mapped
                        .headers
                        .iter()
                        .find(|(k, _)| k == name)
                        .map(|(_, v)| v.as_str())
                };
                assert_eq!(header("x-mapped-by"), Some("new-mapper"));
                assert_eq!(header("x-stage"), Some("dev"));
            }
            World::Authorizer => {
                let variables = [("tokens", "s3cret=alice")];
                let request = tollgate_runtime::AuthorizerRequest {
                    kind: "TOKEN".into(),
                    authorization_token: Some("Bearer s3cret".into()),
                    method_arn: "arn:aws:execute-api:us-east-1:0:api/dev/GET/hello".into(),
                    headers: vec![],
                    query: vec![],
                    path_parameters: vec![],
                    context: host_context(&variables),
                };
                let answer = loaded
                    .plugin
                    .authorize(invocation(&variables, None), request.clone())
                    .await
                    .unwrap()
                    .unwrap();
                assert_eq!(answer.principal_id, "alice");
                assert!(answer.policy_document.contains("api/dev/*"));
                let refused = tollgate_runtime::AuthorizerRequest {
                    authorization_token: Some("nope".into()),
                    ..request
                };
                let answer = loaded
                    .plugin
                    .authorize(invocation(&variables, None), refused)
                    .await
                    .unwrap();
                assert_eq!(answer.unwrap_err(), "Unauthorized");
            }
        }
    }
}

// ------------------------------------------------------------------------------------------
// build errors

/// Builds a one-file plugin of `world` and returns the build's error message.
fn build_error(scratch: &Path, name: &str, world: World, source: &str) -> String {
    let dir = scratch.join(name);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("tollgate.toml"),
        format!("[plugin]\nname = \"{name}\"\nworld = \"{world}\"\nlanguage = \"js\"\n"),
    )
    .unwrap();
    std::fs::write(dir.join("index.js"), source).unwrap();
    let project = Project::load(&dir).unwrap();
    let options = BuildOptions::in_project(&dir);
    match tollgate_toolchain::build(&project, &options) {
        Ok(path) => panic!("{name} built into {}", path.display()),
        Err(error) => error.to_string(),
    }
}

#[test]
fn build_errors_say_what_is_wrong() {
    let scratch = tempfile::tempdir().unwrap();
    let error = build_error(
        scratch.path(),
        "no-export",
        World::Mapper,
        "export const handler = {};\n",
    );
    assert!(
        error.contains("does not export `mapping`, the interface of the mapper world")
            && error.contains("export const mapping = defineMapper(...)"),
        "{error}"
    );
    let error = build_error(
        scratch.path(),
        "syntax",
        World::Function,
        "export const handler = {;\n",
    );
    assert!(
        error.contains("PARSE_ERROR") && error.contains("index.js:1:25"),
        "{error}"
    );
    let error = build_error(
        scratch.path(),
        "unresolved",
        World::Function,
        "import { x } from './missing.js';\nexport const handler = x;\n",
    );
    assert!(
        error.contains("UNRESOLVED_IMPORT") && error.contains("missing.js"),
        "{error}"
    );
    // A package the plugin did not install fails the bundling, not Wizer later.
    let error = build_error(
        scratch.path(),
        "not-installed",
        World::Function,
        "import x from 'not-installed';\nexport const handler = x;\n",
    );
    assert!(
        error.contains("an import cannot be resolved") && error.contains("'not-installed'"),
        "{error}"
    );
    // The top level runs under Wizer at build time, where no host answers.
    let error = build_error(
        scratch.path(),
        "top-level-log",
        World::Function,
        "import { defineFunction, log } from 'tollgate-sdk';\nlog.info('too early');\n\
         export const handler = defineFunction(() => ({ statusCode: 200 }));\n",
    );
    assert!(
        error.contains("call log, kv, stage and config only inside handlers"),
        "{error}"
    );
}

/// A plugin's own npm packages (its `node_modules`, CommonJS here) are bundled into it.
#[tokio::test]
async fn a_plugin_bundles_its_own_npm_packages() {
    let scratch = tempfile::tempdir().unwrap();
    let dir = scratch.path().join("with-deps");
    let package = dir.join("node_modules/greeter");
    std::fs::create_dir_all(&package).unwrap();
    std::fs::write(
        package.join("package.json"),
        r#"{"name":"greeter","main":"lib.js"}"#,
    )
    .unwrap();
    std::fs::write(
        package.join("lib.js"),
        "exports.greet = (name) => `hello, ${name}`;\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("tollgate.toml"),
        "[plugin]\nname = \"with-deps\"\nworld = \"function\"\nlanguage = \"js\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("index.js"),
        "import { greet } from 'greeter';\n\
         import { ProxyResponse, defineFunction } from 'tollgate-sdk';\n\
         export const handler = defineFunction((event) => ProxyResponse.text(200, greet(event.query('name'))));\n",
    )
    .unwrap();
    let loaded = load("with-deps", build(&dir, &scratch.path().join("build")));
    let event = json!({"path": "/", "httpMethod": "GET", "queryStringParameters": {"name": "npm"}})
        .to_string();
    let answer = loaded
        .plugin
        .handle_event(invocation(&[], None), &event)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        answer,
        r#"{"statusCode":200,"headers":{"content-type":"text/plain; charset=utf-8"},"body":"hello, npm"}"#
    );
}

// ------------------------------------------------------------------------------------------
// cost of a call

/// The cost the gateway pays per request for a JavaScript plugin: a fresh store and instance
/// from the pre-instantiated component, and the call. A measurement, not a check: run it
/// with `cargo test -p tollgate-toolchain --test js -- --ignored --nocapture measure`.
#[tokio::test]
#[ignore = "a measurement; run explicitly"]
async fn measure_fresh_instance_calls() {
    let scratch = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open(&scratch.path().join("data")).unwrap());
    let grant = KeyValueGrant {
        store,
        namespace: "function/crud-js".into(),
    };
    let crud = load(
        "crud-js",
        build(&example("crud"), &scratch.path().join("crud")),
    );
    let post = json!({"path": "/items", "httpMethod": "POST", "body": r#"{"n":1}"#}).to_string();
    crud.plugin
        .handle_event(invocation(&[], Some(grant.clone())), &post)
        .await
        .unwrap()
        .unwrap();
    let get =
        json!({"path": "/items/1", "httpMethod": "GET", "pathParameters": {"id": "1"}}).to_string();
    let crud_times = time_calls(|| async {
        crud.plugin
            .handle_event(invocation(&[], Some(grant.clone())), &get)
            .await
            .unwrap()
            .unwrap();
    })
    .await;
    report("function (crud GET /items/1)", crud_times);

    let mapper = load(
        "envelope-js",
        build(&example("mapper"), &scratch.path().join("mapper")),
    );
    let mapper_times = time_calls(|| async {
        mapper
            .plugin
            .map_request(
                invocation(&[], None),
                http_request(br#"{"a":1}"#),
                host_context(&[]),
            )
            .await
            .unwrap()
            .unwrap();
    })
    .await;
    report("mapper (envelope map-request)", mapper_times);
}

async fn time_calls<F, Fut>(call: F) -> Vec<Duration>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for _ in 0..20 {
        call().await;
    }
    let mut times = Vec::with_capacity(500);
    for _ in 0..500 {
        let started = Instant::now();
        call().await;
        times.push(started.elapsed());
    }
    times.sort();
    times
}

fn report(what: &str, times: Vec<Duration>) {
    let at = |q: f64| times[((times.len() - 1) as f64 * q) as usize];
    eprintln!(
        "{what}: median {:?}, p99 {:?} over {} fresh-instance calls",
        at(0.5),
        at(0.99),
        times.len()
    );
}

#[test]
fn examples_are_javascript_plugins_of_their_worlds() {
    let expected = BTreeMap::from([
        ("authorizer", World::Authorizer),
        ("crud", World::Function),
        ("mapper", World::Mapper),
    ]);
    for (dir, world) in expected {
        let project = Project::load(&example(dir)).unwrap();
        assert_eq!(
            (project.language, project.world),
            (Language::Js, world),
            "{dir}"
        );
        let files: Vec<String> = std::fs::read_dir(example(dir))
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name != "build")
            .collect();
        let mut files = files;
        files.sort();
        assert_eq!(
            files,
            ["index.js", "tollgate.toml"],
            "{dir}: only its code and manifest"
        );
    }
}

/// The SDK's own tests (`sdk/js/test`, Node's test runner, against the simulated host).
#[test]
fn the_sdk_unit_tests_pass_under_node() {
    let sdk = repository().join("sdk/js");
    let output = std::process::Command::new("node")
        .args(["--test", "test/"])
        .current_dir(&sdk)
        .output()
        .unwrap_or_else(|e| panic!("node is needed to test the JavaScript SDK: {e}"));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "node --test failed in {}:\n{text}\n{}",
        sdk.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(text.contains("# fail 0"), "{text}");
}
