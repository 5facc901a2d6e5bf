//! The C backend end to end: the examples of `plugins/examples/c`, the templates and the SDK
//! probe (`sdk/c/tests/probe`) are built with the real toolchain (wit-bindgen-c, `zig cc`,
//! wit-component) and run through `tollgate-runtime`, the gateway's own runtime.
//!
//! The examples must answer what the Rust ones answer, byte for byte; the expected texts
//! below are the Rust plugins' answers (`plugins/crud`, `plugins/examples/rust/mapper`,
//! `plugins/token-authorizer`). The probe compares the SDK's JSON, base64 and text helpers,
//! and its event and response types, with serde_json, base64, Rust's std and the Rust SDK
//! on the same inputs.
//!
//! Zig is needed (`python3 -m pip install ziglang==0.17.0`): without it every test here
//! fails with the build error naming it and the install command. None is skipped.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde_json::{Value, json};
use tollgate_runtime::{
    AuthorizerRequest, HttpRequest, HttpResponse, Identity, Invocation, KeyValueGrant, Plugin,
    PluginKind, RequestContext, Runtime, RuntimeConfig,
};
use tollgate_store::{KeyValueStore, Store};
use tollgate_toolchain::{BuildOptions, Language, Project, World};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Builds the C plugin in `dir` into `scratch` and returns the component's bytes.
fn build(dir: &Path, scratch: &Path) -> Vec<u8> {
    let project = Project::load(dir).unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(project.language, Language::C, "{}", dir.display());
    let options = BuildOptions {
        out_dir: scratch.join("out"),
        work_dir: scratch.join("work"),
    };
    // A missing zig fails here, with the tool and the pip command in the message.
    let path = tollgate_toolchain::build(&project, &options)
        .unwrap_or_else(|error| panic!("building {}: {error}", dir.display()));
    std::fs::read(path).unwrap()
}

/// A runtime with `wasm` loaded, checked to be of `kind`.
struct Loaded {
    plugin: Arc<Plugin>,
    _runtime: Runtime,
    scratch: tempfile::TempDir,
}

fn load(dir: &Path, kind: PluginKind) -> Loaded {
    let scratch = tempfile::tempdir().unwrap();
    let wasm = build(dir, scratch.path());
    let runtime = Runtime::new(RuntimeConfig::new(scratch.path().join("cache"))).unwrap();
    let plugin = runtime
        // The compiled-component cache names its files after this key.
        .load(
            &format!("c-{}", dir.file_name().unwrap().to_string_lossy()),
            || Ok(wasm),
        )
        .unwrap_or_else(|error| panic!("loading {}: {error}", dir.display()));
    assert_eq!(plugin.kind(), kind, "{}", dir.display());
    Loaded {
        plugin,
        _runtime: runtime,
        scratch,
    }
}

fn example(name: &str) -> PathBuf {
    repo().join("plugins/examples/c").join(name)
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
        request_id: "req-c".into(),
        plugin: "c-test".into(),
        stage_variables: map(stage_variables),
        key_value,
        config: map(config),
        timeout: Duration::from_secs(10),
    }
}

fn context() -> RequestContext {
    RequestContext {
        request_id: "req-c".into(),
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

// --- crud ---------------------------------------------------------------------------------

struct Crud {
    loaded: Loaded,
    store: Arc<Store>,
}

const NAMESPACE: &str = "function/crud";

impl Crud {
    fn new() -> Crud {
        let loaded = load(&example("crud"), PluginKind::Function);
        let store = Arc::new(Store::open(&loaded.scratch.path().join("store")).unwrap());
        Crud { loaded, store }
    }

    fn grant(&self) -> KeyValueGrant {
        KeyValueGrant {
            store: self.store.clone(),
            namespace: NAMESPACE.into(),
        }
    }

    /// The function's answer to a Lambda-proxy event (the raw JSON text).
    async fn call(&self, method: &str, path: &str, body: Option<&str>) -> String {
        self.call_event(event(method, path, body)).await
    }

    async fn call_event(&self, event: Value) -> String {
        self.loaded
            .plugin
            .handle_event(invocation(&[], Some(self.grant()), &[]), &event.to_string())
            .await
            .unwrap()
            .unwrap()
    }
}

/// The event the gateway sends for `/items` and `/items/{id}`.
fn event(method: &str, path: &str, body: Option<&str>) -> Value {
    let id = path.strip_prefix("/items/");
    json!({
        "resource": if id.is_some() { "/items/{id}" } else { "/items" },
        "path": path,
        "httpMethod": method,
        "headers": {"content-type": "application/json"},
        "multiValueHeaders": {"content-type": ["application/json"]},
        "queryStringParameters": null,
        "multiValueQueryStringParameters": null,
        "pathParameters": id.map(|id| json!({"id": id})),
        "stageVariables": null,
        "requestContext": {"stage": "dev", "requestId": "req-c", "identity": {"sourceIp": "127.0.0.1"}},
        "body": body,
        "isBase64Encoded": false,
    })
}

/// What `ProxyResponse::json(status, body)` serialises to, with `extra` headers.
fn proxy(status: u16, body: &Value, extra: &[(&str, &str)]) -> String {
    let mut headers = BTreeMap::from([("content-type", "application/json")]);
    headers.extend(extra.iter().copied());
    json!({"statusCode": status, "headers": headers, "body": body.to_string()}).to_string()
}

fn message(status: u16, text: &str, extra: &[(&str, &str)]) -> String {
    proxy(status, &json!({ "message": text }), extra)
}

#[tokio::test]
async fn the_crud_example_answers_as_the_rust_crud() {
    let crud = Crud::new();
    let created = crud
        .call("POST", "/items", Some(r#"{"name":"widget","id":"x"}"#))
        .await;
    assert_eq!(created, proxy(201, &json!({"id":"1","name":"widget"}), &[]));
    assert_eq!(
        crud.store.get(NAMESPACE, "item:1").unwrap().as_deref(),
        Some(&br#"{"id":"1","name":"widget"}"#[..])
    );
    assert_eq!(
        crud.store
            .get(NAMESPACE, "meta:next-id")
            .unwrap()
            .as_deref(),
        Some(&b"2"[..])
    );
    assert_eq!(
        crud.call("GET", "/items/1", None).await,
        proxy(200, &json!({"id":"1","name":"widget"}), &[])
    );
    assert_eq!(
        crud.call("PUT", "/items/1", Some(r#"{"colour":"red"}"#))
            .await,
        proxy(200, &json!({"id":"1","colour":"red"}), &[])
    );
    assert_eq!(
        crud.call("DELETE", "/items/1", None).await,
        r#"{"statusCode":204}"#
    );
    let not_found = message(404, "Item not found: 1", &[]);
    assert_eq!(crud.call("GET", "/items/1", None).await, not_found);
    assert_eq!(crud.call("DELETE", "/items/1", None).await, not_found);
    assert_eq!(crud.call("PUT", "/items/1", Some("{}")).await, not_found);
    assert_eq!(
        crud.store.get(NAMESPACE, "item:1").unwrap(),
        None,
        "PUT must not create"
    );
}

#[tokio::test]
async fn the_crud_example_counts_ids_sorts_numerically_and_keeps_json_exact() {
    let crud = Crud::new();
    assert_eq!(
        crud.call("GET", "/items", None).await,
        proxy(200, &json!({"items": []}), &[])
    );
    for n in 1..=11 {
        let created = crud
            .call("POST", "/items", Some(&format!(r#"{{"n":{n}}}"#)))
            .await;
        assert_eq!(
            created,
            proxy(201, &json!({"id": n.to_string(), "n": n}), &[])
        );
    }
    // Ids that are not numbers sort after the numbers, in string order; a value that is not
    // JSON is skipped.
    crud.store
        .set(NAMESPACE, "item:b", br#"{"id":"b"}"#)
        .unwrap();
    crud.store
        .set(NAMESPACE, "item:a", br#"{"id":"a"}"#)
        .unwrap();
    crud.store.set(NAMESPACE, "item:junk", b"{nope").unwrap();
    let list: Value = serde_json::from_str(&crud.call("GET", "/items", None).await).unwrap();
    let items: Value = serde_json::from_str(list["body"].as_str().unwrap()).unwrap();
    let ids: Vec<&str> = items["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "a", "b"
        ]
    );

    // A lost counter: taken ids are skipped.
    crud.store.delete(NAMESPACE, "meta:next-id").unwrap();
    let created = crud.call("POST", "/items", Some("{}")).await;
    assert_eq!(created, proxy(201, &json!({"id":"12"}), &[]));

    // The item is written back as serde_json writes it: key order kept, a repeated key in
    // its first place with its last value, floats in shortest form, escapes as serde's.
    let body = r#"{"name":"é\n\u0001\/","n":1.50,"big":18446744073709551616,"neg":-0,"t":[true,null,1e3],"name":"last"}"#;
    let parsed: Value = serde_json::from_str(body).unwrap();
    let mut item = serde_json::Map::new();
    item.insert("id".into(), json!("13"));
    item.extend(parsed.as_object().unwrap().clone());
    assert_eq!(
        crud.call("POST", "/items", Some(body)).await,
        proxy(201, &Value::Object(item.clone()), &[])
    );
    assert_eq!(
        crud.store.get(NAMESPACE, "item:13").unwrap().unwrap(),
        Value::Object(item).to_string().into_bytes()
    );
}

#[tokio::test]
async fn the_crud_example_refuses_bad_bodies_methods_and_paths_as_rust_does() {
    let crud = Crud::new();
    let invalid = |problem: &str| message(400, &format!("Invalid request body: {problem}"), &[]);
    assert_eq!(
        crud.call("POST", "/items", Some("{not json")).await,
        invalid("the body is not valid JSON")
    );
    assert_eq!(
        crud.call("POST", "/items", None).await,
        invalid("the request has no body")
    );
    assert_eq!(
        crud.call("POST", "/items", Some("")).await,
        invalid("the request has no body")
    );
    assert_eq!(
        crud.call("POST", "/items", Some("[1]")).await,
        message(400, "The request body must be a JSON object", &[])
    );
    let mut bad_base64 = event("POST", "/items", Some("%%%"));
    bad_base64["isBase64Encoded"] = json!(true);
    assert_eq!(
        crud.call_event(bad_base64).await,
        invalid("the body is not valid base64")
    );
    // The body is checked before the item's existence.
    assert_eq!(
        crud.call("PUT", "/items/9", Some("[]")).await,
        message(400, "The request body must be a JSON object", &[])
    );
    assert_eq!(
        crud.store.list_keys(NAMESPACE, "", 10).unwrap(),
        Vec::<String>::new()
    );

    let mut base64 = event("POST", "/items", Some("eyJhIjoxfQ==")); // {"a":1}
    base64["isBase64Encoded"] = json!(true);
    assert_eq!(
        crud.call_event(base64).await,
        proxy(201, &json!({"id":"1","a":1}), &[])
    );

    assert_eq!(
        crud.call("PATCH", "/items/1", None).await,
        message(
            405,
            "Method PATCH is not allowed on /items/1",
            &[("allow", "GET, PUT, DELETE")]
        )
    );
    assert_eq!(
        crud.call("DELETE", "/items", None).await,
        message(
            405,
            "Method DELETE is not allowed on /items",
            &[("allow", "GET, POST")]
        )
    );
    assert_eq!(
        crud.call("GET", "/nope", None).await,
        message(404, "Not found: /nope", &[])
    );
    assert_eq!(
        crud.call("GET", "/items/1/more", None).await,
        message(404, "Not found: /items/1/more", &[])
    );
    // A greedy path without path parameters: the id is the last segment.
    let mut greedy = event("GET", "/v1/items/1", None);
    greedy["pathParameters"] = Value::Null;
    assert_eq!(
        crud.call_event(greedy).await,
        proxy(200, &json!({"id":"1","a":1}), &[])
    );
    assert_eq!(
        crud.call("GET", "/items/", None).await,
        proxy(200, &json!({"items":[{"id":"1","a":1}]}), &[])
    );
}

#[tokio::test]
async fn the_crud_example_answers_500_when_no_table_is_granted() {
    let crud = Crud::new();
    let answer = crud
        .loaded
        .plugin
        .handle_event(
            invocation(&[], None, &[]),
            &event("GET", "/items/1", None).to_string(),
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        answer,
        message(500, "no key-value namespace is granted to this plugin", &[])
    );
}

// --- envelope -----------------------------------------------------------------------------

fn request(body: &[u8], headers: &[(&str, &str)]) -> HttpRequest {
    HttpRequest {
        method: "POST".into(),
        path: "/envelope".into(),
        query: fields(&[("q", "1")]),
        headers: fields(headers),
        body: body.to_vec(),
    }
}

#[tokio::test]
async fn the_envelope_example_maps_as_the_rust_envelope() {
    let envelope = load(&example("mapper"), PluginKind::Mapper);
    let map_request = async |body: &[u8], headers: &[(&str, &str)]| {
        envelope
            .plugin
            .map_request(
                invocation(&[], None, &[]),
                request(body, headers),
                context(),
            )
            .await
            .unwrap()
    };

    let mapped = map_request(
        r#"{ "z": [1, 2.5, "é\n"], "a": {"n": null} }"#.as_bytes(),
        &[
            ("Content-Type", "text/plain"),
            ("x-keep", "1"),
            ("X-Envelope", "old"),
        ],
    )
    .await
    .unwrap();
    assert_eq!(
        String::from_utf8(mapped.body).unwrap(),
        r#"{"payload":{"z":[1,2.5,"é\n"],"a":{"n":null}},"stage":"dev"}"#
    );
    assert_eq!(
        mapped.headers,
        fields(&[
            ("x-keep", "1"),
            ("content-type", "application/json"),
            ("x-envelope", "request"),
        ])
    );
    assert_eq!(
        (mapped.method.as_str(), mapped.path.as_str()),
        ("POST", "/envelope")
    );
    assert_eq!(mapped.query, fields(&[("q", "1")]));

    let empty = map_request(b"", &[]).await.unwrap();
    assert_eq!(
        String::from_utf8(empty.body).unwrap(),
        r#"{"payload":null,"stage":"dev"}"#
    );
    assert_eq!(
        map_request(b"{oops", &[]).await.unwrap_err(),
        "request body is not JSON"
    );
    assert_eq!(
        map_request(b"  ", &[]).await.unwrap_err(),
        "request body is not JSON"
    );

    let map_response = async |body: &[u8]| {
        let response = HttpResponse {
            status: 404,
            headers: fields(&[("x-envelope", "old"), ("content-type", "text/plain")]),
            body: body.to_vec(),
        };
        envelope
            .plugin
            .map_response(invocation(&[], None, &[]), response, context())
            .await
            .unwrap()
            .unwrap()
    };
    let mapped = map_response(br#"{"b":1,"a":true}"#).await;
    assert_eq!(mapped.status, 404);
    assert_eq!(
        String::from_utf8(mapped.body).unwrap(),
        r#"{"data":{"b":1,"a":true},"status":404}"#
    );
    assert_eq!(
        mapped.headers,
        fields(&[
            ("content-type", "application/json"),
            ("x-envelope", "response")
        ])
    );
    for text in [
        &b"plain \"text\""[..],
        b"",
        b"bad \xff\xe2\x82 utf-8 \xf0\x9f\x98",
    ] {
        let data = String::from_utf8_lossy(text).into_owned();
        assert_eq!(
            String::from_utf8(map_response(text).await.body).unwrap(),
            json!({"data": data, "status": 404}).to_string()
        );
    }
}

// --- tokens -------------------------------------------------------------------------------

#[tokio::test]
async fn the_tokens_example_authorizes_as_the_rust_token_authorizer() {
    let tokens = load(&example("authorizer"), PluginKind::Authorizer);
    let arn = "arn:aws:execute-api:local:000000000000:api1/dev/POST/items/1";
    let ask = async |token: Option<&str>, method_arn: &str| {
        let request = AuthorizerRequest {
            kind: "TOKEN".into(),
            authorization_token: token.map(str::to_owned),
            method_arn: method_arn.into(),
            headers: vec![],
            query: vec![],
            path_parameters: vec![],
            context: context(),
        };
        let stage = [
            (
                "tokens",
                "s3cret=alice, t0ken = bob ,=nobody,dup=first,dup=second",
            ),
            ("readers", "carol, bob"),
        ];
        tokens
            .plugin
            .authorize(invocation(&stage, None, &[]), request)
            .await
            .unwrap()
    };
    let policy = |resource: &str| {
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Action":"execute-api:Invoke","Effect":"Allow","Resource":"{resource}"}}]}}"#
        )
    };

    let alice = ask(Some("Bearer s3cret"), arn).await.unwrap();
    assert_eq!(alice.principal_id, "alice");
    assert_eq!(
        alice.policy_document,
        policy("arn:aws:execute-api:local:000000000000:api1/dev/*")
    );
    assert_eq!(
        alice.context,
        fields(&[("user", "alice"), ("role", "writer")])
    );
    assert_eq!(alice.usage_identifier_key, None);

    let bob = ask(Some("  bearer   t0ken \u{3000}"), arn).await.unwrap();
    assert_eq!(bob.principal_id, "bob");
    assert_eq!(
        bob.policy_document,
        policy("arn:aws:execute-api:local:000000000000:api1/dev/GET/*")
    );
    assert_eq!(bob.context, fields(&[("user", "bob"), ("role", "reader")]));

    // Bare tokens, the first listing of a token, and an ARN without a stage.
    assert_eq!(
        ask(Some("s3cret"), arn).await.unwrap().principal_id,
        "alice"
    );
    assert_eq!(ask(Some("dup"), arn).await.unwrap().principal_id, "first");
    let odd = ask(Some("t0ken"), "arn:aws:execute-api:local:0:api1")
        .await
        .unwrap();
    assert_eq!(
        odd.policy_document,
        policy("arn:aws:execute-api:local:0:api1/GET/*")
    );

    for refused in [
        None,
        Some(""),
        Some("Bearer "),
        Some("alice"),
        Some("Basic s3cret"),
    ] {
        assert_eq!(
            ask(refused, arn).await.unwrap_err(),
            "Unauthorized",
            "{refused:?}"
        );
    }
}

// --- templates ----------------------------------------------------------------------------

#[tokio::test]
async fn each_template_builds_and_runs() {
    let parent = tempfile::tempdir().unwrap();
    for world in World::ALL {
        let dir = parent.path().join(world.wit_name());
        tollgate_toolchain::scaffold(&dir, "hello", Language::C, world).unwrap();
        let kind = match world {
            World::Function => PluginKind::Function,
            World::Mapper => PluginKind::Mapper,
            World::Authorizer => PluginKind::Authorizer,
        };
        let loaded = load(&dir, kind);
        match world {
            World::Function => {
                let store = Arc::new(Store::open(&loaded.scratch.path().join("store")).unwrap());
                let grant = KeyValueGrant {
                    store,
                    namespace: "function/hello".into(),
                };
                let sample = std::fs::read_to_string(dir.join("event.json")).unwrap();
                for greetings in 1..=2 {
                    let answer = loaded
                        .plugin
                        .handle_event(invocation(&[], Some(grant.clone()), &[]), &sample)
                        .await
                        .unwrap()
                        .unwrap();
                    let expected = json!({"hello": "world", "greetings": greetings});
                    assert_eq!(answer, proxy(200, &expected, &[]));
                }
            }
            World::Mapper => {
                let mapped = loaded
                    .plugin
                    .map_request(
                        invocation(&[], None, &[("tag", "v2")]),
                        request(b"", &[]),
                        context(),
                    )
                    .await
                    .unwrap()
                    .unwrap();
                assert_eq!(
                    mapped.headers,
                    fields(&[("x-mapped-by", "v2"), ("x-stage", "dev")])
                );
            }
            World::Authorizer => {
                let request = AuthorizerRequest {
                    kind: "TOKEN".into(),
                    authorization_token: Some("Bearer s3cret".into()),
                    method_arn: "arn:aws:execute-api:local:0:api1/dev/GET/hello".into(),
                    headers: vec![],
                    query: vec![],
                    path_parameters: vec![],
                    context: context(),
                };
                let stage = [("tokens", "s3cret=alice")];
                let allowed = loaded
                    .plugin
                    .authorize(invocation(&stage, None, &[]), request)
                    .await
                    .unwrap()
                    .unwrap();
                assert_eq!(allowed.principal_id, "alice");
                assert!(allowed.policy_document.contains("api1/dev/*"));
            }
        }
    }
}

// --- the SDK against the Rust crates it reproduces ----------------------------------------

struct Probe {
    loaded: Loaded,
}

impl Probe {
    fn new() -> Probe {
        Probe {
            loaded: load(&repo().join("sdk/c/tests/probe"), PluginKind::Function),
        }
    }

    /// `op` run on `input` by the probe: `Ok(result)` or `Err(message)`.
    async fn run(&self, op: &str, input: &[u8]) -> Result<String, String> {
        self.run_event(op, input, json!({})).await
    }

    /// The same with `extra` members in the event.
    async fn run_event(&self, op: &str, input: &[u8], extra: Value) -> Result<String, String> {
        let mut event = json!({
            "path": "/probe",
            "httpMethod": "POST",
            "queryStringParameters": {"op": op},
            "body": BASE64.encode(input),
            "isBase64Encoded": true,
        });
        for (key, value) in extra.as_object().unwrap() {
            event[key] = value.clone();
        }
        let answer = self
            .loaded
            .plugin
            .handle_event(invocation(&[], None, &[]), &event.to_string())
            .await
            .unwrap()
            .unwrap_or_else(|error| panic!("probe {op}: {error}"));
        let answer: Value = serde_json::from_str(&answer).unwrap();
        let body = answer["body"].as_str().unwrap();
        match body.split_once(':') {
            Some(("ok", result)) => Ok(result.to_owned()),
            Some(("err", message)) => Err(message.to_owned()),
            _ => panic!("probe {op}: unexpected answer {body}"),
        }
    }
}

/// What serde_json answers: the compact text of the parsed value, or the error's text.
fn serde(input: &[u8]) -> Result<String, String> {
    serde_json::from_slice::<Value>(input)
        .map(|value| value.to_string())
        .map_err(|error| error.to_string())
}

/// A small deterministic generator (xorshift64*), so that failures reproduce.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

#[tokio::test]
async fn json_reads_and_writes_as_serde_json_does() {
    let probe = Probe::new();
    let mut inputs: Vec<Vec<u8>> = [
        // Values and white space.
        "null",
        "true",
        "false",
        " \t\r\n1\n ",
        "\"\"",
        "[]",
        "{}",
        "[[],{}]",
        // Numbers: integers, the u64/i64 edges, floats and their printing.
        "0",
        "-0",
        "-0.0",
        "0.0",
        "1.0",
        "1.50",
        "1e3",
        "1E+3",
        "1e-7",
        "1e16",
        "1e15",
        "123456789012345.6",
        "0.000001",
        "0.0000001",
        "1e-5",
        "-1.5e-10",
        "3.14159",
        "18446744073709551615",
        "18446744073709551616",
        "-9223372036854775808",
        "-9223372036854775809",
        "123456789012345678901234567890",
        "1.7976931348623157e308",
        "2.2250738585072014e-308",
        "2.2250738585072009e-308",
        "1e-310",
        "5e-324",
        "4.9406564584124654e-324",
        "1e-400",
        "0.1e-330",
        "1e309",
        "-1e309",
        "1e400000000000",
        "0e400000000000",
        "1e-400000000000",
        "12345678901234567890.123456789e-5",
        "0.30000000000000004",
        "100e-2",
        "9007199254740993",
        // Strings: escapes, surrogates, non-ASCII, characters serde leaves unescaped.
        r#""a\u00e9\ud83d\ude00\/\b\f\n\r\t\"\\""#,
        r#""\u0000\u001f\u007f""#,
        "\"\u{7f}é😀\"",
        r#"{"a":1,"a":2,"b":3}"#,
        r#"{"k\u00e9y":[1,{"x":null}]}"#,
        // Every error, with its position.
        "",
        "   ",
        "\n\n  x",
        "x",
        "nul",
        "nulx",
        "tru",
        "fals",
        "-",
        "-x",
        "01",
        "1.",
        "1.e3",
        "1e",
        "1e+",
        "1.5e",
        ".5",
        "+1",
        "1 2",
        "[1]x",
        "[1,]",
        "[1 2]",
        "[",
        "[1,",
        "{",
        r#"{"a""#,
        r#"{"a":"#,
        r#"{"a" 1}"#,
        "{1:2}",
        r#"{"a":1,}"#,
        r#"{"a":1 "b":2}"#,
        "{,}",
        r#"{"a":1,2}"#,
        "\"abc",
        "\"tab\there\"",
        r#""\x""#,
        r#""\ud800""#,
        r#""\udc00""#,
        r#""\ud800\u0041""#,
        r#""\ud800x""#,
        r#""\ud800\x""#,
        r#""\u12""#,
        r#""\u12G4""#,
        "\"\\",
        "[1,\n2,\n  x]",
    ]
    .iter()
    .map(|text| text.as_bytes().to_vec())
    .collect();
    // Invalid UTF-8 in and out of strings (after escapes too, where the column is approximate).
    for bytes in [
        &b"\"\xff\""[..],
        b"\"a\xc3\"",
        b"\"\\n\xed\xa0\x80\"",
        b"\"\xf4\x90\x80\x80\"",
        b"\xff",
        b"[\"ok\",\n \"\xe2\x82\"]",
    ] {
        inputs.push(bytes.to_vec());
    }
    // The recursion limit: 127 levels parse, 128 do not.
    for depth in [127, 128, 129] {
        inputs.push(format!("{}{}", "[".repeat(depth), "]".repeat(depth)).into_bytes());
        inputs.push(format!("{}1{}", "{\"a\":".repeat(depth), "}".repeat(depth)).into_bytes());
    }
    // Large documents: many values (several arena chunks) and one long string (a block of
    // its own).
    let many: Vec<Value> = (0..5000)
        .map(|i| json!({"id": i.to_string(), "v": f64::from(i) / 8.0, "tags": ["a", "é", null]}))
        .collect();
    inputs.push(serde_json::to_vec(&many).unwrap());
    inputs.push(serde_json::to_vec(&"x\n\"é".repeat(40_000)).unwrap());
    // Numbers as serde writes random doubles, and random decimal texts.
    let mut random = Random(0x5eed_1234_abcd_ef01);
    for _ in 0..400 {
        // Any double, and a subnormal one (zmij takes another path for those).
        for f in [
            f64::from_bits(random.next()),
            f64::from_bits(random.next() >> 12),
        ] {
            if f.is_finite() {
                inputs.push(serde_json::to_vec(&f).unwrap());
            }
        }
        let digits: String = (0..1 + random.below(25))
            .map(|_| char::from(b'0' + random.below(10) as u8))
            .collect();
        let fraction: String = (0..random.below(20))
            .map(|_| char::from(b'0' + random.below(10) as u8))
            .collect();
        let exponent = random.below(700) as i64 - 350;
        inputs.push(format!("{digits}.{fraction}1e{exponent}").into_bytes());
        inputs.push(format!("-{}", random.next() >> random.below(64)).into_bytes());
    }

    let mut mismatches = Vec::new();
    for input in &inputs {
        let expected = serde(input);
        let actual = probe.run("json", input).await;
        if actual != expected {
            mismatches.push(format!(
                "{:?}: C {actual:?}, serde_json {expected:?}",
                String::from_utf8_lossy(input)
            ));
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} of {} inputs differ:\n{}",
        mismatches.len(),
        inputs.len(),
        mismatches.join("\n")
    );
}

#[tokio::test]
async fn text_helpers_match_rust_s_std_and_base64() {
    let probe = Probe::new();
    for input in [
        "",
        "QQ==",
        "QUI=",
        "QUJD",
        "aGVsbG8gd29ybGQ=",
        "eyJhIjoxfQ==",
        "%%%",
        "QQ",
        "QQ=",
        "Q===",
        "====",
        "Q",
        "QUJDRA",
        "QUJDRA=",
        "QUJDRA==x",
        "QR==",
        "QUI",
        "QU=I",
        "AB=C",
        "QUJD\n",
        "QUJDRA==QUJD",
        "QUJD+/8=",
        "QUJD-_8=",
    ] {
        let expected = BASE64
            .decode(input)
            .map(|bytes| bytes.iter().map(|b| format!("{b:02x}")).collect::<String>())
            .map_err(|error| error.to_string());
        assert_eq!(
            probe.run("base64", input.as_bytes()).await,
            expected,
            "{input:?}"
        );
    }
    for input in [
        &b"plain"[..],
        b"",
        b"\xff",
        b"a\xc3",
        b"\xe2\x82\x41",
        b"\xed\xa0\x80z",
        b"\xf0\x9f\x98\xc0",
        b"\xf4\x90\x80\x80",
        b"\xc0\xaf",
        b"\x80\x80\xe2\x82\xac",
        b"\xf0\x9f\x98",
    ] {
        let expected = serde_json::to_string(&String::from_utf8_lossy(input)).unwrap();
        assert_eq!(probe.run("lossy", input).await, Ok(expected), "{input:?}");
    }
    for input in [
        "",
        "  a b  ",
        "\t\n x \r\u{b}\u{c}",
        "\u{3000}\u{85}\u{a0}x\u{2028}\u{202f}\u{205f}",
        "\u{200b}x\u{200b}",
        "\u{1680}\u{2000}\u{200a}y",
        "é ",
    ] {
        assert_eq!(
            probe.run("trim", input.as_bytes()).await,
            Ok(input.trim().to_owned()),
            "{input:?}"
        );
    }
    for input in [
        "0",
        "42",
        "+7",
        "+",
        "",
        "-1",
        " 1",
        "18446744073709551615",
        "18446744073709551616",
        "007",
        "1a",
        "٣",
    ] {
        let expected = input
            .parse::<u64>()
            .map(|n| n.to_string())
            .map_err(|_| String::new());
        assert_eq!(
            probe.run("u64", input.as_bytes()).await,
            expected,
            "{input:?}"
        );
    }
    for input in ["", ",", "a", "a,b", ",a,,b,", "s3cret=alice, t0ken=bob"] {
        let expected: String = input.split(',').map(|part| format!("[{part}]")).collect();
        assert_eq!(
            probe.run("split", input.as_bytes()).await,
            Ok(expected),
            "{input:?}"
        );
    }
}

#[tokio::test]
async fn events_and_responses_read_and_write_as_the_rust_sdk_does() {
    let probe = Probe::new();
    let extra = json!({
        "headers": {"Content-Type": "application/json", "X-Thing": "a", "x-thing": "b"},
        "multiValueHeaders": {"X-Multi": ["1", "2"], "content-type": ["text/plain"]},
        "multiValueQueryStringParameters": {"op": ["event"], "x": ["1", "2"], "y": ["3", "4"]},
        "pathParameters": {"id": "42"},
        "stageVariables": {"v": "1"},
    });
    let lookups = [
        "header:content-type",
        "header:x-thing",
        "header:X-THING",
        "header:x-multi",
        "header:accept",
        "query:op",
        "query:y",
        "query:Y",
        "path:id",
        "path:ID",
        "stage:v",
        "stage:w",
    ];
    let mut event = extra.clone();
    event["queryStringParameters"] = json!({"op": "event"});
    let rust = tollgate_sdk::ProxyEvent::from_json(&event.to_string()).unwrap();
    let expected: String = lookups
        .iter()
        .map(|lookup| {
            let (kind, name) = lookup.split_once(':').unwrap();
            let value = match kind {
                "header" => rust.header(name),
                "query" => rust.query(name),
                "path" => rust.path_parameter(name),
                _ => rust.stage_variable(name),
            };
            value.map_or("-\n".to_owned(), |v| format!("={v}\n"))
        })
        .collect();
    assert_eq!(
        probe
            .run_event("event", lookups.join("\n").as_bytes(), extra)
            .await,
        Ok(expected)
    );

    use tollgate_sdk::ProxyResponse;
    let text = ProxyResponse::text(404, "no")
        .with_header_values("set-cookie", ["a=1", "b=2"])
        .with_header("X-B", "1")
        .with_header("x-a", "2");
    let binary = ProxyResponse::binary(200, b"hi")
        .with_header("Content-Type", "image/png")
        .with_header_values("x-multi", ["a=1"])
        .with_header("X-MULTI", "single");
    let expected = [
        text.to_json(),
        text.header("Set-Cookie").unwrap().to_owned(),
        binary.to_json(),
        ProxyResponse::new(204).to_json(),
    ]
    .join("\n");
    assert_eq!(probe.run("response", b"").await, Ok(expected));
}
