//! `tc-swap-b`: version b of the function the hot-swap tests swap: it answers `200` with
//! the fixed body `{"version":"b"}` (`content-type: application/json`) to every event.
//! `tc-swap-a` and `tc-swap-b` differ only in that body.

use tollgate_sdk::{ProxyResponse, RawFunction};

/// The body this version answers with.
pub const BODY: &str = r#"{"version":"b"}"#;

/// The exported function.
pub struct SwapB;

impl RawFunction for SwapB {
    fn handle(_event: String) -> Result<String, String> {
        let response = ProxyResponse {
            body: Some(BODY.to_string()),
            ..ProxyResponse::new(200)
        }
        .with_header("content-type", "application/json");
        Ok(response.to_json())
    }
}

tollgate_sdk::export_raw_function!(SwapB);
