//! The envelope mapper of `plugins/examples/` in Rust (world `mapper`): it wraps the
//! integration request's JSON body as `{"payload":…,"stage":…}` and the response's body as
//! `{"data":…,"status":…}`, tagging each with `x-envelope`. `plugins/examples/README.md` is
//! the specification every language's version follows byte for byte.

use tollgate_sdk::serde_json::{self, Value, json};
use tollgate_sdk::{HttpRequest, HttpResponse, Mapper, RequestContext};

/// The exported mapper.
pub struct Envelope;

/// What `map-request` answers to a body that is not JSON (the gateway answers 500).
pub const NOT_JSON: &str = "request body is not JSON";

impl Mapper for Envelope {
    fn map_request(
        mut request: HttpRequest,
        context: RequestContext,
    ) -> Result<HttpRequest, String> {
        let payload = if request.body.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&request.body).map_err(|_| NOT_JSON.to_owned())?
        };
        // The workspace's serde_json keeps keys in insertion order: `payload`, then `stage`.
        request.body = json!({ "payload": payload, "stage": context.stage })
            .to_string()
            .into_bytes();
        Ok(request
            .with_header("content-type", "application/json")
            .with_header("x-envelope", "request"))
    }

    fn map_response(
        mut response: HttpResponse,
        _context: RequestContext,
    ) -> Result<HttpResponse, String> {
        let data = serde_json::from_slice(&response.body).unwrap_or_else(|_| {
            Value::String(String::from_utf8_lossy(&response.body).into_owned())
        });
        response.body = json!({ "data": data, "status": response.status })
            .to_string()
            .into_bytes();
        Ok(response
            .with_header("content-type", "application/json")
            .with_header("x-envelope", "response"))
    }
}

tollgate_sdk::export_mapper!(Envelope);

#[cfg(test)]
mod tests {
    use super::*;
    use tollgate_sdk::Identity;

    fn context() -> RequestContext {
        RequestContext {
            request_id: "r".into(),
            api_id: "api".into(),
            stage: "dev".into(),
            resource_path: "/envelope".into(),
            http_method: "POST".into(),
            identity: Identity {
                source_ip: "127.0.0.1".into(),
                user_agent: None,
                api_key: None,
            },
            stage_variables: vec![],
            authorizer: vec![],
            request_time_epoch: 0,
        }
    }

    fn request(body: &str, headers: &[(&str, &str)]) -> HttpRequest {
        HttpRequest {
            method: "POST".into(),
            path: "/envelope".into(),
            query: vec![],
            headers: headers
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            body: body.as_bytes().to_vec(),
        }
    }

    fn fields(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn requests_are_wrapped_compactly_in_key_order() {
        let body = r#"{ "z": [1, 2.5, "é\n"], "a": {"n": null} }"#;
        let mapped = Envelope::map_request(
            request(body, &[("Content-Type", "text/plain"), ("x-keep", "1")]),
            context(),
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(mapped.body).unwrap(),
            r#"{"payload":{"z":[1,2.5,"é\n"],"a":{"n":null}},"stage":"dev"}"#
        );
        assert_eq!(
            mapped.headers,
            fields(&[
                ("x-keep", "1"),
                ("content-type", "application/json"),
                ("x-envelope", "request"),
            ])
        );
    }

    #[test]
    fn an_empty_request_body_is_a_null_payload_and_a_bad_one_an_error() {
        let mapped = Envelope::map_request(request("", &[]), context()).unwrap();
        assert_eq!(
            String::from_utf8(mapped.body).unwrap(),
            r#"{"payload":null,"stage":"dev"}"#
        );
        assert_eq!(
            Envelope::map_request(request("{oops", &[]), context()).unwrap_err(),
            NOT_JSON
        );
    }

    #[test]
    fn responses_are_wrapped_with_their_status_and_text_becomes_a_string() {
        let response = |body: &str| HttpResponse {
            status: 404,
            headers: fields(&[("x-envelope", "old"), ("content-type", "text/plain")]),
            body: body.as_bytes().to_vec(),
        };
        let mapped = Envelope::map_response(response(r#"{"b":1,"a":true}"#), context()).unwrap();
        assert_eq!(mapped.status, 404);
        assert_eq!(
            String::from_utf8(mapped.body).unwrap(),
            r#"{"data":{"b":1,"a":true},"status":404}"#
        );
        assert_eq!(
            mapped.headers,
            fields(&[
                ("content-type", "application/json"),
                ("x-envelope", "response")
            ])
        );
        let text = Envelope::map_response(response("plain \"text\""), context()).unwrap();
        assert_eq!(
            String::from_utf8(text.body).unwrap(),
            r#"{"data":"plain \"text\"","status":404}"#
        );
        let empty = Envelope::map_response(response(""), context()).unwrap();
        assert_eq!(
            String::from_utf8(empty.body).unwrap(),
            r#"{"data":"","status":404}"#
        );
    }
}
