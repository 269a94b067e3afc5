import t from 'tap';
import { assertAllRejected, json, oversizedBody, type BadRequestCase } from '../harness/bad-input.ts';
import { eventually } from '../harness/eventually.ts';
import { platformFor } from '../harness/suite.ts';

t.test('bad input on the profile and account routes', async (t) => {
  const app = await platformFor(t, 'local');
  await app.request(json('POST', '/profiles', { login: 'erin', fullName: 'Erin', email: 'erin@example.org' }));
  await eventually(async () => (await app.request({ method: 'GET', url: '/account?login=erin' })).statusCode === 200, { what: 'account' });
  await app.request(json('PUT', '/account/operation', { login: 'erin', operation: 'DEPOSIT', sum: 100 }));
  const em = () => app.container.cradle.orm.em.fork();
  const written = async () => {
    const [row] = await em().execute<Array<{ n: number }>>(
      `select (select count(*) from profile.profile) + (select count(*) from messaging.outbox)
            + (select coalesce(sum(balance), 0) from account.account) as n`,
    );
    return Number(row?.n);
  };
  const valid = { login: 'frank', fullName: 'Frank', email: 'frank@example.org' };
  const profileCases = (url: string): BadRequestCase[] => [
    { name: 'malformed JSON', request: json('POST', url, '{"login": "frank",'), status: 400 },
    { name: 'empty body', request: { method: 'POST', url, headers: { 'content-type': 'application/json' } }, status: 400 },
    { name: 'not an object', request: json('POST', url, '[1,2]'), status: 400 },
    { name: 'wrong type', request: json('POST', url, { ...valid, login: 42 }), status: 400 },
    { name: 'missing field', request: json('POST', url, { login: 'frank', email: 'frank@example.org' }), status: 400 },
    { name: 'unknown field', request: json('POST', url, { ...valid, admin: true }), status: 400 },
    { name: 'bad email', request: json('POST', url, { ...valid, email: 'not-an-email' }), status: 400 },
    { name: 'bad login characters', request: json('POST', url, { ...valid, login: 'x y' }), status: 400 },
    { name: 'unknown currency', request: json('POST', url, { ...valid, currency: 'XYZ' }), status: 400 },
    { name: 'lower-case currency', request: json('POST', url, { ...valid, currency: 'eur' }), status: 400 },
    { name: 'oversized body', request: json('POST', url, oversizedBody()), status: 413 },
    { name: 'wrong content type', request: { method: 'POST', url, payload: 'login=frank', headers: { 'content-type': 'application/x-www-form-urlencoded' } }, status: 415 },
  ];
  const operation = (sum: unknown, extra: Record<string, unknown> = {}) => json('PUT', '/account/operation', { login: 'erin', operation: 'DEPOSIT', sum, ...extra });
  const accountCases: BadRequestCase[] = [
    { name: 'malformed JSON', request: json('PUT', '/account/operation', '{oops'), status: 400 },
    { name: 'negative amount', request: operation(-5), status: 400 },
    { name: 'zero amount', request: operation(0), status: 400 },
    { name: 'three decimals', request: operation(1.005), status: 400 },
    { name: 'huge amount', request: operation(1e15), status: 400 },
    { name: 'amount as string', request: operation('10.00'), status: 400 },
    { name: 'NaN-like amount', request: json('PUT', '/account/operation', '{"login":"erin","operation":"DEPOSIT","sum":NaN}'), status: 400 },
    { name: 'unknown operation', request: operation(5, { operation: 'STEAL' }), status: 400 },
    { name: 'unknown field', request: operation(5, { currency: 'EUR' }), status: 400 },
    { name: 'oversized body', request: json('PUT', '/account/operation', oversizedBody()), status: 413 },
  ];
  const queryCases: BadRequestCase[] = [
    { name: 'non-numeric id', request: { method: 'GET', url: '/profiles/abc' }, status: 400 },
    { name: 'zero id', request: { method: 'GET', url: '/accounts/0' }, status: 400 },
    { name: 'limit out of range', request: { method: 'GET', url: '/profiles?limit=100000' }, status: 400 },
    { name: 'unknown query parameter', request: { method: 'GET', url: '/profiles?sort=evil' }, status: 400 },
    { name: 'check without criteria', request: { method: 'GET', url: '/profiles/check' }, status: 400 },
    { name: 'account without login', request: { method: 'GET', url: '/account' }, status: 400 },
    { name: 'unknown route', request: { method: 'GET', url: '/nope' }, status: 404 },
  ];
  await assertAllRejected(t, app, [...profileCases('/profiles'), ...profileCases('/person/register'), ...accountCases, ...queryCases], written);

  const problem = (await app.request(json('PUT', '/account/operation', { login: 'erin', operation: 'DEPOSIT', sum: 1.005 }))).json<{ errors: Array<{ field: string }> }>();
  t.same(problem.errors.map((error) => error.field), ['/sum'], 'the over-precise amount is named as the offending field');
  const unknown = (await app.request(json('POST', '/profiles', { ...valid, admin: true }))).json<{ errors: Array<{ field: string; message: string }> }>();
  t.same(unknown.errors, [{ in: 'body', field: '/admin', message: 'must not have additional properties' }], 'the unknown field is named');
});

t.test('the outbox joins the business transaction: a rollback leaves neither state nor event', async (t) => {
  const app = await platformFor(t, 'local');
  const { orm, outbox } = app.container.cradle;
  const { ProfileRegistered } = await import('../../modules/profile/index.ts');
  const data = { userId: 999, login: 'ghost', fullName: 'Ghost', email: 'ghost@example.org', currency: 'EUR', registeredAt: new Date().toISOString() };
  await t.rejects(orm.em.fork().transactional(async (em) => {
    await em.execute(`insert into profile.profile (login, full_name, email, currency, status, created_at, updated_at) values ('ghost', 'Ghost', 'ghost@example.org', 'EUR', 'PENDING', now(), now())`);
    outbox.add(em, ProfileRegistered, data);
    await em.flush();
    throw new Error('business rule failed after the event was added');
  }), /business rule failed/);
  const count = async (sql: string) => Number((await orm.em.fork().execute<Array<{ n: number }>>(sql))[0]?.n);
  t.equal(await count(`select count(*) as n from profile.profile where login = 'ghost'`), 0, 'no state');
  t.equal(await count(`select count(*) as n from messaging.outbox where payload->>'login' = 'ghost'`), 0, 'no event');

  await orm.em.fork().transactional(async (em) => {
    await em.execute(`insert into profile.profile (login, full_name, email, currency, status, created_at, updated_at) values ('ghost', 'Ghost', 'ghost@example.org', 'EUR', 'PENDING', now(), now())`);
    outbox.add(em, ProfileRegistered, data);
  });
  t.equal(await count(`select count(*) as n from messaging.outbox where payload->>'login' = 'ghost'`), 1, 'a commit writes the event with the state');
});
