// `{{name}}`: a Tollgate custom authorizer (world `authorizer`), named by a security scheme's
// `x-amazon-apigateway-authorizer` (`authorizerUri: authorizer:{{name}}`).
//
// `tollgate plugin build` makes the component; `tollgate plugin test . --event event.json`
// runs it once.

import { Policy, defineAuthorizer, stage } from 'tollgate-sdk';

export const authorization = defineAuthorizer((request) => {
  let token = request.token() ?? '';
  if (token.startsWith('Bearer ')) {
    token = token.slice('Bearer '.length);
  }
  // The stage variable `tokens` lists `TOKEN=PRINCIPAL` pairs, comma-separated.
  const tokens = stage.variable('tokens') ?? '';
  for (const pair of tokens.split(',')) {
    const equals = pair.indexOf('=');
    if (token !== '' && equals >= 0 && pair.slice(0, equals).trim() === token) {
      const principal = pair.slice(equals + 1).trim();
      // The gateway caches the answer per token and evaluates the cached policy for every
      // method, so it covers the whole stage rather than this one method.
      return Policy.allow(principal, request.stageWildcardArn()).withContext('user', principal);
    }
  }
  // API Gateway's 401.
  throw new Error('Unauthorized');
});
