"""The WIT records a mapper and an authorizer see, as Python objects with the Rust SDK's
helpers: `HttpRequest`, `HttpResponse`, `RequestContext`, `Identity`.

Headers, query strings, stage variables and authorizer context are lists of (name, value)
tuples in the order received; a repeated name appears once per value.
"""

from dataclasses import dataclass, field

from . import _fields, _serde_json

__all__ = ["HttpRequest", "HttpResponse", "Identity", "RequestContext"]


class _Message:
    """What requests and responses share: headers and a body."""

    def header(self, name):
        """The first value of header `name`, compared case-insensitively, or None."""
        return _fields.get_ignore_case(self.headers, name)

    def set_header(self, name, value):
        """Sets header `name` to `value`, replacing every header of that name in any case."""
        _fields.set_ignore_case(self.headers, name, value)

    def with_header(self, name, value):
        """Like `set_header`; returns self, for chaining."""
        self.set_header(name, value)
        return self

    def remove_header(self, name):
        """Removes every header `name`, compared case-insensitively."""
        _fields.remove_ignore_case(self.headers, name)

    def body_text(self):
        """The body as UTF-8 text, or None when it is not valid UTF-8."""
        try:
            return self.body.decode("utf-8")
        except UnicodeDecodeError:
            return None

    def json(self):
        """The body parsed as JSON (as serde_json parses it); raises JsonError."""
        return _serde_json.loads(self.body)


@dataclass
class HttpRequest(_Message):
    """An HTTP request as a mapper sees it."""

    #: Upper-case method: `GET`, `POST`, ...
    method: str
    #: The path after the stage, e.g. `/items/42`, percent-decoded.
    path: str
    #: Query-string pairs, percent-decoded, in the order received.
    query: list = field(default_factory=list)
    #: Request headers.
    headers: list = field(default_factory=list)
    #: The raw body bytes (empty when there is none).
    body: bytes = b""

    def query_param(self, name):
        """The first value of query-string parameter `name` (compared exactly), or None."""
        return _fields.get_exact(self.query, name)


@dataclass
class HttpResponse(_Message):
    """An HTTP response as a mapper sees it."""

    #: Status code, 100..=599.
    status: int
    #: Response headers.
    headers: list = field(default_factory=list)
    #: The raw body bytes.
    body: bytes = b""


@dataclass
class Identity:
    """Who called, as API Gateway's `$context.identity` describes it."""

    source_ip: str = ""
    user_agent: str = None
    api_key: str = None


@dataclass
class RequestContext:
    """What the gateway knows about the request being served (API Gateway's `$context`)."""

    request_id: str = ""
    api_id: str = ""
    #: The stage name, e.g. `dev`.
    stage: str = ""
    #: The matched resource path template, e.g. `/items/{id}`.
    resource_path: str = ""
    http_method: str = ""
    identity: Identity = field(default_factory=Identity)
    #: The stage variables, with canary overrides applied.
    stage_variables: list = field(default_factory=list)
    #: What an authorizer returned (`$context.authorizer.*`); empty without one.
    authorizer: list = field(default_factory=list)
    #: When the gateway received the request, in milliseconds since the Unix epoch.
    request_time_epoch: int = 0

    def stage_variable(self, name):
        """The value of stage variable `name`, as the context carries it, or None."""
        return _fields.get_exact(self.stage_variables, name)

    def authorizer_value(self, name):
        """The value of `$context.authorizer.{name}`, when an authorizer ran, or None."""
        return _fields.get_exact(self.authorizer, name)
