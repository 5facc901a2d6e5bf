//! `tc-trap`: a function that traps. By default it panics (a Rust panic aborts, which traps
//! the component); with `?kind=unreachable` it executes the `unreachable` instruction
//! directly. The gateway must answer 502 for that request and keep serving.

use tollgate_sdk::{Function, ProxyEvent, ProxyResponse};

/// The exported function.
pub struct Trap;

impl Function for Trap {
    fn handle(event: ProxyEvent) -> Result<ProxyResponse, String> {
        if event.query("kind") == Some("unreachable") {
            #[cfg(target_arch = "wasm32")]
            core::arch::wasm32::unreachable();
        }
        panic!("tc-trap: deliberate panic")
    }
}

tollgate_sdk::export_function!(Trap);
