"""What a plugin exports: decorators that register its handlers, and the classes
componentize-py calls (`Handler`, `Mapping`, `Authorization`, one per world's export).

A plugin's `app.py` registers its handlers with the decorators; the module `tollgate build`
generates around it imports `app`, checks that the handlers match the world being built and
re-exports that world's class:

    @function                              # world function
    def handle(event: ProxyEvent) -> ProxyResponse: ...

    @raw_function                          # world function, the event and response as JSON text
    def handle(event: str) -> str: ...

    @map_request / @map_response           # world mapper (either or both; the other passes through)
    def map_request(request: HttpRequest, context: RequestContext) -> HttpRequest: ...

    @authorizer                            # world authorizer
    def authorize(request: AuthorizerRequest) -> Policy | AuthorizerResponse: ...

The decorators return the function unchanged, so plugin logic stays callable in unit tests.
"""

import traceback

from . import _host, _serde_json, log
from .authorizer import AuthorizerRequest, AuthorizerResponse, Policy
from .errors import PluginError
from .proxy import ProxyEvent, ProxyResponse
from .records import HttpRequest, HttpResponse, Identity, RequestContext

__all__ = ["function", "raw_function", "map_request", "map_response", "authorizer"]

#: Which decorator registered what: {"function": f, "map_request": f, ...}.
registered = {}

#: The handlers each world may register (a function registers exactly one of the two).
_WORLDS = {
    "function": ("function", "raw_function"),
    "mapper": ("map_request", "map_response"),
    "authorizer": ("authorizer",),
}


def _register(kind, handler):
    if not callable(handler):
        raise TypeError("@%s decorates a function, not %r" % (kind, handler))
    if kind in registered:
        raise ValueError(
            "@%s is used twice (%s and %s)"
            % (kind, registered[kind].__qualname__, handler.__qualname__)
        )
    registered[kind] = handler
    return handler


def function(handler):
    """Registers `handler(event: ProxyEvent) -> ProxyResponse | dict` as the function.
    A dict is sent as the Lambda-proxy response object itself."""
    return _register("function", handler)


def raw_function(handler):
    """Registers `handler(event: str) -> str`, over the exact JSON of the Lambda-proxy
    event and response, as the function."""
    return _register("raw_function", handler)


def map_request(handler):
    """Registers `handler(request: HttpRequest, context: RequestContext) -> HttpRequest`,
    the mapper's request transform."""
    return _register("map_request", handler)


def map_response(handler):
    """Registers `handler(response: HttpResponse, context: RequestContext) -> HttpResponse`,
    the mapper's response transform."""
    return _register("map_response", handler)


def authorizer(handler):
    """Registers `handler(request: AuthorizerRequest) -> Policy | AuthorizerResponse` as the
    authorizer."""
    return _register("authorizer", handler)


def check(world):
    """Fails the build when the registered handlers do not make a `world` plugin."""
    allowed = _WORLDS[world]
    others = sorted(kind for kind in registered if kind not in allowed)
    if others:
        raise TypeError(
            "app.py registers @%s, which a %s plugin cannot export (it exports %s)"
            % (", @".join(others), world, " or ".join("@" + k for k in allowed))
        )
    if not any(kind in registered for kind in allowed):
        raise TypeError(
            "app.py registers no handler: a %s plugin decorates its handler with %s"
            % (world, " or ".join("@tollgate_sdk." + k for k in allowed))
        )
    if world == "function" and len([k for k in allowed if k in registered]) > 1:
        raise TypeError("a function registers either @function or @raw_function, not both")


def _run(call, *args):
    """Runs a handler: PluginError becomes the export's `err`; any other exception is
    written to the gateway log with its traceback (the host keeps no guest stderr) and then
    traps the call, as a Rust panic does."""
    _host.serving = True
    try:
        return call(*args)
    except PluginError as error:
        raise _host.Err(error.message) from None
    except BaseException as error:
        log.error(
            "the plugin raised an exception",
            message="%s: %s" % (type(error).__name__, error),
            traceback="".join(traceback.format_exception(error)),
        )
        raise


# --- function ------------------------------------------------------------------------------


def _handle(event_json):
    raw = registered.get("raw_function")
    if raw is not None:
        return _checked(raw(event_json), str, "@raw_function", "a str")
    try:
        event = ProxyEvent.from_json(event_json)
    except ValueError as error:
        raise PluginError(
            "tollgate-sdk: cannot parse the Lambda-proxy event: %s" % error
        ) from None
    response = registered["function"](event)
    if isinstance(response, ProxyResponse):
        return response.to_json()
    if isinstance(response, dict):
        return _serde_json.dumps(response)
    raise TypeError(
        "@function must return a ProxyResponse or a dict, not %s" % type(response).__name__
    )


def _checked(value, kind, who, what):
    if not isinstance(value, kind):
        raise TypeError("%s must return %s, not %s" % (who, what, type(value).__name__))
    return value


class Handler:
    """The export `tollgate:plugin/handler`."""

    def handle(self, event):
        return _run(_handle, event)


# --- mapper --------------------------------------------------------------------------------


def _context(wit):
    identity = wit.identity
    return RequestContext(
        request_id=wit.request_id,
        api_id=wit.api_id,
        stage=wit.stage,
        resource_path=wit.resource_path,
        http_method=wit.http_method,
        identity=Identity(identity.source_ip, identity.user_agent, identity.api_key),
        stage_variables=list(wit.stage_variables),
        authorizer=list(wit.authorizer),
        request_time_epoch=wit.request_time_epoch,
    )


def _map_request(request, context):
    handler = registered.get("map_request")
    if handler is None:
        return request
    mapped = handler(
        HttpRequest(
            request.method, request.path, list(request.query), list(request.headers),
            bytes(request.body),
        ),
        _context(context),
    )
    _checked(mapped, HttpRequest, "@map_request", "an HttpRequest")
    return _host.types.HttpRequest(
        method=mapped.method,
        path=mapped.path,
        query=[(str(k), str(v)) for k, v in mapped.query],
        headers=[(str(k), str(v)) for k, v in mapped.headers],
        body=bytes(mapped.body),
    )


def _map_response(response, context):
    handler = registered.get("map_response")
    if handler is None:
        return response
    mapped = handler(
        HttpResponse(response.status, list(response.headers), bytes(response.body)),
        _context(context),
    )
    _checked(mapped, HttpResponse, "@map_response", "an HttpResponse")
    return _host.types.HttpResponse(
        status=int(mapped.status),
        headers=[(str(k), str(v)) for k, v in mapped.headers],
        body=bytes(mapped.body),
    )


class Mapping:
    """The export `tollgate:plugin/mapping`."""

    def map_request(self, request, context):
        return _run(_map_request, request, context)

    def map_response(self, response, context):
        return _run(_map_response, response, context)


# --- authorizer ----------------------------------------------------------------------------


def _authorize(request):
    answer = registered["authorizer"](
        AuthorizerRequest(
            kind=request.kind,
            authorization_token=request.authorization_token,
            method_arn=request.method_arn,
            headers=list(request.headers),
            query=list(request.query),
            path_parameters=list(request.path_parameters),
            context=_context(request.context),
        )
    )
    if isinstance(answer, Policy):
        answer = answer.to_response()
    _checked(answer, AuthorizerResponse, "@authorizer", "a Policy or an AuthorizerResponse")
    return _host.authorization.AuthorizerResponse(
        principal_id=answer.principal_id,
        policy_document=answer.policy_document,
        context=[(str(k), str(v)) for k, v in answer.context],
        usage_identifier_key=answer.usage_identifier_key,
    )


class Authorization:
    """The export `tollgate:plugin/authorization`."""

    def authorize(self, request):
        return _run(_authorize, request)
