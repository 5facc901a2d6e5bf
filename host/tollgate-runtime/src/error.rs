//! Errors of the WASM runtime. Each says whether the fault is the guest's (it trapped, ran
//! out of time or memory, broke its contract) or the host's (compiling, caching), because
//! the gateway answers them differently (502 / 504 / 500).

use std::path::PathBuf;

/// Loading a component failed.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The bytes are not a valid component for this engine.
    #[error("component {hash} does not compile: {message}")]
    Compile { hash: String, message: String },
    /// The component exports none of Tollgate's worlds.
    #[error(
        "component {hash} exports none of the worlds Tollgate runs (tollgate:plugin/handler, \
         tollgate:plugin/mapping, tollgate:plugin/authorization, wasi:http/incoming-handler); \
         it exports: {exports}"
    )]
    UnknownWorld { hash: String, exports: String },
    /// The component imports something the host does not provide.
    #[error("component {hash} cannot be linked: {message}")]
    Link { hash: String, message: String },
    /// The compiled-component cache could not be read or written.
    #[error("compiled-component cache {path}: {message}")]
    Cache { path: PathBuf, message: String },
    /// The engine could not be configured.
    #[error("WASM engine: {0}")]
    Engine(String),
}

/// One call into a guest failed. The request that made it fails; nothing else does.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    /// The guest trapped (panic, `unreachable`, out-of-bounds access, failed allocation...).
    #[error("guest trapped: {0}")]
    Trap(String),
    /// The guest did not finish within the integration timeout.
    #[error("guest did not finish within {0:?}")]
    Timeout(std::time::Duration),
    /// The guest asked for more memory than its limit allows and could not continue.
    #[error("guest exceeded its memory limit of {limit_bytes} bytes")]
    MemoryExhausted { limit_bytes: usize },
    /// The guest could not be instantiated (e.g. the instance pool is exhausted).
    #[error("guest could not be instantiated: {0}")]
    Instantiate(String),
    /// The guest broke the contract of its world (e.g. a wasi:http component never answered).
    #[error("guest broke its contract: {0}")]
    Contract(String),
    /// The component is not of the world this call needs.
    #[error("component is a {actual}, not a {expected}")]
    WrongWorld {
        expected: &'static str,
        actual: &'static str,
    },
}
