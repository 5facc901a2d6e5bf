//! `tollgate:plugin/types` has no functions; its empty `Host` impl lets it be linked.

use crate::bindings::types::Host;
use crate::state::HostState;

impl Host for HostState {}
