//! `crud`: the seed example of Tollgate, "client → REST API → gateway → function → CRUD on a
//! key-value table". A `function` plugin (an `AWS_PROXY` integration) that keeps JSON items
//! in the stage's key-value table.
//!
//! | request | answer |
//! | --- | --- |
//! | `POST /items` with a JSON object | `201` and the new item `{"id": "1", ...fields}` |
//! | `GET /items` | `200 {"items": [...]}`, sorted by id (the first 1000 items) |
//! | `GET /items/{id}` | `200` and the item, or `404 {"message": "Item not found: ID"}` |
//! | `PUT /items/{id}` with a JSON object | `200` and the item with its fields replaced (the id is kept); `404` when it does not exist (`PUT` never creates) |
//! | `DELETE /items/{id}` | `204` with no body; `404` when it does not exist |
//! | a body that is not a JSON object | `400 {"message": "The request body must be a JSON object"}`, or for no body / bad base64 / not JSON `400 {"message": "Invalid request body: the request has no body"}` (`…: the body is not valid base64`, `…: the body is not valid JSON`) |
//! | another method on `/items` or `/items/{id}` | `405 {"message": "..."}` with an `allow` header |
//! | any other path | `404 {"message": "..."}` |
//!
//! Routes are recognised by the end of the request path (`.../items`, `.../items/{id}`), so
//! the function serves resources `/items` and `/items/{id}` as well as a greedy
//! `/{proxy+}`. Every answer is JSON with `content-type: application/json`.
//!
//! Items live under the key `item:{id}`. Ids are decimal numbers from a counter kept under
//! `meta:next-id` (no WASI randomness needed). The key-value interface has no atomic
//! increment, so two `POST`s racing on different instances may be given the same id; the
//! later write wins. A store failure answers `500 {"message": "..."}`.
//!
//! The logic is written against the [`Table`] trait so that it is tested natively with an
//! in-memory table; the component uses [`KvTable`], the stage's key-value table.

use serde_json::{Map, Value, json};
use tollgate_sdk::{BodyError, Function, KvError, ProxyEvent, ProxyResponse, kv, log};

/// The key prefix of items in the key-value table.
pub const ITEM_PREFIX: &str = "item:";
/// The key of the id counter (the next id to hand out).
pub const NEXT_ID_KEY: &str = "meta:next-id";
/// The most items `GET /items` returns (the host's cap on `list-keys`).
pub const LIST_LIMIT: u32 = 1000;

/// The storage the CRUD logic needs: the subset of the key-value interface it uses.
pub trait Table {
    /// The value under `key`, or `None`.
    fn get(&mut self, key: &str) -> Result<Option<Vec<u8>>, KvError>;
    /// Stores `value` under `key`.
    fn set(&mut self, key: &str, value: &[u8]) -> Result<(), KvError>;
    /// Removes `key`; `true` when it existed.
    fn delete(&mut self, key: &str) -> Result<bool, KvError>;
    /// The keys starting with `prefix`, in ascending byte order, at most `limit`.
    fn list_keys(&mut self, prefix: &str, limit: u32) -> Result<Vec<String>, KvError>;
}

/// The stage's key-value table, through the `tollgate:plugin/key-value` interface.
pub struct KvTable;

impl Table for KvTable {
    fn get(&mut self, key: &str) -> Result<Option<Vec<u8>>, KvError> {
        kv::get(key)
    }
    fn set(&mut self, key: &str, value: &[u8]) -> Result<(), KvError> {
        kv::set(key, value)
    }
    fn delete(&mut self, key: &str) -> Result<bool, KvError> {
        kv::delete(key)
    }
    fn list_keys(&mut self, prefix: &str, limit: u32) -> Result<Vec<String>, KvError> {
        kv::list_keys(prefix, limit)
    }
}

/// The exported function.
pub struct Crud;

impl Function for Crud {
    fn handle(event: ProxyEvent) -> Result<ProxyResponse, String> {
        Ok(handle(&mut KvTable, &event))
    }
}

tollgate_sdk::export_function!(Crud);

/// What a request asks for.
#[derive(Debug, PartialEq, Eq)]
enum Route {
    /// `/items`
    Collection,
    /// `/items/{id}`
    Item(String),
    /// Anything else.
    Unknown,
}

fn route(event: &ProxyEvent) -> Route {
    let segments: Vec<&str> = event.path.split('/').filter(|s| !s.is_empty()).collect();
    match segments.as_slice() {
        [.., "items"] => Route::Collection,
        [.., "items", id] => Route::Item(event.path_parameter("id").unwrap_or(id).to_owned()),
        _ => Route::Unknown,
    }
}

/// Answers one event against `table`. Never fails: every error is a JSON answer.
pub fn handle(table: &mut impl Table, event: &ProxyEvent) -> ProxyResponse {
    let result = match (route(event), event.http_method.as_str()) {
        (Route::Collection, "GET") => list(table),
        (Route::Collection, "POST") => create(table, event),
        (Route::Collection, method) => Ok(method_not_allowed(method, &event.path, "GET, POST")),
        (Route::Item(id), "GET") => read(table, &id),
        (Route::Item(id), "PUT") => replace(table, event, &id),
        (Route::Item(id), "DELETE") => delete(table, &id),
        (Route::Item(_), method) => Ok(method_not_allowed(method, &event.path, "GET, PUT, DELETE")),
        (Route::Unknown, _) => Ok(message(404, &format!("Not found: {}", event.path))),
    };
    result.unwrap_or_else(|error| {
        log::error("key-value store failed", &[("error", &error.to_string())]);
        message(500, &error.to_string())
    })
}

fn list(table: &mut impl Table) -> Result<ProxyResponse, KvError> {
    let mut items = Vec::new();
    for key in table.list_keys(ITEM_PREFIX, LIST_LIMIT)? {
        if let Some(item) = load(table, &key)? {
            items.push(item);
        }
    }
    items.sort_by(|a, b| id_order(&a["id"], &b["id"]));
    Ok(ProxyResponse::json(200, &json!({ "items": items })))
}

fn create(table: &mut impl Table, event: &ProxyEvent) -> Result<ProxyResponse, KvError> {
    let fields = match body_object(event) {
        Ok(fields) => fields,
        Err(response) => return Ok(response),
    };
    let id = next_id(table)?;
    let item = store(table, &id, fields)?;
    log::info("item created", &[("id", &id)]);
    Ok(ProxyResponse::json(201, &item))
}

fn read(table: &mut impl Table, id: &str) -> Result<ProxyResponse, KvError> {
    Ok(match load(table, &item_key(id))? {
        Some(item) => ProxyResponse::json(200, &item),
        None => not_found(id),
    })
}

fn replace(table: &mut impl Table, event: &ProxyEvent, id: &str) -> Result<ProxyResponse, KvError> {
    let fields = match body_object(event) {
        Ok(fields) => fields,
        Err(response) => return Ok(response),
    };
    if table.get(&item_key(id))?.is_none() {
        return Ok(not_found(id));
    }
    let item = store(table, id, fields)?;
    Ok(ProxyResponse::json(200, &item))
}

fn delete(table: &mut impl Table, id: &str) -> Result<ProxyResponse, KvError> {
    if table.delete(&item_key(id))? {
        log::info("item deleted", &[("id", id)]);
        Ok(ProxyResponse::new(204))
    } else {
        Ok(not_found(id))
    }
}

fn item_key(id: &str) -> String {
    format!("{ITEM_PREFIX}{id}")
}

/// Hands out the next id: the counter's value, skipping ids already taken.
fn next_id(table: &mut impl Table) -> Result<String, KvError> {
    let mut next = match table.get(NEXT_ID_KEY)? {
        Some(bytes) => std::str::from_utf8(&bytes)
            .ok()
            .and_then(|s| s.trim().parse::<u64>().ok())
            .unwrap_or(1),
        None => 1,
    };
    while table.get(&item_key(&next.to_string()))?.is_some() {
        next += 1;
    }
    table.set(NEXT_ID_KEY, (next + 1).to_string().as_bytes())?;
    Ok(next.to_string())
}

/// Stores `{"id": id, ...fields}` (any `id` among the fields is replaced) and returns it.
fn store(table: &mut impl Table, id: &str, fields: Map<String, Value>) -> Result<Value, KvError> {
    let mut item = Map::new();
    item.insert("id".to_owned(), Value::String(id.to_owned()));
    item.extend(fields.into_iter().filter(|(k, _)| k != "id"));
    let item = Value::Object(item);
    table.set(&item_key(id), item.to_string().as_bytes())?;
    Ok(item)
}

/// The item stored under `key`; a value that is not JSON is skipped as absent.
fn load(table: &mut impl Table, key: &str) -> Result<Option<Value>, KvError> {
    Ok(table
        .get(key)?
        .and_then(|bytes| serde_json::from_slice(&bytes).ok()))
}

/// The body as a JSON object, or the 400 to answer. The messages name what is wrong but not
/// the parser's details, which differ from one JSON library to the next: the same example
/// in other languages (`plugins/examples/`) answers byte for byte the same. The details go
/// to the log.
fn body_object(event: &ProxyEvent) -> Result<Map<String, Value>, ProxyResponse> {
    let error = match event.json_body::<Value>() {
        Ok(Value::Object(fields)) => return Ok(fields),
        Ok(_) => return Err(message(400, "The request body must be a JSON object")),
        Err(error) => error,
    };
    log::info("invalid request body", &[("error", &error.to_string())]);
    let problem = match error {
        BodyError::Missing => "the request has no body",
        BodyError::Base64(_) => "the body is not valid base64",
        BodyError::Json(_) => "the body is not valid JSON",
    };
    Err(message(400, &format!("Invalid request body: {problem}")))
}

/// Numeric ids in numeric order, before any other id in string order.
fn id_order(a: &Value, b: &Value) -> std::cmp::Ordering {
    let key = |v: &Value| {
        let s = v.as_str().unwrap_or_default().to_owned();
        (s.parse::<u64>().map_or(u64::MAX, |n| n), s)
    };
    key(a).cmp(&key(b))
}

fn message(status: u16, text: &str) -> ProxyResponse {
    ProxyResponse::json(status, &json!({ "message": text }))
}

fn not_found(id: &str) -> ProxyResponse {
    message(404, &format!("Item not found: {id}"))
}

fn method_not_allowed(method: &str, path: &str, allow: &str) -> ProxyResponse {
    message(405, &format!("Method {method} is not allowed on {path}")).with_header("allow", allow)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    #[derive(Default)]
    struct MemoryTable(BTreeMap<String, Vec<u8>>);

    impl Table for MemoryTable {
        fn get(&mut self, key: &str) -> Result<Option<Vec<u8>>, KvError> {
            Ok(self.0.get(key).cloned())
        }
        fn set(&mut self, key: &str, value: &[u8]) -> Result<(), KvError> {
            self.0.insert(key.to_owned(), value.to_vec());
            Ok(())
        }
        fn delete(&mut self, key: &str) -> Result<bool, KvError> {
            Ok(self.0.remove(key).is_some())
        }
        fn list_keys(&mut self, prefix: &str, limit: u32) -> Result<Vec<String>, KvError> {
            Ok(self
                .0
                .keys()
                .filter(|k| k.starts_with(prefix))
                .take(limit as usize)
                .cloned()
                .collect())
        }
    }

    struct FailingTable;

    impl Table for FailingTable {
        fn get(&mut self, _: &str) -> Result<Option<Vec<u8>>, KvError> {
            Err(KvError::NoNamespace)
        }
        fn set(&mut self, _: &str, _: &[u8]) -> Result<(), KvError> {
            Err(KvError::NoNamespace)
        }
        fn delete(&mut self, _: &str) -> Result<bool, KvError> {
            Err(KvError::NoNamespace)
        }
        fn list_keys(&mut self, _: &str, _: u32) -> Result<Vec<String>, KvError> {
            Err(KvError::NoNamespace)
        }
    }

    fn event(method: &str, path: &str, body: Option<&str>) -> ProxyEvent {
        let id = path.strip_prefix("/items/");
        ProxyEvent {
            http_method: method.to_owned(),
            path: path.to_owned(),
            resource: if id.is_some() {
                "/items/{id}"
            } else {
                "/items"
            }
            .to_owned(),
            path_parameters: id.map(|id| [("id".to_owned(), id.to_owned())].into()),
            body: body.map(str::to_owned),
            ..ProxyEvent::default()
        }
    }

    fn call(table: &mut MemoryTable, method: &str, path: &str, body: Option<&str>) -> (u16, Value) {
        let response = handle(table, &event(method, path, body));
        if let Some(body) = &response.body {
            assert_eq!(response.header("content-type"), Some("application/json"));
            (response.status_code, serde_json::from_str(body).unwrap())
        } else {
            (response.status_code, Value::Null)
        }
    }

    #[test]
    fn routes_by_the_end_of_the_path() {
        assert_eq!(route(&event("GET", "/items", None)), Route::Collection);
        assert_eq!(route(&event("GET", "/items/", None)), Route::Collection);
        assert_eq!(
            route(&event("GET", "/items/7", None)),
            Route::Item("7".into())
        );
        let mut greedy = event("GET", "/v1/items/8", None);
        greedy.path_parameters = None;
        assert_eq!(route(&greedy), Route::Item("8".into()));
        assert_eq!(route(&event("GET", "/things", None)), Route::Unknown);
        assert_eq!(route(&event("GET", "/items/1/more", None)), Route::Unknown);
    }

    #[test]
    fn create_read_update_delete() {
        let mut table = MemoryTable::default();
        let (status, item) = call(
            &mut table,
            "POST",
            "/items",
            Some(r#"{"name":"widget","id":"x"}"#),
        );
        assert_eq!(
            (status, item.clone()),
            (201, json!({"id": "1", "name": "widget"}))
        );
        assert_eq!(
            table
                .0
                .get("item:1")
                .map(|v| String::from_utf8(v.clone()).unwrap()),
            Some(r#"{"id":"1","name":"widget"}"#.to_owned())
        );

        assert_eq!(call(&mut table, "GET", "/items/1", None), (200, item));

        let (status, item) = call(&mut table, "PUT", "/items/1", Some(r#"{"colour":"red"}"#));
        assert_eq!(
            (status, item.clone()),
            (200, json!({"id": "1", "colour": "red"}))
        );
        assert_eq!(call(&mut table, "GET", "/items/1", None), (200, item));

        assert_eq!(
            call(&mut table, "DELETE", "/items/1", None),
            (204, Value::Null)
        );
        assert_eq!(
            call(&mut table, "GET", "/items/1", None),
            (404, json!({"message": "Item not found: 1"}))
        );
    }

    #[test]
    fn missing_items_answer_404() {
        let mut table = MemoryTable::default();
        let not_found = json!({"message": "Item not found: 9"});
        assert_eq!(
            call(&mut table, "GET", "/items/9", None),
            (404, not_found.clone())
        );
        assert_eq!(
            call(&mut table, "PUT", "/items/9", Some("{}")),
            (404, not_found.clone())
        );
        assert_eq!(
            call(&mut table, "DELETE", "/items/9", None),
            (404, not_found)
        );
        assert!(table.0.is_empty(), "PUT must not create");
    }

    #[test]
    fn ids_count_up_and_lists_sort_numerically() {
        let mut table = MemoryTable::default();
        for n in 1..=11 {
            let (status, item) = call(
                &mut table,
                "POST",
                "/items",
                Some(&format!(r#"{{"n":{n}}}"#)),
            );
            assert_eq!((status, &item["id"]), (201, &json!(n.to_string())));
        }
        let (status, list) = call(&mut table, "GET", "/items", None);
        assert_eq!(status, 200);
        let ids: Vec<&str> = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|item| item["id"].as_str().unwrap())
            .collect();
        assert_eq!(
            ids,
            ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"]
        );
    }

    #[test]
    fn ids_skip_taken_ones_when_the_counter_is_lost() {
        let mut table = MemoryTable::default();
        call(&mut table, "POST", "/items", Some("{}"));
        call(&mut table, "POST", "/items", Some("{}"));
        table.0.remove(NEXT_ID_KEY);
        let (_, item) = call(&mut table, "POST", "/items", Some("{}"));
        assert_eq!(item["id"], "3");
    }

    #[test]
    fn empty_list() {
        let mut table = MemoryTable::default();
        assert_eq!(
            call(&mut table, "GET", "/items", None),
            (200, json!({"items": []}))
        );
    }

    #[test]
    fn bad_bodies_answer_400() {
        let mut table = MemoryTable::default();
        assert_eq!(
            call(&mut table, "POST", "/items", Some("{not json")),
            (
                400,
                json!({"message": "Invalid request body: the body is not valid JSON"})
            )
        );
        let (status, body) = call(&mut table, "POST", "/items", Some("[1]"));
        assert_eq!(
            (status, body),
            (
                400,
                json!({"message": "The request body must be a JSON object"})
            )
        );
        assert_eq!(
            call(&mut table, "POST", "/items", None),
            (
                400,
                json!({"message": "Invalid request body: the request has no body"})
            )
        );
        let mut bad_base64 = event("POST", "/items", Some("%%%"));
        bad_base64.is_base64_encoded = true;
        let response = handle(&mut table, &bad_base64);
        assert_eq!(
            response.body.as_deref(),
            Some(r#"{"message":"Invalid request body: the body is not valid base64"}"#)
        );
        assert!(table.0.is_empty());
    }

    #[test]
    fn base64_bodies_are_decoded() {
        let mut table = MemoryTable::default();
        let mut post = event("POST", "/items", Some("eyJhIjoxfQ==")); // {"a":1}
        post.is_base64_encoded = true;
        assert_eq!(handle(&mut table, &post).status_code, 201);
    }

    #[test]
    fn other_methods_and_paths() {
        let mut table = MemoryTable::default();
        let response = handle(&mut table, &event("PATCH", "/items/1", None));
        assert_eq!(response.status_code, 405);
        assert_eq!(response.header("allow"), Some("GET, PUT, DELETE"));
        let response = handle(&mut table, &event("DELETE", "/items", None));
        assert_eq!(response.status_code, 405);
        assert_eq!(response.header("allow"), Some("GET, POST"));
        assert_eq!(
            call(&mut table, "GET", "/nope", None),
            (404, json!({"message": "Not found: /nope"}))
        );
    }

    #[test]
    fn store_failures_answer_500() {
        let response = handle(&mut FailingTable, &event("GET", "/items/1", None));
        assert_eq!(response.status_code, 500);
        assert_eq!(
            serde_json::from_str::<Value>(response.body.as_deref().unwrap()).unwrap(),
            json!({"message": "no key-value namespace is granted to this plugin"})
        );
    }
}
