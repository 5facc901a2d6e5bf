"""The CRUD example in Python: plugins/crud, answering byte for byte as the Rust version.

| request                         | answer                                                     |
| ------------------------------- | ---------------------------------------------------------- |
| POST /items with a JSON object  | 201 and the new item {"id": "1", ...fields}                |
| GET /items                      | 200 {"items": [...]}, sorted by id (the first 1000 items)  |
| GET /items/{id}                 | 200 and the item, or 404 {"message": "Item not found: ID"} |
| PUT /items/{id} with an object  | 200 and the item with its fields replaced; 404 if absent   |
| DELETE /items/{id}              | 204 without a body; 404 if absent                          |
| a body that is not an object    | 400 {"message": "The request body must be a JSON object"}  |
| no body, bad base64, not JSON   | 400 {"message": "Invalid request body: the ... "}          |
| another method                  | 405 {"message": "..."} with an `allow` header              |
| any other path                  | 404 {"message": "..."}                                     |

Items live under `item:{id}`, ids count up from the counter under `meta:next-id`. JSON is
read and printed with the SDK's serde_json-exact `from_json`/`to_json`, so stored items and
answers are the same bytes as the Rust plugin's.
"""

from tollgate_sdk import (
    BodyError,
    KvError,
    ProxyResponse,
    from_json,
    function,
    kv,
    log,
    to_json,
)

ITEM_PREFIX = "item:"
NEXT_ID_KEY = "meta:next-id"
LIST_LIMIT = 1000
U64_MAX = (1 << 64) - 1
#: What a 400 says for each kind of unreadable body.
PROBLEMS = {
    "missing": "the request has no body",
    "base64": "the body is not valid base64",
    "json": "the body is not valid JSON",
}
# What Rust's `str::trim` strips (Unicode White_Space): Python's bare `str.strip()` would also
# strip U+001C..U+001F, which Rust keeps.
WHITE_SPACE = (
    "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
    "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


@function
def handle(event):
    try:
        return route(event)
    except KvError as error:
        log.error("key-value store failed", error=str(error))
        return message(500, str(error))


def route(event):
    segments = [s for s in event.path.split("/") if s]
    method = event.http_method
    if segments and segments[-1] == "items":
        if method == "GET":
            return list_items()
        if method == "POST":
            return create(event)
        return method_not_allowed(method, event.path, "GET, POST")
    if len(segments) >= 2 and segments[-2] == "items":
        item_id = event.path_parameter("id", segments[-1])
        if method == "GET":
            return read(item_id)
        if method == "PUT":
            return replace(event, item_id)
        if method == "DELETE":
            return delete(item_id)
        return method_not_allowed(method, event.path, "GET, PUT, DELETE")
    return message(404, "Not found: %s" % event.path)


def list_items():
    items = []
    for key in kv.list_keys(ITEM_PREFIX, LIST_LIMIT):
        item = load(key)
        if item is not None:
            items.append(item)
    items.sort(key=lambda item: id_order(item.get("id") if isinstance(item, dict) else None))
    return ProxyResponse.json(200, {"items": items})


def create(event):
    fields = body_object(event)
    if isinstance(fields, ProxyResponse):
        return fields
    item_id = next_id()
    item = store(item_id, fields)
    log.info("item created", id=item_id)
    return ProxyResponse.json(201, item)


def read(item_id):
    item = load(item_key(item_id))
    return not_found(item_id) if item is None else ProxyResponse.json(200, item)


def replace(event, item_id):
    fields = body_object(event)
    if isinstance(fields, ProxyResponse):
        return fields
    if kv.get(item_key(item_id)) is None:
        return not_found(item_id)
    return ProxyResponse.json(200, store(item_id, fields))


def delete(item_id):
    if kv.delete(item_key(item_id)):
        log.info("item deleted", id=item_id)
        return ProxyResponse(204)
    return not_found(item_id)


def item_key(item_id):
    return ITEM_PREFIX + item_id


def parse_u64(text):
    """Rust's `str::parse::<u64>`: ASCII digits with an optional `+`, within u64."""
    digits = text[1:] if text.startswith("+") else text
    if not digits or not all("0" <= c <= "9" for c in digits):
        return None
    value = int(digits)
    return value if value <= U64_MAX else None


def next_id():
    """The counter's value, skipping ids already taken."""
    stored = kv.get(NEXT_ID_KEY)
    next_value = None
    if stored is not None:
        try:
            next_value = parse_u64(stored.decode("utf-8").strip(WHITE_SPACE))
        except UnicodeDecodeError:
            next_value = None
    if next_value is None:
        next_value = 1
    while kv.get(item_key(str(next_value))) is not None:
        next_value += 1
    kv.set(NEXT_ID_KEY, str(next_value + 1))
    return str(next_value)


def store(item_id, fields):
    """Stores {"id": id, ...fields} (an `id` among the fields is replaced) and returns it."""
    item = {"id": item_id}
    item.update((k, v) for k, v in fields.items() if k != "id")
    kv.set(item_key(item_id), to_json(item))
    return item


def load(key):
    """The item stored under `key`; a value that is not JSON is skipped as absent."""
    stored = kv.get(key)
    if stored is None:
        return None
    try:
        return from_json(stored)
    except ValueError:
        return None


def body_object(event):
    """The body as a JSON object, or the 400 to answer. The message names what is wrong but
    not the parser's details (every language's example answers the same bytes); the details
    go to the log."""
    try:
        body = event.json()
    except BodyError as error:
        log.info("invalid request body", error=str(error))
        return message(400, "Invalid request body: %s" % PROBLEMS[error.kind])
    if not isinstance(body, dict):
        return message(400, "The request body must be a JSON object")
    return body


def id_order(value):
    """Numeric ids in numeric order, before any other id in string order."""
    text = value if isinstance(value, str) else ""
    number = parse_u64(text)
    return (U64_MAX if number is None else number, text.encode("utf-8"))


def message(status, text):
    return ProxyResponse.json(status, {"message": text})


def not_found(item_id):
    return message(404, "Item not found: %s" % item_id)


def method_not_allowed(method, path, allow):
    return message(405, "Method %s is not allowed on %s" % (method, path)).with_header(
        "allow", allow
    )
