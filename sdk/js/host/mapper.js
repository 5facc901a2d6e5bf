// The host interfaces of the `mapper` world (wit/plugin.wit), for tollgate-sdk.js. The
// plugin build puts this file in place of ../host.js; it imports exactly the interfaces the
// world has (no key-value), since componentize-js refuses an import the world lacks.
import * as log from 'tollgate:plugin/log@0.1.0';
import * as stage from 'tollgate:plugin/stage@0.1.0';
import * as config from 'tollgate:plugin/config@0.1.0';

export const host = {
  world: 'mapper',
  log,
  keyValue: null,
  stage,
  config,
  testing: null,
};
