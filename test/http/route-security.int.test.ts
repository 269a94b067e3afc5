import type { InjectOptions } from 'fastify';
import t from 'tap';
import { LOCAL_TOKEN_AUDIENCE } from '../../src/config.ts';
import { CALLER_ROLES, type CallerRole } from '../../src/platform/auth/caller.ts';
import { BEARER_SCHEME } from '../../src/platform/auth/route-security.ts';
import type { TestPlatform } from '../harness/platform.ts';
import { platformFor } from '../harness/suite.ts';
import { bearer, customerAuthorization, testSigningKey as key } from '../harness/tokens.ts';
import { SignJWT } from 'jose';
import { openAccount } from '../../modules/account/testing/account.kit.ts';
import { paymentStatus } from '../../modules/payment/testing/payment.kit.ts';

/**
 * Walks every operation of the served OpenAPI document and checks what it answers against the
 * security it declares: a route that declares none fails here (and is closed by the platform).
 */

interface Operation {
  security?: Array<Record<string, string[]>>;
}
type Document = { paths: Record<string, Record<string, Operation>> };

/** What alice owns, for the sample requests. */
interface Owned {
  profileId: number;
  accountId: number;
  paymentId: number;
  orderId: number;
  /** Bob's account, for the operator's account actions (closing alice's would refuse her payments). */
  otherAccountId: number;
}

/**
 * One request per operation, acting on alice's resources. An operation of the document missing
 * here fails the walk: a new route must be given a sample (and so a security check).
 */
function samples(owned: Owned): Record<string, Omit<InjectOptions, 'headers'>> {
  const reason = { reason: 'ROUTE_WALK' };
  return {
    'GET /health/live': { method: 'GET', url: '/health/live' },
    'GET /health/ready': { method: 'GET', url: '/health/ready' },
    'GET /metrics': { method: 'GET', url: '/metrics' },
    'GET /admin/outbox': { method: 'GET', url: '/admin/outbox' },
    'GET /admin/dead-letters': { method: 'GET', url: '/admin/dead-letters' },
    'POST /admin/dead-letters/{id}/redrive': { method: 'POST', url: '/admin/dead-letters/999999/redrive', payload: {} },
    'POST /admin/dead-letters/{id}/skip': { method: 'POST', url: '/admin/dead-letters/999999/skip', payload: reason },
    'GET /admin/parked-keys': { method: 'GET', url: '/admin/parked-keys?consumer=payments.account' },
    'POST /admin/parked-keys/redrive': { method: 'POST', url: '/admin/parked-keys/redrive', payload: { consumer: 'payments.account', key: 'none' } },
    'POST /admin/parked-keys/skip': { method: 'POST', url: '/admin/parked-keys/skip', payload: { consumer: 'payments.account', key: 'none', ...reason } },
    'GET /admin/outbox/held-keys': { method: 'GET', url: '/admin/outbox/held-keys' },
    'POST /admin/outbox/held-keys/retry': { method: 'POST', url: '/admin/outbox/held-keys/retry', payload: { key: 'none' } },
    'POST /admin/outbox/held-keys/skip': { method: 'POST', url: '/admin/outbox/held-keys/skip', payload: { key: 'none', ...reason } },
    'GET /admin/audit': { method: 'GET', url: '/admin/audit' },
    'GET /admin/dead-letters/groups': { method: 'GET', url: '/admin/dead-letters/groups' },
    'GET /admin/dead-letters/{id}': { method: 'GET', url: '/admin/dead-letters/999999' },
    'POST /admin/dead-letters/{id}/validate': { method: 'POST', url: '/admin/dead-letters/999999/validate', payload: { payload: {} } },
    'POST /admin/dead-letters/redrive': { method: 'POST', url: '/admin/dead-letters/redrive', payload: { consumer: 'payments.account', fingerprint: 'none' } },
    'POST /admin/dead-letters/skip': { method: 'POST', url: '/admin/dead-letters/skip', payload: { consumer: 'payments.account', fingerprint: 'none', ...reason } },
    'GET /admin/session': { method: 'GET', url: '/admin/session' },
    'GET /admin/flow': { method: 'GET', url: '/admin/flow' },
    'GET /admin/flow/history': { method: 'GET', url: '/admin/flow/history' },
    'GET /admin/journey': { method: 'GET', url: '/admin/journey?key=none' },
    'POST /profiles': { method: 'POST', url: '/profiles', payload: { login: 'alice', fullName: 'Alice', email: 'alice@example.org' } },
    'POST /person/register': { method: 'POST', url: '/person/register', payload: { login: 'alice', fullName: 'Alice', email: 'alice@example.org' } },
    'GET /profiles': { method: 'GET', url: '/profiles' },
    'GET /profiles/check': { method: 'GET', url: '/profiles/check?login=alice' },
    'GET /profiles/{id}': { method: 'GET', url: `/profiles/${owned.profileId}` },
    'PUT /account/operation': { method: 'PUT', url: '/account/operation', payload: { login: 'alice', operation: 'DEPOSIT', sum: 1 } },
    'GET /account': { method: 'GET', url: '/account?login=alice' },
    'GET /account/': { method: 'GET', url: '/account/?login=alice' },
    'GET /accounts/{id}': { method: 'GET', url: `/accounts/${owned.accountId}` },
    'POST /accounts/{id}/suspend': { method: 'POST', url: `/accounts/${owned.otherAccountId}/suspend`, payload: reason },
    'POST /accounts/{id}/reactivate': { method: 'POST', url: `/accounts/${owned.otherAccountId}/reactivate`, payload: {} },
    'POST /accounts/{id}/close': { method: 'POST', url: `/accounts/${owned.otherAccountId}/close`, payload: {} },
    'POST /payments': { method: 'POST', url: '/payments', payload: { accountId: owned.accountId, amount: 1, currency: 'EUR' } },
    'GET /payments': { method: 'GET', url: '/payments?userName=alice' },
    'GET /payments/{id}': { method: 'GET', url: `/payments/${owned.paymentId}` },
    'GET /payments/{id}/status': { method: 'GET', url: `/payments/${owned.paymentId}/status` },
    'POST /payments/{id}/reversal': { method: 'POST', url: `/payments/${owned.paymentId}/reversal`, payload: { reason: 'CUSTOMER_REQUEST' } },
    'GET /billing/payments/{paymentId}': { method: 'GET', url: `/billing/payments/${owned.paymentId}` },
    'GET /billing/charges': { method: 'GET', url: '/billing/charges?login=alice' },
    'POST /orders': { method: 'POST', url: '/orders', payload: { login: 'alice', amount: 1 } },
    'POST /order/createOrder': { method: 'POST', url: '/order/createOrder', payload: { login: 'alice', amount: 1 } },
    'GET /orders': { method: 'GET', url: '/orders?login=alice' },
    'GET /orders/{id}': { method: 'GET', url: `/orders/${owned.orderId}` },
    'GET /notifications': { method: 'GET', url: '/notifications?login=alice' },
    'GET /notice/notices/': { method: 'GET', url: '/notice/notices/?login=alice' },
  };
}

/** Operations whose sample names alice's resources, so that another customer must get 404. */
const REGISTRATION = new Set(['POST /profiles', 'POST /person/register']);
/** Samples naming a dead letter that does not exist: the caller gets through to a 404. */
const NOTHING_THERE = new Set([
  'POST /admin/dead-letters/{id}/redrive', 'POST /admin/dead-letters/{id}/skip', 'GET /admin/dead-letters/{id}',
  'POST /admin/dead-letters/{id}/validate', 'GET /admin/journey',
]);
/** Lists that a customer may read without a login: another customer's items must not be in them. */
const UNFILTERED_LISTS = new Set(['GET /profiles']);

t.test('every route answers as its declared security says', async (t) => {
  const app = await platformFor(t, 'local');
  const owned = { ...(await aliceOwns(app)), otherAccountId: (await openAccount(app, 'bob')).accountId };
  const document = (await app.request({ method: 'GET', url: '/docs/json', headers: { authorization: undefined } })).json<Document>();
  const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({ name: `${method.toUpperCase()} ${path}`, operation })));
  const sample = samples(owned);
  t.same(operations.map(({ name }) => name).filter((name) => sample[name] === undefined), [], 'every documented operation has a sample request here');
  t.same(operations.filter(({ operation }) => operation.security === undefined).map(({ name }) => name), [], 'every operation declares its security');

  const tokens = {
    expired: await signed({ sub: 'alice', role: 'customer' }, { expiresAt: '-5 minutes' }),
    notYetValid: await signed({ sub: 'alice', role: 'customer' }, { notBefore: '+10 minutes' }),
    otherKey: await signed({ sub: 'alice', role: 'customer' }, { foreignKey: true }),
    unsigned: unsignedToken('alice'),
    other: await customerAuthorization('bob'),
  };
  const before = await writes(app);
  const send = (name: string, authorization: string | undefined) => app.request({ ...sample[name]!, headers: { authorization } });

  for (const { name, operation } of operations) {
    if (sample[name] === undefined || operation.security === undefined) continue;
    const roles = operation.security.flatMap((requirement) => requirement[BEARER_SCHEME] ?? []) as CallerRole[];
    if (roles.length === 0) {
      t.notOk([401, 403].includes((await send(name, undefined)).statusCode), `${name} is public`);
      continue;
    }
    const missing = await send(name, undefined);
    t.equal(missing.statusCode, 401, `${name} › no token → 401`);
    t.match(missing.headers['www-authenticate'], /^Bearer realm="payments-platform"$/, `${name} › no token → a bare Bearer challenge`);
    t.equal(missing.headers['content-type'], 'application/problem+json; charset=utf-8', `${name} › no token → a problem`);
    for (const [what, authorization] of [
      ['a malformed header', 'Basic YWxpY2U6c2VjcmV0'],
      ['a token that is no JWT', 'Bearer not-a-jwt'],
      ['an expired token', tokens.expired],
      ['a token not valid yet', tokens.notYetValid],
      ['a token signed with another key', tokens.otherKey],
      ['an alg:none token', tokens.unsigned],
    ] as const) {
      const refused = await send(name, authorization);
      t.equal(refused.statusCode, 401, `${name} › ${what} → 401`);
      t.match(refused.headers['www-authenticate'], /^Bearer realm="payments-platform", error="invalid_(token|request)"/, `${name} › ${what} → a challenge that says why`);
    }
    for (const role of CALLER_ROLES.filter((candidate) => !roles.includes(candidate))) {
      const refused = await send(name, await bearer(role, role === 'customer' ? 'alice' : `walk-${role}`));
      t.equal(refused.statusCode, 403, `${name} › a ${role} token → 403`);
      t.match(refused.headers['www-authenticate'], /error="insufficient_scope"/, `${name} › a ${role} token → insufficient_scope`);
    }
    if (roles.includes('customer')) {
      const byOther = await send(name, tokens.other);
      if (REGISTRATION.has(name)) t.equal(byOther.statusCode, 403, `${name} › another customer's login → 403`);
      else if (UNFILTERED_LISTS.has(name)) t.notOk(byOther.body.includes('"alice"'), `${name} › another customer sees none of alice's`);
      else t.equal(byOther.statusCode, 404, `${name} › another customer's resource → 404`);
    }
  }
  t.same(await writes(app), before, 'no refusal wrote anything: outbox, idempotency keys, payments, orders, audit');

  for (const { name, operation } of operations) {
    const roles = (operation.security ?? []).flatMap((requirement) => requirement[BEARER_SCHEME] ?? []) as CallerRole[];
    for (const role of roles) {
      const allowed = await send(name, await bearer(role, role === 'customer' ? 'alice' : `walk-${role}`));
      const refusals = NOTHING_THERE.has(name) ? [401, 403] : [401, 403, 404];
      t.notOk(refusals.includes(allowed.statusCode), `${name} › a ${role} token gets through (${allowed.statusCode})`);
    }
  }
});

t.test('the money-moving routes are rate-limited per caller', async (t) => {
  const app = await platformFor(t, 'local', { env: { RATE_LIMIT_MONEY_PER_MINUTE: '3' } });
  await openAccount(app, 'carol');
  await openAccount(app, 'dave');
  const deposit = (login: string) => app.request({ method: 'PUT', url: '/account/operation', payload: { login, operation: 'DEPOSIT', sum: 1 } });
  const statuses: number[] = [];
  for (let n = 0; n < 4; n++) statuses.push((await deposit('carol')).statusCode);
  t.same(statuses, [200, 200, 200, 429], 'the fourth money-moving request of a minute is refused');
  const limited = await deposit('carol');
  t.equal(limited.statusCode, 429);
  t.ok(Number(limited.headers['retry-after']) > 0, 'with Retry-After in seconds');
  t.match(limited.json(), { code: 'rate-limited', status: 429 });
  t.equal((await deposit('dave')).statusCode, 200, 'another caller has its own allowance');
  t.equal((await app.request({ method: 'GET', url: '/account?login=carol' })).json<{ balance: number }>().balance, 3, 'only the allowed deposits were booked');
});

async function aliceOwns(app: TestPlatform): Promise<Omit<Owned, 'otherAccountId'>> {
  const account = await openAccount(app, 'alice', { deposit: 100 });
  const profile = (await app.request({ method: 'GET', url: '/profiles/check?login=alice' })).json<{ id: number }>();
  const payment = (await app.request({ method: 'POST', url: '/payments', payload: { userName: 'alice', amount: 10, currency: 'EUR' } })).json<{ id: number }>();
  await paymentStatus(app, payment.id, (status) => status === 'COMPLETED');
  const order = (await app.request({ method: 'POST', url: '/orders', payload: { login: 'alice', amount: 5 } })).json<{ orderId: number }>();
  return { profileId: profile.id, accountId: account.accountId, paymentId: payment.id, orderId: order.orderId };
}

/** Row counts that any accepted state-changing request would move. */
async function writes(app: TestPlatform): Promise<Record<string, number>> {
  const [row] = await app.container.cradle.orm.em.fork().execute<Array<Record<string, string>>>(`
    select (select count(*) from messaging.outbox) as outbox,
           (select count(*) from messaging.idempotency_key) as idempotency_keys,
           (select count(*) from payment.payment) as payments,
           (select count(*) from ordering.orders) as orders,
           (select count(*) from messaging.audit_log) as audit`);
  return Object.fromEntries(Object.entries(row!).map(([name, count]) => [name, Number(count)]));
}

/** A token made by hand, to be refused: expired, not valid yet, or signed with a key the platform does not know. */
async function signed(claims: { sub: string; role: string }, options: { expiresAt?: string; notBefore?: string; foreignKey?: boolean }): Promise<string> {
  const signingKey = options.foreignKey === true ? (await import('jose').then((jose) => jose.generateKeyPair('EdDSA', { crv: 'Ed25519' }))).privateKey : key.privateKey;
  let jwt = new SignJWT({ role: claims.role })
    .setProtectedHeader({ alg: 'EdDSA', kid: key.keyId })
    .setSubject(claims.sub)
    .setIssuer(LOCAL_TOKEN_AUDIENCE)
    .setAudience(LOCAL_TOKEN_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(options.expiresAt ?? '1 hour');
  if (options.notBefore !== undefined) jwt = jwt.setNotBefore(options.notBefore);
  return `Bearer ${await jwt.sign(signingKey)}`;
}

function unsignedToken(subject: string): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return `Bearer ${encode({ alg: 'none', typ: 'JWT' })}.${encode({ sub: subject, role: 'operator', iss: LOCAL_TOKEN_AUDIENCE, aud: LOCAL_TOKEN_AUDIENCE, iat: now, exp: now + 3600 })}.`;
}

