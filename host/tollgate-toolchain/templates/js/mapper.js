// `{{name}}`: a Tollgate mapper (world `mapper`). It transforms the integration request and
// response of the methods whose `x-tollgate-mapper` names it (`uri: mapper:{{name}}`).
//
// `tollgate plugin build` makes the component; `tollgate plugin test . --event event.json`
// runs it once. A throw fails the request with 500 (the message goes to the gateway log).

import { config, defineMapper } from 'tollgate-sdk';

export const mapping = defineMapper({
  mapRequest(request, context) {
    // `config` is the map the method's `x-tollgate-mapper` gives this mapper.
    const tag = config.get('tag') ?? '{{name}}';
    return request.withHeader('x-mapped-by', tag).withHeader('x-stage', context.stage);
  },

  mapResponse(response) {
    return response.withHeader('x-mapped-by', '{{name}}');
  },
});
