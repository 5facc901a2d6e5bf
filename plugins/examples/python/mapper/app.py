"""The envelope mapper example in Python (world `mapper`): it wraps the integration
request's JSON body as {"payload":…,"stage":…} and the response's body as
{"data":…,"status":…}, tagging each with `x-envelope`, byte for byte as the Rust version
(plugins/examples/README.md is the specification)."""

from tollgate_sdk import JsonError, PluginError, from_json, map_request, map_response, to_json

#: What map-request answers to a body that is not JSON (the gateway answers 500).
NOT_JSON = "request body is not JSON"


@map_request
def wrap_request(request, context):
    if not request.body:
        payload = None
    else:
        try:
            payload = from_json(request.body)
        except JsonError:
            raise PluginError(NOT_JSON) from None
    request.body = to_json({"payload": payload, "stage": context.stage}).encode("utf-8")
    return request.with_header("content-type", "application/json").with_header(
        "x-envelope", "request"
    )


@map_response
def wrap_response(response, context):
    try:
        data = from_json(response.body)
    except JsonError:
        # Rust's String::from_utf8_lossy: each invalid sequence becomes one U+FFFD.
        data = response.body.decode("utf-8", "replace")
    response.body = to_json({"data": data, "status": response.status}).encode("utf-8")
    return response.with_header("content-type", "application/json").with_header(
        "x-envelope", "response"
    )
