//! Structured logging into the gateway's own log (the `tollgate:plugin/log` interface).
//!
//! The host tags every record with the request id and the plugin, so a message only needs
//! to say what happened; put variable parts in `fields` rather than in the message.
//! Available in every world.
//!
//! ```
//! tollgate_sdk::log::info("item created", &[("id", "42")]);
//! ```

#[cfg(target_arch = "wasm32")]
use crate::bindings::function::tollgate::plugin::log as host;
#[cfg(not(target_arch = "wasm32"))]
use crate::native::log as host;

/// Severity of a log record.
pub use crate::bindings::function::tollgate::plugin::log::Level;

/// Writes one record at `level`: a message plus key/value fields.
pub fn write(level: Level, message: &str, fields: &[(&str, &str)]) {
    let fields: Vec<(String, String)> = fields
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    host::write(level, message, &fields);
}

/// Writes a `trace` record.
pub fn trace(message: &str, fields: &[(&str, &str)]) {
    write(Level::Trace, message, fields);
}

/// Writes a `debug` record.
pub fn debug(message: &str, fields: &[(&str, &str)]) {
    write(Level::Debug, message, fields);
}

/// Writes an `info` record.
pub fn info(message: &str, fields: &[(&str, &str)]) {
    write(Level::Info, message, fields);
}

/// Writes a `warn` record.
pub fn warn(message: &str, fields: &[(&str, &str)]) {
    write(Level::Warn, message, fields);
}

/// Writes an `error` record.
pub fn error(message: &str, fields: &[(&str, &str)]) {
    write(Level::Error, message, fields);
}
