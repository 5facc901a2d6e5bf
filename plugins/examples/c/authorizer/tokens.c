/*
 * The token authorizer of plugins/examples/ in C (world `authorizer`): `plugins/token-authorizer`
 * decision for decision (plugins/examples/README.md is the specification).
 *
 * - stage variable `tokens`: `TOKEN=PRINCIPAL` pairs separated by commas; the token comes
 *   bare or as `Bearer TOKEN`;
 * - stage variable `readers` (optional): principals that may only `GET`.
 *
 * An unknown token is `Unauthorized` (401). A known one is allowed on the whole stage
 * (`…/{stage}/` then `*`, or `…/{stage}/GET/` then `*` for readers: the gateway caches the
 * policy per token and evaluates it for every method), with the context user and role.
 */
#include <string.h>

#include "tollgate.h"

static bool same(tg_str a, tg_str b) {
    return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

/* The token without a `Bearer ` prefix (the scheme in any case), trimmed. */
static tg_str bearer(tg_str value) {
    value = tg_str_trim(value);
    tg_str scheme, token;
    if (tg_str_split_once(value, ' ', &scheme, &token) && tg_str_eq_ignore_case(scheme, "bearer")) {
        return tg_str_trim(token);
    }
    return value;
}

/* The principal `tokens` (`TOKEN=PRINCIPAL,...`) lists for `token`, or the absent string. */
static tg_str principal_of(tg_str tokens, tg_str token) {
    tg_str rest = tokens, pair, listed, principal;
    while (tg_str_split_next(&rest, ',', &pair)) {
        if (tg_str_split_once(pair, '=', &listed, &principal) && token.len > 0 &&
            same(tg_str_trim(listed), token)) {
            tg_str trimmed = tg_str_trim(principal);
            return tg_str_copy(trimmed.ptr, trimmed.len);
        }
    }
    return TG_NONE;
}

static tg_str or_empty(tg_str s) {
    return s.ptr == NULL ? tg_str_of("") : s;
}

tg_policy *tg_authorize(const tg_authorizer_request *request) {
    if (request->authorization_token.ptr == NULL) {
        return tg_fail("Unauthorized");
    }
    tg_str token = bearer(request->authorization_token);
    tg_str principal = principal_of(or_empty(tg_stage_variable("tokens")), token);
    if (principal.ptr == NULL) {
        return tg_fail("Unauthorized");
    }
    bool reader = false;
    tg_str rest = or_empty(tg_stage_variable("readers")), listed;
    while (!reader && tg_str_split_next(&rest, ',', &listed)) {
        reader = same(tg_str_trim(listed), principal);
    }
    tg_str resource = tg_stage_wildcard_arn(request);
    if (reader) {
        // Rust's `trim_end_matches("/*")`: every trailing "/*" goes.
        while (tg_str_ends_with(resource, "/*")) {
            resource.len -= 2;
        }
        resource = tg_sprintf("%.*s/GET/*", TG_STR_ARG(resource));
    }
    tg_policy *policy = tg_policy_new(principal.ptr);
    tg_policy_statement(policy, TG_ALLOW, resource.ptr);
    tg_policy_context(policy, "user", principal.ptr);
    return tg_policy_context(policy, "role", reader ? "reader" : "writer");
}
