//! `tc-event-echo`: a function answering `200` with the exact Lambda-proxy event JSON it
//! received as the body (`content-type: application/json`). Tests read the event the
//! gateway built from it.

use tollgate_sdk::{ProxyResponse, RawFunction};

/// The exported function.
pub struct EventEcho;

impl RawFunction for EventEcho {
    fn handle(event: String) -> Result<String, String> {
        let response = ProxyResponse {
            body: Some(event),
            ..ProxyResponse::new(200)
        }
        .with_header("content-type", "application/json");
        Ok(response.to_json())
    }
}

tollgate_sdk::export_raw_function!(EventEcho);
