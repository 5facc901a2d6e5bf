//! `tollgate:plugin/stage`: read-only access to the stage variables of the serving stage.

use crate::bindings::stage::Host;
use crate::state::HostState;

impl Host for HostState {
    async fn variable(&mut self, name: String) -> Option<String> {
        self.invocation.stage_variables.get(&name).cloned()
    }

    async fn variables(&mut self) -> Vec<(String, String)> {
        self.invocation
            .stage_variables
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }
}
