/*
 * Runs one C SDK helper on the event's body and answers `ok:RESULT` or `err:MESSAGE` as
 * text, so that host/tollgate-toolchain/tests/c.rs can compare it with what serde_json,
 * base64 and Rust's std answer for the same input. The body arrives base64-encoded (so it
 * can be any bytes); the query parameter `op` picks the helper:
 *
 *   json    parse the bytes as JSON and write it back (serde_json's Value round trip)
 *   base64  decode the bytes, as text, as base64; the result in lower-case hex
 *   lossy   the bytes as UTF-8 with invalid sequences replaced (String::from_utf8_lossy)
 *   trim    the bytes, as text, trimmed of Unicode white space (str::trim)
 *   u64     the bytes, as text, parsed as a u64 (str::parse::<u64>)
 *   split   the parts of the text between commas, each in brackets (str::split(','))
 *   event   the event helpers' answers for the names listed in the body, one per line
 *           (ProxyEvent::header, query, path_parameter, stage_variable)
 *   response  responses made with every builder as JSON, and a header lookup, one per line
 *           (ProxyResponse::text/binary/with_header/with_header_values/header, to_json)
 */
#include <string.h>

#include "tollgate.h"

static tg_response *answer(bool ok, tg_str text) {
    tg_str body = tg_sprintf("%s:%.*s", ok ? "ok" : "err", TG_STR_ARG(text));
    return tg_response_body(tg_response_new(200), body.ptr, body.len);
}

tg_response *tg_handle(const tg_event *event) {
    tg_bytes bytes;
    tg_body_error body_error;
    if (!tg_event_body_bytes(event, &bytes, &body_error)) {
        return tg_fail("%s", body_error.message);
    }
    tg_str text = {(const char *)bytes.ptr, bytes.len};
    tg_str op = tg_event_query(event, "op");
    if (op.ptr == NULL || tg_str_eq(op, "json")) {
        const char *error;
        tg_json *value = tg_json_parse(bytes.ptr, bytes.len, &error);
        return value != NULL ? answer(true, tg_json_write(value)) : answer(false, tg_str_of(error));
    }
    if (tg_str_eq(op, "base64")) {
        tg_bytes decoded;
        const char *error;
        if (!tg_base64_decode(text.ptr, text.len, &decoded, &error)) {
            return answer(false, tg_str_of(error));
        }
        tg_buf hex = {0};
        for (size_t i = 0; i < decoded.len; i++) {
            tg_buf_printf(&hex, "%02x", decoded.ptr[i]);
        }
        return answer(true, tg_buf_str(&hex));
    }
    if (tg_str_eq(op, "lossy")) {
        /* As a JSON string, so that the answer stays text whatever the bytes. */
        tg_str lossy = tg_utf8_lossy(bytes.ptr, bytes.len);
        return answer(true, tg_json_write(tg_json_new_string_n(lossy.ptr, lossy.len)));
    }
    if (tg_str_eq(op, "trim")) {
        return answer(true, tg_str_trim(text));
    }
    if (tg_str_eq(op, "u64")) {
        uint64_t n;
        return tg_str_parse_u64(text, &n) ? answer(true, tg_sprintf("%llu", (unsigned long long)n))
                                          : answer(false, tg_str_of(""));
    }
    if (tg_str_eq(op, "split")) {
        tg_buf parts = {0};
        tg_str rest = text, part;
        while (tg_str_split_next(&rest, ',', &part)) {
            tg_buf_printf(&parts, "[%.*s]", TG_STR_ARG(part));
        }
        return answer(true, tg_buf_str(&parts));
    }
    if (tg_str_eq(op, "event")) {
        /* `header:NAME`, `query:NAME`, `path:NAME` or `stage:NAME` per line. */
        tg_buf out = {0};
        tg_str rest = text, line, kind, name;
        while (tg_str_split_next(&rest, '\n', &line)) {
            if (!tg_str_split_once(line, ':', &kind, &name)) {
                continue;
            }
            const char *key = tg_str_copy(name.ptr, name.len).ptr;
            tg_str value = tg_str_eq(kind, "header") ? tg_event_header(event, key)
                           : tg_str_eq(kind, "query") ? tg_event_query(event, key)
                           : tg_str_eq(kind, "path")  ? tg_event_path_parameter(event, key)
                                                      : tg_event_stage_variable(event, key);
            if (value.ptr == NULL) {
                tg_buf_puts(&out, "-\n");
            } else {
                tg_buf_printf(&out, "=%.*s\n", TG_STR_ARG(value));
            }
        }
        return answer(true, tg_buf_str(&out));
    }
    if (tg_str_eq(op, "response")) {
        const char *cookies[] = {"a=1", "b=2"};
        tg_response *text_response = tg_response_text(404, "no");
        tg_response_header_values(text_response, "set-cookie", cookies, 2);
        tg_response_header(text_response, "X-B", "1");
        tg_response_header(text_response, "x-a", "2");
        tg_response *binary = tg_response_binary(200, "hi", 2);
        tg_response_header(binary, "Content-Type", "image/png");
        tg_response_header_values(binary, "x-multi", cookies, 1);
        tg_response_header(binary, "X-MULTI", "single");
        return answer(true, tg_sprintf("%s\n%s\n%s\n%s", tg_response_to_json(text_response).ptr,
                                       tg_response_get_header(text_response, "Set-Cookie").ptr,
                                       tg_response_to_json(binary).ptr,
                                       tg_response_to_json(tg_response_new(204)).ptr));
    }
    return tg_fail("unknown op %.*s", TG_STR_ARG(op));
}
