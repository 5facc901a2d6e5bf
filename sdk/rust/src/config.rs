//! The plugin's configuration (the `tollgate:plugin/config` interface): the read-only
//! key/value map the API definition gives the plugin where it names it (for a mapper, the
//! `x-tollgate-mapper` extension's `config` map), fixed per deployment.
//!
//! Only the `mapper` world imports `config`.
//!
//! Natively (for `cargo test` of a plugin crate) the configuration is per thread and set with
//! [`set_for_testing`]; it starts empty.
//!
//! ```
//! use tollgate_sdk::config;
//!
//! config::set_for_testing([("request-template", "$input.body")]);
//! assert_eq!(config::get("request-template").as_deref(), Some("$input.body"));
//! assert_eq!(config::get("response-template"), None);
//! assert_eq!(config::entries().len(), 1);
//! ```

use std::collections::BTreeMap;

#[cfg(target_arch = "wasm32")]
use crate::bindings::mapper::tollgate::plugin::config as host;
#[cfg(not(target_arch = "wasm32"))]
use native as host;

/// The configuration value under `key`, or `None` when the definition gives none.
pub fn get(key: &str) -> Option<String> {
    host::get(key)
}

/// Every configuration entry, by key.
pub fn entries() -> BTreeMap<String, String> {
    host::entries().into_iter().collect()
}

/// Replaces this thread's simulated configuration (native builds only).
#[cfg(not(target_arch = "wasm32"))]
pub fn set_for_testing<I, K, V>(entries: I)
where
    I: IntoIterator<Item = (K, V)>,
    K: Into<String>,
    V: Into<String>,
{
    native::set(
        entries
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect(),
    );
}

/// Stands for `tollgate:plugin/config` outside WebAssembly: a per-thread map.
#[cfg(not(target_arch = "wasm32"))]
mod native {
    use std::cell::RefCell;
    use std::collections::BTreeMap;

    thread_local! {
        static CONFIG: RefCell<BTreeMap<String, String>> = const { RefCell::new(BTreeMap::new()) };
    }

    pub(super) fn get(key: &str) -> Option<String> {
        CONFIG.with(|c| c.borrow().get(key).cloned())
    }

    pub(super) fn entries() -> Vec<(String, String)> {
        CONFIG.with(|c| c.borrow().clone().into_iter().collect())
    }

    pub(super) fn set(entries: BTreeMap<String, String>) {
        CONFIG.with(|c| *c.borrow_mut() = entries);
    }
}
