/*
 * The envelope mapper of plugins/examples/ in C (world `mapper`): the integration request's
 * JSON body becomes `{"payload":…,"stage":…}` and the response's body `{"data":…,"status":…}`,
 * each tagged with `x-envelope`. plugins/examples/README.md is the specification every
 * language's version follows byte for byte.
 */
#include "tollgate.h"

/* Replaces the content type and tags the message with `x-envelope: direction`. */
static void tag(tg_fields *headers, const char *direction) {
    tg_fields_set(headers, "content-type", "application/json");
    tg_fields_set(headers, "x-envelope", direction);
}

static tg_bytes bytes_of(tg_str text) {
    tg_bytes bytes = {(uint8_t *)(uintptr_t)text.ptr, text.len};
    return bytes;
}

tg_http_request *tg_map_request(tg_http_request *request, const tg_context *context) {
    tg_json *payload = tg_json_null();
    if (request->body.len > 0) {
        payload = tg_json_parse(request->body.ptr, request->body.len, NULL);
        if (payload == NULL) {
            return tg_fail("request body is not JSON");
        }
    }
    tg_json *envelope = tg_json_new_object();
    tg_json_set(envelope, "payload", payload);
    tg_json_set(envelope, "stage", tg_json_new_string_n(context->stage.ptr, context->stage.len));
    request->body = bytes_of(tg_json_write(envelope));
    tag(&request->headers, "request");
    return request;
}

tg_http_response *tg_map_response(tg_http_response *response, const tg_context *context) {
    (void)context;
    tg_json *data = tg_json_parse(response->body.ptr, response->body.len, NULL);
    if (data == NULL) {
        tg_str text = tg_utf8_lossy(response->body.ptr, response->body.len);
        data = tg_json_new_string_n(text.ptr, text.len);
    }
    tg_json *envelope = tg_json_new_object();
    tg_json_set(envelope, "data", data);
    tg_json_set(envelope, "status", tg_json_new_u64(response->status));
    response->body = bytes_of(tg_json_write(envelope));
    tag(&response->headers, "response");
    return response;
}
