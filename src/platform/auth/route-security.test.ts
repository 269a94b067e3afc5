import t from 'tap';
import { createHttpApp } from '../http/app.ts';
import { createLogger } from '../observability/logger.ts';
import { Metrics } from '../observability/metrics.ts';
import { TokenRefused, type TokenVerifier } from './bearer-tokens.ts';
import { PUBLIC, requiresRole } from './route-security.ts';

/** Stands in for the token check: `Bearer <role>:<subject>` is that caller, anything else refused. */
const verifier: TokenVerifier = {
  async verify(authorization) {
    const match = /^Bearer (customer|operator|service):(\w+)$/.exec(authorization ?? '');
    if (match === null) throw new TokenRefused(authorization === undefined ? 'invalid_request' : 'invalid_token', 'not a test token');
    return { role: match[1] as 'customer', subject: match[2]! };
  },
};

t.test('the authentication hook enforces what each route declares, and closes a route that declares nothing', async (t) => {
  const app = await createHttpApp({ logger: createLogger('silent'), metrics: new Metrics(), tags: [], verifier, moneyRequestsPerMinute: 10 });
  t.teardown(() => app.close());
  let handled = 0;
  const handler = async () => ({ handled: ++handled });
  app.get('/open', { schema: { security: PUBLIC } }, handler);
  app.get('/operators', { schema: { security: requiresRole('operator') } }, handler);
  app.get('/forgotten', { schema: { summary: 'declares no security' } }, handler);
  app.get('/no-schema', handler);
  await app.ready();
  const get = (url: string, authorization?: string) => app.inject({ method: 'GET', url, headers: authorization === undefined ? {} : { authorization } });

  t.equal((await get('/open')).statusCode, 200, 'a public route needs no token');
  t.equal((await get('/operators')).statusCode, 401, 'a protected route without a token: 401');
  t.equal((await get('/operators', 'Bearer customer:alice')).statusCode, 403, 'with a role it does not list: 403');
  t.equal((await get('/operators', 'Bearer operator:ana')).statusCode, 200, 'with the role it lists: through');
  for (const url of ['/forgotten', '/no-schema']) {
    const closed = await get(url, 'Bearer operator:ana');
    t.equal(closed.statusCode, 403, `${url} declares no security: closed even to an operator`);
    t.match(closed.json(), { code: 'route-not-secured' });
  }
  t.equal(handled, 2, 'no refused request reached its handler');
  t.equal((await get('/docs/json')).statusCode, 200, "Swagger UI's routes stay public");
  t.equal((await get('/nowhere')).statusCode, 404, 'an unknown route is a 404, not a 401');
});
