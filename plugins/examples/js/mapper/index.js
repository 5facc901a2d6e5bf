// `envelope` in JavaScript: a mapper that wraps JSON in an envelope on the way in and out,
// answering identically to the Rust example (plugins/examples/README.md is the
// specification).
//
// - map-request: a JSON body X becomes `{"payload":X,"stage":STAGE}` with headers
//   `content-type: application/json` and `x-envelope: request`; an empty body is
//   `"payload":null`; a body that is not JSON fails the request ("request body is not JSON").
// - map-response: a JSON body Y becomes `{"data":Y,"status":STATUS}` with the same
//   `content-type` and `x-envelope: response`; a body that is not JSON is wrapped as its
//   text. The status is unchanged.
//
// JSON goes through the SDK's `json` module, which reads and writes as serde_json does, so
// the envelope holds X and Y exactly as the Rust mapper writes them.

import { defineMapper, json } from 'tollgate-sdk';

const LOSSY_UTF8 = new TextDecoder('utf-8', { ignoreBOM: true });

export const mapping = defineMapper({
  mapRequest(request, context) {
    let payload = null;
    if (request.body.length > 0) {
      try {
        payload = json.parseExact(request.body);
      } catch {
        throw 'request body is not JSON';
      }
    }
    return request
      .withBody(json.stringify(new Map([['payload', payload], ['stage', context.stage]])))
      .withHeader('content-type', 'application/json')
      .withHeader('x-envelope', 'request');
  },

  mapResponse(response) {
    let data;
    try {
      data = json.parseExact(response.body);
    } catch {
      data = LOSSY_UTF8.decode(response.body);
    }
    return response
      .withBody(json.stringify(new Map([['data', data], ['status', response.status]])))
      .withHeader('content-type', 'application/json')
      .withHeader('x-envelope', 'response');
  },
});
