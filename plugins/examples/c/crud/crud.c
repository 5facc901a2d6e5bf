/*
 * The CRUD example of plugins/examples/ in C (world `function`): `plugins/crud` answer for
 * answer, byte for byte (plugins/examples/README.md is the specification). Items are JSON
 * objects under `item:{id}` in the stage's key-value table; ids count up from the counter
 * under `meta:next-id`.
 *
 * Every function that touches the table returns NULL when the table fails, with the error
 * in `kv_error`: tg_handle turns that into the 500 the Rust version answers.
 */
#include <string.h>

#include "tollgate.h"

#define ITEM_PREFIX "item:"
#define NEXT_ID_KEY "meta:next-id"
/* The host's cap on list-keys. */
#define LIST_LIMIT 1000

static tg_kv_error kv_error;

static tg_response *message(int status, tg_str text) {
    tg_json *body = tg_json_new_object();
    tg_json_set(body, "message", tg_json_new_string_n(text.ptr, text.len));
    return tg_response_json(status, body);
}

static tg_response *not_found(tg_str id) {
    return message(404, tg_sprintf("Item not found: %.*s", TG_STR_ARG(id)));
}

static tg_response *method_not_allowed(const tg_event *event, const char *allow) {
    tg_str text = tg_sprintf("Method %.*s is not allowed on %.*s", TG_STR_ARG(event->http_method),
                             TG_STR_ARG(event->path));
    return tg_response_header(message(405, text), "allow", allow);
}

static const char *item_key(tg_str id) {
    return tg_sprintf(ITEM_PREFIX "%.*s", TG_STR_ARG(id)).ptr;
}

/* The item under `key` into `*item`, NULL when absent or not JSON; false when the table fails. */
static bool load(const char *key, tg_json **item) {
    tg_bytes value;
    if (!tg_kv_get(key, &value, &kv_error)) {
        return false;
    }
    *item = value.ptr == NULL ? NULL : tg_json_parse(value.ptr, value.len, NULL);
    return true;
}

/* Stores `{"id": id, ...fields}` (a field named `id` is dropped) and returns it. */
static tg_json *store(tg_str id, const tg_json *fields) {
    tg_json *item = tg_json_new_object();
    tg_json_set(item, "id", tg_json_new_string_n(id.ptr, id.len));
    for (size_t i = 0; i < tg_json_len(fields); i++) {
        tg_str key = tg_json_key_at(fields, i);
        if (!tg_str_eq(key, "id")) {
            tg_json_set_n(item, key.ptr, key.len, tg_json_value_at(fields, i));
        }
    }
    tg_str text = tg_json_write(item);
    if (!tg_kv_set(item_key(id), text.ptr, text.len, &kv_error)) {
        return NULL;
    }
    return item;
}

/* Hands out the next id: the counter's value, skipping ids already taken. */
static bool next_id(tg_str *id) {
    tg_bytes counter;
    if (!tg_kv_get(NEXT_ID_KEY, &counter, &kv_error)) {
        return false;
    }
    uint64_t next = 1;
    if (counter.ptr != NULL && tg_utf8_valid(counter.ptr, counter.len)) {
        tg_str text = {(const char *)counter.ptr, counter.len};
        if (!tg_str_parse_u64(tg_str_trim(text), &next)) {
            next = 1;
        }
    }
    for (;;) {
        tg_bytes taken;
        if (!tg_kv_get(item_key(tg_sprintf("%llu", (unsigned long long)next)), &taken, &kv_error)) {
            return false;
        }
        if (taken.ptr == NULL) {
            break;
        }
        next++;
    }
    tg_str following = tg_sprintf("%llu", (unsigned long long)(next + 1));
    if (!tg_kv_set(NEXT_ID_KEY, following.ptr, following.len, &kv_error)) {
        return false;
    }
    *id = tg_sprintf("%llu", (unsigned long long)next);
    return true;
}

/* The body as a JSON object, or NULL with the 400 to answer in `*bad`. */
static tg_json *body_object(const tg_event *event, tg_response **bad) {
    tg_body_error error;
    tg_json *body = tg_event_json_body(event, &error);
    if (tg_json_typeof(body) == TG_JSON_OBJECT) {
        return body;
    }
    if (body != NULL) {
        *bad = message(400, tg_str_of("The request body must be a JSON object"));
        return NULL;
    }
    /* The parser's details go to the log only: they differ between languages' parsers. */
    tg_info("invalid request body", "error", error.message);
    const char *problem = error.kind == TG_BODY_MISSING  ? "the request has no body"
                          : error.kind == TG_BODY_BASE64 ? "the body is not valid base64"
                                                         : "the body is not valid JSON";
    *bad = message(400, tg_sprintf("Invalid request body: %s", problem));
    return NULL;
}

/* Numeric ids in numeric order, before any other id in string order. */
static int id_order(const tg_json *a, const tg_json *b) {
    tg_str ids[2] = {tg_json_get_str(a, "id"), tg_json_get_str(b, "id")};
    uint64_t numbers[2];
    for (int k = 0; k < 2; k++) {
        if (ids[k].ptr == NULL) {
            ids[k] = tg_str_of("");
        }
        if (!tg_str_parse_u64(ids[k], &numbers[k])) {
            numbers[k] = UINT64_MAX;
        }
    }
    if (numbers[0] != numbers[1]) {
        return numbers[0] < numbers[1] ? -1 : 1;
    }
    size_t common = ids[0].len < ids[1].len ? ids[0].len : ids[1].len;
    int order = common == 0 ? 0 : memcmp(ids[0].ptr, ids[1].ptr, common);
    if (order != 0) {
        return order;
    }
    return ids[0].len < ids[1].len ? -1 : ids[0].len > ids[1].len ? 1 : 0;
}

static tg_response *list(void) {
    tg_strs keys;
    if (!tg_kv_list_keys(ITEM_PREFIX, LIST_LIMIT, &keys, &kv_error)) {
        return NULL;
    }
    tg_json *items = tg_json_new_array();
    for (size_t i = 0; i < keys.len; i++) {
        tg_json *item;
        if (!load(keys.items[i].ptr, &item)) {
            return NULL;
        }
        if (item != NULL) {
            tg_json_push(items, item);
        }
    }
    tg_json_sort(items, id_order);
    return tg_response_json(200, tg_json_set(tg_json_new_object(), "items", items));
}

static tg_response *create(const tg_event *event) {
    tg_response *bad;
    tg_json *fields = body_object(event, &bad);
    if (fields == NULL) {
        return bad;
    }
    tg_str id;
    if (!next_id(&id)) {
        return NULL;
    }
    tg_json *item = store(id, fields);
    if (item == NULL) {
        return NULL;
    }
    tg_info("item created", "id", id.ptr);
    return tg_response_json(201, item);
}

static tg_response *read_item(tg_str id) {
    tg_json *item;
    if (!load(item_key(id), &item)) {
        return NULL;
    }
    return item != NULL ? tg_response_json(200, item) : not_found(id);
}

static tg_response *replace(const tg_event *event, tg_str id) {
    tg_response *bad;
    tg_json *fields = body_object(event, &bad);
    if (fields == NULL) {
        return bad;
    }
    tg_bytes existing;
    if (!tg_kv_get(item_key(id), &existing, &kv_error)) {
        return NULL;
    }
    if (existing.ptr == NULL) {
        return not_found(id);
    }
    tg_json *item = store(id, fields);
    return item == NULL ? NULL : tg_response_json(200, item);
}

static tg_response *delete_item(tg_str id) {
    bool existed;
    if (!tg_kv_delete(item_key(id), &existed, &kv_error)) {
        return NULL;
    }
    if (!existed) {
        return not_found(id);
    }
    tg_info("item deleted", "id", id.ptr);
    return tg_response_new(204);
}

tg_response *tg_handle(const tg_event *event) {
    /* The route is decided by the last two non-empty segments of the path. */
    tg_str rest = event->path, segment, last = TG_NONE, before_last = TG_NONE;
    while (tg_str_split_next(&rest, '/', &segment)) {
        if (segment.len > 0) {
            before_last = last;
            last = segment;
        }
    }
    tg_str method = event->http_method;
    tg_response *response;
    if (last.ptr != NULL && tg_str_eq(last, "items")) {
        if (tg_str_eq(method, "GET")) {
            response = list();
        } else if (tg_str_eq(method, "POST")) {
            response = create(event);
        } else {
            response = method_not_allowed(event, "GET, POST");
        }
    } else if (before_last.ptr != NULL && tg_str_eq(before_last, "items")) {
        tg_str id = tg_event_path_parameter(event, "id");
        if (id.ptr == NULL) {
            id = tg_str_copy(last.ptr, last.len);
        }
        if (tg_str_eq(method, "GET")) {
            response = read_item(id);
        } else if (tg_str_eq(method, "PUT")) {
            response = replace(event, id);
        } else if (tg_str_eq(method, "DELETE")) {
            response = delete_item(id);
        } else {
            response = method_not_allowed(event, "GET, PUT, DELETE");
        }
    } else {
        response = message(404, tg_sprintf("Not found: %.*s", TG_STR_ARG(event->path)));
    }
    if (response == NULL) {
        tg_error("key-value store failed", "error", kv_error.message.ptr);
        return message(500, kv_error.message);
    }
    return response;
}
