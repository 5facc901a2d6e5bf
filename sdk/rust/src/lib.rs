//! The Rust guest SDK for Tollgate plugins.
//!
//! A Tollgate plugin is a WebAssembly component targeting one of the worlds of the WIT
//! package `tollgate:plugin@0.1.0` (`wit/plugin.wit`). With this crate a plugin is a plain
//! Rust type implementing one trait, plus one macro call that exports it:
//!
//! | world | trait | export macro | what it is |
//! | --- | --- | --- | --- |
//! | `function` | [`Function`] (typed) or [`RawFunction`] (JSON) | [`export_function!`] / [`export_raw_function!`] | an `AWS_PROXY` integration: Lambda-proxy event in, Lambda-proxy response out |
//! | `mapper` | [`Mapper`] | [`export_mapper!`] | a request/response transform |
//! | `authorizer` | [`Authorizer`] | [`export_authorizer!`] | a custom authorizer answering with an IAM [`Policy`] |
//!
//! The host interfaces are wrapped in [`kv`] (the stage's key-value table; `function` and
//! `authorizer` worlds only), [`log`] (the gateway's log) and [`stage`] (stage variables).
//!
//! # Example: a function
//!
//! ```no_run
//! use tollgate_sdk::{Function, ProxyEvent, ProxyResponse, kv, log};
//!
//! struct Counter;
//!
//! impl Function for Counter {
//!     fn handle(event: ProxyEvent) -> Result<ProxyResponse, String> {
//!         let name = event.path_parameter("name").unwrap_or("default");
//!         let key = format!("counter:{name}");
//!         let count = kv::get_json::<u64>(&key).map_err(|e| e.to_string())?.unwrap_or(0) + 1;
//!         kv::set_json(&key, &count).map_err(|e| e.to_string())?;
//!         log::info("counted", &[("name", name)]);
//!         Ok(ProxyResponse::json(200, &tollgate_sdk::serde_json::json!({ "name": name, "count": count })))
//!     }
//! }
//!
//! tollgate_sdk::export_function!(Counter);
//! # fn main() {}
//! ```
//!
//! # Building a plugin
//!
//! A plugin is a `cdylib` crate depending on `tollgate-sdk`, built with
//! `cargo build --release --target wasm32-wasip2`: Rust's `wasm32-wasip2` linker emits a
//! component directly. A crate exports exactly one world (one `export_*!` call). Only the
//! host interfaces a plugin actually calls end up as imports of its component; Rust's
//! standard library adds a few WASI imports of its own (environment, exit, stdio, clocks),
//! which the gateway satisfies with empty, capability-less implementations.
//!
//! The plugin's crate may also be built natively, for `cargo test`: outside WebAssembly the
//! host interfaces are simulated per thread (an in-memory key-value table, log records on
//! stderr, stage variables set with [`testing`]), so plugin logic is testable as plain Rust.
//!
//! # What this crate never does
//!
//! It adds no WASI use of its own (no randomness, clock, filesystem or network), never
//! panics on malformed input (a bad event is a function error), and keeps the raw
//! bindings in [`bindings`] so the typed layer stays the only thing plugins need to read.

#![warn(missing_docs)]

pub mod authorizer;
#[doc(hidden)]
#[allow(missing_docs)]
pub mod bindings;
pub mod config;
mod fields;
pub mod function;
pub mod kv;
pub mod log;
pub mod mapper;
#[cfg(not(target_arch = "wasm32"))]
mod native;
#[doc(hidden)]
pub mod panic;
pub mod proxy;
pub mod stage;
#[cfg(not(target_arch = "wasm32"))]
pub mod testing;

pub use authorizer::{Authorizer, AuthorizerRequest, AuthorizerResponse, Effect, Policy};
pub use function::{Function, RawFunction};
pub use kv::KvError;
pub use mapper::{HttpRequest, HttpResponse, Identity, Mapper, RequestContext};
pub use proxy::{
    BodyError, JsonMap, ProxyEvent, ProxyIdentity, ProxyRequestContext, ProxyResponse,
};

/// Re-exported so plugins can use JSON without depending on `serde_json` themselves.
pub use serde_json;
