//! Per-call host state: what one `Store` carries for the duration of one guest call. A fresh
//! one is built for every call, so nothing leaks from one request into the next.

use std::collections::BTreeMap;
use std::sync::Arc;

use tollgate_store::KeyValueStore;
use wasmtime::component::ResourceTable;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpView};

use crate::host::http::OutboundPolicy;

/// The key-value namespace a stage grants to one plugin.
#[derive(Clone)]
pub struct KeyValueGrant {
    /// The store holding the tables.
    pub store: Arc<dyn KeyValueStore>,
    /// The namespace every key of this plugin lives in.
    pub namespace: String,
}

impl std::fmt::Debug for KeyValueGrant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyValueGrant")
            .field("namespace", &self.namespace)
            .finish_non_exhaustive()
    }
}

/// What the gateway hands a guest for one call: identity for logs, and the capabilities the
/// stage granted. Everything not granted here is unreachable from the guest.
#[derive(Debug, Clone)]
pub struct Invocation {
    /// The request id, tagged on every log record the guest writes.
    pub request_id: String,
    /// A label for the plugin in logs, e.g. `function crud:3`.
    pub plugin: String,
    /// Stage variables the `stage` interface returns.
    pub stage_variables: Arc<BTreeMap<String, String>>,
    /// The key-value namespace, when the stage grants one.
    pub key_value: Option<KeyValueGrant>,
    /// The configuration the definition gives the plugin (the `config` interface).
    pub config: Arc<BTreeMap<String, String>>,
    /// How long the call may run before it is stopped (the integration timeout).
    pub timeout: std::time::Duration,
}

/// The `T` of every `Store<T>`.
pub struct HostState {
    pub(crate) invocation: Invocation,
    pub(crate) limiter: crate::call::GuestLimiter,
    /// Epoch ticks left before the call is interrupted, as a backstop to the async timeout.
    pub(crate) ticks_left: u64,
    pub(crate) table: ResourceTable,
    /// Built only when the guest touches WASI: guests without WASI imports never pay for it.
    wasi: Option<WasiCtx>,
    http: Option<WasiHttpCtx>,
    outbound: OutboundPolicy,
}

impl HostState {
    pub(crate) fn new(
        invocation: Invocation,
        limiter: crate::call::GuestLimiter,
        ticks_left: u64,
    ) -> Self {
        HostState {
            invocation,
            limiter,
            ticks_left,
            table: ResourceTable::new(),
            wasi: None,
            http: None,
            outbound: OutboundPolicy::DenyAll,
        }
    }
}

impl WasiView for HostState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        // No filesystem, no environment, no network, no inherited stdio: a guest gets only
        // clocks and randomness unless a later stage setting grants more.
        let ctx = self.wasi.get_or_insert_with(|| WasiCtx::builder().build());
        WasiCtxView {
            ctx,
            table: &mut self.table,
        }
    }
}

impl WasiHttpView for HostState {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        let ctx = self.http.get_or_insert_with(WasiHttpCtx::new);
        WasiHttpCtxView {
            ctx,
            table: &mut self.table,
            hooks: &mut self.outbound,
        }
    }
}
