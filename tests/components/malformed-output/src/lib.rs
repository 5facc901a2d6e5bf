//! `tc-malformed-output`: a raw function answering output that is not a valid Lambda-proxy
//! response, chosen by the query parameter `kind`:
//!
//! | `kind` | output |
//! | --- | --- |
//! | `not-json` | `hello` |
//! | `no-status` | `{"body":"x"}` |
//! | `extra-field` | `{"statusCode":200,"body":"x","bogus":1}` |
//! | `body-not-string` | `{"statusCode":200,"body":{"a":1}}` |
//! | `error` | the function error `boom: function error` |
//! | anything else | the valid `{"statusCode":200,"body":"valid"}` |
//!
//! The gateway must answer 502 to each malformed one.

use tollgate_sdk::{ProxyEvent, RawFunction};

/// The exported function.
pub struct MalformedOutput;

impl RawFunction for MalformedOutput {
    fn handle(event: String) -> Result<String, String> {
        let event = ProxyEvent::from_json(&event).map_err(|e| e.to_string())?;
        let output = match event.query("kind").unwrap_or_default() {
            "not-json" => "hello",
            "no-status" => r#"{"body":"x"}"#,
            "extra-field" => r#"{"statusCode":200,"body":"x","bogus":1}"#,
            "body-not-string" => r#"{"statusCode":200,"body":{"a":1}}"#,
            "error" => return Err("boom: function error".to_owned()),
            _ => r#"{"statusCode":200,"body":"valid"}"#,
        };
        Ok(output.to_owned())
    }
}

tollgate_sdk::export_raw_function!(MalformedOutput);
