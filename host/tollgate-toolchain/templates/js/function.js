// `{{name}}`: a Tollgate function (world `function`). It answers API Gateway's Lambda-proxy
// events, behind an `AWS_PROXY` integration (`uri: function:{{name}}`).
//
// `tollgate plugin build` makes the component; `tollgate plugin test . --event event.json`
// runs it once. Handlers may be async; a throw is a function error (502 to the client).

import { ProxyResponse, defineFunction, kv, log } from 'tollgate-sdk';

export const handler = defineFunction((event) => {
  const name = event.query('name') ?? 'world';
  // The key-value table the stage grants this function (its namespace is
  // `function/{{name}}`); it is the only state that outlives a call.
  const greetings = (kv.getJson('greetings') ?? 0) + 1;
  kv.setJson('greetings', greetings);
  log.info('greeted', { name });
  return ProxyResponse.json(200, { hello: name, greetings });
});
