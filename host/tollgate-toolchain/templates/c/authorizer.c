/*
 * `{{name}}`: a Tollgate custom authorizer (world `authorizer`), named by a security
 * scheme's `x-amazon-apigateway-authorizer` (`authorizerUri: authorizer:{{name}}`).
 *
 * `tollgate plugin build` makes the component; `tollgate plugin test . --event event.json`
 * runs it once. The C SDK (tollgate.h) is documented in the Tollgate repository's
 * sdk/c/README.md; everything it returns lives until this call returns.
 */
#include <string.h>

#include "tollgate.h"

tg_policy *tg_authorize(const tg_authorizer_request *request) {
    tg_str token = request->authorization_token;
    if (token.ptr == NULL) {
        token = tg_str_of("");
    }
    if (tg_str_starts_with(token, "Bearer ")) {
        token.ptr += 7;
        token.len -= 7;
    }
    /* The stage variable `tokens` lists `TOKEN=PRINCIPAL` pairs, comma-separated. */
    tg_str rest = tg_stage_variable("tokens"), pair, listed, principal;
    while (token.len > 0 && tg_str_split_next(&rest, ',', &pair)) {
        if (tg_str_split_once(pair, '=', &listed, &principal)) {
            listed = tg_str_trim(listed);
            if (listed.len == token.len && memcmp(listed.ptr, token.ptr, token.len) == 0) {
                tg_str who = tg_str_trim(principal);
                tg_str name = tg_str_copy(who.ptr, who.len);
                /* The gateway caches the answer per token and evaluates the cached policy
                   for every method, so it covers the whole stage, not this one method. */
                tg_policy *policy = tg_policy_allow(name.ptr, tg_stage_wildcard_arn(request).ptr);
                return tg_policy_context(policy, "user", name.ptr);
            }
        }
    }
    /* API Gateway's 401. */
    return tg_fail("Unauthorized");
}
