//! `tc-memory-bomb`: a function that allocates and touches 1 GiB (or `?mib=N` MiB). The
//! gateway's memory limit must make the allocation fail, which traps the component (502),
//! and keep serving. Under a limit larger than the request it answers `200 {"allocated": N}`.

use tollgate_sdk::{Function, ProxyEvent, ProxyResponse, serde_json::json};

/// The exported function.
pub struct MemoryBomb;

impl Function for MemoryBomb {
    fn handle(event: ProxyEvent) -> Result<ProxyResponse, String> {
        let mib: usize = event
            .query("mib")
            .and_then(|m| m.parse().ok())
            .unwrap_or(1024);
        let bytes = mib.saturating_mul(1024 * 1024);
        // `vec!` of a non-zero byte writes every page, so the memory is really committed.
        let block = std::hint::black_box(vec![1u8; bytes]);
        let touched: usize = block.iter().step_by(4096).map(|&b| usize::from(b)).sum();
        Ok(ProxyResponse::json(
            200,
            &json!({ "allocated": block.len(), "pages": touched }),
        ))
    }
}

tollgate_sdk::export_function!(MemoryBomb);
