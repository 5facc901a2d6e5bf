"""The Python SDK for Tollgate plugins.

A Tollgate plugin is a WebAssembly component targeting one world of the WIT package
`tollgate:plugin@0.1.0`; `tollgate plugin build` turns a directory holding `app.py` and
`tollgate.toml` into one with componentize-py, bundling this package. A plugin is a
decorated function:

| world        | decorator                                   | handler                                              |
| ------------ | ------------------------------------------- | ---------------------------------------------------- |
| `function`   | `@function` (typed) / `@raw_function` (JSON) | `(ProxyEvent) -> ProxyResponse` / `(str) -> str`      |
| `mapper`     | `@map_request`, `@map_response`             | `(HttpRequest, RequestContext) -> HttpRequest`, ...   |
| `authorizer` | `@authorizer`                               | `(AuthorizerRequest) -> Policy | AuthorizerResponse` |

Host interfaces: `kv` (key-value table: function and authorizer), `log`, `stage` (stage
variables), `config` (mapper). Raise `PluginError(message)` to return the world's `err`
(`Unauthorized()` from an authorizer answers 401).

JSON goes through `to_json`/`from_json`, which print and parse exactly as the Rust SDK's
serde_json does, so a plugin answers byte for byte like its Rust twin. Outside a component
(unit tests), `tollgate_sdk.testing` simulates the host.
"""

from . import config, kv, log, stage, testing
from ._serde_json import JsonError
from ._serde_json import dumps as to_json
from ._serde_json import loads as from_json
from .authorizer import ALLOW, DENY, AuthorizerRequest, AuthorizerResponse, Policy
from .errors import PluginError, Unauthorized
from .exports import authorizer, function, map_request, map_response, raw_function
from .kv import KvError
from .proxy import BodyError, ProxyEvent, ProxyRequestContext, ProxyResponse
from .records import HttpRequest, HttpResponse, Identity, RequestContext

__all__ = [
    "ALLOW",
    "DENY",
    "AuthorizerRequest",
    "AuthorizerResponse",
    "BodyError",
    "HttpRequest",
    "HttpResponse",
    "Identity",
    "JsonError",
    "KvError",
    "Policy",
    "PluginError",
    "ProxyEvent",
    "ProxyRequestContext",
    "ProxyResponse",
    "RequestContext",
    "Unauthorized",
    "authorizer",
    "config",
    "from_json",
    "function",
    "kv",
    "log",
    "map_request",
    "map_response",
    "raw_function",
    "stage",
    "testing",
    "to_json",
]
