// `crud` in JavaScript: the seed example of Tollgate (plugins/crud), answering identically —
// same statuses, headers and bodies byte for byte (plugins/examples/README.md is the
// specification). A `function` plugin (an `AWS_PROXY` integration) that keeps JSON items in
// the stage's key-value table.
//
//   POST /items with a JSON object     201 and the new item {"id": "1", ...fields}
//   GET /items                         200 {"items": [...]}, sorted by id (the first 1000)
//   GET /items/{id}                    200 and the item, or 404 {"message": "Item not found: ID"}
//   PUT /items/{id} with a JSON object 200 and the item with its fields replaced (id kept);
//                                      404 when it does not exist (PUT never creates)
//   DELETE /items/{id}                 204 with no body; 404 when it does not exist
//   a body that is not a JSON object   400 {"message": "..."}
//   another method on those paths      405 {"message": "..."} with an `allow` header
//   any other path                     404 {"message": "..."}
//
// Routes are recognised by the end of the path, so the function serves `/items` and
// `/items/{id}` as well as a greedy `/{proxy+}`. Items live under `item:{id}`; ids are
// decimal numbers from a counter under `meta:next-id`. A store failure answers 500.
//
// JSON goes through the SDK's `json` module, which reads and writes exactly as serde_json
// does: items keep their key order and numbers their serde_json form (`1.0` stays `1.0`).

import { BodyError, KvError, ProxyResponse, defineFunction, json, kv, log } from 'tollgate-sdk';

const ITEM_PREFIX = 'item:';
const NEXT_ID_KEY = 'meta:next-id';
// The host's cap on list-keys.
const LIST_LIMIT = 1000;

const U64_MAX = 2n ** 64n - 1n;
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

// Rust's `str::trim` strips Unicode White_Space, which is JavaScript's `\s` without U+FEFF
// and with U+0085.
const trim = (s) =>
  s.replace(
    /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g,
    '',
  );

/** Rust's `str::parse::<u64>()`: an optional `+`, ASCII digits, no overflow. */
function parseU64(text) {
  if (!/^\+?[0-9]+$/.test(text)) {
    return undefined;
  }
  const n = BigInt(text);
  return n <= U64_MAX ? n : undefined;
}

/** What a request asks for: the collection, one item, or nothing known. */
function route(event) {
  const segments = event.path.split('/').filter((s) => s !== '');
  const last = segments.length - 1;
  if (segments[last] === 'items') {
    return { kind: 'collection' };
  }
  if (last >= 1 && segments[last - 1] === 'items') {
    return { kind: 'item', id: event.pathParameter('id') ?? segments[last] };
  }
  return { kind: 'unknown' };
}

export const handler = defineFunction((event) => {
  try {
    return answer(event);
  } catch (error) {
    if (!(error instanceof KvError)) {
      throw error;
    }
    log.error('key-value store failed', { error: error.message });
    return message(500, error.message);
  }
});

function answer(event) {
  const target = route(event);
  const method = event.httpMethod;
  switch (target.kind) {
    case 'collection':
      if (method === 'GET') return list();
      if (method === 'POST') return create(event);
      return methodNotAllowed(method, event.path, 'GET, POST');
    case 'item':
      if (method === 'GET') return read(target.id);
      if (method === 'PUT') return replace(event, target.id);
      if (method === 'DELETE') return remove(target.id);
      return methodNotAllowed(method, event.path, 'GET, PUT, DELETE');
    default:
      return message(404, `Not found: ${event.path}`);
  }
}

function list() {
  const items = [];
  for (const key of kv.listKeys(ITEM_PREFIX, LIST_LIMIT)) {
    const item = load(key);
    if (item !== undefined) {
      items.push(item);
    }
  }
  // Array.prototype.sort is stable, as Rust's sort_by.
  items.sort((a, b) => compareIds(idOf(a), idOf(b)));
  return ProxyResponse.json(200, { items });
}

function create(event) {
  const fields = bodyObject(event);
  if (fields instanceof ProxyResponse) {
    return fields;
  }
  const id = nextId();
  const item = store(id, fields);
  log.info('item created', { id });
  return ProxyResponse.json(201, item);
}

function read(id) {
  const item = load(itemKey(id));
  return item === undefined ? notFound(id) : ProxyResponse.json(200, item);
}

function replace(event, id) {
  const fields = bodyObject(event);
  if (fields instanceof ProxyResponse) {
    return fields;
  }
  if (kv.get(itemKey(id)) === undefined) {
    return notFound(id);
  }
  return ProxyResponse.json(200, store(id, fields));
}

function remove(id) {
  if (kv.delete(itemKey(id))) {
    log.info('item deleted', { id });
    return new ProxyResponse(204);
  }
  return notFound(id);
}

const itemKey = (id) => `${ITEM_PREFIX}${id}`;

/** Hands out the next id: the counter's value, skipping ids already taken. */
function nextId() {
  let next = 1n;
  const stored = kv.get(NEXT_ID_KEY);
  if (stored !== undefined) {
    let text;
    try {
      text = STRICT_UTF8.decode(stored);
    } catch {
      text = undefined;
    }
    next = (text === undefined ? undefined : parseU64(trim(text))) ?? 1n;
  }
  while (kv.get(itemKey(next.toString())) !== undefined) {
    next += 1n;
  }
  // u64 arithmetic wraps in the Rust plugin's release build.
  kv.set(NEXT_ID_KEY, ((next + 1n) & U64_MAX).toString());
  return next.toString();
}

/** Stores `{"id": id, ...fields}` (any `id` among the fields is replaced) and returns it. */
function store(id, fields) {
  const item = new Map([['id', id]]);
  for (const [key, value] of fields) {
    if (key !== 'id') {
      item.set(key, value);
    }
  }
  kv.set(itemKey(id), json.stringify(item));
  return item;
}

/** The item stored under `key`; a value that is not JSON is skipped as absent. */
function load(key) {
  const bytes = kv.get(key);
  if (bytes === undefined) {
    return undefined;
  }
  try {
    return json.parseExact(bytes);
  } catch {
    return undefined;
  }
}

/**
 * The body as a JSON object (a Map), or the 400 to answer. The message names what is wrong
 * but not the parser's details (the log has them), as the Rust plugin's does.
 */
function bodyObject(event) {
  let body;
  try {
    body = event.jsonBodyExact();
  } catch (error) {
    if (!(error instanceof BodyError)) {
      throw error;
    }
    log.info('invalid request body', { error: error.message });
    return message(400, `Invalid request body: ${PROBLEMS[error.kind]}`);
  }
  return body instanceof Map ? body : message(400, 'The request body must be a JSON object');
}

const PROBLEMS = {
  missing: 'the request has no body',
  base64: 'the body is not valid base64',
  json: 'the body is not valid JSON',
};

/** An item's `id` when it is a string, else the empty string (as serde_json's `as_str`). */
function idOf(item) {
  const id = item instanceof Map ? item.get('id') : undefined;
  return typeof id === 'string' ? id : '';
}

/** Numeric ids in numeric order, before any other id in string (byte) order. */
function compareIds(a, b) {
  const na = parseU64(a) ?? U64_MAX;
  const nb = parseU64(b) ?? U64_MAX;
  if (na !== nb) {
    return na < nb ? -1 : 1;
  }
  return compareCodePoints(a, b);
}

// Rust compares strings by their UTF-8 bytes, which is code point order; JavaScript's `<`
// compares UTF-16 units, which differs past U+FFFF.
function compareCodePoints(a, b) {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i].codePointAt(0) - y[i].codePointAt(0);
    if (d !== 0) {
      return d < 0 ? -1 : 1;
    }
  }
  return x.length - y.length;
}

const message = (status, text) => ProxyResponse.json(status, { message: text });

const notFound = (id) => message(404, `Item not found: ${id}`);

const methodNotAllowed = (method, path, allow) =>
  message(405, `Method ${method} is not allowed on ${path}`).withHeader('allow', allow);
