// The JavaScript guest SDK for Tollgate plugins.
//
// A plugin is an ES module (`index.js`) that exports the interface of one world of
// wit/plugin.wit, built with this SDK's helpers:
//
//   world        export                                          answers
//   function     export const handler = defineFunction(fn)        ProxyEvent -> ProxyResponse
//   mapper       export const mapping = defineMapper({...})       HttpRequest/HttpResponse transforms
//   authorizer   export const authorization = defineAuthorizer(fn) AuthorizerRequest -> Policy
//
// The host interfaces are `log`, `kv` (function and authorizer worlds), `stage` and `config`
// (mapper world). `json` reads and writes JSON exactly as serde_json does, so a JavaScript
// plugin can answer byte for byte like a Rust one. Outside a component (under Node.js) the
// host is simulated in memory and `testing` drives it.
//
// Handlers may be async. A thrown string is the WIT `err` as is; a thrown Error is the `err`
// with its message (as AWS Lambda reports an uncaught exception), logged with its stack
// unless it is an authorizer's `Unauthorized`. Inside a component `console.log` and friends
// write to the gateway's log as well.

import { host } from './host.js';
import * as json from './json.js';

export { json };

const ENCODER = new TextEncoder();
const LOSSY_DECODER = new TextDecoder('utf-8', { ignoreBOM: true });
const STRICT_DECODER = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

// ---------------------------------------------------------------------------------------------
// log

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error'];

/** Pairs of strings from an object (`{id: 1}`) or an iterable of pairs (`[['id', 1]]`). */
function pairs(fields) {
  if (fields === undefined || fields === null) {
    return [];
  }
  const entries =
    typeof fields[Symbol.iterator] === 'function' ? [...fields] : Object.entries(fields);
  return entries.map(([k, v]) => [String(k), String(v)]);
}

/**
 * Structured records in the gateway's log, tagged by the host with the request id and the
 * plugin: put variable parts in `fields` (an object or pairs), not in the message.
 */
export const log = {
  /** Writes one record at `level` (`trace`, `debug`, `info`, `warn` or `error`). */
  write(level, message, fields) {
    if (!LEVELS.includes(level)) {
      throw new TypeError(`unknown log level ${JSON.stringify(level)}`);
    }
    host.log.write(level, String(message), pairs(fields));
  },
  trace: (message, fields) => log.write('trace', message, fields),
  debug: (message, fields) => log.write('debug', message, fields),
  info: (message, fields) => log.write('info', message, fields),
  warn: (message, fields) => log.write('warn', message, fields),
  error: (message, fields) => log.write('error', message, fields),
};

// Inside a component, `console` writes to the gateway's log too (`console.log` at `info`,
// `console.error` at `error`, ...): the component has no stdout. Only once a call has
// started: the module's top level runs at build time, under Wizer, where no host exists.
let serving = false;

function formatArgument(value) {
  if (typeof value === 'string') {
    return value;
  }
  if (value instanceof Error) {
    // SpiderMonkey's `stack` is the frames alone, without the message.
    return `${value.name}: ${value.message}${value.stack ? `\n${value.stack}` : ''}`;
  }
  try {
    return json.stringify(value);
  } catch {
    return String(value);
  }
}

if (host.world !== null) {
  globalThis.console ??= {};
  for (const [method, level] of [
    ['log', 'info'],
    ['info', 'info'],
    ['debug', 'debug'],
    ['trace', 'trace'],
    ['warn', 'warn'],
    ['error', 'error'],
  ]) {
    globalThis.console[method] = (...args) => {
      if (serving) {
        host.log.write(level, args.map(formatArgument).join(' '), []);
      }
    };
  }
}

// ---------------------------------------------------------------------------------------------
// key-value

/**
 * Why a key-value call failed. `kind` is `no-namespace`, `too-large`, `store` (the WIT
 * error's cases) or `json` (`getJson`/`setJson`); the message is the Rust SDK's.
 */
export class KvError extends Error {
  constructor(kind, detail) {
    super(KvError.describe(kind, detail));
    this.name = 'KvError';
    this.kind = kind;
    this.detail = detail;
  }

  static describe(kind, detail) {
    switch (kind) {
      case 'no-namespace':
        return 'no key-value namespace is granted to this plugin';
      case 'too-large':
        return `key-value entry too large: ${detail}`;
      case 'store':
        return `key-value store error: ${detail}`;
      default:
        return `key-value JSON error: ${detail}`;
    }
  }
}

function keyValueHost() {
  if (!host.keyValue) {
    // Only the function and authorizer worlds import key-value.
    throw new Error(`the ${host.world} world has no key-value interface`);
  }
  return host.keyValue;
}

function kvCall(call) {
  try {
    return call(keyValueHost());
  } catch (error) {
    const variant = error && typeof error === 'object' ? error.payload : undefined;
    if (variant && typeof variant.tag === 'string') {
      throw new KvError(variant.tag, variant.val);
    }
    throw error;
  }
}

function toBytes(value) {
  if (value === undefined || value === null) {
    return new Uint8Array();
  }
  if (typeof value === 'string') {
    return ENCODER.encode(value);
  }
  // No `instanceof` checks: inside a component, byte lists come from the bindings' realm,
  // whose Uint8Array and ArrayBuffer are other constructors.
  if (ArrayBuffer.isView(value)) {
    return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  }
  if (Object.prototype.toString.call(value) === '[object ArrayBuffer]') {
    return new Uint8Array(value);
  }
  throw new TypeError('expected a string, a Uint8Array or an ArrayBuffer');
}

/**
 * The key-value table the stage grants to this plugin (`function` and `authorizer`
 * worlds). Keys up to 1 KiB, values up to 1 MiB; writes are durable when the call returns.
 * Every call throws `KvError` on failure.
 */
export const kv = {
  /** The value under `key` as bytes, or `undefined`. */
  get: (key) => kvCall((h) => h.get(String(key))),
  /** The value under `key` as UTF-8 text (invalid bytes replaced), or `undefined`. */
  getText(key) {
    const bytes = kv.get(key);
    return bytes === undefined ? undefined : LOSSY_DECODER.decode(bytes);
  },
  /** The value under `key` parsed as JSON (plain values), or `undefined`. */
  getJson(key) {
    const bytes = kv.get(key);
    if (bytes === undefined) {
      return undefined;
    }
    try {
      return json.parse(bytes);
    } catch (error) {
      throw new KvError('json', error.message);
    }
  },
  /** Stores `value` (a string, stored as UTF-8, or bytes) under `key`. */
  set: (key, value) => kvCall((h) => h.set(String(key), toBytes(value))),
  /** Stores `value` as JSON (serde_json's formatting) under `key`. */
  setJson(key, value) {
    let text;
    try {
      text = json.stringify(value);
    } catch (error) {
      throw new KvError('json', error.message);
    }
    kv.set(key, text);
  },
  /** Removes `key`; true when it existed. */
  delete: (key) => kvCall((h) => h.delete(String(key))),
  /** The keys starting with `prefix`, in ascending byte order, at most `limit` (≤ 1000). */
  listKeys: (prefix = '', limit = 1000) =>
    kvCall((h) => h.listKeys(String(prefix), Math.max(0, Math.min(Number(limit), 0xffffffff)) >>> 0)),
};

// ---------------------------------------------------------------------------------------------
// stage and config

/** The stage serving the request. */
export const stage = {
  /** The value of stage variable `name`, or `undefined`. */
  variable: (name) => host.stage.variable(String(name)),
  /** Every stage variable, as an object. */
  variables: () => Object.fromEntries(host.stage.variables()),
};

/**
 * The configuration the API definition gives a mapper (`x-tollgate-mapper`'s `config`).
 * Only the mapper world has it; elsewhere `get` answers `undefined` and `entries` `{}`.
 */
export const config = {
  /** One configuration value, or `undefined`. */
  get: (key) => (host.config ? host.config.get(String(key)) : undefined),
  /** Every configuration entry, as an object. */
  entries: () => (host.config ? Object.fromEntries(host.config.entries()) : {}),
};

/** Test helpers for the simulated host under Node.js; `null` inside a component. */
export const testing = host.testing;

// ---------------------------------------------------------------------------------------------
// base64, as the Rust SDK's `base64` STANDARD engine (canonical padding) reads and writes it

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DECODE = new Int16Array(256).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) {
  DECODE[ALPHABET.charCodeAt(i)] = i;
}
const PAD = 0x3d;

/** Standard base64 with padding. */
export function encodeBase64(bytes) {
  bytes = toBytes(bytes);
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out += ALPHABET[(n >> 18) & 63] + ALPHABET[(n >> 12) & 63];
    out += i + 1 < bytes.length ? ALPHABET[(n >> 6) & 63] : '=';
    out += i + 2 < bytes.length ? ALPHABET[n & 63] : '=';
  }
  return out;
}

/**
 * Decodes standard base64 with canonical padding, throwing an Error whose message is the
 * Rust `base64` crate's (`Invalid symbol 33, offset 0.`, `Invalid padding`, ...).
 */
export function decodeBase64(text) {
  const input = toBytes(text);
  const invalidByte = (offset, byte) => new Error(`Invalid symbol ${byte}, offset ${offset}.`);
  const rem = input.length % 4;
  if (rem === 1) {
    const last = input[input.length - 1];
    if (last !== PAD && DECODE[last] < 0) {
      throw invalidByte(input.length - 1, last);
    }
  }
  // Every quad but the last (1 to 4 bytes) decodes without padding.
  const quadsEnd = Math.max(0, input.length - rem - (rem === 0 ? 4 : 0));
  const out = [];
  for (let i = 0; i < quadsEnd; i += 4) {
    let n = 0;
    for (let k = 0; k < 4; k++) {
      const morsel = DECODE[input[i + k]];
      if (morsel < 0) {
        throw invalidByte(i + k, input[i + k]);
      }
      n = (n << 6) | morsel;
    }
    out.push((n >> 16) & 255, (n >> 8) & 255, n & 255);
  }
  const morsels = [0, 0, 0, 0];
  let count = 0;
  let padding = 0;
  let firstPadding = 0;
  let lastSymbol = 0;
  for (let k = quadsEnd; k < input.length; k++) {
    const b = input[k];
    const index = k - quadsEnd;
    if (b === PAD) {
      if (index < 2) {
        throw invalidByte(k, b);
      }
      if (padding === 0) {
        firstPadding = index;
      }
      padding += 1;
      continue;
    }
    if (padding > 0) {
      throw invalidByte(quadsEnd + firstPadding, PAD);
    }
    lastSymbol = b;
    if (DECODE[b] < 0) {
      throw invalidByte(k, b);
    }
    morsels[count] = DECODE[b];
    count += 1;
  }
  if (input.length > 0 && count < 2) {
    throw new Error(`Invalid input length: ${quadsEnd + count}`);
  }
  if ((padding + count) % 4 !== 0) {
    throw new Error('Invalid padding');
  }
  const bytes = Math.floor((count * 6) / 8);
  const n = ((morsels[0] << 26) | (morsels[1] << 20) | (morsels[2] << 14) | (morsels[3] << 8)) >>> 0;
  const mask = bytes === 0 ? 0xffffffff : 0xffffffff >>> (bytes * 8);
  if ((n & mask) >>> 0 !== 0) {
    throw new Error(`Invalid last symbol ${lastSymbol}, offset ${quadsEnd + count - 1}.`);
  }
  for (let k = 0; k < bytes; k++) {
    out.push((n >>> (24 - 8 * k)) & 255);
  }
  return Uint8Array.from(out);
}

// ---------------------------------------------------------------------------------------------
// field lookups shared by events, requests and responses

function own(map, name) {
  return map && Object.prototype.hasOwnProperty.call(map, name) ? map[name] : undefined;
}

function ownIgnoreCase(map, name) {
  if (!map) {
    return undefined;
  }
  const exact = own(map, name);
  if (exact !== undefined) {
    return exact;
  }
  // The sorted key order the Rust SDK's BTreeMap searches in.
  const key = Object.keys(map)
    .sort()
    .find((k) => asciiEqualIgnoreCase(k, name));
  return key === undefined ? undefined : map[key];
}

// ASCII-only case folding, as Rust's `eq_ignore_ascii_case` (toLowerCase also folds `İ`, `K`...).
const asciiLower = (s) => s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
const asciiEqualIgnoreCase = (a, b) => a.length === b.length && asciiLower(a) === asciiLower(b);

function firstPair(list, name, ignoreCase) {
  const found = list.find(([k]) => (ignoreCase ? asciiEqualIgnoreCase(k, name) : k === name));
  return found ? found[1] : undefined;
}

function lastPair(list, name, ignoreCase) {
  for (let i = list.length - 1; i >= 0; i--) {
    const [k, v] = list[i];
    if (ignoreCase ? asciiEqualIgnoreCase(k, name) : k === name) {
      return v;
    }
  }
  return undefined;
}

function setPair(list, name, value) {
  const kept = list.filter(([k]) => !asciiEqualIgnoreCase(k, name));
  kept.push([String(name), String(value)]);
  return kept;
}

// ---------------------------------------------------------------------------------------------
// the function world: API Gateway's Lambda-proxy contract

/**
 * Why the body of an event could not be read: `kind` is `missing`, `base64` or `json`, and
 * the message is the Rust SDK's (`the body is not valid JSON: expected value at line 1
 * column 1`).
 */
export class BodyError extends Error {
  constructor(kind, detail) {
    super(
      kind === 'missing'
        ? 'the request has no body'
        : kind === 'base64'
          ? `the body is not valid base64: ${detail}`
          : `the body is not valid JSON: ${detail}`,
    );
    this.name = 'BodyError';
    this.kind = kind;
    this.detail = detail;
  }
}

/**
 * The Lambda-proxy integration event (REST API, payload format 1.0), with AWS's field names:
 * `resource`, `path`, `httpMethod`, `headers`, `multiValueHeaders`, `queryStringParameters`,
 * `multiValueQueryStringParameters`, `pathParameters`, `stageVariables`, `requestContext`,
 * `body`, `isBase64Encoded`. Maps are `null` when AWS would send `null`.
 */
export class ProxyEvent {
  constructor(data = {}) {
    data = data ?? {};
    this.resource = data.resource ?? '';
    this.path = data.path ?? '';
    this.httpMethod = data.httpMethod ?? '';
    this.headers = data.headers ?? null;
    this.multiValueHeaders = data.multiValueHeaders ?? null;
    this.queryStringParameters = data.queryStringParameters ?? null;
    this.multiValueQueryStringParameters = data.multiValueQueryStringParameters ?? null;
    this.pathParameters = data.pathParameters ?? null;
    this.stageVariables = data.stageVariables ?? null;
    this.requestContext = data.requestContext ?? {};
    this.body = data.body ?? null;
    this.isBase64Encoded = data.isBase64Encoded ?? false;
  }

  /** Parses the JSON of a Lambda-proxy event. */
  static fromJson(text) {
    return new ProxyEvent(JSON.parse(text));
  }

  /** The value of path parameter `name` (`{name}` in the resource path). */
  pathParameter(name) {
    return own(this.pathParameters, name);
  }

  /** The value of query-string parameter `name` (its last value when repeated). */
  query(name) {
    const single = own(this.queryStringParameters, name);
    if (single !== undefined) {
      return single;
    }
    return own(this.multiValueQueryStringParameters, name)?.at(-1);
  }

  /** Every value of query-string parameter `name`, in the order received. */
  queryValues(name) {
    const multi = own(this.multiValueQueryStringParameters, name);
    if (multi !== undefined) {
      return [...multi];
    }
    const single = own(this.queryStringParameters, name);
    return single === undefined ? [] : [single];
  }

  /** The value of header `name`, compared case-insensitively (its last value when repeated). */
  header(name) {
    const single = ownIgnoreCase(this.headers, name);
    if (single !== undefined) {
      return single;
    }
    return ownIgnoreCase(this.multiValueHeaders, name)?.at(-1);
  }

  /** The value of stage variable `name`, as the event carries it. */
  stageVariable(name) {
    return own(this.stageVariables, name);
  }

  /** The body as bytes: base64-decoded when `isBase64Encoded`, empty without a body. */
  bodyBytes() {
    if (this.body === null) {
      return new Uint8Array();
    }
    if (this.isBase64Encoded) {
      try {
        return decodeBase64(this.body);
      } catch (error) {
        throw new BodyError('base64', error.message);
      }
    }
    return ENCODER.encode(this.body);
  }

  /** The body as text (UTF-8, invalid bytes replaced). */
  bodyText() {
    return this.isBase64Encoded ? LOSSY_DECODER.decode(this.bodyBytes()) : (this.body ?? '');
  }

  /** The body parsed as JSON into plain values; throws `BodyError`. */
  jsonBody() {
    return json.toPlain(this.jsonBodyExact());
  }

  /**
   * The body parsed as JSON exactly as serde_json reads it (objects as `Map`s in document
   * order, numbers as `json.JsonNumber`); throws `BodyError`.
   */
  jsonBodyExact() {
    if (this.body === null || this.body === '') {
      throw new BodyError('missing');
    }
    const bytes = this.bodyBytes();
    try {
      return json.parseExact(bytes);
    } catch (error) {
      if (error instanceof json.JsonError) {
        throw new BodyError('json', error.message);
      }
      throw error;
    }
  }
}

function sortedObject(map) {
  const sorted = {};
  for (const key of Object.keys(map).sort()) {
    Object.defineProperty(sorted, key, { value: map[key], enumerable: true, writable: true });
  }
  return sorted;
}

function withoutName(map, name) {
  const kept = {};
  for (const [k, v] of Object.entries(map)) {
    if (!asciiEqualIgnoreCase(k, name)) {
      Object.defineProperty(kept, k, { value: v, enumerable: true, writable: true, configurable: true });
    }
  }
  return kept;
}

/**
 * The Lambda-proxy response a function answers with. Serialises (`toJSON`) with AWS's names,
 * leaving out empty header maps, a missing body and a false `isBase64Encoded`, headers in
 * sorted order: exactly the JSON the Rust SDK writes.
 */
export class ProxyResponse {
  /** A response with `statusCode` and no headers and no body (e.g. `204 No Content`). */
  constructor(statusCode, init = {}) {
    this.statusCode = statusCode;
    this.headers = { ...(init.headers ?? {}) };
    this.multiValueHeaders = { ...(init.multiValueHeaders ?? {}) };
    this.body = init.body ?? null;
    this.isBase64Encoded = init.isBase64Encoded ?? false;
  }

  /**
   * A JSON response: `value` written by `json.stringify` (serde_json's formatting; `Map`s and
   * `json.JsonNumber`s kept exact), with `content-type: application/json`. A value that
   * cannot be written (a cycle) answers 500 `{"message": "cannot serialise the response: ..."}`.
   */
  static json(statusCode, value) {
    let body;
    try {
      body = json.stringify(value);
    } catch (error) {
      statusCode = 500;
      body = json.stringify({ message: `cannot serialise the response: ${error.message}` });
    }
    return new ProxyResponse(statusCode, { body }).withHeader('content-type', 'application/json');
  }

  /** A text response with `content-type: text/plain; charset=utf-8`. */
  static text(statusCode, body) {
    return new ProxyResponse(statusCode, { body: String(body) }).withHeader(
      'content-type',
      'text/plain; charset=utf-8',
    );
  }

  /**
   * A binary response: `bytes` base64-encoded with `isBase64Encoded: true` and
   * `content-type: application/octet-stream` (replace it with `withHeader`).
   */
  static binary(statusCode, bytes) {
    return new ProxyResponse(statusCode, {
      body: encodeBase64(bytes),
      isBase64Encoded: true,
    }).withHeader('content-type', 'application/octet-stream');
  }

  /** Sets header `name` to `value`, replacing any header of the same name in any case. */
  withHeader(name, value) {
    name = String(name);
    this.headers = withoutName(this.headers, name);
    this.multiValueHeaders = withoutName(this.multiValueHeaders, name);
    Object.defineProperty(this.headers, name, {
      value: String(value),
      enumerable: true,
      writable: true,
      configurable: true,
    });
    return this;
  }

  /** Sets header `name` to several values (`multiValueHeaders`), replacing any of that name. */
  withHeaderValues(name, values) {
    name = String(name);
    this.headers = withoutName(this.headers, name);
    this.multiValueHeaders = withoutName(this.multiValueHeaders, name);
    Object.defineProperty(this.multiValueHeaders, name, {
      value: [...values].map(String),
      enumerable: true,
      writable: true,
      configurable: true,
    });
    return this;
  }

  /** The value of header `name`, compared case-insensitively. */
  header(name) {
    return ownIgnoreCase(this.headers, name) ?? ownIgnoreCase(this.multiValueHeaders, name)?.[0];
  }

  toJSON() {
    const out = { statusCode: this.statusCode };
    if (Object.keys(this.headers).length > 0) {
      out.headers = sortedObject(this.headers);
    }
    if (Object.keys(this.multiValueHeaders).length > 0) {
      out.multiValueHeaders = sortedObject(this.multiValueHeaders);
    }
    if (this.body !== null && this.body !== undefined) {
      out.body = this.body;
    }
    if (this.isBase64Encoded) {
      out.isBase64Encoded = true;
    }
    return out;
  }

  /** The JSON of this response, as the `handler` interface returns it. */
  toJson() {
    return json.stringify(this);
  }
}

/** Turns a thrown value into the WIT `err` string, logging unexpected exceptions. */
function errorText(error, expected) {
  if (typeof error === 'string') {
    return error;
  }
  const message = error instanceof Error ? error.message : String(error);
  if (!expected(message)) {
    const fields = [['error', message]];
    if (error instanceof Error && error.stack) {
      fields.push(['stack', error.stack]);
    }
    host.log.write('error', 'uncaught exception', fields);
  }
  return message;
}

const unexpected = () => false;

/**
 * The `handler` export of the `function` world: `export const handler = defineFunction(fn)`.
 * `fn(event: ProxyEvent)` returns (or resolves to) a `ProxyResponse`, or a plain
 * Lambda-proxy response object (`{statusCode, headers, body}`). A throw is a function error
 * (Lambda's `errorMessage`): 502 behind an `AWS_PROXY` integration.
 */
export function defineFunction(fn) {
  return {
    async handle(eventJson) {
      serving = true;
      let event;
      try {
        event = ProxyEvent.fromJson(eventJson);
      } catch (error) {
        throw `tollgate-sdk: cannot parse the Lambda-proxy event: ${error.message}`;
      }
      try {
        const response = await fn(event);
        return response instanceof ProxyResponse ? response.toJson() : json.stringify(response);
      } catch (error) {
        throw errorText(error, unexpected);
      }
    },
  };
}

/**
 * The `handler` export over the exact JSON: `fn(eventJson: string)` returns the response's
 * JSON string unchanged, for plugins that want full control.
 */
export function defineRawFunction(fn) {
  return {
    async handle(eventJson) {
      serving = true;
      try {
        return String(await fn(eventJson));
      } catch (error) {
        throw errorText(error, unexpected);
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------
// the mapper world

function toPairs(list) {
  if (list === undefined || list === null) {
    return [];
  }
  return pairs(list);
}

/**
 * What the gateway knows about the request (`$context`): `requestId`, `apiId`, `stage`,
 * `resourcePath`, `httpMethod`, `identity` (`sourceIp`, `userAgent`, `apiKey`),
 * `stageVariables` and `authorizer` (pairs), `requestTimeEpoch` (milliseconds, a number).
 */
export class RequestContext {
  constructor(context) {
    Object.assign(this, context);
    this.identity = { ...context.identity };
    this.stageVariables = [...(context.stageVariables ?? [])];
    this.authorizer = [...(context.authorizer ?? [])];
    // A WIT u64 arrives as a BigInt; milliseconds since 1970 fit a number exactly.
    this.requestTimeEpoch = Number(context.requestTimeEpoch ?? 0);
  }

  /** The value of stage variable `name`, as the context carries it. */
  stageVariable(name) {
    return firstPair(this.stageVariables, name, false);
  }

  /** The value of `$context.authorizer.{name}`, when an authorizer ran. */
  authorizerValue(name) {
    return firstPair(this.authorizer, name, false);
  }
}

class HttpMessage {
  /** The first value of header `name`, compared case-insensitively. */
  header(name) {
    return firstPair(this.headers, name, true);
  }

  /** Sets header `name` to `value`, replacing every header of that name in any case. */
  setHeader(name, value) {
    this.headers = setPair(this.headers, name, value);
  }

  /** Like `setHeader`, returning this message. */
  withHeader(name, value) {
    this.setHeader(name, value);
    return this;
  }

  /** Removes every header `name`, compared case-insensitively. */
  removeHeader(name) {
    this.headers = this.headers.filter(([k]) => !asciiEqualIgnoreCase(k, name));
  }

  /** The body as UTF-8 text, or `undefined` when it is not valid UTF-8. */
  bodyText() {
    try {
      return STRICT_DECODER.decode(this.body);
    } catch {
      return undefined;
    }
  }

  /** Replaces the body (a string, stored as UTF-8, or bytes). */
  setBody(body) {
    this.body = toBytes(body);
  }

  /** Like `setBody`, returning this message. */
  withBody(body) {
    this.setBody(body);
    return this;
  }
}

/**
 * An HTTP request as a mapper sees it: `method`, `path` (after the stage, percent-decoded),
 * `query` and `headers` (arrays of `[name, value]` pairs in the order received) and `body`
 * (a Uint8Array).
 */
export class HttpRequest extends HttpMessage {
  constructor({ method = 'GET', path = '/', query = [], headers = [], body } = {}) {
    super();
    this.method = method;
    this.path = path;
    this.query = toPairs(query);
    this.headers = toPairs(headers);
    this.body = toBytes(body);
  }

  /** The first value of query-string parameter `name` (compared exactly). */
  queryParam(name) {
    return firstPair(this.query, name, false);
  }
}

/** An HTTP response as a mapper sees it: `status`, `headers` (pairs) and `body` (bytes). */
export class HttpResponse extends HttpMessage {
  constructor({ status = 200, headers = [], body } = {}) {
    super();
    this.status = status;
    this.headers = toPairs(headers);
    this.body = toBytes(body);
  }
}

function witRequest(request) {
  const r = request instanceof HttpRequest ? request : new HttpRequest(request);
  return {
    method: String(r.method),
    path: String(r.path),
    query: toPairs(r.query),
    headers: toPairs(r.headers),
    body: toBytes(r.body),
  };
}

function witResponse(response) {
  const r = response instanceof HttpResponse ? response : new HttpResponse(response);
  const status = Number(r.status);
  if (!Number.isInteger(status) || status < 100 || status > 599) {
    throw new Error(`a mapped response needs a status from 100 to 599, not ${r.status}`);
  }
  return { status, headers: toPairs(r.headers), body: toBytes(r.body) };
}

/**
 * The `mapping` export of the `mapper` world:
 * `export const mapping = defineMapper({ mapRequest(request, context), mapResponse(response, context) })`.
 * Either method may be left out (it passes its input through); each returns (or resolves to)
 * the mapped `HttpRequest`/`HttpResponse` (or a plain object of the same shape). A throw
 * fails the request with 500, the message in the gateway log.
 */
export function defineMapper({ mapRequest, mapResponse } = {}) {
  return {
    async mapRequest(request, context) {
      serving = true;
      try {
        const input = new HttpRequest(request);
        return witRequest(mapRequest ? await mapRequest(input, new RequestContext(context)) : input);
      } catch (error) {
        throw errorText(error, unexpected);
      }
    },
    async mapResponse(response, context) {
      serving = true;
      try {
        const input = new HttpResponse(response);
        return witResponse(
          mapResponse ? await mapResponse(input, new RequestContext(context)) : input,
        );
      } catch (error) {
        throw errorText(error, unexpected);
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------
// the authorizer world

/**
 * What an authorizer is asked about: `kind` (`TOKEN` or `REQUEST`), `authorizationToken`,
 * `methodArn`, `headers`, `query`, `pathParameters` (pairs) and `context` (a RequestContext).
 */
export class AuthorizerRequest {
  constructor(request) {
    this.kind = request.kind;
    this.authorizationToken = request.authorizationToken;
    this.methodArn = request.methodArn;
    this.headers = toPairs(request.headers);
    this.query = toPairs(request.query);
    this.pathParameters = toPairs(request.pathParameters);
    this.context = new RequestContext(request.context);
  }

  /** The token of a `TOKEN` authorizer (the identity-source header's value), or `undefined`. */
  token() {
    return this.authorizationToken ?? undefined;
  }

  /**
   * The value of request header `name` (`REQUEST` authorizers), case-insensitively; the LAST
   * one when repeated, the value the gateway's identity sources and decision cache use.
   */
  header(name) {
    return lastPair(this.headers, name, true);
  }

  /** The value of query-string parameter `name` (`REQUEST` authorizers); the last one. */
  queryParam(name) {
    return lastPair(this.query, name, false);
  }

  /** The value of path parameter `name` (`REQUEST` authorizers). */
  pathParameter(name) {
    return firstPair(this.pathParameters, name, false);
  }

  /**
   * The method ARN widened to every method and resource of the same API and stage
   * (`arn:aws:execute-api:{region}:{account}:{api-id}/{stage}/*`): allow this when the gateway
   * caches the policy, so one answer also covers the caller's other calls.
   */
  stageWildcardArn() {
    return this.stageArn('*');
  }

  /**
   * An ARN of the same API and stage as the method ARN for `resource` below the stage
   * (`stageArn('GET/*')`: every GET of the stage). A method ARN without a stage is returned
   * unchanged.
   */
  stageArn(resource) {
    const arn = this.methodArn;
    const apiEnd = arn.indexOf('/');
    if (apiEnd < 0) {
      return arn;
    }
    const stageEnd = arn.indexOf('/', apiEnd + 1);
    const stageName = stageEnd < 0 ? arn.slice(apiEnd + 1) : arn.slice(apiEnd + 1, stageEnd);
    return `${arn.slice(0, apiEnd)}/${stageName}/${resource}`;
  }
}

/** The effect of a policy statement. */
export const Effect = Object.freeze({ Allow: 'Allow', Deny: 'Deny' });

/**
 * A builder for an authorizer's answer: a principal, an IAM policy on `execute-api:Invoke`,
 * context values (`$context.authorizer.{key}`) and an optional usage-plan key.
 *
 *   return Policy.allow('alice', request.stageWildcardArn()).withContext('user', 'alice');
 */
export class Policy {
  /** A policy for `principalId` without statements (which denies everything). */
  constructor(principalId) {
    this.principalId = String(principalId);
    this.statements = [];
    this.context = [];
    this.usageIdentifierKey = undefined;
  }

  /** A policy for `principalId` allowing `execute-api:Invoke` on `resource`. */
  static allow(principalId, resource) {
    return new Policy(principalId).and(Effect.Allow, resource);
  }

  /** A policy for `principalId` denying `execute-api:Invoke` on `resource`. */
  static deny(principalId, resource) {
    return new Policy(principalId).and(Effect.Deny, resource);
  }

  /** Adds a statement with `effect` on `resource` (a method ARN, `*` wildcards allowed). */
  and(effect, resource) {
    if (effect !== Effect.Allow && effect !== Effect.Deny) {
      throw new TypeError(`a policy effect is Allow or Deny, not ${effect}`);
    }
    this.statements.push({ Action: 'execute-api:Invoke', Effect: effect, Resource: String(resource) });
    return this;
  }

  /** Adds a context value, which becomes `$context.authorizer.{key}`. */
  withContext(key, value) {
    this.context.push([String(key), String(value)]);
    return this;
  }

  /** Sets the usage-plan API key, for APIs that take their keys from the authorizer. */
  withUsageIdentifierKey(key) {
    this.usageIdentifierKey = String(key);
    return this;
  }

  /** The IAM policy document as JSON. */
  document() {
    return json.stringify({ Version: '2012-10-17', Statement: this.statements });
  }

  /** The WIT `authorizer-response` this policy describes. */
  toResponse() {
    return {
      principalId: this.principalId,
      policyDocument: this.document(),
      context: this.context.map(([k, v]) => [k, v]),
      usageIdentifierKey: this.usageIdentifierKey,
    };
  }
}

function witAuthorizerResponse(answer) {
  if (answer instanceof Policy) {
    return answer.toResponse();
  }
  // A Lambda authorizer's own answer: `{principalId, policyDocument, context, usageIdentifierKey}`.
  const document = answer.policyDocument;
  return {
    principalId: String(answer.principalId),
    policyDocument: typeof document === 'string' ? document : json.stringify(document),
    context: toPairs(answer.context),
    usageIdentifierKey:
      answer.usageIdentifierKey === undefined || answer.usageIdentifierKey === null
        ? undefined
        : String(answer.usageIdentifierKey),
  };
}

const isUnauthorized = (message) => message === 'Unauthorized';

/**
 * The `authorization` export of the `authorizer` world:
 * `export const authorization = defineAuthorizer(fn)`. `fn(request: AuthorizerRequest)`
 * returns (or resolves to) a `Policy`, or a Lambda authorizer's answer object. Throwing
 * `'Unauthorized'` (or `new Error('Unauthorized')`, as in AWS) answers 401; a denying policy
 * 403; any other throw 500.
 */
export function defineAuthorizer(fn) {
  return {
    async authorize(request) {
      serving = true;
      try {
        return witAuthorizerResponse(await fn(new AuthorizerRequest(request)));
      } catch (error) {
        throw errorText(error, isUnauthorized);
      }
    },
  };
}
