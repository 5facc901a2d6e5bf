"""Prints the SDK's answers for generated inputs, one per line, for tollgate-toolchain's
tests/python.rs to compare with what the Rust crates the Rust SDK uses (serde_json, base64,
`String::from_utf8_lossy`) answer for the same bytes:

    json <hex input> OK <printed value> | ERR <message>
    float <hex f64 bits> <printed float>
    base64 <hex input> OK <hex output> | ERR <message>
    lossy <hex input> <the decoded text, printed as JSON>

Usage: python3 differential.py SEED COUNT (run from sdk/python). The inputs are random but
aimed at the edges: number forms and ranges, escapes and surrogates, invalid UTF-8, nesting,
truncation, stray bytes.
"""

import base64
import random
import struct
import sys

from tollgate_sdk import JsonError, from_json, to_json
from tollgate_sdk._base64 import Base64Error
from tollgate_sdk._base64 import decode as b64decode


def main(seed, count):
    rng = random.Random(seed)
    out = sys.stdout
    for data in json_inputs(rng, count):
        try:
            answer = "OK " + to_json(from_json(data))
        except JsonError as error:
            answer = "ERR %s" % error
        out.write("json %s %s\n" % (data.hex(), answer))
    for bits in float_inputs(rng, count):
        value = struct.unpack("<d", struct.pack("<Q", bits))[0]
        out.write("float %016x %s\n" % (bits, to_json(value)))
    for data in base64_inputs(rng, count):
        try:
            answer = "OK " + b64decode(data).hex()
        except Base64Error as error:
            answer = "ERR %s" % error
        out.write("base64 %s %s\n" % (data.hex(), answer))
    for data in lossy_inputs(rng, count):
        out.write("lossy %s %s\n" % (data.hex(), to_json(data.decode("utf-8", "replace"))))


def number(rng):
    digits = lambda n: "".join(rng.choice("0123456789") for _ in range(n))  # noqa: E731
    text = "-" if rng.random() < 0.3 else ""
    if rng.random() < 0.1:
        text += "0"
    else:
        text += str(rng.randint(1, 9)) + digits(rng.choice([0, 1, 2, 5, 15, 18, 19, 20, 21, 40]))
    if rng.random() < 0.4:
        text += "." + digits(rng.choice([0, 1, 3, 10, 17, 20, 30]))
    if rng.random() < 0.4:
        sign = rng.choice(["", "+", "-"])
        text += rng.choice("eE") + sign + digits(rng.choice([0, 1, 2, 3, 4, 10]))
    return text


def string(rng):
    parts = []
    for _ in range(rng.randint(0, 6)):
        r = rng.random()
        if r < 0.5:
            parts.append(rng.choice("abc xyz\u00e9\u4e2d\U0001F600"))
        elif r < 0.6:
            parts.append(rng.choice(["\\n", '\\"', "\\\\", "\\/", "\\t", "\\b", "\\f", "\\r", "\\x"]))
        elif r < 0.75:
            parts.append("\\u" + rng.choice(
                ["0041", "00e9", "d83d", "de00", "D83D\\uDE00", "d800\\u0041", "dbff\\udfff",
                 "12", "zz00", "001f", "0000"]))
        elif r < 0.8:
            parts.append(chr(rng.randint(0, 0x1F)))
        else:
            parts.append(rng.choice(["'", "\u2028", "\x7f", "\ufeff"]))
    return '"' + "".join(parts) + ('"' if rng.random() < 0.95 else "")


def value(rng, depth=0):
    r = rng.random()
    if depth > 3 or r < 0.3:
        return number(rng)
    if r < 0.45:
        return string(rng)
    if r < 0.5:
        return rng.choice(["true", "false", "null", "nul", "tru", "NaN", "Infinity", "-",
                           "+1", ".5", "01", "-01"])
    space = lambda: rng.choice(["", "", " ", "\n", "\t", "\r\n  "])  # noqa: E731
    if r < 0.75:
        items = [value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
        text = "[" + space() + ("," + space()).join(items) + space()
        text += "," if rng.random() < 0.1 else ""
        return text + ("]" if rng.random() < 0.95 else "")
    members = []
    for _ in range(rng.randint(0, 4)):
        key = string(rng) if rng.random() < 0.95 else rng.choice(["1", "a", "null"])
        colon = ":" if rng.random() < 0.95 else ""
        members.append(key + space() + colon + space() + value(rng, depth + 1))
    text = "{" + space() + ("," + space()).join(members) + space()
    text += "," if rng.random() < 0.1 else ""
    return text + ("}" if rng.random() < 0.95 else "")


def json_inputs(rng, count):
    for _ in range(count):
        data = value(rng).encode("utf-8", "surrogatepass")
        r = rng.random()
        if r < 0.05:
            data = b" " + data + b" \n x"
        elif r < 0.1:
            data += b"\xff"
        elif r < 0.15 and len(data) > 2:
            i = rng.randrange(len(data))
            data = data[:i] + bytes([rng.randint(0, 255)]) + data[i + 1 :]
        elif r < 0.18:
            data = data[: rng.randrange(len(data) + 1)]
        yield data
    for n in (126, 127, 128):
        yield b"[" * n + b"]" * n
    yield b'{"a":' * 127 + b"1" + b"}" * 127
    yield from (b"-0", b"1e400", b"0e999999999999", b"18446744073709551616",
                b"-9223372036854775809", b"123456789012345678901234567890.123e-5", b"",
                b"\xef\xbb\xbf{}", b'"\xed\xa0\x80"', b'{"a":1,"b":2,"a":3}')


def float_inputs(rng, count):
    specials = (1e15, 1e16, 1e-5, 1e-6, 5e-324, 2.2250738585072014e-308, 1.7976931348623157e308,
                0.1, 100.0, 9007199254740993.0, -0.0)
    for value_ in specials:
        yield struct.unpack("<Q", struct.pack("<d", value_))[0]
    for _ in range(count):
        bits = rng.getrandbits(64)
        if (bits >> 52) & 0x7FF != 0x7FF:  # finite only: serde_json prints NaN/inf as null
            yield bits


def base64_inputs(rng, count):
    alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    yield from (b"", b"=", b"a", b"ab", b"ab==", b"ab=", b"abc=", b"a===", b"ab=c", b"aGl=")
    for _ in range(count):
        data = bytearray(base64.b64encode(bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 12)))))
        for _ in range(rng.choice([0, 1, 1, 2])):
            r = rng.random()
            if r < 0.4 and data:
                data[rng.randrange(len(data))] = rng.choice(b"=!- \n" + alphabet)
            elif r < 0.7:
                data.insert(rng.randint(0, len(data)), rng.choice(b"=A/"))
            elif data:
                del data[rng.randrange(len(data))]
        yield bytes(data)


def lossy_inputs(rng, count):
    pool = [b"\xf0", b"\x80", b"\xbf", b"\xc0", b"\xc2", b"\xe0", b"\xed", b"\xa0", b"\xf4",
            b"\x90", b"\xff", b"a", "é".encode(), "😀".encode(), b"\xe2\x82", b"\xf0\x9f\x98"]
    for _ in range(count):
        yield b"".join(rng.choice(pool) for _ in range(rng.randint(0, 8)))


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]))
