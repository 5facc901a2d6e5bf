"""`{{name}}`: a Tollgate mapper (world `mapper`). It transforms the integration request and
response of the methods whose `x-tollgate-mapper` names it (`uri: mapper:{{name}}`).

`tollgate plugin build` makes the component (build/{{name}}.wasm);
`tollgate plugin test . --event event.json` runs it once.
"""

from tollgate_sdk import (
    HttpRequest,
    HttpResponse,
    RequestContext,
    config,
    map_request,
    map_response,
)


@map_request
def tag_request(request: HttpRequest, context: RequestContext) -> HttpRequest:
    # `config` is the map the method's `x-tollgate-mapper` gives this mapper.
    tag = config.get("tag", "{{name}}")
    return request.with_header("x-mapped-by", tag).with_header("x-stage", context.stage)


@map_response
def tag_response(response: HttpResponse, context: RequestContext) -> HttpResponse:
    return response.with_header("x-mapped-by", "{{name}}")
