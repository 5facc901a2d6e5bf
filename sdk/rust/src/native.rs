//! A simulated host for native builds (`cargo test` of a plugin crate), where the
//! `tollgate:plugin` imports do not exist.
//!
//! Outside WebAssembly the wrappers of [`kv`](crate::kv), [`log`](crate::log) and
//! [`stage`](crate::stage) call these modules instead of the imports; each mirrors the
//! signatures of the generated import it stands for. Log records go to stderr, the
//! key-value table is an in-memory map per thread (each test gets its own) with the host's
//! size limits, and stage variables are whatever [`testing`](crate::testing) set on the
//! thread. Compiled only for non-wasm32 targets: it never reaches a component.

use std::cell::RefCell;
use std::collections::BTreeMap;

thread_local! {
    static TABLE: RefCell<BTreeMap<String, Vec<u8>>> = const { RefCell::new(BTreeMap::new()) };
    static STAGE: RefCell<BTreeMap<String, String>> = const { RefCell::new(BTreeMap::new()) };
}

/// Stands for `tollgate:plugin/log`.
pub(crate) mod log {
    use crate::log::Level;

    pub(crate) fn write(level: Level, message: &str, fields: &[(String, String)]) {
        let level = match level {
            Level::Trace => "TRACE",
            Level::Debug => "DEBUG",
            Level::Info => "INFO",
            Level::Warn => "WARN",
            Level::Error => "ERROR",
        };
        let fields: String = fields.iter().map(|(k, v)| format!(" {k}={v:?}")).collect();
        eprintln!("[{level}] {message}{fields}");
    }
}

/// Stands for `tollgate:plugin/key-value`.
pub(crate) mod key_value {
    use super::TABLE;
    pub(crate) use crate::bindings::function::tollgate::plugin::key_value::Error;

    /// The host's limits, as the WIT documents them.
    const MAX_KEY: usize = 1024;
    const MAX_VALUE: usize = 1024 * 1024;
    const MAX_LIST: u32 = 1000;

    pub(crate) fn get(key: &str) -> Result<Option<Vec<u8>>, Error> {
        check_key(key)?;
        Ok(TABLE.with(|t| t.borrow().get(key).cloned()))
    }

    pub(crate) fn set(key: &str, value: &[u8]) -> Result<(), Error> {
        check_key(key)?;
        if value.len() > MAX_VALUE {
            return Err(Error::TooLarge(format!(
                "value of {} bytes exceeds {MAX_VALUE}",
                value.len()
            )));
        }
        TABLE.with(|t| t.borrow_mut().insert(key.to_owned(), value.to_vec()));
        Ok(())
    }

    pub(crate) fn delete(key: &str) -> Result<bool, Error> {
        check_key(key)?;
        Ok(TABLE.with(|t| t.borrow_mut().remove(key).is_some()))
    }

    pub(crate) fn list_keys(prefix: &str, limit: u32) -> Result<Vec<String>, Error> {
        let limit = limit.min(MAX_LIST) as usize;
        Ok(TABLE.with(|t| {
            t.borrow()
                .range(prefix.to_owned()..)
                .map(|(k, _)| k)
                .take_while(|k| k.starts_with(prefix))
                .take(limit)
                .cloned()
                .collect()
        }))
    }

    fn check_key(key: &str) -> Result<(), Error> {
        if key.len() > MAX_KEY {
            return Err(Error::TooLarge(format!(
                "key of {} bytes exceeds {MAX_KEY}",
                key.len()
            )));
        }
        Ok(())
    }
}

/// Stands for `tollgate:plugin/stage`.
pub(crate) mod stage {
    use super::STAGE;

    pub(crate) fn variable(name: &str) -> Option<String> {
        STAGE.with(|s| s.borrow().get(name).cloned())
    }

    pub(crate) fn variables() -> Vec<(String, String)> {
        STAGE.with(|s| s.borrow().clone().into_iter().collect())
    }
}

pub(crate) fn set_stage_variables(variables: BTreeMap<String, String>) {
    STAGE.with(|s| *s.borrow_mut() = variables);
}

pub(crate) fn reset() {
    TABLE.with(|t| t.borrow_mut().clear());
    STAGE.with(|s| s.borrow_mut().clear());
}
