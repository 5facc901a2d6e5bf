// The host interfaces simulated in memory, so that plugin logic runs under plain Node.js
// (`node --test`) as the Rust SDK's does under `cargo test`: a key-value table in a Map, log
// records kept in an array (and echoed to stderr), stage variables and configuration set by
// the test. A plugin build replaces this file by host/{world}.js, the real WIT imports.
//
// The functions take and return what the WIT bindings of componentize-js do (options as
// `undefined`, `list<u8>` as Uint8Array, lists of pairs as arrays, result errors thrown as
// an object whose `payload` is the WIT variant), so the SDK cannot tell the difference.

const MAX_KEY_BYTES = 1024;
const MAX_VALUE_BYTES = 1024 * 1024;
const MAX_LIST_LIMIT = 1000;

const state = {
  table: new Map(),
  records: [],
  stageVariables: new Map(),
  config: new Map(),
  echo: true,
};

function fail(payload) {
  const error = new Error(`key-value error: ${payload.tag}`);
  error.payload = payload;
  return error;
}

function checkKey(key) {
  if (new TextEncoder().encode(key).length > MAX_KEY_BYTES) {
    throw fail({ tag: 'too-large', val: `key is longer than ${MAX_KEY_BYTES} bytes` });
  }
}

const keyValue = {
  get(key) {
    checkKey(key);
    const value = state.table.get(key);
    return value === undefined ? undefined : value.slice();
  },
  set(key, value) {
    checkKey(key);
    if (value.length > MAX_VALUE_BYTES) {
      throw fail({ tag: 'too-large', val: `value is larger than ${MAX_VALUE_BYTES} bytes` });
    }
    state.table.set(key, Uint8Array.from(value));
  },
  delete(key) {
    checkKey(key);
    return state.table.delete(key);
  },
  listKeys(prefix, limit) {
    // Ascending byte order, as the host's store keeps keys (UTF-16 order differs above the BMP).
    const encoder = new TextEncoder();
    const keys = [...state.table.keys()].filter((k) => k.startsWith(prefix));
    keys.sort((a, b) => Buffer.compare(encoder.encode(a), encoder.encode(b)));
    return keys.slice(0, Math.min(limit, MAX_LIST_LIMIT));
  },
};

const log = {
  write(level, message, fields) {
    state.records.push({ level, message, fields });
    if (state.echo) {
      const rendered = fields.map(([k, v]) => ` ${k}=${v}`).join('');
      process.stderr.write(`[${level}] ${message}${rendered}\n`);
    }
  },
};

const stage = {
  variable: (name) => state.stageVariables.get(name),
  variables: () => [...state.stageVariables],
};

const config = {
  get: (key) => state.config.get(key),
  entries: () => [...state.config],
};

/** Helpers for tests of plugin logic under Node.js; `null` inside a component. */
const testing = {
  /** Replaces the stage variables (an object or pairs). */
  setStageVariables(variables) {
    state.stageVariables = new Map(Object.entries(variables ?? {}));
  },
  /** Replaces the mapper configuration (an object). */
  setConfig(entries) {
    state.config = new Map(Object.entries(entries ?? {}));
  },
  /** The simulated key-value table: key → Uint8Array. */
  get table() {
    return state.table;
  },
  /** The log records written so far: `{level, message, fields}`. */
  get records() {
    return state.records;
  },
  /** Whether log records are also written to stderr (default true). */
  set echoLogs(on) {
    state.echo = Boolean(on);
  },
  /** Forgets the table, the log records, the stage variables and the configuration. */
  reset() {
    state.table = new Map();
    state.records = [];
    state.stageVariables = new Map();
    state.config = new Map();
  },
};

export const host = { world: null, log, keyValue, stage, config, testing };
