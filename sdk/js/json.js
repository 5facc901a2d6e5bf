// JSON that reads and writes exactly as serde_json does (with `preserve_order`), so that a
// JavaScript plugin answers byte for byte like a Rust one given the same input.
//
// JavaScript's own JSON differs in ways a client sees: objects put integer-like keys first
// (`{"b":1,"2":2}` comes back as `{"2":2,"b":1}`), `1.0` comes back as `1`, `-0` as `0`,
// `1e400` as `null`, integers above 2^53 lose digits, and its error messages are the
// engine's. `parseExact` keeps key order in a `Map` and every number as serde_json reads it
// (a `JsonNumber`), and throws `JsonError` with serde_json's message and position;
// `stringify` writes compact JSON as serde_json writes it. `parse` is `parseExact` turned
// into ordinary objects and numbers, for code that wants plain values with the same
// acceptance rules and errors.

const U64_MAX = 18446744073709551615n;
const I64_MIN = -9223372036854775808n;
// serde_json gives up at this nesting depth rather than risk the stack.
const RECURSION_LIMIT = 128;

const MESSAGES = {
  EofWhileParsingList: 'EOF while parsing a list',
  EofWhileParsingObject: 'EOF while parsing an object',
  EofWhileParsingString: 'EOF while parsing a string',
  EofWhileParsingValue: 'EOF while parsing a value',
  ExpectedColon: 'expected `:`',
  ExpectedListCommaOrEnd: 'expected `,` or `]`',
  ExpectedObjectCommaOrEnd: 'expected `,` or `}`',
  ExpectedSomeIdent: 'expected ident',
  ExpectedSomeValue: 'expected value',
  InvalidEscape: 'invalid escape',
  InvalidNumber: 'invalid number',
  NumberOutOfRange: 'number out of range',
  InvalidUnicodeCodePoint: 'invalid unicode code point',
  ControlCharacterWhileParsingString:
    'control character (\\u0000-\\u001F) found while parsing a string',
  KeyMustBeAString: 'key must be a string',
  LoneLeadingSurrogateInHexEscape: 'lone leading surrogate in hex escape',
  TrailingComma: 'trailing comma',
  TrailingCharacters: 'trailing characters',
  UnexpectedEndOfHexEscape: 'unexpected end of hex escape',
  RecursionLimitExceeded: 'recursion limit exceeded',
};

/** Why a text is not JSON: serde_json's message, e.g. `expected value at line 1 column 1`. */
export class JsonError extends Error {
  constructor(code, line, column) {
    super(`${MESSAGES[code]} at line ${line} column ${column}`);
    this.name = 'JsonError';
    /** serde_json's error code, e.g. `ExpectedSomeValue`. */
    this.code = code;
    this.line = line;
    this.column = column;
  }
}

/**
 * A JSON number as serde_json holds it: an unsigned or negative 64-bit integer, or a double.
 * `Number(n)` (or arithmetic) gives its value; `String(n)` the text serde_json writes.
 */
export class JsonNumber {
  /**
   * @param {'u64'|'i64'|'f64'} kind
   * @param {bigint|number} value a bigint for the integer kinds, a number for `f64`
   */
  constructor(kind, value) {
    this.kind = kind;
    this.value = value;
  }

  /** The number as a JavaScript number (integers beyond 2^53 are rounded). */
  valueOf() {
    return Number(this.value);
  }

  /** The text serde_json writes for this number. */
  toString() {
    return this.kind === 'f64' ? formatF64(this.value) : this.value.toString();
  }
}


const ENCODER = new TextEncoder();
// ignoreBOM: a leading U+FEFF is content, as it is to Rust's `str::from_utf8`.
const DECODER = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** A port of serde_json's `SliceRead` + `Deserializer` for `serde_json::Value`. */
class Parser {
  constructor(bytes) {
    this.bytes = bytes;
    this.index = 0;
    // Where the digits of the number being read start (after any `-`).
    this.numberStart = 0;
    this.remainingDepth = RECURSION_LIMIT;
  }

  peek() {
    return this.index < this.bytes.length ? this.bytes[this.index] : -1;
  }

  peekOrNull() {
    return this.index < this.bytes.length ? this.bytes[this.index] : 0;
  }

  next() {
    return this.index < this.bytes.length ? this.bytes[this.index++] : -1;
  }

  // The line and column serde_json reports for byte offset `i`: columns count bytes, and a
  // column is the number of bytes before `i` on its line.
  positionOf(i) {
    let line = 1;
    let startOfLine = 0;
    for (let j = 0; j < i; j++) {
      if (this.bytes[j] === 0x0a) {
        line += 1;
        startOfLine = j + 1;
      }
    }
    return [line, i - startOfLine];
  }

  // An error caused by a byte already consumed.
  error(code) {
    return new JsonError(code, ...this.positionOf(this.index));
  }

  // An error caused by the byte under `peek()`.
  peekError(code) {
    return new JsonError(code, ...this.positionOf(Math.min(this.bytes.length, this.index + 1)));
  }

  parseWhitespace() {
    for (;;) {
      const b = this.peek();
      if (b === 0x20 || b === 0x0a || b === 0x09 || b === 0x0d) {
        this.index += 1;
      } else {
        return b;
      }
    }
  }

  parseValue() {
    const peek = this.parseWhitespace();
    switch (peek) {
      case -1:
        throw this.peekError('EofWhileParsingValue');
      case 0x6e: // n
        this.index += 1;
        this.parseIdent('ull');
        return null;
      case 0x74: // t
        this.index += 1;
        this.parseIdent('rue');
        return true;
      case 0x66: // f
        this.index += 1;
        this.parseIdent('alse');
        return false;
      case 0x2d: // -
        this.index += 1;
        return this.parseInteger(false);
      case 0x22: // "
        this.index += 1;
        return this.parseString();
      case 0x5b: // [
        return this.nested(() => this.parseArray());
      case 0x7b: // {
        return this.nested(() => this.parseObject());
      default:
        if (peek >= 0x30 && peek <= 0x39) {
          return this.parseInteger(true);
        }
        throw this.peekError('ExpectedSomeValue');
    }
  }

  nested(parse) {
    this.remainingDepth -= 1;
    if (this.remainingDepth === 0) {
      throw this.peekError('RecursionLimitExceeded');
    }
    this.index += 1;
    const value = parse();
    this.remainingDepth += 1;
    return value;
  }

  parseIdent(ident) {
    for (let i = 0; i < ident.length; i++) {
      const next = this.next();
      if (next === -1) {
        throw this.error('EofWhileParsingValue');
      }
      if (next !== ident.charCodeAt(i)) {
        throw this.error('ExpectedSomeIdent');
      }
    }
  }

  parseArray() {
    const values = [];
    let first = true;
    for (;;) {
      const peek = this.parseWhitespace();
      if (peek === -1) {
        throw this.peekError('EofWhileParsingList');
      }
      if (peek === 0x5d) {
        break;
      }
      if (first) {
        first = false;
      } else if (peek === 0x2c) {
        this.index += 1;
        const after = this.parseWhitespace();
        if (after === 0x5d) {
          throw this.peekError('TrailingComma');
        }
        if (after === -1) {
          throw this.peekError('EofWhileParsingValue');
        }
      } else {
        throw this.peekError('ExpectedListCommaOrEnd');
      }
      values.push(this.parseValue());
    }
    this.index += 1; // ]
    return values;
  }

  parseObject() {
    // serde_json's `Map` with `preserve_order` is an IndexMap: a repeated key keeps its first
    // position and takes the last value, which is what `Map.prototype.set` does.
    const object = new Map();
    let first = true;
    for (;;) {
      const peek = this.parseWhitespace();
      if (peek === -1) {
        throw this.peekError('EofWhileParsingObject');
      }
      if (peek === 0x7d) {
        break;
      }
      if (first) {
        first = false;
        if (peek !== 0x22) {
          throw this.peekError('KeyMustBeAString');
        }
      } else if (peek === 0x2c) {
        this.index += 1;
        const after = this.parseWhitespace();
        if (after === 0x7d) {
          throw this.peekError('TrailingComma');
        }
        if (after === -1) {
          throw this.peekError('EofWhileParsingValue');
        }
        if (after !== 0x22) {
          throw this.peekError('KeyMustBeAString');
        }
      } else {
        throw this.peekError('ExpectedObjectCommaOrEnd');
      }
      this.index += 1; // "
      const key = this.parseString();
      const colon = this.parseWhitespace();
      if (colon === 0x3a) {
        this.index += 1;
      } else if (colon === -1) {
        throw this.peekError('EofWhileParsingObject');
      } else {
        throw this.peekError('ExpectedColon');
      }
      object.set(key, this.parseValue());
    }
    this.index += 1; // }
    return object;
  }

  // After the opening quote: the string's content, escapes resolved, checked to be UTF-8.
  parseString() {
    const { bytes } = this;
    const scratch = [];
    let start = this.index;
    let escaped = false;
    for (;;) {
      while (this.index < bytes.length) {
        const b = bytes[this.index];
        if (b === 0x22 || b === 0x5c || b < 0x20) {
          break;
        }
        this.index += 1;
      }
      if (this.index === bytes.length) {
        throw this.error('EofWhileParsingString');
      }
      const b = bytes[this.index];
      if (b === 0x22) {
        const raw = bytes.subarray(start, this.index);
        this.index += 1;
        if (!escaped) {
          return this.utf8(raw);
        }
        pushBytes(scratch, raw);
        return this.utf8(Uint8Array.from(scratch));
      }
      if (b === 0x5c) {
        pushBytes(scratch, bytes.subarray(start, this.index));
        escaped = true;
        this.index += 1;
        this.parseEscape(scratch);
        start = this.index;
      } else {
        this.index += 1;
        throw this.error('ControlCharacterWhileParsingString');
      }
    }
  }

  utf8(slice) {
    try {
      return DECODER.decode(slice);
    } catch {
      // Like serde_json, point at the first invalid byte counting back from the closing
      // quote (approximate when the string had escapes).
      const [line, column] = this.positionOf(this.index);
      const validUpTo = utf8ValidUpTo(slice);
      return this.throwAt('InvalidUnicodeCodePoint', line, Math.max(0, column - (slice.length - validUpTo)));
    }
  }

  throwAt(code, line, column) {
    throw new JsonError(code, line, column);
  }

  nextOrEof() {
    const b = this.next();
    if (b === -1) {
      throw this.error('EofWhileParsingString');
    }
    return b;
  }

  parseEscape(scratch) {
    const ch = this.nextOrEof();
    switch (ch) {
      case 0x22: scratch.push(0x22); break;
      case 0x5c: scratch.push(0x5c); break;
      case 0x2f: scratch.push(0x2f); break;
      case 0x62: scratch.push(0x08); break;
      case 0x66: scratch.push(0x0c); break;
      case 0x6e: scratch.push(0x0a); break;
      case 0x72: scratch.push(0x0d); break;
      case 0x74: scratch.push(0x09); break;
      case 0x75: this.parseUnicodeEscape(scratch); break;
      default:
        throw this.error('InvalidEscape');
    }
  }

  decodeHexEscape() {
    let n = 0;
    let valid = true;
    for (let i = 0; i < 4; i++) {
      const digit = hexValue(this.nextOrEof());
      if (digit < 0) {
        valid = false;
      }
      n = (n << 4) | (digit & 0xf);
    }
    if (!valid) {
      throw this.error('InvalidEscape');
    }
    return n;
  }

  parseUnicodeEscape(scratch) {
    const n1 = this.decodeHexEscape();
    if (n1 >= 0xdc00 && n1 <= 0xdfff) {
      // serde_json's name for a trailing surrogate without a leading one.
      throw this.error('LoneLeadingSurrogateInHexEscape');
    }
    if (n1 < 0xd800 || n1 > 0xdbff) {
      pushCodePoint(scratch, n1);
      return;
    }
    for (const expected of [0x5c, 0x75]) {
      if (this.index === this.bytes.length) {
        throw this.error('EofWhileParsingString');
      }
      const b = this.bytes[this.index];
      this.index += 1;
      if (b !== expected) {
        throw this.error('UnexpectedEndOfHexEscape');
      }
    }
    const n2 = this.decodeHexEscape();
    if (n2 < 0xdc00 || n2 > 0xdfff) {
      throw this.error('LoneLeadingSurrogateInHexEscape');
    }
    pushCodePoint(scratch, (((n1 - 0xd800) << 10) | (n2 - 0xdc00)) + 0x10000);
  }

  // After an optional `-`: an integer that fits 64 bits, or a double.
  parseInteger(positive) {
    this.numberStart = this.index;
    const next = this.next();
    if (next === -1) {
      throw this.error('EofWhileParsingValue');
    }
    if (next === 0x30) {
      const peek = this.peekOrNull();
      if (peek >= 0x30 && peek <= 0x39) {
        throw this.peekError('InvalidNumber');
      }
      return this.parseNumber(positive, 0n);
    }
    if (next < 0x31 || next > 0x39) {
      throw this.error('InvalidNumber');
    }
    let significand = BigInt(next - 0x30);
    for (;;) {
      const c = this.peekOrNull();
      if (c < 0x30 || c > 0x39) {
        return this.parseNumber(positive, significand);
      }
      const digit = BigInt(c - 0x30);
      if (overflows(significand, digit)) {
        return new JsonNumber('f64', this.parseLongInteger(positive, significand));
      }
      this.index += 1;
      significand = significand * 10n + digit;
    }
  }

  parseNumber(positive, significand) {
    const peek = this.peekOrNull();
    if (peek === 0x2e) {
      return new JsonNumber('f64', this.parseDecimal(positive, significand));
    }
    if (peek === 0x65 || peek === 0x45) {
      return new JsonNumber('f64', this.parseExponent(positive, significand));
    }
    if (positive) {
      return new JsonNumber('u64', significand);
    }
    const negative = -significand;
    // `-0` and integers below i64::MIN become doubles, as in serde_json.
    if (significand === 0n || negative < I64_MIN) {
      return new JsonNumber('f64', -Number(significand));
    }
    return new JsonNumber('i64', negative);
  }

  parseLongInteger(positive, significand) {
    for (;;) {
      const c = this.peekOrNull();
      if (c >= 0x30 && c <= 0x39) {
        this.index += 1;
      } else if (c === 0x2e) {
        return this.parseDecimal(positive, significand);
      } else if (c === 0x65 || c === 0x45) {
        return this.parseExponent(positive, significand);
      } else {
        return this.f64FromParts(positive);
      }
    }
  }

  parseDecimal(positive, significand) {
    this.index += 1; // .
    let anyDigit = false;
    for (;;) {
      const c = this.peekOrNull();
      if (c < 0x30 || c > 0x39) {
        break;
      }
      const digit = BigInt(c - 0x30);
      if (overflows(significand, digit)) {
        return this.parseDecimalOverflow(positive, significand);
      }
      this.index += 1;
      significand = significand * 10n + digit;
      anyDigit = true;
    }
    if (!anyDigit) {
      throw this.peekError(this.peek() === -1 ? 'EofWhileParsingValue' : 'InvalidNumber');
    }
    const peek = this.peekOrNull();
    if (peek === 0x65 || peek === 0x45) {
      return this.parseExponent(positive, significand);
    }
    return this.f64FromParts(positive);
  }

  parseDecimalOverflow(positive, significand) {
    // Digits past 64 bits of significand still count: the value is read from the text.
    for (;;) {
      const c = this.peekOrNull();
      if (c < 0x30 || c > 0x39) {
        break;
      }
      this.index += 1;
    }
    const peek = this.peekOrNull();
    if (peek === 0x65 || peek === 0x45) {
      return this.parseExponent(positive, significand);
    }
    return this.f64FromParts(positive);
  }

  parseExponent(positive, significand) {
    this.index += 1; // e
    let positiveExp = true;
    const sign = this.peekOrNull();
    if (sign === 0x2b) {
      this.index += 1;
    } else if (sign === 0x2d) {
      this.index += 1;
      positiveExp = false;
    }
    const next = this.next();
    if (next === -1) {
      throw this.error('EofWhileParsingValue');
    }
    if (next < 0x30 || next > 0x39) {
      throw this.error('InvalidNumber');
    }
    let exp = next - 0x30;
    const I32_MAX = 2147483647;
    for (;;) {
      const c = this.peekOrNull();
      if (c < 0x30 || c > 0x39) {
        break;
      }
      this.index += 1;
      const digit = c - 0x30;
      if (exp >= Math.floor(I32_MAX / 10) && (exp > Math.floor(I32_MAX / 10) || digit > I32_MAX % 10)) {
        return this.parseExponentOverflow(positive, significand === 0n, positiveExp);
      }
      exp = exp * 10 + digit;
    }
    return this.f64FromParts(positive);
  }

  parseExponentOverflow(positive, zeroSignificand, positiveExp) {
    if (!zeroSignificand && positiveExp) {
      throw this.error('NumberOutOfRange');
    }
    for (;;) {
      const c = this.peekOrNull();
      if (c < 0x30 || c > 0x39) {
        break;
      }
      this.index += 1;
    }
    return positive ? 0 : -0;
  }

  // serde_json's `f64_from_parts` with `float_roundtrip` (as the Rust SDK builds it): the
  // double nearest to the number's whole text, which `Number` rounds correctly. The parser has
  // already checked the text, so only infinity is left to refuse.
  f64FromParts(positive) {
    let text = '';
    for (let i = this.numberStart; i < this.index; i += 1) {
      text += String.fromCharCode(this.bytes[i]);
    }
    const f = Number(text);
    if (!Number.isFinite(f)) {
      throw this.error('NumberOutOfRange');
    }
    return positive ? f : -f;
  }
}

function overflows(significand, digit) {
  const max = U64_MAX / 10n;
  return significand >= max && (significand > max || digit > U64_MAX % 10n);
}

function hexValue(b) {
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  if (b >= 0x61 && b <= 0x66) return b - 0x61 + 10;
  if (b >= 0x41 && b <= 0x46) return b - 0x41 + 10;
  return -1;
}

function pushBytes(target, bytes) {
  for (const b of bytes) {
    target.push(b);
  }
}

function pushCodePoint(target, n) {
  if (n < 0x80) {
    target.push(n);
  } else if (n < 0x800) {
    target.push(0xc0 | (n >> 6), 0x80 | (n & 0x3f));
  } else if (n < 0x10000) {
    target.push(0xe0 | (n >> 12), 0x80 | ((n >> 6) & 0x3f), 0x80 | (n & 0x3f));
  } else {
    target.push(
      0xf0 | (n >> 18),
      0x80 | ((n >> 12) & 0x3f),
      0x80 | ((n >> 6) & 0x3f),
      0x80 | (n & 0x3f),
    );
  }
}

// How many leading bytes of `bytes` are valid UTF-8 (Rust's `Utf8Error::valid_up_to`).
function utf8ValidUpTo(bytes) {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    let width;
    let min;
    let max;
    if (b < 0x80) {
      i += 1;
      continue;
    } else if (b >= 0xc2 && b <= 0xdf) {
      width = 2; [min, max] = [0x80, 0xbf];
    } else if (b === 0xe0) {
      width = 3; [min, max] = [0xa0, 0xbf];
    } else if ((b >= 0xe1 && b <= 0xec) || b === 0xee || b === 0xef) {
      width = 3; [min, max] = [0x80, 0xbf];
    } else if (b === 0xed) {
      width = 3; [min, max] = [0x80, 0x9f];
    } else if (b === 0xf0) {
      width = 4; [min, max] = [0x90, 0xbf];
    } else if (b >= 0xf1 && b <= 0xf3) {
      width = 4; [min, max] = [0x80, 0xbf];
    } else if (b === 0xf4) {
      width = 4; [min, max] = [0x80, 0x8f];
    } else {
      return i;
    }
    if (i + width > bytes.length) {
      return i;
    }
    if (bytes[i + 1] < min || bytes[i + 1] > max) {
      return i;
    }
    for (let k = 2; k < width; k++) {
      if (bytes[i + k] < 0x80 || bytes[i + k] > 0xbf) {
        return i;
      }
    }
    i += width;
  }
  return i;
}

function toBytes(input) {
  if (typeof input === 'string') {
    return ENCODER.encode(input);
  }
  // Not `instanceof Uint8Array`: inside a component, byte lists come from the bindings'
  // realm, whose Uint8Array is another constructor.
  if (ArrayBuffer.isView(input)) {
    return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  }
  throw new TypeError('JSON input must be a string or a Uint8Array');
}

/**
 * Parses JSON text (a string, or UTF-8 bytes) exactly as `serde_json::from_slice::<Value>`
 * does: objects become `Map`s in document order, numbers `JsonNumber`s. Throws `JsonError`.
 */
export function parseExact(input) {
  const parser = new Parser(toBytes(input));
  const value = parser.parseValue();
  if (parser.parseWhitespace() !== -1) {
    throw parser.peekError('TrailingCharacters');
  }
  return value;
}

/**
 * Parses JSON text with serde_json's acceptance rules and errors into ordinary JavaScript
 * values (objects, arrays, numbers), like `JSON.parse`.
 */
export function parse(input) {
  return toPlain(parseExact(input));
}

/** A `parseExact` tree as ordinary JavaScript values (`Map` → object, `JsonNumber` → number). */
export function toPlain(value) {
  if (value instanceof JsonNumber) {
    return Number(value.value);
  }
  if (Array.isArray(value)) {
    return value.map(toPlain);
  }
  if (value instanceof Map) {
    const object = {};
    for (const [key, item] of value) {
      // defineProperty, not assignment: a `__proto__` key must stay a plain key.
      Object.defineProperty(object, key, {
        value: toPlain(item),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return object;
  }
  return value;
}

/**
 * A double as serde_json writes it (Rust's `zmij`): the shortest digits that read back to the
 * same double; plain notation from 1e-5 to below 1e16 with `.0` for integral values
 * (`1.0`, `0.00001`), else an exponent with its sign (`1e+16`, `1.5e-7`).
 */
export function formatF64(f) {
  if (!Number.isFinite(f)) {
    return 'null';
  }
  if (f === 0) {
    return Object.is(f, -0) ? '-0.0' : '0.0';
  }
  const sign = f < 0 ? '-' : '';
  // toExponential() with no argument gives the shortest round-tripping digits, as zmij does.
  const [mantissa, exponent] = Math.abs(f).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const exp = Number(exponent); // 10^exp <= |f| < 10^(exp+1)
  let text;
  if (exp >= -5 && exp <= 15) {
    if (digits.length - 1 <= exp) {
      text = `${digits}${'0'.repeat(exp + 1 - digits.length)}.0`;
    } else if (exp >= 0) {
      text = `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
    } else {
      text = `0.${'0'.repeat(-exp - 1)}${digits}`;
    }
  } else {
    const point = digits.length > 1 ? `.${digits.slice(1)}` : '';
    text = `${digits[0]}${point}e${exp < 0 ? '-' : '+'}${Math.abs(exp)}`;
  }
  return sign + text;
}

/**
 * Compact JSON as serde_json writes it. Takes `parseExact` trees (`Map`, `JsonNumber`) and
 * ordinary values alike: objects in their key order (skipping `undefined` and functions, as
 * `JSON.stringify` does), values with a `toJSON` method through it, bigints as integers,
 * safe integers as integers, other numbers as serde_json writes a double (`NaN` and
 * infinities as `null`).
 */
export function stringify(value) {
  const out = write(value, '');
  return out === undefined ? 'null' : out;
}

function write(value, key) {
  if (value !== null && typeof value === 'object' && typeof value.toJSON === 'function') {
    value = value.toJSON(key);
  }
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return value.toString();
    case 'number':
      return Number.isSafeInteger(value) && !Object.is(value, -0) ? String(value) : formatF64(value);
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
    default:
      break;
  }
  if (value === null) {
    return 'null';
  }
  if (value instanceof JsonNumber) {
    return value.toString();
  }
  if (value instanceof Number || value instanceof String || value instanceof Boolean) {
    return write(value.valueOf(), key);
  }
  if (Array.isArray(value) || ArrayBuffer.isView(value)) {
    const items = [];
    for (let i = 0; i < value.length; i++) {
      items.push(write(value[i], String(i)) ?? 'null');
    }
    return `[${items.join(',')}]`;
  }
  const entries = value instanceof Map ? [...value] : Object.entries(value);
  const members = [];
  for (const [k, v] of entries) {
    const text = write(v, String(k));
    if (text !== undefined) {
      members.push(`${JSON.stringify(String(k))}:${text}`);
    }
  }
  return `{${members.join(',')}}`;
}
