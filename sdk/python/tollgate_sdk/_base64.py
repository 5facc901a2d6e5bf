"""Standard base64 decoding with the Rust SDK's rules and error messages (the `base64`
crate 0.22, `STANDARD` engine: canonical padding required, no trailing bits), so a bad
`isBase64Encoded` body fails with the same text in every language."""

import binascii

_ALPHABET = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
_PAD = 0x3D


class Base64Error(ValueError):
    pass


def _invalid_byte(offset, byte):
    return Base64Error("Invalid symbol %d, offset %d." % (byte, offset))


def decode(data):
    """`data` (bytes or ASCII str) decoded; raises Base64Error with the crate's message."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    n = len(data)
    rem = n % 4
    if rem == 1 and data[-1] != _PAD and data[-1] not in _ALPHABET:
        raise _invalid_byte(n - 1, data[-1])
    # Every quad but the last is decoded first; its first bad byte is the error.
    body_len = max(0, n - rem - (4 if rem == 0 else 0))
    for offset in range(body_len):
        if data[offset] not in _ALPHABET:
            raise _invalid_byte(offset, data[offset])
    # The last (up to four) bytes: symbols, then padding.
    morsels = []
    padding = 0
    first_padding = 0
    last_symbol = 0
    for index in range(body_len, n):
        byte = data[index]
        if byte == _PAD:
            if index - body_len < 2:
                raise _invalid_byte(index, byte)
            if padding == 0:
                first_padding = index - body_len
            padding += 1
            continue
        if padding > 0:
            raise _invalid_byte(body_len + first_padding, _PAD)
        last_symbol = byte
        if byte not in _ALPHABET:
            raise _invalid_byte(index, byte)
        morsels.append(byte)
    if n and len(morsels) < 2:
        raise Base64Error("Invalid input length: %d" % (body_len + len(morsels)))
    if (padding + len(morsels)) % 4 != 0:
        raise Base64Error("Invalid padding")
    # Bits left over past the last whole byte must be zero.
    bits = 0
    for byte in morsels:
        bits = (bits << 6) | _value(byte)
    spare = len(morsels) * 6 % 8
    if bits & ((1 << spare) - 1):
        raise Base64Error(
            "Invalid last symbol %d, offset %d." % (last_symbol, body_len + len(morsels) - 1)
        )
    return binascii.a2b_base64(data)


def _value(byte):
    if 0x41 <= byte <= 0x5A:
        return byte - 0x41
    if 0x61 <= byte <= 0x7A:
        return byte - 0x61 + 26
    if 0x30 <= byte <= 0x39:
        return byte - 0x30 + 52
    return 62 if byte == 0x2B else 63
