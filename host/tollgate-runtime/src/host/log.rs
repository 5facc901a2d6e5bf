//! `tollgate:plugin/log`: guest log records go into the gateway's own `tracing` log, tagged
//! with the request id and the plugin, so a guest can never forge another request's lines.

use crate::bindings::log::{Host, Level};
use crate::state::HostState;

impl Host for HostState {
    async fn write(&mut self, level: Level, message: String, fields: Vec<(String, String)>) {
        let request_id = self.invocation.request_id.as_str();
        let plugin = self.invocation.plugin.as_str();
        let fields = fields
            .iter()
            .map(|(k, v)| format!("{k}={v:?}"))
            .collect::<Vec<_>>()
            .join(" ");
        match level {
            Level::Trace => {
                tracing::trace!(target: "guest", request_id, plugin, %fields, "{message}")
            }
            Level::Debug => {
                tracing::debug!(target: "guest", request_id, plugin, %fields, "{message}")
            }
            Level::Info => {
                tracing::info!(target: "guest", request_id, plugin, %fields, "{message}")
            }
            Level::Warn => {
                tracing::warn!(target: "guest", request_id, plugin, %fields, "{message}")
            }
            Level::Error => {
                tracing::error!(target: "guest", request_id, plugin, %fields, "{message}")
            }
        }
    }
}
