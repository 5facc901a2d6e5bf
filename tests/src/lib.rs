//! The end-to-end harness: start the real `tollgate` binary on port 0 against a data
//! directory, talk to it over sockets, and run real upstream servers for it to call.
//! Nothing here imitates a part of Tollgate.

pub mod components {
    //! Paths of the test components, built from source by this crate's build script.
    include!(concat!(env!("OUT_DIR"), "/components.rs"));
}

mod client;
mod gateway;
mod upstream;

pub use client::{Answer, send};
pub use gateway::{Gateway, TempData, deploy, tollgate, tollgate_binary};
pub use upstream::Upstream;
