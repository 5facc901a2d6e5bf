"""JSON exactly as the Rust SDK's `serde_json` reads and writes it.

A Tollgate plugin answers the same request identically whatever its language, so a Python
plugin must parse and print JSON byte for byte as `serde_json` (1.0.154, `preserve_order`,
`float_roundtrip`) does in the Rust plugins:

- parsing accepts and rejects exactly the same documents, produces the same numbers
  (integers within u64/i64 stay integers, anything else becomes the float nearest to the
  literal, `-0` included) and fails with serde_json's message, line and
  column (`expected value at line 1 column 1`);
- printing is compact, keeps dict order, escapes strings as serde_json does and formats
  floats as serde_json's float printer (zmij) does (`1e+16`, `0.00001`, `1.0`).

`loads` first tries the standard library's C parser (with number hooks that apply
serde_json's rules) and falls back to an exact port of serde_json's parser for documents the
C parser would read differently (lone surrogates, deep nesting, invalid UTF-8) and for every
error, so the common case is fast and every case is exact.
"""

import json as _json
import math as _math
import re as _re

__all__ = ["JsonError", "loads", "dumps"]

_U64_MAX = (1 << 64) - 1
_I64_MIN = -(1 << 63)
_I32_MAX = (1 << 31) - 1
# serde_json's default recursion limit: the 128th nested array or object is refused.
_MAX_DEPTH = 128


class JsonError(ValueError):
    """A document serde_json would refuse; `str()` is serde_json's own message."""


# --- numbers -------------------------------------------------------------------------------


def _overflows(significand, digit):
    # serde_json's `overflow!(significand * 10 + digit, u64::MAX)`.
    return significand >= _U64_MAX // 10 and (
        significand > _U64_MAX // 10 or digit > _U64_MAX % 10
    )


def _number(text):
    """The value serde_json reads from a valid JSON number literal, or, when serde_json says
    `number out of range`, the `_OutOfRange` to raise. Follows serde_json's parser digit by
    digit to decide between an integer and a float and where an exponent overflows; a float's
    value is the literal correctly rounded, as `float_roundtrip` reads it."""
    positive = not text.startswith("-")
    i = 0 if positive else 1
    n = len(text)
    significand = 0
    long_integer = False
    if text[i] == "0":
        i += 1
    else:
        while i < n and "0" <= text[i] <= "9":
            digit = ord(text[i]) - 48
            if _overflows(significand, digit):
                # parse_long_integer: the literal becomes a float.
                while i < n and "0" <= text[i] <= "9":
                    i += 1
                long_integer = True
                break
            significand = significand * 10 + digit
            i += 1
    if i == n and not long_integer:
        if positive:
            return significand
        if significand == 0:
            return -0.0  # serde_json reads `-0` as a float
        if significand <= 1 << 63:
            return -significand
        return -float(significand)
    if i < n and text[i] == ".":
        i += 1
        while i < n and "0" <= text[i] <= "9":
            digit = ord(text[i]) - 48
            if _overflows(significand, digit):
                # parse_decimal_overflow: the significand no longer fits a u64.
                while i < n and "0" <= text[i] <= "9":
                    i += 1
                break
            significand = significand * 10 + digit
            i += 1
    if i < n and text[i] in "eE":
        i += 1
        positive_exp = True
        if text[i] in "+-":
            positive_exp = text[i] == "+"
            i += 1
        exp = 0
        while i < n:
            digit = ord(text[i]) - 48
            i += 1
            if exp >= _I32_MAX // 10 and (exp > _I32_MAX // 10 or digit > _I32_MAX % 10):
                # parse_exponent_overflow: infinity is an error (reported right after the
                # digit that overflowed), zero stays zero.
                if significand != 0 and positive_exp:
                    return _OutOfRange(i)
                return 0.0 if positive else -0.0
            exp = exp * 10 + digit
    # f64_from_parts / f64_long_from_parts: the nearest double; infinity is out of range.
    value = float(text)
    return _OutOfRange(n) if _math.isinf(value) else value


class _OutOfRange(Exception):
    """serde_json's `number out of range`, `offset` bytes into the number's literal."""

    def __init__(self, offset):
        super().__init__(offset)
        self.offset = offset


def _number_hook(text):
    value = _number(text)
    if isinstance(value, _OutOfRange):
        raise value
    return value


def _refuse_constant(name):
    raise _OutOfRange(0)


_DECODER = _json.JSONDecoder(
    parse_int=_number_hook, parse_float=_number_hook, parse_constant=_refuse_constant
)
# A `\uD8xx`..`\uDFxx` escape: serde_json refuses lone surrogates, Python keeps them.
_SURROGATE_ESCAPE = _re.compile(rb"\\u[dD][89a-fA-F]")


# --- the exact parser ----------------------------------------------------------------------

_MESSAGES = {
    "list": "EOF while parsing a list",
    "object": "EOF while parsing an object",
    "string": "EOF while parsing a string",
    "value": "EOF while parsing a value",
    "colon": "expected `:`",
    "list_comma": "expected `,` or `]`",
    "object_comma": "expected `,` or `}`",
    "ident": "expected ident",
    "some_value": "expected value",
    "escape": "invalid escape",
    "number": "invalid number",
    "range": "number out of range",
    "code_point": "invalid unicode code point",
    "control": "control character (\\u0000-\\u001F) found while parsing a string",
    "key": "key must be a string",
    "surrogate": "lone leading surrogate in hex escape",
    "trailing_comma": "trailing comma",
    "trailing": "trailing characters",
    "hex_end": "unexpected end of hex escape",
    "depth": "recursion limit exceeded",
}
_WHITESPACE = b" \n\t\r"
_ESCAPES = {
    0x22: b'"',
    0x5C: b"\\",
    0x2F: b"/",
    0x62: b"\x08",
    0x66: b"\x0c",
    0x6E: b"\n",
    0x72: b"\r",
    0x74: b"\t",
}
_PLAIN = _re.compile(rb'[^"\\\x00-\x1f]*')
_DIGITS = _re.compile(rb"[0-9]*")


class _Parser:
    """A port of serde_json's `Deserializer<SliceRead>` deserialising a `Value`: same
    grammar, same values, same error messages and positions."""

    def __init__(self, data):
        self.data = data
        self.index = 0
        self.depth = _MAX_DEPTH

    # Positions: `error` points at the byte just consumed, `peek_error` at the next one.
    def _position(self, i):
        start = self.data.rfind(b"\n", 0, i) + 1
        return self.data.count(b"\n", 0, start) + 1, i - start

    def error(self, code, index=None):
        line, column = self._position(self.index if index is None else index)
        return JsonError("%s at line %d column %d" % (_MESSAGES[code], line, column))

    def peek_error(self, code):
        return self.error(code, min(len(self.data), self.index + 1))

    def peek(self):
        return self.data[self.index] if self.index < len(self.data) else None

    def whitespace(self):
        data, n = self.data, len(self.data)
        while self.index < n and data[self.index] in _WHITESPACE:
            self.index += 1
        return self.peek()

    def document(self):
        value = self.value()
        if self.whitespace() is not None:
            raise self.peek_error("trailing")
        return value

    def value(self):
        peek = self.whitespace()
        if peek is None:
            raise self.peek_error("value")
        if peek == 0x6E:  # n
            self.index += 1
            self.ident(b"ull")
            return None
        if peek == 0x74:  # t
            self.index += 1
            self.ident(b"rue")
            return True
        if peek == 0x66:  # f
            self.index += 1
            self.ident(b"alse")
            return False
        if peek == 0x2D:  # -
            self.index += 1
            return self.number(False)
        if 0x30 <= peek <= 0x39:
            return self.number(True)
        if peek == 0x22:
            self.index += 1
            return self.string()
        if peek == 0x5B:  # [
            self.enter()
            self.index += 1
            value = self.array()
            self.depth += 1
            self.end_array()
            return value
        if peek == 0x7B:  # {
            self.enter()
            self.index += 1
            value = self.object()
            self.depth += 1
            self.end_object()
            return value
        raise self.peek_error("some_value")

    def enter(self):
        self.depth -= 1
        if self.depth == 0:
            raise self.peek_error("depth")

    def ident(self, rest):
        for expected in rest:
            if self.index >= len(self.data):
                raise self.error("value")
            byte = self.data[self.index]
            self.index += 1
            if byte != expected:
                raise self.error("ident")

    def number(self, positive):
        data = self.data
        start = self.index - (0 if positive else 1)
        if self.index >= len(data):
            raise self.error("value")
        first = data[self.index]
        self.index += 1
        if first == 0x30:
            peek = self.peek()
            if peek is not None and 0x30 <= peek <= 0x39:
                raise self.peek_error("number")
        elif 0x31 <= first <= 0x39:
            self.index = _DIGITS.match(data, self.index).end()
        else:
            raise self.error("number")
        if self.peek() == 0x2E:  # .
            self.index += 1
            end = _DIGITS.match(data, self.index).end()
            if end == self.index:
                raise self.peek_error("number" if self.peek() is not None else "value")
            self.index = end
        if self.peek() in (0x65, 0x45):  # e E
            self.index += 1
            if self.peek() in (0x2B, 0x2D):
                self.index += 1
            if self.index >= len(data):
                raise self.error("value")
            digit = data[self.index]
            self.index += 1
            if not 0x30 <= digit <= 0x39:
                raise self.error("number")
            self.index = _DIGITS.match(data, self.index).end()
        value = _number(data[start : self.index].decode("ascii"))
        if isinstance(value, _OutOfRange):
            raise self.error("range", start + value.offset)
        return value

    def string(self):
        data, n = self.data, len(self.data)
        scratch = None
        start = self.index
        while True:
            self.index = _PLAIN.match(data, self.index).end()
            if self.index == n:
                raise self.error("string")
            byte = data[self.index]
            if byte == 0x22:
                if scratch is None:
                    raw = data[start : self.index]
                else:
                    scratch += data[start : self.index]
                    raw = bytes(scratch)
                self.index += 1
                return self.utf8(raw)
            if byte == 0x5C:
                if scratch is None:
                    scratch = bytearray()
                scratch += data[start : self.index]
                self.index += 1
                self.escape(scratch)
                start = self.index
            else:
                self.index += 1
                raise self.error("control")

    def utf8(self, raw):
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as error:
            # serde_json points back from the closing quote by the invalid tail's length.
            line, column = self._position(self.index)
            column = max(0, column - (len(raw) - error.start))
            raise JsonError(
                "%s at line %d column %d" % (_MESSAGES["code_point"], line, column)
            ) from None

    def escape(self, scratch):
        if self.index >= len(self.data):
            raise self.error("string")
        byte = self.data[self.index]
        self.index += 1
        if byte in _ESCAPES:
            scratch += _ESCAPES[byte]
        elif byte == 0x75:  # u
            self.unicode_escape(scratch)
        else:
            raise self.error("escape")

    def hex4(self):
        chunk = self.data[self.index : self.index + 4]
        if len(chunk) < 4:
            self.index = len(self.data)
            raise self.error("string")
        self.index += 4
        try:
            if not all(c in b"0123456789abcdefABCDEF" for c in chunk):
                raise ValueError
            return int(chunk, 16)
        except ValueError:
            raise self.error("escape") from None

    def unicode_escape(self, scratch):
        n = self.hex4()
        if 0xDC00 <= n <= 0xDFFF:
            raise self.error("surrogate")
        if n < 0xD800 or n > 0xDBFF:
            scratch += chr(n).encode("utf-8")
            return
        for expected in (0x5C, 0x75):  # the `\u` of the trailing surrogate
            if self.index >= len(self.data):
                raise self.error("string")
            matched = self.data[self.index] == expected
            self.index += 1
            if not matched:
                raise self.error("hex_end")
        n2 = self.hex4()
        if n2 < 0xDC00 or n2 > 0xDFFF:
            raise self.error("surrogate")
        scratch += chr((((n - 0xD800) << 10) | (n2 - 0xDC00)) + 0x10000).encode("utf-8")

    def array(self):
        items = []
        first = True
        while True:
            peek = self.whitespace()
            if peek is None:
                raise self.peek_error("list")
            if peek == 0x5D:  # ]
                return items
            if first:
                first = False
            elif peek == 0x2C:  # ,
                self.index += 1
                peek = self.whitespace()
                if peek == 0x5D:
                    raise self.peek_error("trailing_comma")
                if peek is None:
                    raise self.peek_error("value")
            else:
                raise self.peek_error("list_comma")
            items.append(self.value())

    def end_array(self):
        peek = self.whitespace()
        if peek == 0x5D:
            self.index += 1
            return
        # Unreachable after `array` returned at a `]`; kept as serde_json's `end_seq`.
        raise self.peek_error("list" if peek is None else "trailing")

    def object(self):
        members = {}
        first = True
        while True:
            peek = self.whitespace()
            if peek is None:
                raise self.peek_error("object")
            if peek == 0x7D:  # }
                return members
            if first:
                first = False
                if peek != 0x22:
                    raise self.peek_error("key")
            elif peek == 0x2C:
                self.index += 1
                peek = self.whitespace()
                if peek == 0x7D:
                    raise self.peek_error("trailing_comma")
                if peek is None:
                    raise self.peek_error("value")
                if peek != 0x22:
                    raise self.peek_error("key")
            else:
                raise self.peek_error("object_comma")
            self.index += 1
            key = self.string()
            peek = self.whitespace()
            if peek != 0x3A:  # :
                raise self.peek_error("object" if peek is None else "colon")
            self.index += 1
            # Like serde_json's map with `preserve_order`: a repeated key keeps its first
            # position and takes the last value.
            members[key] = self.value()

    def end_object(self):
        peek = self.whitespace()
        if peek == 0x7D:
            self.index += 1
            return
        raise self.peek_error("object" if peek is None else "trailing")


def loads(data):
    """Parses `data` (bytes or str) as serde_json would; raises JsonError otherwise."""
    if isinstance(data, str):
        raw = data.encode("utf-8", "surrogatepass")
        text = data
    else:
        raw = bytes(data)
        text = None
    # The C parser reads these differently from serde_json (or not at all): let the exact
    # parser decide. Counting brackets over-approximates the nesting depth, which only
    # sends more documents down the exact path.
    if (
        raw.count(b"[") + raw.count(b"{") < _MAX_DEPTH - 1
        and not _SURROGATE_ESCAPE.search(raw)
    ):
        try:
            if text is None:
                text = raw.decode("utf-8")
            # A str that is not valid UTF-8 (lone surrogates) cannot come from bytes.
            text.encode("utf-8")
            if not text.startswith("\ufeff"):
                return _DECODER.decode(text)
        except (ValueError, _OutOfRange, RecursionError):
            pass
    return _Parser(raw).document()


# --- printing ------------------------------------------------------------------------------

_encode_string = _json.encoder.encode_basestring  # escapes exactly as serde_json does


def _format_float(value):
    """A finite float as serde_json prints it (its zmij printer): the shortest digits that
    round-trip, in fixed notation for decimal exponents -5..=15 and `d.ddde±N` otherwise."""
    if value != value or value in (_math.inf, -_math.inf):
        return "null"
    if value == 0.0:
        return "-0.0" if _math.copysign(1.0, value) < 0 else "0.0"
    text = repr(value)  # Python's repr is also the shortest round-tripping digits
    sign = ""
    if text[0] == "-":
        sign, text = "-", text[1:]
    mantissa, _, exp = text.partition("e")
    whole, _, fraction = mantissa.partition(".")
    combined = whole + fraction
    first = len(combined) - len(combined.lstrip("0"))
    digits = combined[first:].rstrip("0")
    exponent = len(whole) - 1 - first + (int(exp) if exp else 0)
    if -5 <= exponent <= 15:
        if len(digits) - 1 <= exponent:
            body = digits + "0" * (exponent - len(digits) + 1) + ".0"
        elif exponent >= 0:
            body = digits[: exponent + 1] + "." + digits[exponent + 1 :]
        else:
            body = "0." + "0" * (-exponent - 1) + digits
    else:
        body = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        body += "e" + ("+" if exponent >= 0 else "-") + str(abs(exponent))
    return sign + body


def _encode(value, out):
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, str):
        out.append(_encode_string(value))
    elif isinstance(value, int):
        out.append(int.__repr__(value))
    elif isinstance(value, float):
        out.append(_format_float(value))
    elif isinstance(value, dict):
        out.append("{")
        first = True
        for key, item in value.items():
            if isinstance(key, bool) or not isinstance(key, (str, int)):
                raise TypeError(
                    "JSON object keys must be strings, not %s" % type(key).__name__
                )
            if not first:
                out.append(",")
            first = False
            out.append(_encode_string(key if isinstance(key, str) else int.__repr__(key)))
            out.append(":")
            _encode(item, out)
        out.append("}")
    elif isinstance(value, (list, tuple)):
        out.append("[")
        first = True
        for item in value:
            if not first:
                out.append(",")
            first = False
            _encode(item, out)
        out.append("]")
    else:
        to_json = getattr(value, "__json__", None)
        if to_json is None:
            raise TypeError("%s is not JSON serialisable" % type(value).__name__)
        _encode(to_json(), out)


def dumps(value):
    """`value` as compact JSON, printed as serde_json prints the same value: dicts in their
    order, `None`/`True`/`False` as `null`/`true`/`false`, lists and tuples as arrays, floats
    in serde_json's notation (NaN and infinities as `null`). An object with a `__json__()`
    method is printed as what that returns. Raises TypeError for anything else."""
    out = []
    _encode(value, out)
    return "".join(out)
