//! `tc-spin-loop`: a function that loops forever without calling the host. The gateway's
//! epoch deadline must end it (504) and keep serving.

use tollgate_sdk::{Function, ProxyEvent, ProxyResponse};

/// The exported function.
pub struct SpinLoop;

impl Function for SpinLoop {
    fn handle(_event: ProxyEvent) -> Result<ProxyResponse, String> {
        let mut n = 0u64;
        loop {
            // `black_box` keeps the optimiser from proving the loop has no effect.
            n = std::hint::black_box(n.wrapping_add(1));
        }
    }
}

tollgate_sdk::export_function!(SpinLoop);
