//! The cost of one fresh WASM call, as the data plane pays it for every request: a new
//! `Store`, instantiation from the `InstancePre`, and the call of a trivial function
//! (`event-echo`, which returns the event it gets). Run with
//! `cargo bench -p tollgate-tests --bench fresh_call`; the median goes in BENCHMARKS.md.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use tollgate_runtime::{Invocation, Runtime, RuntimeConfig};
use tollgate_tests::components;

const EVENT: &str = r#"{"resource":"/","path":"/","httpMethod":"GET","headers":null,"multiValueHeaders":null,"queryStringParameters":null,"multiValueQueryStringParameters":null,"pathParameters":null,"stageVariables":null,"requestContext":{"requestId":"bench"},"body":null,"isBase64Encoded":false}"#;

fn fresh_call(c: &mut Criterion) {
    let tokio = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("tokio runtime");
    let cache = tempfile::tempdir().expect("cache dir");
    let _guard = tokio.enter();
    let runtime = Runtime::new(RuntimeConfig::new(cache.path())).expect("runtime");
    let wasm = std::fs::read(components::EVENT_ECHO).expect("event-echo component");
    let plugin = runtime
        .load("bench-event-echo", || Ok(wasm.clone()))
        .expect("loading event-echo");
    let invocation = Invocation {
        request_id: "bench".into(),
        plugin: "function echo:1".into(),
        stage_variables: Arc::new(BTreeMap::new()),
        key_value: None,
        config: Default::default(),
        timeout: Duration::from_secs(29),
    };
    c.bench_function("fresh store + instantiate + call (event-echo)", |b| {
        b.to_async(&tokio).iter(|| async {
            let output = plugin
                .handle_event(invocation.clone(), EVENT)
                .await
                .expect("call");
            assert!(output.is_ok());
        })
    });
}

criterion_group!(benches, fresh_call);
criterion_main!(benches);
