/*
 * Tollgate C SDK: a thin layer over the wit-bindgen C bindings of `tollgate:plugin@0.1.0`.
 *
 * A plugin includes this header and defines the one function of its world:
 *
 *   function:    tg_response *tg_handle(const tg_event *event);
 *   mapper:      tg_http_request *tg_map_request(tg_http_request *request, const tg_context *context);
 *                tg_http_response *tg_map_response(tg_http_response *response, const tg_context *context);
 *                (both optional: the one a mapper leaves out passes its input through)
 *   authorizer:  tg_policy *tg_authorize(const tg_authorizer_request *request);
 *
 * Returning NULL fails the call; `return tg_fail("why %s", x);` sets the error text and
 * returns NULL (`tg_fail("Unauthorized")` is the authorizer's 401).
 *
 * `tollgate plugin build` compiles it with exactly one of TOLLGATE_WORLD_FUNCTION,
 * TOLLGATE_WORLD_MAPPER or TOLLGATE_WORLD_AUTHORIZER defined (from `world` in
 * tollgate.toml), so the declarations of another world, and the host interfaces the world
 * does not import (key-value in a mapper, config outside one), are not even declared.
 *
 * Memory: everything the SDK hands out or builds (strings, JSON values, responses, fields)
 * lives in a per-call arena that is released when the exported call returns, after its
 * answer has been copied out for the host. Nothing needs freeing, and nothing may be kept
 * across calls (each call runs in a fresh instance anyway). Allocation failure traps.
 *
 * Strings: `tg_str` is a pointer and a length. Every string the SDK produces is also
 * NUL-terminated, so `s.ptr` can be used as a C string when the text has no NUL byte in it;
 * an absent optional string has `ptr == NULL`. Print one with
 * `printf("%.*s", TG_STR_ARG(s))`. Names and values passed in are C strings.
 */
#ifndef TOLLGATE_H
#define TOLLGATE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if !defined(TOLLGATE_WORLD_FUNCTION) && !defined(TOLLGATE_WORLD_MAPPER) && \
    !defined(TOLLGATE_WORLD_AUTHORIZER)
#error "define one of TOLLGATE_WORLD_FUNCTION, TOLLGATE_WORLD_MAPPER, TOLLGATE_WORLD_AUTHORIZER (tollgate plugin build does)"
#endif

#if defined(__GNUC__) || defined(__clang__)
#define TG_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define TG_SENTINEL __attribute__((sentinel))
#define TG_NORETURN __attribute__((noreturn))
#else
#define TG_PRINTF(f, a)
#define TG_SENTINEL
#define TG_NORETURN
#endif

/* ------------------------------------------------------------------------------------ */
/* Memory and strings                                                                    */
/* ------------------------------------------------------------------------------------ */

/* `size` bytes, zeroed, aligned for any type, valid until the current call returns. */
void *tg_alloc(size_t size);

/* A string: `len` bytes at `ptr` (NUL-terminated when the SDK made it). */
typedef struct tg_str {
    const char *ptr;
    size_t len;
} tg_str;

/* Bytes (a body). */
typedef struct tg_bytes {
    uint8_t *ptr;
    size_t len;
} tg_bytes;

/* A list of strings. */
typedef struct tg_strs {
    tg_str *items;
    size_t len;
} tg_strs;

#define TG_STR_ARG(s) (int)(s).len, (s).ptr
/* The absent string (`ptr == NULL`). */
#define TG_NONE ((tg_str){NULL, 0})

/* A view of a C string (NULL gives the absent string). */
tg_str tg_str_of(const char *s);
/* A copy of `len` bytes at `ptr`, NUL-terminated. */
tg_str tg_str_copy(const char *ptr, size_t len);
/* A formatted string. */
tg_str tg_sprintf(const char *format, ...) TG_PRINTF(1, 2);
tg_str tg_vsprintf(const char *format, va_list args);

bool tg_str_eq(tg_str a, const char *b);
/* ASCII case-insensitive equality (HTTP header names). */
bool tg_str_eq_ignore_case(tg_str a, const char *b);
bool tg_str_starts_with(tg_str s, const char *prefix);
bool tg_str_ends_with(tg_str s, const char *suffix);
/* `s` without leading and trailing Unicode white space (Rust's `str::trim`). */
tg_str tg_str_trim(tg_str s);
/* Splits `s` at the first `separator`: true with the parts around it, false when absent. */
bool tg_str_split_once(tg_str s, char separator, tg_str *before, tg_str *after);
/*
 * Iterates over the parts of `*rest` separated by `separator`, like Rust's `str::split`:
 * `tg_str rest = s, part; while (tg_str_split_next(&rest, ',', &part)) {...}` visits every
 * part, empty ones included (an empty `s` has one empty part).
 */
bool tg_str_split_next(tg_str *rest, char separator, tg_str *part);
/* Parses a decimal u64 as Rust's `str::parse::<u64>` does (an optional `+`, digits only). */
bool tg_str_parse_u64(tg_str s, uint64_t *value);
/* Whether `bytes` is valid UTF-8. */
bool tg_utf8_valid(const void *bytes, size_t len);
/* `bytes` as UTF-8 text, each invalid sequence replaced by U+FFFD (Rust's `from_utf8_lossy`). */
tg_str tg_utf8_lossy(const void *bytes, size_t len);

/* A growable byte buffer in the arena; `ptr` is always NUL-terminated. */
typedef struct tg_buf {
    char *ptr;
    size_t len;
    size_t cap;
} tg_buf;

void tg_buf_append(tg_buf *buf, const void *bytes, size_t len);
void tg_buf_puts(tg_buf *buf, const char *s);
void tg_buf_printf(tg_buf *buf, const char *format, ...) TG_PRINTF(2, 3);
tg_str tg_buf_str(const tg_buf *buf);

/* Standard base64 with padding, as API Gateway encodes binary bodies. */
tg_str tg_base64_encode(const void *bytes, size_t len);
/* Decodes strict standard base64; false with the reason (the Rust SDK's wording) in `*error`. */
bool tg_base64_decode(const char *text, size_t len, tg_bytes *out, const char **error);

/* ------------------------------------------------------------------------------------ */
/* Failing a call                                                                        */
/* ------------------------------------------------------------------------------------ */

/* Sets the error the current call fails with and returns NULL, for `return tg_fail(...)`. */
void *tg_fail(const char *format, ...) TG_PRINTF(1, 2);
/* Logs `message` at error level and traps: the host reports the call as failed. */
TG_NORETURN void tg_panic(const char *format, ...) TG_PRINTF(1, 2);

/* ------------------------------------------------------------------------------------ */
/* JSON                                                                                  */
/* ------------------------------------------------------------------------------------ */

/*
 * A JSON value. Parsing and writing follow serde_json exactly (the Rust SDK's JSON):
 * objects keep their keys in the order received or inserted (a repeated key keeps its first
 * position and its last value), integers stay exact u64/i64, other numbers are doubles
 * printed in the shortest form that reads back, and output is compact. Parse errors carry
 * serde_json's messages (`expected value at line 1 column 1`).
 */
typedef struct tg_json tg_json;

typedef enum tg_json_type {
    TG_JSON_NULL,
    TG_JSON_BOOL,
    TG_JSON_NUMBER,
    TG_JSON_STRING,
    TG_JSON_ARRAY,
    TG_JSON_OBJECT,
} tg_json_type;

/* Parses one JSON document; NULL with serde_json's message in `*error` when it is not one. */
tg_json *tg_json_parse(const void *text, size_t len, const char **error);
/* The compact JSON text of `value`. */
tg_str tg_json_write(const tg_json *value);
void tg_json_write_to(tg_buf *buf, const tg_json *value);

/* Inspecting. Every accessor accepts NULL and answers "absent". */
tg_json_type tg_json_typeof(const tg_json *value);
bool tg_json_is_null(const tg_json *value);
/* The boolean, or false. */
bool tg_json_bool(const tg_json *value);
/* The number as a double, or 0. */
double tg_json_number(const tg_json *value);
/* The number when it is an integer that fits. */
bool tg_json_get_u64(const tg_json *value, uint64_t *out);
bool tg_json_get_i64(const tg_json *value, int64_t *out);
/* The string (ptr NULL when `value` is not a string). */
tg_str tg_json_str(const tg_json *value);
/* The number of array elements or object members, else 0. */
size_t tg_json_len(const tg_json *value);
/* Array element `index`, or NULL. */
tg_json *tg_json_at(const tg_json *array, size_t index);
/* Object member `index`: its key and value. */
tg_str tg_json_key_at(const tg_json *object, size_t index);
tg_json *tg_json_value_at(const tg_json *object, size_t index);
/* The member `key` of an object, or NULL. */
tg_json *tg_json_get(const tg_json *object, const char *key);
tg_json *tg_json_get_n(const tg_json *object, const char *key, size_t key_len);
/* The member `key`'s string (ptr NULL when absent or not a string). */
tg_str tg_json_get_str(const tg_json *object, const char *key);

/* Building. Values are fresh (they are copied where they are added). */
tg_json *tg_json_null(void);
tg_json *tg_json_new_bool(bool value);
tg_json *tg_json_new_u64(uint64_t value);
tg_json *tg_json_new_i64(int64_t value);
/* A double; NaN and infinities become null, as in serde_json. */
tg_json *tg_json_new_f64(double value);
tg_json *tg_json_new_string(const char *text);
tg_json *tg_json_new_string_n(const char *text, size_t len);
tg_json *tg_json_new_array(void);
tg_json *tg_json_new_object(void);
/* Appends `value` to `array`; returns `array`. */
tg_json *tg_json_push(tg_json *array, tg_json *value);
/* Sets `key` of `object` (replacing the value in place when the key exists); returns `object`. */
tg_json *tg_json_set(tg_json *object, const char *key, tg_json *value);
tg_json *tg_json_set_n(tg_json *object, const char *key, size_t key_len, tg_json *value);
/* Removes `key` from `object`, keeping the order of the others; true when it was there. */
bool tg_json_remove(tg_json *object, const char *key);
/* A deep copy. */
tg_json *tg_json_clone(const tg_json *value);
/* Sorts `array` stably with `compare` (negative, zero, positive like strcmp). */
void tg_json_sort(tg_json *array, int (*compare)(const tg_json *a, const tg_json *b));

/* ------------------------------------------------------------------------------------ */
/* Fields: headers, query strings, stage variables, context values                       */
/* ------------------------------------------------------------------------------------ */

typedef struct tg_field {
    tg_str name;
    tg_str value;
} tg_field;

/* An ordered list of name/value pairs; names may repeat. */
typedef struct tg_fields {
    tg_field *items;
    size_t len;
    size_t cap;
} tg_fields;

/* The first value of `name` (exact), or the absent string. */
tg_str tg_fields_get(const tg_fields *fields, const char *name);
/* The first value of `name` compared ASCII case-insensitively. */
tg_str tg_fields_get_ignore_case(const tg_fields *fields, const char *name);
/* The last value of `name` (exact / case-insensitive). */
tg_str tg_fields_last(const tg_fields *fields, const char *name);
tg_str tg_fields_last_ignore_case(const tg_fields *fields, const char *name);
/* Appends a pair. */
void tg_fields_add(tg_fields *fields, const char *name, const char *value);
void tg_fields_add_str(tg_fields *fields, tg_str name, tg_str value);
/* Removes every `name` in any case and appends `name: value` (setting a header). */
void tg_fields_set(tg_fields *fields, const char *name, const char *value);
/* Removes every `name` in any case. */
void tg_fields_remove(tg_fields *fields, const char *name);

/* ------------------------------------------------------------------------------------ */
/* Host interfaces                                                                       */
/* ------------------------------------------------------------------------------------ */

typedef enum tg_log_level {
    TG_LOG_TRACE,
    TG_LOG_DEBUG,
    TG_LOG_INFO,
    TG_LOG_WARN,
    TG_LOG_ERROR,
} tg_log_level;

/*
 * Writes a record to the gateway's log, tagged with the request id and the plugin:
 * `message` then key/value C-string pairs, ended by NULL. The macros add the NULL:
 * `tg_info("item created", "id", id)`.
 */
void tg_log(tg_log_level level, const char *message, ...) TG_SENTINEL;
#define tg_trace(...) tg_log(TG_LOG_TRACE, __VA_ARGS__, (const char *)NULL)
#define tg_debug(...) tg_log(TG_LOG_DEBUG, __VA_ARGS__, (const char *)NULL)
#define tg_info(...) tg_log(TG_LOG_INFO, __VA_ARGS__, (const char *)NULL)
#define tg_warn(...) tg_log(TG_LOG_WARN, __VA_ARGS__, (const char *)NULL)
#define tg_error(...) tg_log(TG_LOG_ERROR, __VA_ARGS__, (const char *)NULL)
/* The same with the fields as a list. */
void tg_log_fields(tg_log_level level, const char *message, const tg_fields *fields);

/* The stage variable `name` of the serving stage, or the absent string. */
tg_str tg_stage_variable(const char *name);
/* Every stage variable. */
tg_fields tg_stage_variables(void);

#if defined(TOLLGATE_WORLD_MAPPER)
/* The configuration the API definition gives this mapper (`x-tollgate-mapper.config`). */
tg_str tg_config_get(const char *key);
tg_fields tg_config_entries(void);
#endif

#if defined(TOLLGATE_WORLD_FUNCTION) || defined(TOLLGATE_WORLD_AUTHORIZER)
/* Why a key-value call failed. */
typedef enum tg_kv_error_kind {
    TG_KV_NO_NAMESPACE,
    TG_KV_TOO_LARGE,
    TG_KV_STORE,
} tg_kv_error_kind;

typedef struct tg_kv_error {
    tg_kv_error_kind kind;
    /* The host's detail (too-large, store); empty for no-namespace. */
    tg_str detail;
    /* The whole message, as the Rust SDK's `KvError` displays it. */
    tg_str message;
} tg_kv_error;

/*
 * The key-value table the stage grants this plugin. Each returns true on success and
 * false with `*error` filled (when not NULL) on failure.
 */
/* `*value` is the stored value, or has `ptr == NULL` when the key is absent. */
bool tg_kv_get(const char *key, tg_bytes *value, tg_kv_error *error);
bool tg_kv_set(const char *key, const void *value, size_t len, tg_kv_error *error);
/* `*existed` (when not NULL) tells whether the key was there. */
bool tg_kv_delete(const char *key, bool *existed, tg_kv_error *error);
/* The keys starting with `prefix`, ascending, at most `limit` (the host caps it at 1000). */
bool tg_kv_list_keys(const char *prefix, uint32_t limit, tg_strs *keys, tg_kv_error *error);
#endif

/* ------------------------------------------------------------------------------------ */
/* The function world: API Gateway's Lambda-proxy contract                               */
/* ------------------------------------------------------------------------------------ */

#if defined(TOLLGATE_WORLD_FUNCTION)
/* A Lambda-proxy event (REST API, payload format 1.0). */
typedef struct tg_event {
    /* The whole event, for the fields below and every other one. */
    tg_json *json;
    /* `resource`, `path`, `httpMethod` ("" when absent or null). */
    tg_str resource;
    tg_str path;
    tg_str http_method;
    /* `body`: absent (ptr NULL) when the event has none; base64 when `is_base64_encoded`. */
    tg_str body;
    bool is_base64_encoded;
} tg_event;

/* `pathParameters[name]`. */
tg_str tg_event_path_parameter(const tg_event *event, const char *name);
/* `queryStringParameters[name]`, else the last of `multiValueQueryStringParameters[name]`. */
tg_str tg_event_query(const tg_event *event, const char *name);
/* The header `name` in any case (`headers`, else the last of `multiValueHeaders`). */
tg_str tg_event_header(const tg_event *event, const char *name);
/* `stageVariables[name]`. */
tg_str tg_event_stage_variable(const tg_event *event, const char *name);
/* Why the body of an event could not be read (the Rust SDK's `BodyError`). */
typedef enum tg_body_error_kind {
    /* The request has no body (absent or empty). */
    TG_BODY_MISSING,
    /* `isBase64Encoded` is true but the body is not valid base64. */
    TG_BODY_BASE64,
    /* The body is not JSON. */
    TG_BODY_JSON,
} tg_body_error_kind;

typedef struct tg_body_error {
    tg_body_error_kind kind;
    /* "the request has no body", "the body is not valid base64: ...",
       "the body is not valid JSON: expected value at line 1 column 1"... */
    const char *message;
} tg_body_error;

/* The body bytes: base64-decoded when `isBase64Encoded`, empty without a body. */
bool tg_event_body_bytes(const tg_event *event, tg_bytes *out, tg_body_error *error);
/* The body parsed as JSON; NULL with the reason in `*error` (when not NULL). */
tg_json *tg_event_json_body(const tg_event *event, tg_body_error *error);

/* A Lambda-proxy response. */
typedef struct tg_response tg_response;

/* `status` with no headers and no body (204). */
tg_response *tg_response_new(int status);
/* `value` as compact JSON with `content-type: application/json`. */
tg_response *tg_response_json(int status, const tg_json *value);
/* `text` with `content-type: text/plain; charset=utf-8`. */
tg_response *tg_response_text(int status, const char *text);
/* `bytes` base64-encoded, `isBase64Encoded: true`, `content-type: application/octet-stream`. */
tg_response *tg_response_binary(int status, const void *bytes, size_t len);
/* Sets header `name` (replacing it in any case); returns `response`. */
tg_response *tg_response_header(tg_response *response, const char *name, const char *value);
/* Sets header `name` to several values (`multiValueHeaders`); returns `response`. */
tg_response *tg_response_header_values(tg_response *response, const char *name,
                                       const char *const *values, size_t count);
/* Replaces the body (text). */
tg_response *tg_response_body(tg_response *response, const char *body, size_t len);
/* The value of header `name` in any case. */
tg_str tg_response_get_header(const tg_response *response, const char *name);
int tg_response_status(const tg_response *response);
/* The JSON the handler returns: exactly the Rust SDK's `ProxyResponse::to_json`. */
tg_str tg_response_to_json(const tg_response *response);

/* Implement this: answer one event, or `return tg_fail(...)` for a function error. */
tg_response *tg_handle(const tg_event *event);
#endif

/* ------------------------------------------------------------------------------------ */
/* Shared by mapper and authorizer: the request context                                  */
/* ------------------------------------------------------------------------------------ */

#if defined(TOLLGATE_WORLD_MAPPER) || defined(TOLLGATE_WORLD_AUTHORIZER)
typedef struct tg_identity {
    tg_str source_ip;
    /* Absent (ptr NULL) when none. */
    tg_str user_agent;
    tg_str api_key;
} tg_identity;

/* API Gateway's `$context` as a plugin sees it. */
typedef struct tg_context {
    tg_str request_id;
    tg_str api_id;
    tg_str stage;
    tg_str resource_path;
    tg_str http_method;
    tg_identity identity;
    tg_fields stage_variables;
    tg_fields authorizer;
    uint64_t request_time_epoch;
} tg_context;
#endif

/* ------------------------------------------------------------------------------------ */
/* The mapper world                                                                      */
/* ------------------------------------------------------------------------------------ */

#if defined(TOLLGATE_WORLD_MAPPER)
typedef struct tg_http_request {
    tg_str method;
    tg_str path;
    tg_fields query;
    tg_fields headers;
    tg_bytes body;
} tg_http_request;

typedef struct tg_http_response {
    uint16_t status;
    tg_fields headers;
    tg_bytes body;
} tg_http_response;

/*
 * Implement either or both: change the input in place (or build another) and return it,
 * or `return tg_fail(...)` to fail the request (500). The SDK's defaults pass through.
 */
tg_http_request *tg_map_request(tg_http_request *request, const tg_context *context);
tg_http_response *tg_map_response(tg_http_response *response, const tg_context *context);
#endif

/* ------------------------------------------------------------------------------------ */
/* The authorizer world                                                                  */
/* ------------------------------------------------------------------------------------ */

#if defined(TOLLGATE_WORLD_AUTHORIZER)
typedef struct tg_authorizer_request {
    /* `TOKEN` or `REQUEST`. */
    tg_str kind;
    /* The identity-source header's value (TOKEN authorizers); absent when none. */
    tg_str authorization_token;
    /* `arn:aws:execute-api:{region}:{account}:{api-id}/{stage}/{METHOD}/{resource-path}`. */
    tg_str method_arn;
    tg_fields headers;
    tg_fields query;
    tg_fields path_parameters;
    tg_context context;
} tg_authorizer_request;

/* The last value of header `name` in any case: the one the gateway caches by. */
tg_str tg_authorizer_header(const tg_authorizer_request *request, const char *name);
/* The last value of query parameter `name`. */
tg_str tg_authorizer_query(const tg_authorizer_request *request, const char *name);
tg_str tg_authorizer_path_parameter(const tg_authorizer_request *request, const char *name);
/*
 * The method ARN's `{api}/{stage}/` followed by `resource` (`GET/` + `*`, `*`...): every
 * method of the stage matching it. The method ARN itself when it has no stage.
 */
tg_str tg_stage_arn(const tg_authorizer_request *request, const char *resource);
/* tg_stage_arn(request, "*"): allow this when one cached answer should cover every call. */
tg_str tg_stage_wildcard_arn(const tg_authorizer_request *request);

typedef enum tg_effect {
    TG_ALLOW,
    TG_DENY,
} tg_effect;

/* The authorizer's answer: a principal, an IAM policy, context values, a usage-plan key. */
typedef struct tg_policy tg_policy;

/* A policy for `principal_id` with no statement (which denies everything). */
tg_policy *tg_policy_new(const char *principal_id);
/* A policy allowing / denying `execute-api:Invoke` on `resource`. */
tg_policy *tg_policy_allow(const char *principal_id, const char *resource);
tg_policy *tg_policy_deny(const char *principal_id, const char *resource);
/* Adds a statement; returns `policy`. */
tg_policy *tg_policy_statement(tg_policy *policy, tg_effect effect, const char *resource);
/* Adds `$context.authorizer.{key}`; returns `policy`. */
tg_policy *tg_policy_context(tg_policy *policy, const char *key, const char *value);
/* Sets the usage-plan API key; returns `policy`. */
tg_policy *tg_policy_usage_identifier_key(tg_policy *policy, const char *key);
/* The IAM policy document: `{"Version":"2012-10-17","Statement":[...]}`. */
tg_str tg_policy_document(const tg_policy *policy);

/*
 * Implement this: return the policy, `return tg_fail("Unauthorized")` for 401, or fail with
 * any other text for 500.
 */
tg_policy *tg_authorize(const tg_authorizer_request *request);
#endif

/* ------------------------------------------------------------------------------------ */
/* Internal: shared by the SDK's tollgate.c and tollgate_host.c, not for plugins          */
/* ------------------------------------------------------------------------------------ */

/* Frees everything the current call allocated (the exports call it as they return). */
void tg__arena_release(void);
/* Appends a pair without copying it (for strings already copied into the arena). */
void tg__fields_push(tg_fields *fields, tg_str name, tg_str value);

#ifdef __cplusplus
}
#endif

#endif /* TOLLGATE_H */
