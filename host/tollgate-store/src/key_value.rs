//! The key-value tables plugins use (the WIT interface `key-value`).
//!
//! Every key lives in a namespace, which the stage grants to a plugin; a plugin can never name
//! another one. [`KeyValueStore`] is the one trait every backend implements (this embedded
//! store now, Redis later), and the limits and checks here are shared so that all backends
//! refuse the same inputs the same way. Namespaces are isolated by construction: the embedded
//! store keys its table by the tuple `(namespace, key)`, which redb encodes with the
//! namespace's length in front, so no crafted key can reach into another namespace.

use std::sync::Arc;

use crate::tables::KEY_VALUE;
use crate::{Context, Store, StoreError, names};

/// The longest key, in bytes (1 KiB).
pub const MAX_KEY_BYTES: usize = 1024;
/// The largest value, in bytes (1 MiB).
pub const MAX_VALUE_BYTES: usize = 1024 * 1024;
/// The most keys one [`KeyValueStore::list_keys`] call returns, whatever limit is asked for.
pub const MAX_LIST_LIMIT: u32 = 1000;

/// Namespaced key-value storage for plugins. Every write is durable when the call returns.
pub trait KeyValueStore: Send + Sync + 'static {
    /// The value under `key` in `namespace`, or `None`.
    fn get(&self, namespace: &str, key: &str) -> Result<Option<Vec<u8>>, StoreError>;
    /// Stores `value` under `key` in `namespace`, replacing any previous value.
    fn set(&self, namespace: &str, key: &str, value: &[u8]) -> Result<(), StoreError>;
    /// Removes `key` from `namespace`; true when it existed.
    fn delete(&self, namespace: &str, key: &str) -> Result<bool, StoreError>;
    /// The keys of `namespace` that start with `prefix`, in ascending byte order, at most
    /// `limit` of them (capped at [`MAX_LIST_LIMIT`]).
    fn list_keys(
        &self,
        namespace: &str,
        prefix: &str,
        limit: u32,
    ) -> Result<Vec<String>, StoreError>;
}

impl<T: KeyValueStore + ?Sized> KeyValueStore for Arc<T> {
    fn get(&self, namespace: &str, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        (**self).get(namespace, key)
    }
    fn set(&self, namespace: &str, key: &str, value: &[u8]) -> Result<(), StoreError> {
        (**self).set(namespace, key, value)
    }
    fn delete(&self, namespace: &str, key: &str) -> Result<bool, StoreError> {
        (**self).delete(namespace, key)
    }
    fn list_keys(
        &self,
        namespace: &str,
        prefix: &str,
        limit: u32,
    ) -> Result<Vec<String>, StoreError> {
        (**self).list_keys(namespace, prefix, limit)
    }
}

/// Refuses a namespace that is empty, longer than 256 bytes or holds control characters.
pub fn check_namespace(namespace: &str) -> Result<(), StoreError> {
    names::namespace(namespace)
}

/// Refuses a key (or list prefix) longer than [`MAX_KEY_BYTES`].
pub fn check_key(key: &str) -> Result<(), StoreError> {
    if key.len() > MAX_KEY_BYTES {
        return Err(StoreError::TooLarge {
            what: "key-value key",
            size: key.len(),
            limit: MAX_KEY_BYTES,
        });
    }
    Ok(())
}

/// Refuses a value larger than [`MAX_VALUE_BYTES`].
pub fn check_value(value: &[u8]) -> Result<(), StoreError> {
    if value.len() > MAX_VALUE_BYTES {
        return Err(StoreError::TooLarge {
            what: "key-value value",
            size: value.len(),
            limit: MAX_VALUE_BYTES,
        });
    }
    Ok(())
}

/// The number of keys a listing returns for a requested `limit`.
pub fn effective_limit(limit: u32) -> usize {
    limit.min(MAX_LIST_LIMIT) as usize
}

impl KeyValueStore for Store {
    fn get(&self, namespace: &str, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        check_namespace(namespace)?;
        check_key(key)?;
        self.read(|tx| {
            let table = self.open_read(tx, KEY_VALUE)?;
            Ok(table
                .get((namespace, key))
                .context(self.ctx(), "read a key-value entry")?
                .map(|v| v.value().to_vec()))
        })
    }

    fn set(&self, namespace: &str, key: &str, value: &[u8]) -> Result<(), StoreError> {
        check_namespace(namespace)?;
        check_key(key)?;
        check_value(value)?;
        self.write(|tx| {
            let mut table = self.open_write(tx, KEY_VALUE)?;
            table
                .insert((namespace, key), value)
                .context(self.ctx(), "store a key-value entry")?;
            Ok(())
        })
    }

    fn delete(&self, namespace: &str, key: &str) -> Result<bool, StoreError> {
        check_namespace(namespace)?;
        check_key(key)?;
        self.write(|tx| {
            let mut table = self.open_write(tx, KEY_VALUE)?;
            Ok(table
                .remove((namespace, key))
                .context(self.ctx(), "remove a key-value entry")?
                .is_some())
        })
    }

    fn list_keys(
        &self,
        namespace: &str,
        prefix: &str,
        limit: u32,
    ) -> Result<Vec<String>, StoreError> {
        check_namespace(namespace)?;
        check_key(prefix)?;
        let limit = effective_limit(limit);
        if limit == 0 {
            return Ok(Vec::new());
        }
        self.read(|tx| {
            let table = self.open_read(tx, KEY_VALUE)?;
            let mut keys = Vec::new();
            // (namespace, prefix) is the first tuple of the namespace that can start with
            // `prefix`; tuples order by namespace first, so the matches follow it contiguously.
            for entry in table
                .range((namespace, prefix)..)
                .context(self.ctx(), "list key-value keys")?
            {
                let (entry_key, _) = entry.context(self.ctx(), "list key-value keys")?;
                let (entry_namespace, key) = entry_key.value();
                if entry_namespace != namespace || !key.starts_with(prefix) {
                    break;
                }
                keys.push(key.to_owned());
                if keys.len() >= limit {
                    break;
                }
            }
            Ok(keys)
        })
    }
}
