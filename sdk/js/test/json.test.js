// The JSON module against outputs of serde_json 1.0 (preserve_order), which the Rust SDK and
// plugins use: what it writes for what it reads, and its error messages.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import vm from 'node:vm';

import { JsonError, JsonNumber, formatF64, parse, parseExact, stringify } from '../json.js';

// [input, what serde_json::to_string writes for serde_json::from_slice::<Value>(input)]
const ROUND_TRIPS = [
  ['{"b":1,"2":2,"a":[1.0,-0,0]}', '{"b":1,"2":2,"a":[1.0,-0.0,0]}'],
  ['{"a":1,"a":2,"b":3}', '{"a":2,"b":3}'],
  ['{"__proto__":{"x":1}}', '{"__proto__":{"x":1}}'],
  ['18446744073709551615', '18446744073709551615'],
  ['18446744073709551616', '1.8446744073709552e+19'],
  ['-9223372036854775808', '-9223372036854775808'],
  ['-9223372036854775809', '-9.223372036854776e+18'],
  ['1.5e300', '1.5e+300'],
  ['1e-7', '1e-7'],
  ['0.00001', '0.00001'],
  ['1e15', '1000000000000000.0'],
  ['1e16', '1e+16'],
  ['123.456e-10', '1.23456e-8'],
  ['3.14159265358979323846264338327950288', '3.141592653589793'],
  ['5e-324', '5e-324'],
  ['1e-400', '0.0'],
  ['"\\u00e9\\ud83d\\ude00\\u0000\\/"', '"é😀\\u0000/"'],
  ['"\u2028\u007f"', '"\u2028\u007f"'],
  [' [ true , false , null ] ', '[true,false,null]'],
];

test('values are written back as serde_json writes them', () => {
  for (const [input, expected] of ROUND_TRIPS) {
    assert.equal(stringify(parseExact(input)), expected, input);
  }
});

// [input, serde_json's error]
const ERRORS = [
  ['', 'EOF while parsing a value at line 1 column 0'],
  ['{not json', 'key must be a string at line 1 column 2'],
  ['{"a":1,}', 'trailing comma at line 1 column 8'],
  ['[1,]', 'trailing comma at line 1 column 4'],
  ['{"a" 1}', 'expected `:` at line 1 column 6'],
  ['[1 2]', 'expected `,` or `]` at line 1 column 4'],
  ['{"a":1 "b":2}', 'expected `,` or `}` at line 1 column 8'],
  ['{"a":1e400}', 'number out of range at line 1 column 10'],
  ['{"a":"\\ud800"}', 'unexpected end of hex escape at line 1 column 13'],
  ['"\\udc00"', 'lone leading surrogate in hex escape at line 1 column 7'],
  ['"\\x"', 'invalid escape at line 1 column 3'],
  ['01', 'invalid number at line 1 column 2'],
  ['1.', 'EOF while parsing a value at line 1 column 2'],
  ['nul', 'EOF while parsing a value at line 1 column 3'],
  ['nulx', 'expected ident at line 1 column 4'],
  ['"\t"', 'control character (\\u0000-\\u001F) found while parsing a string at line 1 column 2'],
  ['{"a":1}\n\nx', 'trailing characters at line 3 column 1'],
  ['{\n  "a": [1,\n   2,,]\n}', 'expected value at line 3 column 6'],
  ['['.repeat(128), 'recursion limit exceeded at line 1 column 128'],
];

test('errors are serde_json errors', () => {
  for (const [input, message] of ERRORS) {
    assert.throws(() => parseExact(input), (error) => {
      assert.ok(error instanceof JsonError);
      assert.equal(error.message, message, JSON.stringify(input));
      return true;
    });
  }
  // Invalid UTF-8 inside a string, given as bytes.
  assert.throws(() => parseExact(Uint8Array.from([0x22, 0xff, 0x22])), {
    message: 'invalid unicode code point at line 1 column 2',
  });
});

test('exact values keep order and number kinds; plain values are ordinary', () => {
  const value = parseExact('{"b":1,"2":-3,"c":1.0}');
  assert.ok(value instanceof Map);
  assert.deepEqual([...value.keys()], ['b', '2', 'c']);
  assert.deepEqual(value.get('b'), new JsonNumber('u64', 1n));
  assert.deepEqual(value.get('2'), new JsonNumber('i64', -3n));
  assert.equal(value.get('c').kind, 'f64');
  assert.equal(value.get('b') + 1, 2);
  const plain = parse('{"a":[1,{"__proto__":2}],"b":1.5}');
  assert.deepEqual(Object.keys(plain.a[1]), ['__proto__']);
  assert.equal(Object.getPrototypeOf(plain.a[1]), Object.prototype);
  assert.deepEqual(plain.b, 1.5);
});

test('ordinary values are written as serde_json writes the same types', () => {
  assert.equal(stringify({ a: 1, b: 1.5, c: 1e21, d: -0, e: NaN, f: undefined, g: [undefined] }),
    '{"a":1,"b":1.5,"c":1e+21,"d":-0.0,"e":null,"g":[null]}');
  assert.equal(stringify(new Map([['2', 1n], ['1', 'x']])), '{"2":1,"1":"x"}');
  assert.equal(stringify({ toJSON: () => 'custom' }), '"custom"');
  assert.equal(stringify(undefined), 'null');
  assert.equal(formatF64(0.1 + 0.2), '0.30000000000000004');
  assert.equal(formatF64(-1234.5), '-1234.5');
  assert.equal(formatF64(1e-5), '0.00001');
  assert.equal(formatF64(1e-6), '1e-6');
});

test('bytes from another realm are read (a component\'s bindings have their own)', () => {
  const foreign = vm.runInNewContext('new Uint8Array([123, 34, 97, 34, 58, 49, 125])');
  assert.ok(!(foreign instanceof Uint8Array));
  assert.equal(stringify(parseExact(foreign)), '{"a":1}');
});
