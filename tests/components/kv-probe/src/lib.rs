//! `tc-kv-probe`: a function exercising the host interfaces, driven by the query string.
//!
//! | query | answer (`200`, JSON) |
//! | --- | --- |
//! | `op=get&key=K` | `{"op":"get","key":K,"value":V}` (`V` is the value as UTF-8 text, or `null`) |
//! | `op=set&key=K&value=V` | `{"op":"set","key":K,"ok":true}` |
//! | `op=delete&key=K` | `{"op":"delete","key":K,"existed":bool}` |
//! | `op=list&prefix=P[&limit=N]` | `{"op":"list","prefix":P,"keys":[...]}` (limit defaults to 1000) |
//! | `op=var&name=N` | `{"op":"var","name":N,"value":V}` (through the `stage` interface; `null` when unset) |
//! | `op=vars` | `{"op":"vars","variables":{...}}` |
//! | `op=log[&message=M]` | `{"op":"log","ok":true}` after writing an `info` record `M` (default `kv-probe log`) with field `probe=kv-probe` |
//!
//! A key-value error answers `500 {"op":..,"error":"no-namespace"|"too-large"|"store","message":..}`;
//! a missing parameter or unknown `op` answers `400 {"message":..}`.

use tollgate_sdk::serde_json::{Value, json};
use tollgate_sdk::{Function, KvError, ProxyEvent, ProxyResponse, kv, log, stage};

/// The exported function.
pub struct KvProbe;

impl Function for KvProbe {
    fn handle(event: ProxyEvent) -> Result<ProxyResponse, String> {
        Ok(match probe(&event) {
            Ok(body) => ProxyResponse::json(200, &body),
            Err(Failure::BadRequest(message)) => {
                ProxyResponse::json(400, &json!({ "message": message }))
            }
            Err(Failure::Kv(op, error)) => {
                let kind = match &error {
                    KvError::NoNamespace => "no-namespace",
                    KvError::TooLarge(_) => "too-large",
                    KvError::Store(_) | KvError::Json(_) => "store",
                };
                ProxyResponse::json(
                    500,
                    &json!({ "op": op, "error": kind, "message": error.to_string() }),
                )
            }
        })
    }
}

tollgate_sdk::export_function!(KvProbe);

enum Failure {
    BadRequest(String),
    Kv(String, KvError),
}

fn probe(event: &ProxyEvent) -> Result<Value, Failure> {
    let op = event.query("op").unwrap_or_default();
    let param = |name: &str| {
        event
            .query(name)
            .ok_or_else(|| Failure::BadRequest(format!("op={op} needs the parameter {name}")))
    };
    let kv_failure = |error| Failure::Kv(op.to_owned(), error);
    Ok(match op {
        "get" => {
            let key = param("key")?;
            let value = kv::get(key).map_err(kv_failure)?;
            let value = value.map(|v| String::from_utf8_lossy(&v).into_owned());
            json!({ "op": op, "key": key, "value": value })
        }
        "set" => {
            let key = param("key")?;
            kv::set(key, param("value")?).map_err(kv_failure)?;
            json!({ "op": op, "key": key, "ok": true })
        }
        "delete" => {
            let key = param("key")?;
            let existed = kv::delete(key).map_err(kv_failure)?;
            json!({ "op": op, "key": key, "existed": existed })
        }
        "list" => {
            let prefix = event.query("prefix").unwrap_or_default();
            let limit = event
                .query("limit")
                .and_then(|l| l.parse().ok())
                .unwrap_or(1000);
            let keys = kv::list_keys(prefix, limit).map_err(kv_failure)?;
            json!({ "op": op, "prefix": prefix, "keys": keys })
        }
        "var" => {
            let name = param("name")?;
            json!({ "op": op, "name": name, "value": stage::variable(name) })
        }
        "vars" => json!({ "op": op, "variables": stage::variables() }),
        "log" => {
            let message = event.query("message").unwrap_or("kv-probe log");
            log::info(message, &[("probe", "kv-probe")]);
            json!({ "op": op, "ok": true })
        }
        other => return Err(Failure::BadRequest(format!("unknown op: {other:?}"))),
    })
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn call(query: &[(&str, &str)]) -> (u16, Value) {
        let query: BTreeMap<String, String> = query
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let event = ProxyEvent {
            query_string_parameters: Some(query),
            ..ProxyEvent::default()
        };
        let response = KvProbe::handle(event).unwrap();
        let body = tollgate_sdk::serde_json::from_str(response.body.as_deref().unwrap()).unwrap();
        (response.status_code, body)
    }

    #[test]
    fn probes_the_simulated_host() {
        tollgate_sdk::testing::set_stage_variables([("alias", "prod")]);
        assert_eq!(
            call(&[("op", "set"), ("key", "a:1"), ("value", "x")]),
            (200, json!({"op": "set", "key": "a:1", "ok": true}))
        );
        assert_eq!(
            call(&[("op", "get"), ("key", "a:1")]),
            (200, json!({"op": "get", "key": "a:1", "value": "x"}))
        );
        assert_eq!(
            call(&[("op", "list"), ("prefix", "a:")]),
            (200, json!({"op": "list", "prefix": "a:", "keys": ["a:1"]}))
        );
        assert_eq!(
            call(&[("op", "delete"), ("key", "a:1")]),
            (200, json!({"op": "delete", "key": "a:1", "existed": true}))
        );
        assert_eq!(
            call(&[("op", "var"), ("name", "alias")]),
            (200, json!({"op": "var", "name": "alias", "value": "prod"}))
        );
        assert_eq!(
            call(&[("op", "log")]),
            (200, json!({"op": "log", "ok": true}))
        );
        assert_eq!(call(&[("op", "get")]).0, 400);
        assert_eq!(call(&[("op", "nope")]).0, 400);
    }
}
