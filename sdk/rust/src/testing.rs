//! Helpers for native tests of a plugin crate (compiled only for non-wasm32 targets).
//!
//! Natively, the host interfaces are simulated per thread: [`kv`](crate::kv) is an in-memory
//! table, [`log`](crate::log) prints to stderr and [`stage`](crate::stage) answers the
//! variables set here. Each test runs on its own thread, so tests do not see each other's
//! state.
//!
//! ```
//! use tollgate_sdk::{kv, stage, testing};
//!
//! testing::set_stage_variables([("table", "items")]);
//! assert_eq!(stage::variable("table").as_deref(), Some("items"));
//! kv::set("k", b"v").unwrap();
//! testing::reset();
//! assert_eq!(kv::get("k").unwrap(), None);
//! ```

/// Replaces this thread's stage variables.
pub fn set_stage_variables<I, K, V>(variables: I)
where
    I: IntoIterator<Item = (K, V)>,
    K: Into<String>,
    V: Into<String>,
{
    crate::native::set_stage_variables(
        variables
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect(),
    );
}

/// Empties this thread's key-value table and stage variables.
pub fn reset() {
    crate::native::reset();
}
