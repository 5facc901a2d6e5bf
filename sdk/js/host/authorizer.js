// The host interfaces of the `authorizer` world (wit/plugin.wit), for tollgate-sdk.js. The
// plugin build puts this file in place of ../host.js; it imports exactly the interfaces the
// world has, since componentize-js refuses an import the world lacks.
import * as log from 'tollgate:plugin/log@0.1.0';
import * as keyValue from 'tollgate:plugin/key-value@0.1.0';
import * as stage from 'tollgate:plugin/stage@0.1.0';

export const host = {
  world: 'authorizer',
  log,
  keyValue,
  stage,
  config: null,
  testing: null,
};
