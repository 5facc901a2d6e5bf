//! What a plugin costs in each language: the `crud` function and the `envelope` mapper of
//! `plugins/examples/<lang>/` (built from source by the tests' build script), measured
//! through `tollgate_runtime` as the gateway uses it:
//!
//! - size of the component;
//! - compile time, cold (an empty compiled-component cache: validate, compile, write the
//!   artifact) and warm (a new runtime over that cache: what a restart or redeploy pays);
//! - a fresh-instance call (new `Store`, instantiation from the `InstancePre`, the call, the
//!   `Store` dropped), median and p99 over many calls: `crud` answering `GET /items/1` from
//!   its key-value table, the mapper wrapping a small JSON request body.
//!
//! Run with `cargo bench -p tollgate-tests --bench languages`; it prints a Markdown table for
//! BENCHMARKS.md and the ratios to Rust. Not criterion: criterion reports no percentiles, and
//! the p99 of a fresh instance is the point. A language whose examples were not built is
//! reported with the build error instead of numbers.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tollgate_runtime::{
    CompileSource, HttpRequest, Identity, Invocation, KeyValueGrant, Plugin, RequestContext,
    Runtime, RuntimeConfig,
};
use tollgate_store::KeyValueStore;
use tollgate_tests::examples;

const LANGUAGES: &[&str] = &["rust", "python", "js", "c"];
const COLD_RUNS: usize = 3;
const WARM_RUNS: usize = 5;
const WARMUP_CALLS: usize = 20;
const TIMED_CALLS: usize = 500;

const GET_ITEM: &str = r#"{"resource":"/items/{id}","path":"/items/1","httpMethod":"GET","headers":null,"multiValueHeaders":null,"queryStringParameters":null,"multiValueQueryStringParameters":null,"pathParameters":{"id":"1"},"stageVariables":null,"requestContext":{"requestId":"bench","stage":"dev"},"body":null,"isBase64Encoded":false}"#;

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Function,
    Mapper,
}

struct Measured {
    size: u64,
    cold: Duration,
    warm: Duration,
    median: Duration,
    p99: Duration,
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    let index = ((samples.len() as f64 * p).ceil() as usize).clamp(1, samples.len()) - 1;
    samples[index]
}

fn context() -> RequestContext {
    RequestContext {
        request_id: "bench".into(),
        api_id: "bench".into(),
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

async fn call_once(plugin: &Plugin, kind: Kind, invocation: &Invocation) {
    match kind {
        Kind::Function => {
            let answer = plugin
                .handle_event(invocation.clone(), GET_ITEM)
                .await
                .expect("the call")
                .expect("an answer");
            assert!(answer.contains(r#""statusCode":200"#), "{answer}");
        }
        Kind::Mapper => {
            let request = HttpRequest {
                method: "POST".into(),
                path: "/envelope".into(),
                query: vec![],
                headers: vec![("content-type".into(), "application/json".into())],
                body: br#"{"name":"apple","tags":["red",null],"price":3}"#.to_vec(),
            };
            let mapped = plugin
                .map_request(invocation.clone(), request, context())
                .await
                .expect("the call")
                .expect("a mapped request");
            assert!(mapped.body.starts_with(br#"{"payload":"#));
        }
    }
}

fn measure(tokio: &tokio::runtime::Runtime, path: &str, kind: Kind) -> Measured {
    let wasm = std::fs::read(path).expect("reading the component");
    let hash = tollgate_store::ContentHash::of(&wasm);
    let load = |cache: &std::path::Path| {
        let runtime = Runtime::new(RuntimeConfig::new(cache)).expect("a runtime");
        let bytes = wasm.clone();
        let started = Instant::now();
        let plugin = runtime
            .load(hash.as_str(), move || Ok(bytes))
            .expect("loading the component");
        (started.elapsed(), runtime, plugin)
    };
    let release = |runtime: Runtime, plugin: Arc<Plugin>| drop((plugin, runtime));
    let cold = median(
        (0..COLD_RUNS)
            .map(|_| {
                let cache = tempfile::tempdir().expect("a cache");
                let (elapsed, runtime, plugin) = load(cache.path());
                assert_eq!(plugin.compile_source(), CompileSource::Compiled);
                release(runtime, plugin);
                elapsed
            })
            .collect(),
    );
    let cache = tempfile::tempdir().expect("a cache");
    let (_, runtime, plugin) = load(cache.path());
    release(runtime, plugin);
    let mut warm = Vec::new();
    for _ in 0..WARM_RUNS {
        let (elapsed, runtime, plugin) = load(cache.path());
        assert_eq!(plugin.compile_source(), CompileSource::Cache);
        warm.push(elapsed);
        release(runtime, plugin);
    }
    let (_, runtime, plugin) = load(cache.path());

    let data = tempfile::tempdir().expect("a data directory");
    let store = tollgate_store::Store::open(data.path()).expect("a store");
    store
        .set("function/crud", "item:1", br#"{"id":"1","name":"apple"}"#)
        .expect("seeding the table");
    let invocation = Invocation {
        request_id: "bench".into(),
        plugin: "bench".into(),
        stage_variables: Arc::new(BTreeMap::new()),
        key_value: (kind == Kind::Function).then(|| KeyValueGrant {
            store: Arc::new(store),
            namespace: "function/crud".into(),
        }),
        config: Default::default(),
        timeout: Duration::from_secs(29),
    };
    let mut samples = tokio.block_on(async {
        for _ in 0..WARMUP_CALLS {
            call_once(&plugin, kind, &invocation).await;
        }
        let mut samples = Vec::with_capacity(TIMED_CALLS);
        for _ in 0..TIMED_CALLS {
            let started = Instant::now();
            call_once(&plugin, kind, &invocation).await;
            samples.push(started.elapsed());
        }
        samples
    });
    release(runtime, plugin);
    Measured {
        size: std::fs::metadata(path).expect("the component").len(),
        cold,
        warm: median(warm),
        median: percentile(&mut samples, 0.5),
        p99: percentile(&mut samples, 0.99),
    }
}

fn millis(duration: Duration) -> String {
    let ms = duration.as_secs_f64() * 1e3;
    if ms < 1.0 {
        format!("{ms:.3} ms")
    } else {
        format!("{ms:.1} ms")
    }
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` runs this too and would take
    // minutes, so it only checks that the examples load then.
    let benchmarking = std::env::args().any(|arg| arg == "--bench");
    let tokio = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("tokio runtime");
    let _guard = tokio.enter();
    println!(
        "| example | language | size | compile, cold | compile, warm (cache) | call median | call p99 |"
    );
    println!("| --- | --- | ---: | ---: | ---: | ---: | ---: |");
    for (example, kind) in [("crud", Kind::Function), ("mapper", Kind::Mapper)] {
        let mut rust: Option<Measured> = None;
        for language in LANGUAGES {
            let built = examples::ALL
                .iter()
                .find(|(l, n, _)| l == language && *n == example)
                .map(|(_, _, built)| *built);
            let path = match built {
                Some(Ok(path)) => path,
                Some(Err(error)) => {
                    println!(
                        "| {example} | {language} | not built: {} |",
                        error.lines().next().unwrap_or_default()
                    );
                    continue;
                }
                None => {
                    println!(
                        "| {example} | {language} | no plugins/examples/{language}/{example} |"
                    );
                    continue;
                }
            };
            if !benchmarking {
                continue;
            }
            let measured = measure(&tokio, path, kind);
            let ratio = |value: f64, of: fn(&Measured) -> f64| match &rust {
                Some(reference) if *language != "rust" => {
                    let ratio = value / of(reference);
                    if ratio < 10.0 {
                        format!(" (×{ratio:.1})")
                    } else {
                        format!(" (×{ratio:.0})")
                    }
                }
                _ => String::new(),
            };
            println!(
                "| {example} | {language} | {:.2} MB{} | {}{} | {}{} | {}{} | {}{} |",
                measured.size as f64 / 1e6,
                ratio(measured.size as f64, |m| m.size as f64),
                millis(measured.cold),
                ratio(measured.cold.as_secs_f64(), |m| m.cold.as_secs_f64()),
                millis(measured.warm),
                ratio(measured.warm.as_secs_f64(), |m| m.warm.as_secs_f64()),
                millis(measured.median),
                ratio(measured.median.as_secs_f64(), |m| m.median.as_secs_f64()),
                millis(measured.p99),
                ratio(measured.p99.as_secs_f64(), |m| m.p99.as_secs_f64()),
            );
            if *language == "rust" {
                rust = Some(measured);
            }
        }
    }
}
