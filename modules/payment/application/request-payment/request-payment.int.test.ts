import t, { type Test } from 'tap';
import { eventually } from '../../../../test/harness/eventually.ts';
import { customerAuthorization, OPERATOR_AUTHORIZATION } from '../../../../test/harness/tokens.ts';
import { platformFor } from '../../../../test/harness/suite.ts';
import { AccountFundsReserved } from '../../../account/index.ts';
import { BillingPaymentProcessed } from '../../../billing/index.ts';
import { conformsTo } from '../../../../test/harness/scenario.ts';
import { openAccount } from '../../../account/testing/account.kit.ts';
import { FraudDetected, PaymentFailed, PaymentRequested, PaymentReversed } from '../../index.ts';
import { announceAccount, payment, published, rowCounts, statusBecomes, statusTrail, type PaymentBody } from '../../testing/payment.kit.ts';

interface Created { id: number; status: string }
interface Problem { type: string; status: number; code: string; errors?: Array<{ field: string }> }

// FRAUD_AMOUNT_THRESHOLD stays at its default 10000 (CRITICAL above 100000); 3 payments a minute keeps the velocity test short.
// Billing holds every payment in processing: the tests that need an outcome play billing's.
const app = await platformFor(t, 'local', { env: { FRAUD_MAX_PAYMENTS_PER_MINUTE: '3', PROCESSING_DELAY_MIN_MS: '600000', PROCESSING_DELAY_MAX_MS: '600000' } });
const alice = await openAccount(app, 'alice', { deposit: 100 });

async function pay(payload: Record<string, unknown>, headers: Record<string, string | undefined> = {}) {
  return app.request({ method: 'POST', url: '/payments', payload, headers });
}

function isProblem(t: Test, response: Awaited<ReturnType<typeof pay>>, status: number, code?: string): void {
  t.equal(response.statusCode, status, `answers ${status}`);
  t.equal(response.headers['content-type'], 'application/problem+json; charset=utf-8', 'as problem+json');
  if (code !== undefined) t.equal(response.json<Problem>().code, code, `code ${code}`);
}

t.test('POST /payments › looks the account up by login through the account module when the cache has no login', async (t) => {
  const response = await pay({ userName: 'alice', amount: 12.5, currency: 'EUR' });
  t.equal(response.statusCode, 201);
  t.match(await payment(app, response.json<Created>().id), { accountId: alice.accountId, userId: alice.userId, userName: 'alice', status: 'CREATED' });
});

t.test('POST /payments › uses the account cache: an account only the cache knows can pay by id', async (t) => {
  await announceAccount(app, { accountId: 770_001, userId: 77, login: 'cached-only' });
  const response = await pay({ accountId: 770_001, amount: 1, currency: 'EUR' }, { authorization: await customerAuthorization('cached-only') });
  t.equal(response.statusCode, 201, 'the account module does not know 770001; the cache does');
  t.match(await payment(app, response.json<Created>().id), { accountId: 770_001, userId: 77, userName: 'cached-only' });
  t.equal((await pay({ accountId: 770_001, amount: 1, currency: 'EUR' }, { authorization: await customerAuthorization('alice') })).statusCode, 404, "alice may not pay from cached-only's account: 404");
});

t.test('POST /payments › refuses an unknown account with 404', async (t) => {
  isProblem(t, await pay({ userName: 'nobody', amount: 1, currency: 'EUR' }), 404, 'account-not-found');
  isProblem(t, await pay({ accountId: 999_999, amount: 1, currency: 'EUR' }), 404, 'account-not-found');
});

t.test('POST /payments › refuses a payment in another currency than the account with 422', async (t) => {
  isProblem(t, await pay({ userName: 'alice', amount: 1, currency: 'USD' }), 422, 'currency-mismatch');
});

t.test('POST /payments › needs exactly one of userName and accountId (400)', async (t) => {
  isProblem(t, await pay({ userName: 'alice', accountId: alice.accountId, amount: 1, currency: 'EUR' }), 400, 'account-reference');
  isProblem(t, await pay({ amount: 1, currency: 'EUR' }), 400, 'account-reference');
});

t.test('POST /payments › bad input is a 4xx problem and writes nothing', async (t) => {
  const before = await rowCounts(app);
  const valid = { userName: 'alice', amount: 10, currency: 'EUR' };
  const cases: Array<[string, Record<string, unknown> | string, number, string?]> = [
    ['malformed JSON', '{"userName": "alice", "amount": 1', 400, 'malformed-json'],
    ['empty body', '', 400],
    ['amount as a string', { ...valid, amount: '10' }, 400, 'validation-error'],
    ['accountId as a string', { accountId: String(alice.accountId), amount: 10, currency: 'EUR' }, 400, 'validation-error'],
    ['userName as a number', { ...valid, userName: 42 }, 400, 'validation-error'],
    ['unknown field', { ...valid, iban: 'DE00' }, 400, 'validation-error'],
    ['negative amount', { ...valid, amount: -5 }, 400, 'validation-error'],
    ['zero amount', { ...valid, amount: 0 }, 400, 'validation-error'],
    ['three decimals', { ...valid, amount: 1.005 }, 400, 'invalid-amount'],
    ['huge amount', { ...valid, amount: 1e13 }, 400, 'validation-error'],
    ['amount as null', { ...valid, amount: null }, 400, 'validation-error'],
    ['missing amount', { userName: 'alice', currency: 'EUR' }, 400, 'validation-error'],
    ['unknown currency', { ...valid, currency: 'XYZ' }, 400, 'unknown-currency'],
    ['lower-case currency', { ...valid, currency: 'eur' }, 400, 'validation-error'],
    ['unknown transactionType', { ...valid, transactionType: 'CASH' }, 400, 'validation-error'],
    ['too long description', { ...valid, description: 'x'.repeat(501) }, 400, 'validation-error'],
    ['an array body', '[1,2]', 400, 'validation-error'],
  ];
  for (const [what, payload, status, code] of cases) {
    const response = await app.request({
      method: 'POST', url: '/payments', headers: { 'content-type': 'application/json' },
      payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
    });
    t.test(what, async (t) => isProblem(t, response, status, code));
  }
  const oversized = await app.request({ method: 'POST', url: '/payments', payload: { ...valid, description: 'x'.repeat(70 * 1024) } });
  t.test('oversized body (> 64 KiB)', async (t) => isProblem(t, oversized, 413, 'payload-too-large'));
  const wrongType = await app.request({ method: 'POST', url: '/payments', headers: { 'content-type': 'text/plain' }, payload: 'amount=10' });
  t.test('a text/plain body', async (t) => isProblem(t, wrongType, 400, 'validation-error'));
  t.same(await rowCounts(app), before, 'no payment and no event was written');
});

// Each test below pays from its own account: at 3 payments a minute, sharing one would trip the velocity rule.

t.test('POST /payments › an amount over the fraud threshold is recorded REJECTED (FRAUD_SUSPECTED) with fraud.detected', async (t) => {
  const frank = await openAccount(app, 'frank');
  const response = await pay({ userName: 'frank', amount: 10_000.01, currency: 'EUR' });
  t.equal(response.statusCode, 201, 'answered 201: the payment exists, refused');
  const { id, status } = response.json<Created>();
  t.equal(status, 'REJECTED');
  t.match(await payment(app, id), { status: 'REJECTED', reason: 'FRAUD_SUSPECTED', amount: 10_000.01 }, 'GET /payments/{id} shows it');

  const [fraud] = await app.scenario.events(FraudDetected, { paymentId: id });
  conformsTo(t, FraudDetected, fraud);
  t.match(fraud, { accountId: frank.accountId, userId: frank.userId, amount: 10_000.01, currency: 'EUR', fraudScore: 0.75, fraudReasons: ['AMOUNT_TOO_HIGH'], severity: 'HIGH' });
  const [failed] = await app.scenario.events(PaymentFailed, { paymentId: id });
  t.match(failed, { failureReason: 'FRAUD_SUSPECTED', errorCode: 'ERR_FRAUD_001', amount: 10_000.01 }, 'payment.failed FRAUD_SUSPECTED');
  t.same(await statusTrail(app, id), [
    { status: 'CREATED', previousStatus: null, reason: null },
    { status: 'REJECTED', previousStatus: 'CREATED', reason: 'FRAUD_SUSPECTED' },
  ], 'payment.status › CREATED then REJECTED');
  t.same(await app.scenario.events(PaymentRequested, { paymentId: id }), [], 'the account is not asked to reserve');
});

t.test('POST /payments › an amount above 10x the threshold is CRITICAL', async (t) => {
  await openAccount(app, 'carl');
  const { id, status } = (await pay({ userName: 'carl', amount: 100_000.01, currency: 'EUR' })).json<Created>();
  t.equal(status, 'REJECTED');
  const [fraud] = await app.scenario.events(FraudDetected, { paymentId: id });
  t.match(fraud, { severity: 'CRITICAL', fraudScore: 0.95, fraudReasons: ['AMOUNT_TOO_HIGH'] });
});

t.test('POST /payments › too many payments in a minute are rejected; with a high amount as well, CRITICAL', async (t) => {
  await openAccount(app, 'vera');
  const results: Created[] = [];
  for (const amount of [1, 2, 3, 4]) results.push((await pay({ userName: 'vera', amount, currency: 'EUR' })).json<Created>());
  t.same(results.map((result) => result.status), ['CREATED', 'CREATED', 'CREATED', 'REJECTED'], 'the 4th payment of the minute is over 3 per minute');
  t.match((await app.scenario.events(FraudDetected, { paymentId: results[3]!.id }))[0], { fraudReasons: ['TOO_MANY_PAYMENTS'], severity: 'HIGH' });
  const both = (await pay({ userName: 'vera', amount: 20_000, currency: 'EUR' })).json<Created>();
  t.equal(both.status, 'REJECTED');
  t.match((await app.scenario.events(FraudDetected, { paymentId: both.id }))[0], { fraudReasons: ['AMOUNT_TOO_HIGH', 'TOO_MANY_PAYMENTS'], severity: 'CRITICAL', fraudScore: 0.9375 });
});

t.test('POST /payments › concurrent payments of one account are checked one at a time', async (t) => {
  await openAccount(app, 'cora');
  const responses = await Promise.all([1, 2, 3, 4, 5, 6].map((amount) => pay({ userName: 'cora', amount, currency: 'EUR' })));
  t.ok(responses.every((response) => response.statusCode === 201), 'all answered 201');
  const statuses = responses.map((response) => response.json<Created>().status).sort();
  t.same(statuses, ['CREATED', 'CREATED', 'CREATED', 'REJECTED', 'REJECTED', 'REJECTED'], 'exactly 3 per minute get through, however they race');
});

t.test('account.funds.reserved for an unknown payment › dead-lettered, not applied', async (t) => {
  await app.scenario.commit(AccountFundsReserved, { paymentId: 424_242, accountId: alice.accountId, amount: 1, currency: 'EUR', reservedAt: new Date().toISOString() });
  const dead = await eventually(async () => {
    const body = (await app.request({ method: 'GET', url: '/admin/dead-letters', headers: { authorization: OPERATOR_AUTHORIZATION } })).json<{ items: Array<{ consumer: string; error: string }> }>();
    return body.items.find((item) => item.error.includes('unknown payment 424242'));
  }, { what: 'the dead letter' });
  t.equal(dead.consumer, `${app.config.kafka.groupPrefix}.payment`);
});

t.test('POST /payments › Idempotency-Key replays the first response; another body with the key is 422', async (t) => {
  await openAccount(app, 'ida');
  const before = await rowCounts(app);
  const body = { userName: 'ida', amount: 7.5, currency: 'EUR' };
  const first = await pay(body, { 'idempotency-key': 'pay-1' });
  t.equal(first.statusCode, 201);
  const replay = await pay(body, { 'idempotency-key': 'pay-1' });
  t.equal(replay.statusCode, 201, 'same key and body › 201');
  t.same(replay.json(), first.json(), 'same key and body › the first response');
  t.equal((await rowCounts(app)).payments, before.payments + 1, 'one payment only');
  isProblem(t, await pay({ ...body, amount: 8 }, { 'idempotency-key': 'pay-1' }), 422, 'idempotency-key-reused');
  const other = await pay(body, { 'idempotency-key': 'pay-2' });
  t.not(other.json<Created>().id, first.json<Created>().id, 'another key is another payment');

  isProblem(t, await pay({ userName: 'ida', amount: 1, currency: 'USD' }, { 'idempotency-key': 'pay-3' }), 422, 'currency-mismatch');
  isProblem(t, await pay({ userName: 'ida', amount: 1, currency: 'USD' }, { 'idempotency-key': 'pay-3' }), 422, 'currency-mismatch'); // replayed: the same problem
  const requested = await published<{ amount: number }>(app, 'payment.requested');
  t.equal(requested.filter((row) => row.payload.amount === 7.5).length, 2, 'payment.requested once per payment');
});

t.test('POST /payments/{id}/reversal › only a COMPLETED payment; bad input is a 4xx problem', async (t) => {
  // Funded, so the real account module reserves the funds: a test playing the account module
  // instead raced the real one, which refused the unfunded payment first once delivery got faster.
  const rex = await openAccount(app, 'rex', { deposit: 10 });
  const { id } = (await pay({ userName: 'rex', amount: 3.3, currency: 'EUR' })).json<Created>();
  isProblem(t, await app.request({ method: 'POST', url: `/payments/${id}/reversal`, payload: { reason: 'CUSTOMER_REQUEST' } }), 422, 'illegal-payment-transition');
  await statusBecomes(app, id, 'PROCESSING');
  isProblem(t, await app.request({ method: 'POST', url: `/payments/${id}/reversal`, payload: { reason: 'CUSTOMER_REQUEST' } }), 422, 'illegal-payment-transition');
  isProblem(t, await app.request({ method: 'POST', url: '/payments/987654/reversal', payload: { reason: 'CUSTOMER_REQUEST' } }), 404, 'payment-not-found');

  const before = await rowCounts(app);
  const url = `/payments/${id}/reversal`;
  const cases: Array<[string, string, number]> = [
    ['malformed JSON', '{"reason": ', 400],
    ['reason as a number', JSON.stringify({ reason: 1 }), 400],
    ['missing reason', JSON.stringify({}), 400],
    ['unknown field', JSON.stringify({ reason: 'ERROR', amount: 1 }), 400],
    ['free text reason', JSON.stringify({ reason: 'because; drop table' }), 400],
    ['oversized body', JSON.stringify({ reason: 'x'.repeat(70 * 1024) }), 413],
  ];
  for (const [what, payload, status] of cases) {
    const response = await app.request({ method: 'POST', url, headers: { 'content-type': 'application/json' }, payload });
    t.test(what, async (t) => isProblem(t, response, status));
  }
  isProblem(t, await app.request({ method: 'POST', url: '/payments/abc/reversal', payload: { reason: 'ERROR' } }), 400, 'validation-error');
  t.same(await rowCounts(app), before, 'nothing was written');

  await app.scenario.commit(BillingPaymentProcessed, { paymentId: id, accountId: rex.accountId, outcome: 'SUCCEEDED', failureReason: null, processedAt: new Date().toISOString() });
  await statusBecomes(app, id, 'COMPLETED');
  const headers = { 'idempotency-key': `reverse-${id}` };
  const reversed = await app.request({ method: 'POST', url, payload: { reason: 'FRAUD' }, headers });
  t.same(reversed.json(), { id, status: 'REVERSED' });
  const replay = await app.request({ method: 'POST', url, payload: { reason: 'FRAUD' }, headers });
  t.equal(replay.statusCode, 200, 'a replayed reversal answers as the first');
  t.equal((await app.scenario.events(PaymentReversed, { paymentId: id })).length, 1, 'and reverses once');
  isProblem(t, await app.request({ method: 'POST', url, payload: { reason: 'ERROR' }, headers }), 422, 'idempotency-key-reused');
});

t.test('GET /payments › lists newest first, pages, and filters by userName', async (t) => {
  const all = (await app.request({ method: 'GET', url: '/payments?limit=500' })).json<{ items: PaymentBody[]; total: number }>();
  t.ok(all.total >= 16, 'every payment is listed');
  t.same(all.items.map((item) => item.id), [...all.items.map((item) => item.id)].sort((a, b) => b - a), 'newest first');
  const page = (await app.request({ method: 'GET', url: '/payments?limit=2&offset=1' })).json<{ items: PaymentBody[]; total: number; limit: number; offset: number }>();
  t.same(page.items.map((item) => item.id), all.items.slice(1, 3).map((item) => item.id), 'limit and offset page the list');
  t.match(page, { total: all.total, limit: 2, offset: 1 });

  const vera = (await app.request({ method: 'GET', url: '/payments?userName=vera' })).json<{ items: PaymentBody[]; total: number }>();
  t.equal(vera.total, 5, "vera's five payments");
  t.ok(vera.items.every((item) => item.userName === 'vera'));
  const mixed = (await app.request({ method: 'GET', url: '/payments?userName=alice&limit=500' })).json<{ items: PaymentBody[] }>();
  t.ok(mixed.items.length > 0 && mixed.items.every((item) => item.accountId === alice.accountId), "only alice's account");
  t.same((await app.request({ method: 'GET', url: '/payments?userName=nobody' })).json(), { items: [], total: 0, limit: 50, offset: 0 }, 'an unknown user has no payments');

  isProblem(t, await app.request({ method: 'GET', url: '/payments?limit=0' }), 400, 'validation-error');
  isProblem(t, await app.request({ method: 'GET', url: '/payments?colour=red' }), 400, 'validation-error');
  isProblem(t, await app.request({ method: 'GET', url: '/payments/123456' }), 404, 'payment-not-found');
  isProblem(t, await app.request({ method: 'GET', url: '/payments/123456/status' }), 404, 'payment-not-found');
  isProblem(t, await app.request({ method: 'GET', url: '/payments/0' }), 400, 'validation-error');
});

t.test('GET /docs/json › documents the payment routes', async (t) => {
  const document = (await app.request({ method: 'GET', url: '/docs/json' })).json<{ paths: Record<string, Record<string, { tags: string[] }>> }>();
  for (const [path, method] of [['/payments', 'post'], ['/payments', 'get'], ['/payments/{id}', 'get'], ['/payments/{id}/status', 'get'], ['/payments/{id}/reversal', 'post']] as const) {
    t.same(document.paths[path]?.[method]?.tags, ['payment'], `${method.toUpperCase()} ${path}`);
  }
});
