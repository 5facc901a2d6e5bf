//! The admin API: the control plane of a running gateway, HTTP/JSON on its own listener
//! behind a bearer token (`server.rs`), the client the CLI uses to call it (`client.rs`),
//! and the token and discovery files in the data directory (`token.rs`).
//! The endpoints are documented in `docs/admin-api.md`.

pub mod client;
pub mod server;
pub mod token;
