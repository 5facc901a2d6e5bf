//! The host side of each interface in `wit/`, one module per interface. Each implements the
//! generated `Host` trait on [`crate::state::HostState`] and nothing else.

mod config;
pub(crate) mod http;
mod key_value;
mod log;
mod stage;
mod types;
