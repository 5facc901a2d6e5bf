//! The same 30-line request template rendered natively (`tollgate-vtl` in the host) and
//! through the `vtl-mapper` component in `tollgate-runtime` (a fresh store and instance per
//! call, the template compiled inside the guest each call, as the gateway would run it).
//!
//! Run with `cargo bench -p vtl-mapper --bench native_vs_wasm`. The component is built with
//! `cargo build --release --target wasm32-wasip2 -p vtl-mapper` first when it is missing (or
//! point `VTL_MAPPER_WASM` at a built one).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use tollgate_runtime::{HttpRequest, Identity, Invocation, RequestContext, Runtime, RuntimeConfig};
use tollgate_sdk::Identity as SdkIdentity;
use tollgate_vtl::Template;

const TEMPLATE: &str = include_str!("template.vm");
const BODY: &str = r#"{"customer": {"name": "Ann O'Neil", "email": "Ann@Example.COM", "orders": 12},
 "items": [{"sku": "A-1", "quantity": 2, "price": 9.99}, {"sku": "B-2", "quantity": 1, "price": 24.5},
           {"sku": "C-3", "quantity": 5, "price": 1.25}]}"#;

fn component() -> Vec<u8> {
    let path = std::env::var_os("VTL_MAPPER_WASM")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let workspace = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
            let target = std::env::var_os("CARGO_TARGET_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|| workspace.join("target"));
            target.join("wasm32-wasip2/release/vtl_mapper.wasm")
        });
    if !path.exists() {
        let status =
            std::process::Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
                .args([
                    "build",
                    "--release",
                    "--target",
                    "wasm32-wasip2",
                    "-p",
                    "vtl-mapper",
                ])
                .status()
                .expect("running cargo build for the component");
        assert!(
            status.success(),
            "building vtl-mapper for wasm32-wasip2 failed"
        );
    }
    std::fs::read(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

fn request() -> HttpRequest {
    HttpRequest {
        method: "POST".into(),
        path: "/orders".into(),
        query: vec![
            ("page".into(), "2".into()),
            ("q".into(), "red shoes".into()),
        ],
        headers: vec![("Accept".into(), "application/json".into())],
        body: BODY.as_bytes().to_vec(),
    }
}

fn context() -> RequestContext {
    RequestContext {
        request_id: "c6af9ac6-7b61-11e6-9a41-93e8deadbeef".into(),
        api_id: "api".into(),
        stage: "prod".into(),
        resource_path: "/orders".into(),
        http_method: "POST".into(),
        identity: Identity {
            source_ip: "192.0.2.1".into(),
            user_agent: Some("curl/8".into()),
            api_key: None,
        },
        stage_variables: vec![("alias".into(), "live".into())],
        authorizer: vec![],
        request_time_epoch: 1_700_000_000_000,
    }
}

fn sdk_request() -> tollgate_sdk::HttpRequest {
    let r = request();
    tollgate_sdk::HttpRequest {
        method: r.method,
        path: r.path,
        query: r.query,
        headers: r.headers,
        body: r.body,
    }
}

fn sdk_context() -> tollgate_sdk::RequestContext {
    let c = context();
    tollgate_sdk::RequestContext {
        request_id: c.request_id,
        api_id: c.api_id,
        stage: c.stage,
        resource_path: c.resource_path,
        http_method: c.http_method,
        identity: SdkIdentity {
            source_ip: c.identity.source_ip,
            user_agent: c.identity.user_agent,
            api_key: c.identity.api_key,
        },
        stage_variables: c.stage_variables,
        authorizer: c.authorizer,
        request_time_epoch: c.request_time_epoch,
    }
}

fn native_vs_wasm(c: &mut Criterion) {
    let template = Template::compile(TEMPLATE).expect("template compiles");
    let native =
        vtl_mapper::map_request(&template, sdk_request(), &sdk_context()).expect("native render");

    let tokio = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("tokio runtime");
    let cache = tempfile::tempdir().expect("cache dir");
    let _guard = tokio.enter();
    let runtime = Runtime::new(RuntimeConfig::new(cache.path())).expect("runtime");
    let wasm = component();
    let plugin = runtime
        .load("bench-vtl-mapper", || Ok(wasm.clone()))
        .expect("loading vtl-mapper");
    let invocation = Invocation {
        request_id: "bench".into(),
        plugin: "mapper vtl".into(),
        stage_variables: Arc::new(BTreeMap::new()),
        key_value: None,
        config: Arc::new(BTreeMap::from([(
            "request-template".to_owned(),
            TEMPLATE.to_owned(),
        )])),
        timeout: Duration::from_secs(29),
    };
    let mapped = tokio
        .block_on(plugin.map_request(invocation.clone(), request(), context()))
        .expect("call")
        .expect("mapping");
    assert_eq!(
        mapped.body, native.body,
        "the component renders what the host renders"
    );

    let mut group = c.benchmark_group("vtl-mapper");
    group.bench_function("native: render (template compiled once)", |b| {
        b.iter(|| {
            vtl_mapper::map_request(&template, sdk_request(), &sdk_context()).expect("render")
        })
    });
    group.bench_function("native: compile + render", |b| {
        b.iter(|| {
            let template = Template::compile(TEMPLATE).expect("compiles");
            vtl_mapper::map_request(&template, sdk_request(), &sdk_context()).expect("render")
        })
    });
    group.bench_function("wasm: fresh instance + compile + render", |b| {
        b.to_async(&tokio).iter(|| async {
            plugin
                .map_request(invocation.clone(), request(), context())
                .await
                .expect("call")
                .expect("mapping")
        })
    });
    group.finish();
}

criterion_group!(benches, native_vs_wasm);
criterion_main!(benches);
