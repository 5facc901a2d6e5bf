//! The end-to-end harness: start the real `tollgate` binary on port 0 against a data
//! directory, talk to it over sockets (the data plane and the admin API), and run real
//! upstream servers for it to call. Nothing here imitates a part of Tollgate.

pub mod components {
    //! Paths of the test components, built from source by this crate's build script.
    include!(concat!(env!("OUT_DIR"), "/components.rs"));

    /// What `SWAP_A` answers to every request.
    pub const SWAP_A_BODY: &str = r#"{"version":"a"}"#;
    /// What `SWAP_B` answers to every request.
    pub const SWAP_B_BODY: &str = r#"{"version":"b"}"#;
}

pub mod examples {
    //! The examples of `plugins/examples/<lang>/<name>/`, built from source in every language
    //! by this crate's build script with tollgate-toolchain.
    include!(concat!(env!("OUT_DIR"), "/examples.rs"));

    /// The component of `plugins/examples/{language}/{name}`; panics with the reason it was
    /// not built (a missing tool is named, with how to install it) or does not exist.
    pub fn component(language: &str, name: &str) -> &'static str {
        match ALL.iter().find(|(l, n, _)| *l == language && *n == name) {
            Some((_, _, Ok(path))) => path,
            Some((_, _, Err(error))) => {
                panic!("plugins/examples/{language}/{name} could not be built: {error}")
            }
            None => panic!(
                "plugins/examples/{language}/{name} does not exist (no directory with a \
                 tollgate.toml); every language has crud, mapper and authorizer"
            ),
        }
    }
}

pub mod access;
mod admin;
mod client;
pub mod definitions;
mod gateway;
pub mod jwks;
pub mod load;
pub mod scripted;
pub mod soap;
mod upstream;
pub mod wasm;

pub use client::{Answer, Connection, Load, Sample, send, send_many, try_send};
pub use definitions::function_api;
pub use gateway::{
    ADMIN_TOKEN, Gateway, TempData, deploy, expect_success, tollgate, tollgate_binary,
    tollgate_with_env,
};
pub use scripted::{Received, Reply, ScriptedUpstream};
pub use soap::{SoapBackend, SoapRequest};
pub use upstream::Upstream;
pub use wasm::with_custom_section;
