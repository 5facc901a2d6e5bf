//! The stage serving the request (the `tollgate:plugin/stage` interface).
//!
//! Stage variables come from the stage's configuration, with canary overrides applied.
//! Available in every world.
//!
//! ```
//! let table = tollgate_sdk::stage::variable("table").unwrap_or_else(|| "items".to_owned());
//! ```

use std::collections::BTreeMap;

#[cfg(target_arch = "wasm32")]
use crate::bindings::function::tollgate::plugin::stage as host;
#[cfg(not(target_arch = "wasm32"))]
use crate::native::stage as host;

/// The value of the stage variable `name`, or `None` when the stage does not define it.
pub fn variable(name: &str) -> Option<String> {
    host::variable(name)
}

/// All stage variables, by name.
pub fn variables() -> BTreeMap<String, String> {
    host::variables().into_iter().collect()
}
