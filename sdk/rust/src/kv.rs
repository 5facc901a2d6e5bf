//! The key-value table the stage grants to the plugin (the `tollgate:plugin/key-value`
//! interface).
//!
//! Every key lives in the namespace the stage configured for this plugin; writes are
//! durable when the call returns. Keys are limited to 1 KiB and values to 1 MiB.
//!
//! Only the `function` and `authorizer` worlds import key-value: a mapper must not call
//! these functions (its component would import an interface the `mapper` world lacks, and
//! the gateway would refuse to load it).
//!
//! ```
//! use tollgate_sdk::kv;
//!
//! # fn main() -> Result<(), kv::KvError> {
//! kv::set("greeting", b"hello")?;
//! assert_eq!(kv::get("greeting")?, Some(b"hello".to_vec()));
//! kv::set_json("count", &3)?;
//! let count: Option<u32> = kv::get_json("count")?;
//! # Ok(()) }
//! ```

use std::fmt;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::bindings::function::tollgate::plugin::key_value as wit;
#[cfg(not(target_arch = "wasm32"))]
use crate::native::key_value as host;
#[cfg(target_arch = "wasm32")]
use wit as host;

/// Why a key-value call failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KvError {
    /// The stage granted this plugin no key-value namespace.
    NoNamespace,
    /// The key or value is larger than the host allows; the text says which.
    TooLarge(String),
    /// The store failed; the text says how.
    Store(String),
    /// A value read by [`get_json`] is not the JSON expected, or a value given to
    /// [`set_json`] cannot be serialised.
    Json(String),
}

impl fmt::Display for KvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KvError::NoNamespace => f.write_str("no key-value namespace is granted to this plugin"),
            KvError::TooLarge(e) => write!(f, "key-value entry too large: {e}"),
            KvError::Store(e) => write!(f, "key-value store error: {e}"),
            KvError::Json(e) => write!(f, "key-value JSON error: {e}"),
        }
    }
}

impl std::error::Error for KvError {}

impl From<wit::Error> for KvError {
    fn from(error: wit::Error) -> Self {
        match error {
            wit::Error::NoNamespace => KvError::NoNamespace,
            wit::Error::TooLarge(e) => KvError::TooLarge(e),
            wit::Error::Store(e) => KvError::Store(e),
        }
    }
}

/// The value stored under `key`, or `None`.
pub fn get(key: &str) -> Result<Option<Vec<u8>>, KvError> {
    Ok(host::get(key)?)
}

/// Stores `value` under `key`, replacing any previous value.
pub fn set(key: &str, value: impl AsRef<[u8]>) -> Result<(), KvError> {
    Ok(host::set(key, value.as_ref())?)
}

/// Removes `key`; `true` when it existed.
pub fn delete(key: &str) -> Result<bool, KvError> {
    Ok(host::delete(key)?)
}

/// The keys that start with `prefix`, in ascending byte order, at most `limit` of them (the
/// host caps `limit` at 1000).
pub fn list_keys(prefix: &str, limit: u32) -> Result<Vec<String>, KvError> {
    Ok(host::list_keys(prefix, limit)?)
}

/// The value stored under `key` parsed as JSON, or `None`.
pub fn get_json<T: DeserializeOwned>(key: &str) -> Result<Option<T>, KvError> {
    match get(key)? {
        None => Ok(None),
        Some(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| KvError::Json(e.to_string())),
    }
}

/// Stores `value` as JSON under `key`, replacing any previous value.
pub fn set_json<T: Serialize + ?Sized>(key: &str, value: &T) -> Result<(), KvError> {
    let bytes = serde_json::to_vec(value).map_err(|e| KvError::Json(e.to_string()))?;
    set(key, bytes)
}
