/*
 * `{{name}}`: a Tollgate mapper (world `mapper`). It transforms the integration request and
 * response of the methods whose `x-tollgate-mapper` names it (`uri: mapper:{{name}}`).
 *
 * `tollgate plugin build` makes the component; `tollgate plugin test . --event event.json`
 * runs it once. The C SDK (tollgate.h) is documented in the Tollgate repository's
 * sdk/c/README.md; everything it returns lives until this call returns.
 */
#include "tollgate.h"

tg_http_request *tg_map_request(tg_http_request *request, const tg_context *context) {
    /* `config` is the map the method's `x-tollgate-mapper` gives this mapper. */
    tg_str tag = tg_config_get("tag");
    tg_fields_set(&request->headers, "x-mapped-by", tag.ptr != NULL ? tag.ptr : "{{name}}");
    tg_fields_set(&request->headers, "x-stage", context->stage.ptr);
    return request;
}

tg_http_response *tg_map_response(tg_http_response *response, const tg_context *context) {
    (void)context;
    tg_fields_set(&response->headers, "x-mapped-by", "{{name}}");
    return response;
}
