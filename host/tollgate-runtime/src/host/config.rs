//! `tollgate:plugin/config`: the read-only configuration the API definition gives a plugin
//! where it names it, fixed per deployment.

use crate::bindings::config::Host;
use crate::state::HostState;

impl Host for HostState {
    async fn get(&mut self, key: String) -> Option<String> {
        self.invocation.config.get(&key).cloned()
    }

    async fn entries(&mut self) -> Vec<(String, String)> {
        self.invocation
            .config
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }
}
