"""API Gateway's Lambda-proxy contract (REST API, payload format 1.0) as Python objects:
`ProxyEvent` is what a function receives, `ProxyResponse` what it answers.

Field names are the Python spellings of AWS's (`httpMethod` is `http_method`, ...), and
`event.raw` keeps the event exactly as received, so events captured from AWS work too.
"""

import base64 as _stdlib_base64
import json as _stdlib_json

from . import _base64, _fields, _serde_json

__all__ = ["BodyError", "ProxyEvent", "ProxyRequestContext", "ProxyResponse"]


class BodyError(ValueError):
    """The body of an event could not be read as asked. `kind` says why, as the Rust SDK's
    `BodyError` variants do: `"missing"` (no body), `"base64"` (invalid base64) or `"json"`
    (not JSON); `detail` is the decoder's message, and `str()` the Rust SDK's text
    (`the request has no body`, `the body is not valid base64: ...`,
    `the body is not valid JSON: ...`)."""

    _TEXTS = {
        "missing": "the request has no body",
        "base64": "the body is not valid base64",
        "json": "the body is not valid JSON",
    }

    def __init__(self, kind, detail=""):
        self.kind = kind
        self.detail = detail
        text = self._TEXTS[kind]
        super().__init__(text + ": " + detail if detail else text)


def _find_ignore_case(mapping, name):
    # An exact match first, then the first match in key order (the Rust SDK's maps are
    # sorted), comparing ASCII case-insensitively.
    if not mapping:
        return None
    if name in mapping:
        return mapping[name]
    wanted = _fields.ascii_lower(name)
    for key in sorted(mapping):
        if _fields.ascii_lower(key) == wanted:
            return mapping[key]
    return None


def _or_default(value, default):
    return default if value is None else value


class ProxyRequestContext:
    """The event's `requestContext`: what the gateway knows about the request. The common
    fields are attributes; `raw` is the whole object."""

    def __init__(self, raw=None):
        raw = raw or {}
        self.raw = raw
        self.request_id = _or_default(raw.get("requestId"), "")
        self.stage = _or_default(raw.get("stage"), "")
        self.resource_path = _or_default(raw.get("resourcePath"), "")
        self.http_method = _or_default(raw.get("httpMethod"), "")
        #: The full request path, stage included, e.g. `/dev/items/42`.
        self.path = _or_default(raw.get("path"), "")
        self.api_id = _or_default(raw.get("apiId"), "")
        self.account_id = _or_default(raw.get("accountId"), "")
        self.request_time_epoch = _or_default(raw.get("requestTimeEpoch"), 0)
        #: The caller (`sourceIp`, `userAgent`, `apiKey`, ...), as AWS names the fields.
        self.identity = _or_default(raw.get("identity"), {})
        #: What an authorizer returned (`principalId` plus its context), or None.
        self.authorizer = raw.get("authorizer")


class ProxyEvent:
    """One HTTP request as API Gateway hands it to a function.

    The maps (`headers`, `query_string_parameters`, `path_parameters`, ...) are None where
    AWS sends null: no headers, no query string, no path parameters."""

    def __init__(self, raw=None):
        raw = raw or {}
        self.raw = raw
        #: The matched resource path template, e.g. `/items/{id}`.
        self.resource = _or_default(raw.get("resource"), "")
        #: The request path, e.g. `/items/42`.
        self.path = _or_default(raw.get("path"), "")
        #: The HTTP method, e.g. `GET`.
        self.http_method = _or_default(raw.get("httpMethod"), "")
        self.headers = raw.get("headers")
        self.multi_value_headers = raw.get("multiValueHeaders")
        self.query_string_parameters = raw.get("queryStringParameters")
        self.multi_value_query_string_parameters = raw.get("multiValueQueryStringParameters")
        self.path_parameters = raw.get("pathParameters")
        self.stage_variables = raw.get("stageVariables")
        self.request_context = ProxyRequestContext(raw.get("requestContext"))
        #: The body: text, or base64 when `is_base64_encoded`; None without one.
        self.body = raw.get("body")
        self.is_base64_encoded = bool(raw.get("isBase64Encoded"))

    @classmethod
    def from_json(cls, text):
        """Parses the JSON of a Lambda-proxy event."""
        raw = _stdlib_json.loads(text)
        if not isinstance(raw, dict):
            raise ValueError("a Lambda-proxy event is a JSON object")
        return cls(raw)

    @property
    def method(self):
        """The HTTP method (same as `http_method`)."""
        return self.http_method

    def path_parameter(self, name, default=None):
        """The value of path parameter `name` (`{name}` in the resource path)."""
        return _or_default((self.path_parameters or {}).get(name), default)

    def query(self, name, default=None):
        """The value of query-string parameter `name` (its last value when repeated)."""
        value = (self.query_string_parameters or {}).get(name)
        if value is None:
            values = (self.multi_value_query_string_parameters or {}).get(name)
            value = values[-1] if values else None
        return _or_default(value, default)

    def query_values(self, name):
        """Every value of query-string parameter `name`, in the order received."""
        values = (self.multi_value_query_string_parameters or {}).get(name)
        if values is not None:
            return list(values)
        value = (self.query_string_parameters or {}).get(name)
        return [] if value is None else [value]

    def header(self, name, default=None):
        """The value of header `name`, compared case-insensitively (its last value when
        repeated)."""
        value = _find_ignore_case(self.headers, name)
        if value is None:
            values = _find_ignore_case(self.multi_value_headers, name)
            value = values[-1] if values else None
        return _or_default(value, default)

    def stage_variable(self, name, default=None):
        """The value of stage variable `name`, as the event carries it."""
        return _or_default((self.stage_variables or {}).get(name), default)

    def body_bytes(self):
        """The body as bytes: base64-decoded when `is_base64_encoded`, empty without one.
        Raises BodyError when the base64 is invalid."""
        if self.body is None:
            return b""
        if self.is_base64_encoded:
            try:
                return _base64.decode(self.body)
            except _base64.Base64Error as error:
                raise BodyError("base64", str(error)) from None
        return self.body.encode("utf-8")

    def json(self):
        """The body parsed as JSON, exactly as the Rust SDK's `json_body` parses it (objects
        are dicts in document order). Raises BodyError when there is no body, or when it is
        not valid base64 or JSON."""
        if not self.body:
            raise BodyError("missing")
        try:
            return _serde_json.loads(self.body_bytes())
        except _serde_json.JsonError as error:
            raise BodyError("json", str(error)) from None


class ProxyResponse:
    """The Lambda-proxy response a function answers with.

    Build it with `ProxyResponse(status)` (no body), `ProxyResponse.json(status, value)`,
    `ProxyResponse.text(status, text)` or `ProxyResponse.binary(status, data)`, then
    `.with_header(name, value)`. It serialises with AWS's names, leaving out empty maps, a
    missing body and a false `isBase64Encoded`, as the Rust SDK does."""

    def __init__(
        self,
        status_code=200,
        headers=None,
        body=None,
        multi_value_headers=None,
        is_base64_encoded=False,
    ):
        self.status_code = status_code
        self.headers = dict(headers or {})
        self.multi_value_headers = {k: list(v) for k, v in (multi_value_headers or {}).items()}
        self.body = body
        self.is_base64_encoded = is_base64_encoded

    @classmethod
    def json(cls, status, value):
        """A JSON response: `value` printed as serde_json prints it, with
        `content-type: application/json`. A value that cannot be printed (not made of dict,
        list, str, int, float, bool and None) answers 500 `{"message": "..."}`."""
        try:
            body = _serde_json.dumps(value)
        except (TypeError, ValueError) as error:
            status = 500
            body = _serde_json.dumps({"message": "cannot serialise the response: %s" % error})
        return cls(status, body=body).with_header("content-type", "application/json")

    @classmethod
    def text(cls, status, text):
        """A text response with `content-type: text/plain; charset=utf-8`."""
        return cls(status, body=text).with_header("content-type", "text/plain; charset=utf-8")

    @classmethod
    def binary(cls, status, data):
        """A binary response: `data` base64-encoded with `isBase64Encoded: true` and
        `content-type: application/octet-stream` (replace it with `with_header`)."""
        body = _stdlib_base64.b64encode(bytes(data)).decode("ascii")
        response = cls(status, body=body, is_base64_encoded=True)
        return response.with_header("content-type", "application/octet-stream")

    def with_header(self, name, value):
        """Sets header `name` to `value`, replacing any header of that name in any case;
        returns self, for chaining."""
        self._remove(name)
        self.headers[name] = value
        return self

    def with_header_values(self, name, values):
        """Sets header `name` to several values (`multiValueHeaders`), replacing any header
        of that name in any case; returns self."""
        self._remove(name)
        self.multi_value_headers[name] = list(values)
        return self

    def _remove(self, name):
        wanted = _fields.ascii_lower(name)
        for mapping in (self.headers, self.multi_value_headers):
            for key in [k for k in mapping if _fields.ascii_lower(k) == wanted]:
                del mapping[key]

    def header(self, name):
        """The value of header `name`, compared case-insensitively, or None."""
        value = _find_ignore_case(self.headers, name)
        if value is None:
            values = _find_ignore_case(self.multi_value_headers, name)
            value = values[0] if values else None
        return value

    def to_dict(self):
        """The response as the Lambda-proxy JSON object (maps in key order)."""
        out = {"statusCode": self.status_code}
        if self.headers:
            out["headers"] = dict(sorted(self.headers.items()))
        if self.multi_value_headers:
            out["multiValueHeaders"] = dict(sorted(self.multi_value_headers.items()))
        if self.body is not None:
            out["body"] = self.body
        if self.is_base64_encoded:
            out["isBase64Encoded"] = True
        return out

    def to_json(self):
        """The JSON the `handler` interface returns."""
        return _serde_json.dumps(self.to_dict())

    def __repr__(self):
        return "ProxyResponse(%r)" % (self.to_dict(),)

    def __eq__(self, other):
        return isinstance(other, ProxyResponse) and self.to_dict() == other.to_dict()
