//! `tc-raw-echo`: a function (world `function`) returning the exact text it receives.
//!
//! Behind an `AWS` (non-proxy) integration the function's input is the rendered request
//! template and its output is the integration response body, so the client (or a response
//! template) sees byte for byte what the gateway sent the function. (Behind `AWS_PROXY` its
//! answer is the event itself, which is not a Lambda-proxy response: the client gets 502.)

use tollgate_sdk::RawFunction;

/// The exported function.
pub struct RawEcho;

impl RawFunction for RawEcho {
    fn handle(event: String) -> Result<String, String> {
        Ok(event)
    }
}

tollgate_sdk::export_raw_function!(RawEcho);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn returns_its_input_unchanged() {
        let event = "{\"name\": \"Ada\", \"limit\": 3}\n";
        assert_eq!(RawEcho::handle(event.to_owned()).as_deref(), Ok(event));
    }
}
