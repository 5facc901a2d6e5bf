/*
 * `{{name}}`: a Tollgate function (world `function`). It answers API Gateway's Lambda-proxy
 * events, behind an `AWS_PROXY` integration (`uri: function:{{name}}`).
 *
 * `tollgate plugin build` makes the component; `tollgate plugin test . --event event.json`
 * runs it once. The C SDK (tollgate.h) is documented in the Tollgate repository's
 * sdk/c/README.md; everything it returns lives until this call returns.
 */
#include "tollgate.h"

tg_response *tg_handle(const tg_event *event) {
    tg_str name = tg_event_query(event, "name");
    if (name.ptr == NULL) {
        name = tg_str_of("world");
    }

    /* The key-value table the stage grants this function (its namespace is
       `function/{{name}}`) is the only state that outlives a call. */
    tg_kv_error error;
    tg_bytes stored;
    if (!tg_kv_get("greetings", &stored, &error)) {
        return tg_fail("%s", error.message.ptr);
    }
    uint64_t greetings = 0;
    if (stored.ptr != NULL) {
        tg_str text = {(const char *)stored.ptr, stored.len};
        if (!tg_str_parse_u64(text, &greetings)) {
            return tg_fail("greetings is not a number: %.*s", TG_STR_ARG(text));
        }
    }
    greetings++;
    tg_str count = tg_json_write(tg_json_new_u64(greetings));
    if (!tg_kv_set("greetings", count.ptr, count.len, &error)) {
        return tg_fail("%s", error.message.ptr);
    }

    tg_info("greeted", "name", name.ptr);
    tg_json *body = tg_json_new_object();
    tg_json_set(body, "hello", tg_json_new_string_n(name.ptr, name.len));
    tg_json_set(body, "greetings", tg_json_new_u64(greetings));
    return tg_response_json(200, body);
}
