"""The key-value table the stage grants to the plugin (`tollgate:plugin/key-value`).

Every key lives in the namespace the stage configured for this plugin (`function/NAME` or
`authorizer/NAME`); writes are durable when the call returns. Keys are limited to 1 KiB,
values to 1 MiB. Only the `function` and `authorizer` worlds import key-value: in a mapper
every call raises `KvError`.

    from tollgate_sdk import kv

    kv.set("greeting", "hello")          # str values are stored as UTF-8
    kv.get("greeting")                   # b"hello"
    kv.set_json("count", 3)
    kv.get_json("count")                 # 3
    kv.list_keys("item:")                # ["item:1", "item:2"], ascending
    kv.delete("greeting")                # True
"""

from . import _host, _serde_json, testing

__all__ = ["KvError", "get", "set", "delete", "list_keys", "get_json", "set_json"]

#: The most keys the host returns from one `list_keys` call.
LIST_LIMIT = 1000


class KvError(Exception):
    """A key-value call failed. `kind` is `"no-namespace"`, `"too-large"`, `"store"` or
    `"json"`, `detail` the host's text; `str()` is the same text as the Rust SDK's."""

    def __init__(self, kind, detail=""):
        self.kind = kind
        self.detail = detail
        super().__init__(_describe(kind, detail))


def _describe(kind, detail):
    if kind == "no-namespace":
        return "no key-value namespace is granted to this plugin"
    if kind == "too-large":
        return "key-value entry too large: " + detail
    if kind == "store":
        return "key-value store error: " + detail
    return "key-value JSON error: " + detail


def _from_host(error):
    # `error.value` is the WIT variant: Error_NoNamespace, Error_TooLarge(str), Error_Store(str).
    name = type(error.value).__name__
    if name.endswith("NoNamespace"):
        return KvError("no-namespace")
    if name.endswith("TooLarge"):
        return KvError("too-large", error.value.value)
    return KvError("store", getattr(error.value, "value", str(error.value)))


def _host_call(function, *args):
    if _host.IN_COMPONENT:
        host = _host.require(_host.key_value, "key-value", "function and authorizer")
        try:
            return getattr(host, function)(*args)
        except _host.Err as error:
            raise _from_host(error) from None
    return getattr(_Simulated, function)(*args)


def _check_size(what, size, limit):
    # The host's limits, with the host's message.
    if size > limit:
        detail = "%s is %d bytes, more than the limit of %d bytes" % (what, size, limit)
        raise KvError("too-large", detail)


class _Simulated:
    """`tollgate_sdk.testing.key_value` behind the same calls, with the host's limits."""

    @staticmethod
    def get(key):
        _check_size("key-value key", len(key.encode("utf-8")), 1024)
        return testing.key_value.get(key)

    @staticmethod
    def set(key, value):
        _check_size("key-value key", len(key.encode("utf-8")), 1024)
        _check_size("key-value value", len(value), 1 << 20)
        testing.key_value[key] = bytes(value)

    @staticmethod
    def delete(key):
        return testing.key_value.pop(key, None) is not None

    @staticmethod
    def list_keys(prefix, limit):
        keys = sorted(
            (k for k in testing.key_value if k.startswith(prefix)),
            key=lambda k: k.encode("utf-8"),
        )
        return keys[: min(limit, LIST_LIMIT)]


def get(key):
    """The bytes stored under `key`, or None."""
    value = _host_call("get", key)
    return None if value is None else bytes(value)


def set(key, value):  # noqa: A001  (mirrors the WIT name)
    """Stores `value` (bytes, or str as UTF-8) under `key`, replacing any previous value."""
    if isinstance(value, str):
        value = value.encode("utf-8")
    _host_call("set", key, bytes(value))


def delete(key):
    """Removes `key`; True when it existed."""
    return bool(_host_call("delete", key))


def list_keys(prefix="", limit=LIST_LIMIT):
    """The keys starting with `prefix`, in ascending byte order, at most `limit` (the host
    caps it at 1000)."""
    return list(_host_call("list_keys", prefix, limit))


def get_json(key, default=None):
    """The value under `key` parsed as JSON (as serde_json parses it), or `default` when
    there is none. Raises KvError("json") when the stored bytes are not JSON."""
    value = get(key)
    if value is None:
        return default
    try:
        return _serde_json.loads(value)
    except _serde_json.JsonError as error:
        raise KvError("json", str(error)) from None


def set_json(key, value):
    """Stores `value` as compact JSON (printed as serde_json prints it) under `key`."""
    try:
        text = _serde_json.dumps(value)
    except TypeError as error:
        raise KvError("json", str(error)) from None
    set(key, text)
