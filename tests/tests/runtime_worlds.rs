//! The WASM runtime with real components of every world: `mapper` and `authorizer` (which
//! the data plane calls in later pipeline steps), the compiled-component cache, and loading
//! errors. These drive `tollgate-runtime` directly; the data-plane tests go through the binary.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use tollgate_runtime::{
    AuthorizerRequest, CallError, CompileSource, HttpRequest, HttpResponse, Identity, Invocation,
    LoadError, PluginKind, RequestContext, Runtime, RuntimeConfig,
};
use tollgate_tests::components;

fn invocation() -> Invocation {
    Invocation {
        request_id: "req-1".into(),
        plugin: "test".into(),
        stage_variables: Arc::new(BTreeMap::new()),
        key_value: None,
        config: Default::default(),
        timeout: Duration::from_secs(10),
    }
}

fn context() -> RequestContext {
    RequestContext {
        request_id: "req-1".into(),
        api_id: "api".into(),
        stage: "dev".into(),
        resource_path: "/x".into(),
        http_method: "GET".into(),
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

fn load(runtime: &Runtime, path: &str) -> Arc<tollgate_runtime::Plugin> {
    let wasm = std::fs::read(path).unwrap();
    runtime
        .load(&format!("test-{}", path.len()), || Ok(wasm))
        .unwrap()
}

#[tokio::test]
async fn a_mapper_maps_requests_and_responses() {
    let cache = tempfile::tempdir().unwrap();
    let runtime = Runtime::new(RuntimeConfig::new(cache.path())).unwrap();
    let mapper = load(&runtime, components::IDENTITY_MAPPER);
    assert_eq!(mapper.kind(), PluginKind::Mapper);
    let request = HttpRequest {
        method: "GET".into(),
        path: "/x".into(),
        query: vec![],
        headers: vec![("accept".into(), "*/*".into())],
        body: vec![],
    };
    let mapped = mapper
        .map_request(invocation(), request, context())
        .await
        .unwrap()
        .unwrap();
    assert!(
        mapped
            .headers
            .contains(&("x-mapped".to_string(), "1".to_string()))
    );
    let response = HttpResponse {
        status: 200,
        headers: vec![],
        body: b"ok".to_vec(),
    };
    let mapped = mapper
        .map_response(invocation(), response, context())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(mapped.body, b"ok");
    assert!(
        mapped
            .headers
            .contains(&("x-mapped".to_string(), "1".to_string()))
    );
    // A mapper is not a function.
    assert!(matches!(
        mapper.handle_event(invocation(), "{}").await,
        Err(CallError::WrongWorld { .. })
    ));
}

#[tokio::test]
async fn an_authorizer_allows_denies_and_refuses() {
    let cache = tempfile::tempdir().unwrap();
    let runtime = Runtime::new(RuntimeConfig::new(cache.path())).unwrap();
    let authorizer = load(&runtime, components::ALLOW_AUTHORIZER);
    assert_eq!(authorizer.kind(), PluginKind::Authorizer);
    let ask = |token: &str| AuthorizerRequest {
        kind: "TOKEN".into(),
        authorization_token: Some(token.into()),
        method_arn: "arn:aws:execute-api:local:000000000000:api/dev/GET/x".into(),
        headers: vec![],
        query: vec![],
        path_parameters: vec![],
        context: context(),
    };
    let allowed = authorizer
        .authorize(invocation(), ask("allow"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(allowed.principal_id, "alice");
    let policy: serde_json::Value = serde_json::from_str(&allowed.policy_document).unwrap();
    assert_eq!(policy["Statement"][0]["Effect"], "Allow");
    assert!(
        allowed
            .context
            .contains(&("user".to_string(), "alice".to_string()))
    );
    let denied = authorizer
        .authorize(invocation(), ask("deny"))
        .await
        .unwrap()
        .unwrap();
    let policy: serde_json::Value = serde_json::from_str(&denied.policy_document).unwrap();
    assert_eq!(policy["Statement"][0]["Effect"], "Deny");
    let refused = authorizer
        .authorize(invocation(), ask("other"))
        .await
        .unwrap();
    assert_eq!(refused.unwrap_err(), "Unauthorized");
}

#[tokio::test]
async fn a_second_runtime_reads_the_compiled_component_instead_of_compiling() {
    let cache = tempfile::tempdir().unwrap();
    let wasm = std::fs::read(components::EVENT_ECHO).unwrap();
    {
        let runtime = Runtime::new(RuntimeConfig::new(cache.path())).unwrap();
        let plugin = runtime.load("echo-hash", || Ok(wasm.clone())).unwrap();
        assert_eq!(plugin.compile_source(), CompileSource::Compiled);
        // Loading again in the same process shares the plugin.
        let again = runtime
            .load("echo-hash", || panic!("bytes not needed"))
            .unwrap();
        assert!(Arc::ptr_eq(&plugin, &again));
    }
    let runtime = Runtime::new(RuntimeConfig::new(cache.path())).unwrap();
    let plugin = runtime
        .load("echo-hash", || panic!("a cached component needs no bytes"))
        .unwrap();
    assert_eq!(plugin.compile_source(), CompileSource::Cache);
    let output = plugin
        .handle_event(invocation(), r#"{"path":"/"}"#)
        .await
        .unwrap()
        .unwrap();
    assert!(output.contains("statusCode"));
}

#[tokio::test]
async fn a_corrupt_compiled_artifact_is_recompiled() {
    let cache = tempfile::tempdir().unwrap();
    let wasm = std::fs::read(components::EVENT_ECHO).unwrap();
    {
        let runtime = Runtime::new(RuntimeConfig::new(cache.path())).unwrap();
        runtime.load("echo-hash", || Ok(wasm.clone())).unwrap();
    }
    for entry in std::fs::read_dir(cache.path()).unwrap() {
        std::fs::write(entry.unwrap().path(), b"garbage").unwrap();
    }
    let runtime = Runtime::new(RuntimeConfig::new(cache.path())).unwrap();
    let plugin = runtime.load("echo-hash", || Ok(wasm.clone())).unwrap();
    assert_eq!(plugin.compile_source(), CompileSource::Compiled);
}

#[tokio::test]
async fn loading_errors_say_what_is_wrong() {
    let cache = tempfile::tempdir().unwrap();
    let runtime = Runtime::new(RuntimeConfig::new(cache.path())).unwrap();
    let junk = runtime
        .load("junk", || Ok(b"not wasm".to_vec()))
        .unwrap_err();
    assert!(matches!(junk, LoadError::Compile { .. }), "{junk}");
    // A core module that is not a component.
    let core = runtime
        .load("core", || Ok(b"\0asm\x01\0\0\0".to_vec()))
        .unwrap_err();
    assert!(matches!(core, LoadError::Compile { .. }), "{core}");
}

/// Each runtime reserves its instance pool's address space, and a loaded plugin points back
/// at its runtime: dropping the runtime and the plugin must free both, or a process that
/// makes runtimes (a test harness, `tollgate plugin test` in a loop) runs out of address
/// space after a few dozen.
#[tokio::test]
async fn a_dropped_runtime_frees_its_engine_even_after_loading_plugins() {
    let cache = tempfile::tempdir().unwrap();
    for round in 0..150 {
        let runtime = Runtime::new(RuntimeConfig::new(cache.path()))
            .unwrap_or_else(|error| panic!("runtime {round}: {error}"));
        let mapper = load(&runtime, components::IDENTITY_MAPPER);
        assert_eq!(mapper.kind(), PluginKind::Mapper);
        drop(runtime);
        // A plugin still held keeps its engine working after the last handle goes.
        let response = HttpResponse {
            status: 200,
            headers: vec![],
            body: b"ok".to_vec(),
        };
        mapper
            .map_response(invocation(), response, context())
            .await
            .unwrap()
            .unwrap();
    }
}
