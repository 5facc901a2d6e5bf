// `tokens` in JavaScript: the TOKEN authorizer of plugins/token-authorizer, answering
// identically (plugins/examples/README.md is the specification). Its callers are listed in
// stage variables, so a stage's tokens change with `tollgate stage vars set` and no rebuild.
//
// - `tokens`: `TOKEN=PRINCIPAL` pairs separated by commas (`s3cret=alice,t0ken=bob`). The
//   identity-source header may carry the token bare or as `Bearer TOKEN`.
// - `readers` (optional): principals that may only `GET`; everyone else listed may call
//   every method of the stage.
//
// An unknown token is `Unauthorized` (401). A known one gets a policy over the whole stage
// (`…/{stage}/*`, or `…/{stage}/GET/*` for readers) — widened on purpose, since the gateway
// caches the policy per token and evaluates it for every method — and the context
// `{user: PRINCIPAL, role: 'reader' | 'writer'}`.

import { Effect, Policy, defineAuthorizer, stage } from 'tollgate-sdk';

// Rust's `str::trim` strips Unicode White_Space, which is JavaScript's `\s` without U+FEFF
// and with U+0085; the Rust plugin trims with it, so this one must too.
const trim = (s) =>
  s.replace(
    /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g,
    '',
  );

/** The token without a `Bearer ` prefix (the scheme compared ASCII-case-insensitively). */
function bearer(value) {
  value = trim(value);
  const space = value.indexOf(' ');
  if (space >= 0 && value.slice(0, space).replace(/[A-Z]/g, (c) => c.toLowerCase()) === 'bearer') {
    return trim(value.slice(space + 1));
  }
  return value;
}

/** The principal `tokens` (`TOKEN=PRINCIPAL,...`) lists for `token`. */
function principalOf(tokens, token) {
  for (const pair of tokens.split(',')) {
    const equals = pair.indexOf('=');
    if (equals >= 0 && token !== '' && trim(pair.slice(0, equals)) === token) {
      return trim(pair.slice(equals + 1));
    }
  }
  return undefined;
}

export const authorization = defineAuthorizer((request) => {
  const token = request.token();
  const principal =
    token === undefined ? undefined : principalOf(stage.variable('tokens') ?? '', bearer(token));
  if (principal === undefined) {
    throw new Error('Unauthorized');
  }
  const readers = stage.variable('readers') ?? '';
  const reader = readers.split(',').some((r) => trim(r) === principal);
  let resource = request.stageWildcardArn();
  if (reader) {
    while (resource.endsWith('/*')) {
      resource = resource.slice(0, -2);
    }
    resource = `${resource}/GET/*`;
  }
  return new Policy(principal)
    .and(Effect.Allow, resource)
    .withContext('user', principal)
    .withContext('role', reader ? 'reader' : 'writer');
});
