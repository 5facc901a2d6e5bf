// The SDK's types against the JSON and strings the Rust SDK produces for the same values,
// and its world helpers against the simulated host (host.js).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import vm from 'node:vm';

import {
  AuthorizerRequest,
  BodyError,
  Effect,
  HttpRequest,
  KvError,
  Policy,
  ProxyEvent,
  ProxyResponse,
  decodeBase64,
  defineAuthorizer,
  defineFunction,
  defineMapper,
  encodeBase64,
  kv,
  log,
  stage,
  testing,
} from '../tollgate-sdk.js';

testing.echoLogs = false;

test('responses serialise as the Rust SDK serialises them', () => {
  assert.equal(new ProxyResponse(204).toJson(), '{"statusCode":204}');
  assert.equal(
    ProxyResponse.json(200, { a: 1 }).toJson(),
    '{"statusCode":200,"headers":{"content-type":"application/json"},"body":"{\\"a\\":1}"}',
  );
  assert.equal(
    ProxyResponse.binary(200, new TextEncoder().encode('hi')).withHeader('Content-Type', 'image/png').toJson(),
    '{"statusCode":200,"headers":{"Content-Type":"image/png"},"body":"aGk=","isBase64Encoded":true}',
  );
  const text = ProxyResponse.text(404, 'no').withHeaderValues('set-cookie', ['a=1', 'b=2']);
  assert.equal(text.header('Content-Type'), 'text/plain; charset=utf-8');
  assert.equal(text.header('Set-Cookie'), 'a=1');
  assert.equal(
    text.toJson(),
    '{"statusCode":404,"headers":{"content-type":"text/plain; charset=utf-8"},"multiValueHeaders":{"set-cookie":["a=1","b=2"]},"body":"no"}',
  );
  // Headers in sorted order, as the Rust SDK's BTreeMap writes them.
  assert.equal(
    ProxyResponse.json(405, { message: 'm' }).withHeader('allow', 'GET').toJson(),
    '{"statusCode":405,"headers":{"allow":"GET","content-type":"application/json"},"body":"{\\"message\\":\\"m\\"}"}',
  );
});

test('events answer lookups as the Rust SDK does', () => {
  const event = new ProxyEvent({
    httpMethod: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Thing': 'a' },
    multiValueHeaders: { 'X-Thing': ['b', 'a'], Other: ['1', '2'] },
    queryStringParameters: { x: '2' },
    multiValueQueryStringParameters: { x: ['1', '2'], y: ['3', '4'] },
    pathParameters: { id: '42' },
    body: '{"name":"widget"}',
  });
  assert.equal(event.pathParameter('id'), '42');
  assert.equal(event.pathParameter('toString'), undefined);
  assert.equal(event.query('x'), '2');
  assert.equal(event.query('y'), '4');
  assert.deepEqual(event.queryValues('x'), ['1', '2']);
  assert.equal(event.header('content-type'), 'application/json');
  assert.equal(event.header('other'), '2');
  assert.deepEqual(event.jsonBody(), { name: 'widget' });
  assert.equal(event.resource, '');

  const empty = new ProxyEvent({ body: null, headers: null });
  assert.equal(empty.header('x'), undefined);
  assert.throws(() => empty.jsonBody(), new BodyError('missing'));
  assert.equal(new BodyError('missing').message, 'the request has no body');

  const base64 = new ProxyEvent({ body: 'eyJhIjoxfQ==', isBase64Encoded: true });
  assert.deepEqual(base64.jsonBody(), { a: 1 });
  const bad = new ProxyEvent({ body: '!!', isBase64Encoded: true });
  assert.throws(() => bad.jsonBody(), {
    message: 'the body is not valid base64: Invalid symbol 33, offset 0.',
  });
  assert.throws(() => new ProxyEvent({ body: '{nope' }).jsonBody(), {
    message: 'the body is not valid JSON: key must be a string at line 1 column 2',
  });
});

test('base64 errors are the base64 crate\'s', () => {
  assert.equal(encodeBase64(new Uint8Array([1, 2, 3, 4])), 'AQIDBA==');
  assert.deepEqual([...decodeBase64('AQIDBA==')], [1, 2, 3, 4]);
  assert.throws(() => decodeBase64('eyJhIjoxfQ'), { message: 'Invalid padding' });
  assert.throws(() => decodeBase64('e==='), { message: 'Invalid symbol 61, offset 1.' });
  assert.throws(() => decodeBase64('AAAAA'), { message: 'Invalid input length: 5' });
  assert.throws(() => decodeBase64('AB=='), { message: 'Invalid last symbol 66, offset 1.' });
});

test('policies are the IAM documents the Rust SDK writes', () => {
  const arn = 'arn:aws:execute-api:local:000000000000:api1/dev/GET/items';
  const response = Policy.allow('alice', arn).withContext('user', 'alice').toResponse();
  assert.deepEqual(response, {
    principalId: 'alice',
    policyDocument:
      '{"Version":"2012-10-17","Statement":[{"Action":"execute-api:Invoke","Effect":"Allow","Resource":"arn:aws:execute-api:local:000000000000:api1/dev/GET/items"}]}',
    context: [['user', 'alice']],
    usageIdentifierKey: undefined,
  });
  const policy = Policy.deny('bob', 'arn:a/dev/GET/x')
    .and(Effect.Allow, 'arn:a/dev/*')
    .withUsageIdentifierKey('key1');
  assert.equal(
    policy.document(),
    '{"Version":"2012-10-17","Statement":[{"Action":"execute-api:Invoke","Effect":"Deny","Resource":"arn:a/dev/GET/x"},{"Action":"execute-api:Invoke","Effect":"Allow","Resource":"arn:a/dev/*"}]}',
  );
  assert.equal(policy.toResponse().usageIdentifierKey, 'key1');
  assert.throws(() => new Policy('x').and('allow', '*'), TypeError);
});

const context = {
  requestId: 'r',
  apiId: 'api1',
  stage: 'dev',
  resourcePath: '/items/{id}',
  httpMethod: 'GET',
  identity: { sourceIp: '127.0.0.1', userAgent: undefined, apiKey: undefined },
  stageVariables: [['v', '1']],
  authorizer: [],
  requestTimeEpoch: 1700000000000n,
};

function authorizerRequest(arn) {
  return new AuthorizerRequest({
    kind: 'TOKEN',
    authorizationToken: 'allow',
    methodArn: arn,
    headers: [['X-Tenant', 'first'], ['x-other', 'o'], ['x-tenant', 'last']],
    query: [['token', 'first'], ['Token', 'other-case'], ['token', 'last']],
    pathParameters: [['id', '1']],
    context,
  });
}

test('authorizer requests answer as the Rust SDK does', () => {
  const request = authorizerRequest('arn:aws:execute-api:local:0:api1/dev/POST/items/1/parts');
  assert.equal(request.token(), 'allow');
  assert.equal(request.header('X-TENANT'), 'last');
  assert.equal(request.queryParam('token'), 'last');
  assert.equal(request.queryParam('Token'), 'other-case');
  assert.equal(request.pathParameter('id'), '1');
  assert.equal(request.stageWildcardArn(), 'arn:aws:execute-api:local:0:api1/dev/*');
  assert.equal(request.stageArn('GET/*'), 'arn:aws:execute-api:local:0:api1/dev/GET/*');
  assert.equal(authorizerRequest('arn:aws:execute-api:local:0:api1').stageArn('GET/*'), 'arn:aws:execute-api:local:0:api1');
  assert.equal(request.context.requestTimeEpoch, 1700000000000);
  assert.equal(request.context.stageVariable('v'), '1');
});

test('world helpers map answers and throws to the WIT results', async () => {
  const fn = defineFunction((event) => ProxyResponse.json(200, { path: event.path }));
  assert.equal(
    await fn.handle('{"path":"/x"}'),
    '{"statusCode":200,"headers":{"content-type":"application/json"},"body":"{\\"path\\":\\"/x\\"}"}',
  );
  const plain = defineFunction(async () => ({ statusCode: 201, body: 'ok' }));
  assert.equal(await plain.handle('{}'), '{"statusCode":201,"body":"ok"}');
  await assert.rejects(defineFunction(() => { throw 'boom'; }).handle('{}'), (e) => e === 'boom');
  await assert.rejects(fn.handle('not json'), (e) => e.startsWith('tollgate-sdk: cannot parse the Lambda-proxy event: '));

  testing.reset();
  await assert.rejects(defineFunction(() => null.x).handle('{}'), (e) => typeof e === 'string');
  assert.equal(testing.records[0].message, 'uncaught exception');

  const authorizer = defineAuthorizer((request) => {
    if (request.token() !== 'allow') throw new Error('Unauthorized');
    return { principalId: 'p', policyDocument: { Version: '2012-10-17', Statement: [] }, context: { k: 'v' } };
  });
  testing.reset();
  await assert.rejects(
    authorizer.authorize({ ...authorizerRequest('a/b'), authorizationToken: 'no', context }),
    (e) => e === 'Unauthorized',
  );
  assert.equal(testing.records.length, 0, 'an Unauthorized is no error to log');
  const allowed = await authorizer.authorize({
    kind: 'TOKEN', authorizationToken: 'allow', methodArn: 'a/b', headers: [], query: [], pathParameters: [], context,
  });
  assert.deepEqual(allowed, {
    principalId: 'p',
    policyDocument: '{"Version":"2012-10-17","Statement":[]}',
    context: [['k', 'v']],
    usageIdentifierKey: undefined,
  });

  const mapper = defineMapper({
    mapRequest: (request, ctx) => request.withHeader('X-Stage', ctx.stage).withBody('{"b":1}'),
  });
  const mapped = await mapper.mapRequest(
    { method: 'GET', path: '/', query: [], headers: [['x-stage', 'old'], ['accept', '*/*']], body: new Uint8Array() },
    context,
  );
  assert.deepEqual(mapped.headers, [['accept', '*/*'], ['X-Stage', 'dev']]);
  assert.equal(new TextDecoder().decode(mapped.body), '{"b":1}');
  const passed = await mapper.mapResponse({ status: 201, headers: [], body: new Uint8Array([1]) }, context);
  assert.deepEqual(passed, { status: 201, headers: [], body: new Uint8Array([1]) });
  await assert.rejects(
    defineMapper({ mapResponse: () => ({ status: 700 }) }).mapResponse({ status: 200, headers: [], body: new Uint8Array() }, context),
    (e) => e.includes('from 100 to 599'),
  );
});

test('the simulated host keeps a table, records and stage variables', () => {
  testing.reset();
  testing.setStageVariables({ tokens: 'a=b' });
  assert.equal(stage.variable('tokens'), 'a=b');
  assert.deepEqual(stage.variables(), { tokens: 'a=b' });
  kv.set('b', 'two');
  kv.setJson('a', { n: 1.5 });
  assert.equal(kv.getText('b'), 'two');
  assert.deepEqual(kv.getJson('a'), { n: 1.5 });
  assert.deepEqual(kv.listKeys(''), ['a', 'b']);
  assert.equal(kv.delete('b'), true);
  assert.equal(kv.delete('b'), false);
  assert.equal(kv.get('b'), undefined);
  kv.set('bad', 'not json');
  assert.throws(() => kv.getJson('bad'), (e) => e instanceof KvError && e.kind === 'json');
  assert.throws(() => kv.set('k'.repeat(1025), 'x'), (e) => e instanceof KvError && e.kind === 'too-large');
  log.info('done', { n: 1 });
  assert.deepEqual(testing.records.at(-1), { level: 'info', message: 'done', fields: [['n', '1']] });
  assert.throws(() => log.write('loud', 'x'), TypeError);
});

test('http requests replace headers in any case and read bodies', () => {
  const request = new HttpRequest({
    query: [['a', '1'], ['A', '2']],
    headers: [['X-One', '1'], ['x-one', '2'], ['Accept', '*/*']],
    body: 'hi',
  });
  assert.equal(request.header('x-ONE'), '1');
  request.setHeader('X-one', '3');
  assert.deepEqual(request.headers, [['Accept', '*/*'], ['X-one', '3']]);
  request.removeHeader('accept');
  assert.equal(request.header('Accept'), undefined);
  assert.equal(request.queryParam('A'), '2');
  assert.equal(request.bodyText(), 'hi');
  assert.equal(new HttpRequest({ body: new Uint8Array([0xff]) }).bodyText(), undefined);
});

test('bodies from another realm are bytes (a component\'s bindings have their own)', () => {
  const body = vm.runInNewContext('new Uint8Array([104, 105])');
  const request = new HttpRequest({ body });
  assert.equal(request.bodyText(), 'hi');
  assert.ok(request.body instanceof Uint8Array);
});
