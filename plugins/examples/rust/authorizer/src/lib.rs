//! The authorizer example of `plugins/examples/` in Rust: the token authorizer of
//! `plugins/token-authorizer` itself, so that there is one Rust implementation of it. That
//! crate exports its authorizer (`tollgate_sdk::export_authorizer!`), and linking it into
//! this `cdylib` makes the export this component's.

pub use token_authorizer::TokenAuthorizer;
