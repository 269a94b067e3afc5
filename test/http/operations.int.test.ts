import t from 'tap';
import { eventually } from '../harness/eventually.ts';
import { platformFor } from '../harness/suite.ts';

/** POST routes that only check what they are sent and change nothing: no Idempotency-Key to declare. */
const CHECKS_ONLY = new Set(['POST /admin/dead-letters/{id}/validate']);

t.test('operations routes', async (t) => {
  const app = await platformFor(t, 'local');

  t.same((await app.request({ method: 'GET', url: '/health/live' })).json(), { status: 'ok' }, 'GET /health/live › ok');
  t.same((await app.request({ method: 'GET', url: '/health/ready' })).json(), { status: 'ok', database: true, transport: true }, 'GET /health/ready › database and transport reachable');

  await app.request({ method: 'POST', url: '/profiles', payload: { login: 'ivy', fullName: 'Ivy', email: 'ivy@example.org' } });
  const metrics = await eventually(async () => {
    const body = (await app.request({ method: 'GET', url: '/metrics' })).body;
    return /relay_published_total\{topic="account.created"\} 1/.test(body) ? body : undefined;
  }, { what: 'account.created counted by the relay' });
  for (const name of ['outbox_backlog', 'outbox_oldest_unpublished_age_seconds', 'relay_publish_failures_total', 'relay_publish_latency_seconds_bucket', 'consumer_messages_total', 'consumer_handler_duration_seconds_bucket', 'http_request_duration_seconds_bucket']) {
    t.match(metrics, new RegExp(`^${name}`, 'm'), `GET /metrics › exports ${name}`);
  }
  t.match(metrics, /consumer_messages_total\{consumer="payments.account",topic="profile.registered",outcome="processed"\} 1/, 'the account consumer counted the processed event');

  const admin = await app.request({ method: 'GET', url: '/admin/outbox', headers: { authorization: 'Bearer anything' } });
  t.equal(admin.statusCode, 401, 'admin routes refuse a token that is not a signed JWT');
  t.match(admin.json(), { code: 'invalid-token' });

  const openapi = (await app.request({ method: 'GET', url: '/docs/json' })).json<{ paths: Record<string, Record<string, { responses: Record<string, unknown>; tags: string[] }>> }>();
  for (const path of ['/profiles', '/person/register', '/profiles/{id}', '/profiles/check', '/account', '/account/operation', '/accounts/{id}', '/admin/dead-letters/{id}/redrive']) {
    t.ok(openapi.paths[path], `OpenAPI documents ${path}`);
  }
  const everyRouteHasResponses = Object.entries(openapi.paths).every(([, operations]) => Object.values(operations).every((operation) => Object.keys(operation.responses ?? {}).length > 0 && (operation.tags ?? []).length > 0));
  t.ok(everyRouteHasResponses, 'every documented route has a tag and response schemas');
  const operationIds = Object.values(openapi.paths).flatMap((operations) => Object.values(operations).map((operation) => (operation as { operationId?: string }).operationId));
  t.ok(operationIds.every((id) => typeof id === 'string' && id !== ''), 'every documented operation has an operationId');
  t.equal(new Set(operationIds).size, operationIds.length, 'and no two share one');
  t.ok(operationIds.includes('postAdminParkedKeysRedrive'), 'derived from method and path');
  // A query parameter with a default may be left out: the document must not call it required.
  const parameters = Object.values(openapi.paths).flatMap((operations) => Object.values(operations).flatMap((operation) =>
    ((operation as { parameters?: Array<{ in: string; name: string; required?: boolean; schema?: { default?: unknown } }> }).parameters ?? [])));
  const requiredWithDefault = parameters.filter((parameter) => parameter.in === 'query' && parameter.required === true && parameter.schema?.default !== undefined);
  t.same(requiredWithDefault.map((parameter) => parameter.name), [], 'no query parameter with a default is marked required (limit, offset)');
  t.ok(parameters.some((parameter) => parameter.name === 'limit' && parameter.required !== true && parameter.schema?.default === 50), 'limit is documented optional with its default');
  const defaultPage = await app.request({ method: 'GET', url: '/profiles' });
  t.match(defaultPage.json(), { limit: 50, offset: 0 }, 'GET /profiles without limit and offset › the defaults');
  // Every route that changes state declares the Idempotency-Key header and its 409/422 answers.
  const changing = Object.entries(openapi.paths).flatMap(([path, operations]) =>
    Object.entries(operations).filter(([method]) => ['post', 'put', 'patch', 'delete'].includes(method)).map(([method, operation]) => ({ path, method, operation })));
  t.ok(changing.length >= 11, `the state-changing routes are found (${changing.length})`);
  for (const { path, method, operation } of changing) {
    if (CHECKS_ONLY.has(`${method.toUpperCase()} ${path}`)) continue;
    const documented = operation as unknown as { parameters?: Array<{ in: string; name: string; description?: string }>; responses: Record<string, unknown> };
    const header = documented.parameters?.find((parameter) => parameter.in === 'header' && parameter.name === 'idempotency-key');
    t.ok(header, `${method.toUpperCase()} ${path} › declares Idempotency-Key`);
    t.match(header?.description ?? (header as { schema?: { description?: string } } | undefined)?.schema?.description, /replay|stored response/, `${method.toUpperCase()} ${path} › and says what it does`);
    t.ok(documented.responses['409'] && documented.responses['422'], `${method.toUpperCase()} ${path} › and documents 409 and 422`);
  }
  t.equal((await app.request({ method: 'GET', url: '/docs' })).statusCode < 400, true, 'Swagger UI is served at /docs');
});
