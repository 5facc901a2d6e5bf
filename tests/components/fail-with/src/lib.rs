//! `tc-fail-with`: a raw function (world `function`) that fails with the message it is given.
//!
//! Its input is JSON. The message is the string `message` at the top level (what a request
//! template such as `{"message": "$input.params('message')"}` renders behind an `AWS`
//! integration) or the query-string parameter `message` of a Lambda-proxy event (behind
//! `AWS_PROXY`). A non-empty message makes the function return `Err(message)` — what a Lambda
//! function's error is to API Gateway, whose `errorMessage` the integration responses'
//! selection patterns match. Without one it returns its input unchanged.

use tollgate_sdk::RawFunction;
use tollgate_sdk::serde_json::{self, Value};

/// The exported function.
pub struct FailWith;

/// The message the input asks to fail with, if any.
pub fn requested_message(event: &str) -> Option<String> {
    let value: Value = serde_json::from_str(event).ok()?;
    let message = value
        .get("message")
        .or_else(|| value.get("queryStringParameters")?.get("message"))?
        .as_str()?;
    (!message.is_empty()).then(|| message.to_owned())
}

impl RawFunction for FailWith {
    fn handle(event: String) -> Result<String, String> {
        match requested_message(&event) {
            Some(message) => Err(message),
            None => Ok(event),
        }
    }
}

tollgate_sdk::export_raw_function!(FailWith);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fails_with_the_top_level_message() {
        assert_eq!(
            FailWith::handle(r#"{"message": "Not found: 7"}"#.to_owned()),
            Err("Not found: 7".to_owned())
        );
    }

    #[test]
    fn fails_with_the_proxy_event_query_parameter() {
        assert_eq!(
            FailWith::handle(r#"{"queryStringParameters": {"message": "boom"}}"#.to_owned()),
            Err("boom".to_owned())
        );
    }

    #[test]
    fn without_a_message_returns_its_input() {
        for event in [r#"{"message": ""}"#, "{}", "not json"] {
            assert_eq!(FailWith::handle(event.to_owned()), Ok(event.to_owned()));
        }
    }
}
