"""Lookups in WIT `list<field>` values (headers, query strings, stage variables, authorizer
context): lists of (name, value) pairs. Header names compare ASCII-case-insensitively, as
the Rust SDK compares them (Python's `str.lower` would also fold non-ASCII letters)."""

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def ascii_lower(text):
    return text.translate(_ASCII_LOWER)


def get_ignore_case(fields, name):
    wanted = ascii_lower(name)
    for key, value in fields:
        if ascii_lower(key) == wanted:
            return value
    return None


def get_exact(fields, name):
    for key, value in fields:
        if key == name:
            return value
    return None


def last_ignore_case(fields, name):
    return get_ignore_case(reversed(fields), name)


def last_exact(fields, name):
    return get_exact(reversed(fields), name)


def set_ignore_case(fields, name, value):
    remove_ignore_case(fields, name)
    fields.append((name, value))


def remove_ignore_case(fields, name):
    wanted = ascii_lower(name)
    fields[:] = [(k, v) for k, v in fields if ascii_lower(k) != wanted]
