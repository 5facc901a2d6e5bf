//! The WebAssembly component runtime of Tollgate.
//!
//! One [`Runtime`] per process owns the `wasmtime::Engine` (pooling allocator, epoch
//! interruption) and the compiled-component cache. [`Runtime::load`] turns a component's
//! bytes into a [`Plugin`]: compiled once per content hash (and kept compiled on disk),
//! linked once into an `InstancePre`. Every call then gets a fresh `Store` with its own
//! memory limit and deadline, so a guest that traps, loops or allocates without bound fails
//! only the call that ran it.
//!
//! This crate never decides HTTP status codes: it reports what happened ([`CallError`]) and
//! the gateway turns that into AWS's responses in one place.
//!
//! Reading order: `engine.rs` (configuration), `compile_cache.rs`, this file (loading),
//! `call.rs` (one call), `host/` (one module per host interface), `bindings.rs`.

mod bindings;
mod call;
mod compile_cache;
mod engine;
mod error;
mod host;
mod state;

use std::sync::Arc;

use dashmap::DashMap;
use wasmtime::Engine;
use wasmtime::component::{Component, Linker};
use wasmtime_wasi_http::p2::bindings::ProxyPre;

pub use bindings::authorizer::exports::tollgate::plugin::authorization::{
    AuthorizerRequest, AuthorizerResponse,
};
pub use bindings::types::{HttpRequest, HttpResponse, Identity, RequestContext};
pub use compile_cache::CompileSource;
pub use engine::RuntimeConfig;
pub use error::{CallError, LoadError};
pub use state::{Invocation, KeyValueGrant};

use crate::bindings::{authorizer::AuthorizerPre, function::FunctionPre, mapper::MapperPre};
use crate::compile_cache::CompileCache;
use crate::engine::EpochTicker;
use crate::state::HostState;

/// The export names that tell which world a component implements.
const HANDLER_EXPORT: &str = "tollgate:plugin/handler@0.1.0";
const MAPPING_EXPORT: &str = "tollgate:plugin/mapping@0.1.0";
const AUTHORIZATION_EXPORT: &str = "tollgate:plugin/authorization@0.1.0";
const WASI_HTTP_EXPORT_PREFIX: &str = "wasi:http/incoming-handler@0.2";

/// Which world a loaded component implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PluginKind {
    /// `tollgate:plugin/function`: Lambda-proxy events in, Lambda-proxy responses out.
    Function,
    /// A standard `wasi:http/proxy` component used as a function.
    WasiHttp,
    /// `tollgate:plugin/mapper`.
    Mapper,
    /// `tollgate:plugin/authorizer`.
    Authorizer,
}

impl PluginKind {
    /// A human name for messages.
    pub fn describe(self) -> &'static str {
        match self {
            PluginKind::Function => "function",
            PluginKind::WasiHttp => "wasi:http proxy",
            PluginKind::Mapper => "mapper",
            PluginKind::Authorizer => "authorizer",
        }
    }

    /// Whether an integration may call it as a function.
    pub fn is_function(self) -> bool {
        matches!(self, PluginKind::Function | PluginKind::WasiHttp)
    }
}

pub(crate) enum PluginPre {
    Function(FunctionPre<HostState>),
    WasiHttp(ProxyPre<HostState>),
    Mapper(MapperPre<HostState>),
    Authorizer(AuthorizerPre<HostState>),
}

pub(crate) struct RuntimeInner {
    pub(crate) engine: Engine,
    pub(crate) config: RuntimeConfig,
    linker: Linker<HostState>,
    cache: CompileCache,
    /// One permit per pooled instance slot: a call waits for a slot instead of failing.
    pub(crate) slots: tokio::sync::Semaphore,
    loaded: DashMap<String, Arc<Plugin>>,
    _ticker: EpochTicker,
}

/// The process's WASM runtime. Cheap to clone.
#[derive(Clone)]
pub struct Runtime {
    inner: Arc<RuntimeHandle>,
}

/// What the clones of a [`Runtime`] share. Loaded plugins hold the `RuntimeInner` (they
/// need its engine and slots), and `RuntimeInner` holds them in `loaded`; dropping the last
/// handle breaks that cycle, so the engine and its pooled memory go once the last plugin
/// still in use goes.
struct RuntimeHandle(Arc<RuntimeInner>);

impl std::ops::Deref for RuntimeHandle {
    type Target = RuntimeInner;

    fn deref(&self) -> &RuntimeInner {
        &self.0
    }
}

impl Drop for RuntimeHandle {
    fn drop(&mut self) {
        self.0.loaded.clear();
    }
}

/// A loaded component, ready to be instantiated for each call.
pub struct Plugin {
    hash: String,
    kind: PluginKind,
    source: CompileSource,
    pub(crate) pre: PluginPre,
    pub(crate) runtime: Arc<RuntimeInner>,
}

impl std::fmt::Debug for Plugin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Plugin")
            .field("hash", &self.hash)
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

impl Plugin {
    /// The content hash of the component.
    pub fn hash(&self) -> &str {
        &self.hash
    }

    /// The world it implements.
    pub fn kind(&self) -> PluginKind {
        self.kind
    }

    /// Whether loading it read a compiled artifact or compiled the component.
    pub fn compile_source(&self) -> CompileSource {
        self.source
    }
}

impl Runtime {
    /// Builds the engine, the linker with every host interface, and starts the epoch thread.
    pub fn new(config: RuntimeConfig) -> Result<Runtime, LoadError> {
        let engine = engine::build_engine(&config)?;
        let mut linker = Linker::new(&engine);
        let link =
            |e: wasmtime::Error| LoadError::Engine(format!("linking host interfaces: {e:#}"));
        wasmtime_wasi::p2::add_to_linker_async(&mut linker).map_err(link)?;
        wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker).map_err(link)?;
        bindings::function::Function::add_to_linker::<_, wasmtime::component::HasSelf<_>>(
            &mut linker,
            |state| state,
        )
        .map_err(link)?;
        bindings::mapper::tollgate::plugin::types::add_to_linker::<
            _,
            wasmtime::component::HasSelf<_>,
        >(&mut linker, |state| state)
        .map_err(link)?;
        bindings::config::add_to_linker::<_, wasmtime::component::HasSelf<_>>(
            &mut linker,
            |state| state,
        )
        .map_err(link)?;
        let cache = CompileCache::new(&engine, &config.cache_dir)?;
        let ticker = EpochTicker::start(engine.clone(), config.epoch_tick);
        let slots = tokio::sync::Semaphore::new(config.max_concurrent_calls as usize);
        Ok(Runtime {
            inner: Arc::new(RuntimeHandle(Arc::new(RuntimeInner {
                engine,
                config,
                linker,
                cache,
                slots,
                loaded: DashMap::new(),
                _ticker: ticker,
            }))),
        })
    }

    /// The plugin for the component with content hash `hash`. Loaded components are shared:
    /// a second load of the same hash returns the same plugin. `wasm` is asked for the bytes
    /// only when no compiled artifact exists.
    pub fn load(
        &self,
        hash: &str,
        wasm: impl FnOnce() -> Result<Vec<u8>, String>,
    ) -> Result<Arc<Plugin>, LoadError> {
        if let Some(plugin) = self.inner.loaded.get(hash) {
            return Ok(plugin.clone());
        }
        let (component, source) = self.inner.cache.load(&self.inner.engine, hash, wasm)?;
        let (kind, pre) = self.link(hash, &component)?;
        let plugin = Arc::new(Plugin {
            hash: hash.to_string(),
            kind,
            source,
            pre,
            runtime: self.inner.0.clone(),
        });
        self.inner.loaded.insert(hash.to_string(), plugin.clone());
        Ok(plugin)
    }

    /// Forgets loaded plugins that nothing else holds (no stage pipeline, no call in
    /// flight). Their compiled artifacts stay on disk, so loading one again compiles nothing.
    pub fn evict_unused(&self) {
        self.inner
            .loaded
            .retain(|_, plugin| Arc::strong_count(plugin) > 1);
    }

    fn link(
        &self,
        hash: &str,
        component: &Component,
    ) -> Result<(PluginKind, PluginPre), LoadError> {
        let engine = &self.inner.engine;
        let exports: Vec<String> = component
            .component_type()
            .exports(engine)
            .map(|(name, _)| name.to_string())
            .collect();
        let link_error = |e: wasmtime::Error| LoadError::Link {
            hash: hash.to_string(),
            message: format!("{e:#}"),
        };
        let instance_pre = self
            .inner
            .linker
            .instantiate_pre(component)
            .map_err(link_error)?;
        let has = |name: &str| exports.iter().any(|e| e == name);
        if has(HANDLER_EXPORT) {
            let pre = FunctionPre::new(instance_pre).map_err(link_error)?;
            Ok((PluginKind::Function, PluginPre::Function(pre)))
        } else if has(MAPPING_EXPORT) {
            let pre = MapperPre::new(instance_pre).map_err(link_error)?;
            Ok((PluginKind::Mapper, PluginPre::Mapper(pre)))
        } else if has(AUTHORIZATION_EXPORT) {
            let pre = AuthorizerPre::new(instance_pre).map_err(link_error)?;
            Ok((PluginKind::Authorizer, PluginPre::Authorizer(pre)))
        } else if exports
            .iter()
            .any(|e| e.starts_with(WASI_HTTP_EXPORT_PREFIX))
        {
            let pre = ProxyPre::new(instance_pre).map_err(link_error)?;
            Ok((PluginKind::WasiHttp, PluginPre::WasiHttp(pre)))
        } else {
            Err(LoadError::UnknownWorld {
                hash: hash.to_string(),
                exports: if exports.is_empty() {
                    "nothing".to_string()
                } else {
                    exports.join(", ")
                },
            })
        }
    }
}
