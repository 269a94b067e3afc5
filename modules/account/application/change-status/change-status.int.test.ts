import t from 'tap';
import type { EventContract } from '../../../../src/platform/messaging/contract.ts';
import type { TestPlatform } from '../../../../test/harness/platform.ts';
import { platformFor } from '../../../../test/harness/suite.ts';
import { customerAuthorization, operatorHeaders } from '../../../../test/harness/tokens.ts';
import { PaymentFailed, PaymentRequested } from '../../../payment/index.ts';
import { accountOf, openAccount, type AccountBody } from '../../testing/account.kit.ts';
import { AccountClosed, AccountFundsReserved, AccountSuspended, AccountUpdated } from '../../index.ts';

const STATUS_EVENTS: EventContract[] = [AccountSuspended, AccountUpdated, AccountClosed];

async function statusEvents(app: TestPlatform, accountId: number) {
  const all = await Promise.all(STATUS_EVENTS.map(async (contract) => (await app.scenario.events(contract, { accountId })).map((payload) => ({ type: contract.type, payload }))));
  return all.flat();
}

function post(app: TestPlatform, url: string, payload?: unknown, headers: Record<string, string | undefined> = operatorHeaders) {
  return app.request({ method: 'POST', url, headers, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });
}

t.test('admin status routes of accounts', async (t) => {
  const app = await platformFor(t, 'local');
  const alice = await openAccount(app, 'alice', { deposit: 100 });
  const suspendUrl = `/accounts/${alice.accountId}/suspend`;

  t.test('need an operator token: 401 without or with a wrong one, 403 for the customer, nothing changed', async (t) => {
    for (const url of [suspendUrl, `/accounts/${alice.accountId}/reactivate`, `/accounts/${alice.accountId}/close`]) {
      const anonymous = await post(app, url, { reason: 'X' }, { authorization: undefined });
      t.equal(anonymous.statusCode, 401, `POST ${url} › 401 without a token`);
      t.equal(anonymous.headers['content-type'], 'application/problem+json; charset=utf-8');
      t.equal((await post(app, url, { reason: 'X' }, { authorization: 'Bearer wrong' })).statusCode, 401, `POST ${url} › 401 with a wrong token`);
      t.equal((await post(app, url, { reason: 'X' }, { authorization: await customerAuthorization('alice') })).statusCode, 403, `POST ${url} › 403 for the account's own customer`);
    }
    t.equal((await accountOf(app, 'alice')).status, 'ACTIVE');
  });

  t.test('refuse bad input with a 400 problem and write nothing', async (t) => {
    const cases: Array<[string, Parameters<TestPlatform['request']>[0]]> = [
      ['missing reason', { method: 'POST', url: suspendUrl, headers: operatorHeaders, payload: {} }],
      ['empty reason', { method: 'POST', url: suspendUrl, headers: operatorHeaders, payload: { reason: '' } }],
      ['reason of the wrong type', { method: 'POST', url: suspendUrl, headers: operatorHeaders, payload: { reason: 42 } }],
      ['unknown field', { method: 'POST', url: suspendUrl, headers: operatorHeaders, payload: { reason: 'X', until: 'tomorrow' } }],
      ['expiresAt not a date-time', { method: 'POST', url: suspendUrl, headers: operatorHeaders, payload: { reason: 'X', expiresAt: 'tomorrow' } }],
      ['expiresAt in the past', { method: 'POST', url: suspendUrl, headers: operatorHeaders, payload: { reason: 'X', expiresAt: '2020-01-01T00:00:00Z' } }],
      ['malformed JSON', { method: 'POST', url: suspendUrl, headers: { ...operatorHeaders, 'content-type': 'application/json' }, payload: '{"reason": ' }],
      ['body over 64 KiB', { method: 'POST', url: suspendUrl, headers: operatorHeaders, payload: { reason: 'x'.repeat(70 * 1024) } }],
      ['id not an integer', { method: 'POST', url: '/accounts/abc/suspend', headers: operatorHeaders, payload: { reason: 'X' } }],
      ['id zero', { method: 'POST', url: '/accounts/0/suspend', headers: operatorHeaders, payload: { reason: 'X' } }],
      ['unknown field on reactivate', { method: 'POST', url: `/accounts/${alice.accountId}/reactivate`, headers: operatorHeaders, payload: { force: true } }],
      ['unknown field on close', { method: 'POST', url: `/accounts/${alice.accountId}/close`, headers: operatorHeaders, payload: { reason: 'X', force: true } }],
      ['close reason of the wrong type', { method: 'POST', url: `/accounts/${alice.accountId}/close`, headers: operatorHeaders, payload: { reason: ['X'] } }],
    ];
    for (const [what, request] of cases) {
      const response = await app.request(request);
      t.ok(response.statusCode >= 400 && response.statusCode < 500, `${what} › 4xx (got ${response.statusCode})`);
      t.equal(response.headers['content-type'], 'application/problem+json; charset=utf-8', `${what} › problem+json`);
    }
    const [unknownField] = cases.filter(([what]) => what === 'unknown field').map(([, request]) => request);
    const problem = (await app.request(unknownField!)).json<{ status: number; code: string; errors: Array<{ field: string }> }>();
    t.match(problem, { status: 400, code: 'validation-error', errors: [{ field: '/until' }] }, 'the problem names the offending field');
    t.match((await post(app, suspendUrl, { reason: 'X', expiresAt: '2020-01-01T00:00:00Z' })).json(), { status: 400, code: 'invalid-expiry' });
    t.equal((await accountOf(app, 'alice')).status, 'ACTIVE', 'the account is still ACTIVE');
    t.same(await statusEvents(app, alice.accountId), [], 'no status event was written');
  });

  t.test('404 for an unknown account', async (t) => {
    for (const action of ['suspend', 'reactivate', 'close']) {
      const response = await post(app, `/accounts/999999/${action}`, action === 'suspend' ? { reason: 'X' } : undefined);
      t.equal(response.statusCode, 404, `POST /accounts/{id}/${action} › 404`);
      t.match(response.json(), { code: 'account-not-found' });
    }
  });

  t.test('suspend › ACTIVE → SUSPENDED with account.suspended and account.updated', async (t) => {
    const expiresAt = '2099-06-30T12:00:00.000Z';
    const response = await post(app, suspendUrl, { reason: 'COMPLIANCE_REVIEW', expiresAt });
    t.equal(response.statusCode, 200);
    t.same(response.json(), { ...alice, status: 'SUSPENDED' }, 'answers the AccountView');
    t.match(await app.scenario.waitForEvent(AccountSuspended, { accountId: alice.accountId }), {
      accountId: alice.accountId, userId: alice.userId, reason: 'COMPLIANCE_REVIEW', suspendedAt: String, expiresAt,
    });
    t.match(await app.scenario.waitForEvent(AccountUpdated, { accountId: alice.accountId }), {
      accountId: alice.accountId, userId: alice.userId, status: 'SUSPENDED', updatedAt: String, changes: { previousStatus: 'ACTIVE', newStatus: 'SUSPENDED' },
    });
    const [stored] = await app.container.cradle.orm.em.fork().execute<Array<{ status_reason: string; suspended_until: string | Date }>>(
      'select status_reason, suspended_until from account.account where id = ?', [alice.accountId],
    );
    t.equal(stored?.status_reason, 'COMPLIANCE_REVIEW', 'the reason is kept');
    t.equal(new Date(stored?.suspended_until ?? 0).toISOString(), expiresAt, 'the expiry is kept');

    const again = await post(app, suspendUrl, { reason: 'AGAIN' });
    t.equal(again.statusCode, 422, 'suspending a suspended account is 422');
    t.match(again.json(), { code: 'invalid-status-transition' });
    const withdraw = await app.request({ method: 'PUT', url: '/account/operation', payload: { login: 'alice', operation: 'WITHDRAW', sum: 1 } });
    t.equal(withdraw.statusCode, 422, 'a suspended account cannot withdraw');
    t.match(withdraw.json(), { code: 'account-suspended' });
  });

  t.test('reactivate › SUSPENDED → ACTIVE with account.updated', async (t) => {
    const response = await post(app, `/accounts/${alice.accountId}/reactivate`);
    t.equal(response.statusCode, 200, 'no body needed');
    t.same(response.json(), { ...alice, status: 'ACTIVE' });
    const updates = await app.scenario.events(AccountUpdated, { accountId: alice.accountId });
    t.match(updates.at(-1), { status: 'ACTIVE', changes: { previousStatus: 'SUSPENDED', newStatus: 'ACTIVE' } });
    const again = await post(app, `/accounts/${alice.accountId}/reactivate`, {});
    t.equal(again.statusCode, 422, 'reactivating an active account is 422');
    t.match(again.json(), { code: 'invalid-status-transition' });
  });

  t.test('close › refused with 422 while a payment holds reserved funds', async (t) => {
    await app.scenario.commit(PaymentRequested, { paymentId: 1, accountId: alice.accountId, amount: 10, currency: 'EUR', transactionType: 'STANDARD', requestedAt: new Date().toISOString() });
    await app.scenario.waitForEvent(AccountFundsReserved, { paymentId: 1 });
    const refused = await post(app, `/accounts/${alice.accountId}/close`);
    t.equal(refused.statusCode, 422);
    t.match(refused.json(), { code: 'reserved-funds-pending' });
    t.equal((await accountOf(app, 'alice')).status, 'ACTIVE');
    const released = await app.scenario.commit(PaymentFailed, { paymentId: 1, accountId: alice.accountId, amount: 10, currency: 'EUR', failureReason: 'CANCELLED', errorCode: 'ERR_TEST', failedAt: new Date().toISOString() });
    await app.scenario.handledBy('account', released);
  });

  t.test('close › ACTIVE → CLOSED (default reason CUSTOMER_REQUEST) with account.closed and account.updated', async (t) => {
    const response = await post(app, `/accounts/${alice.accountId}/close`);
    t.equal(response.statusCode, 200);
    t.same(response.json<AccountBody>(), { ...alice, status: 'CLOSED' }, 'the balance stays on the closed account');
    t.match(await app.scenario.waitForEvent(AccountClosed, { accountId: alice.accountId }), {
      accountId: alice.accountId, userId: alice.userId, closedAt: String, reason: 'CUSTOMER_REQUEST',
    });
    const updates = await app.scenario.events(AccountUpdated, { accountId: alice.accountId });
    t.match(updates.at(-1), { status: 'CLOSED', changes: { previousStatus: 'ACTIVE', newStatus: 'CLOSED' } });
    for (const [action, payload] of [['close', {}], ['reactivate', undefined], ['suspend', { reason: 'X' }]] as const) {
      const refused = await post(app, `/accounts/${alice.accountId}/${action}`, payload);
      t.equal(refused.statusCode, 422, `${action} on a closed account is 422`);
    }
    const deposit = await app.request({ method: 'PUT', url: '/account/operation', payload: { login: 'alice', operation: 'DEPOSIT', sum: 1 } });
    t.equal(deposit.statusCode, 422, 'a closed account takes no deposit');
  });

  t.test('close › SUSPENDED → CLOSED with the given reason', async (t) => {
    const bob = await openAccount(app, 'bob');
    t.equal((await post(app, `/accounts/${bob.accountId}/suspend`, { reason: 'REVIEW' })).statusCode, 200);
    const response = await post(app, `/accounts/${bob.accountId}/close`, { reason: 'FRAUD_CONFIRMED' });
    t.equal(response.statusCode, 200);
    t.match(await app.scenario.waitForEvent(AccountClosed, { accountId: bob.accountId }), { reason: 'FRAUD_CONFIRMED' });
    const updates = await app.scenario.events(AccountUpdated, { accountId: bob.accountId });
    t.match(updates.map((update) => update['changes']), [
      { previousStatus: 'ACTIVE', newStatus: 'SUSPENDED' },
      { previousStatus: 'SUSPENDED', newStatus: 'CLOSED' },
    ]);
    t.same((await statusEvents(app, bob.accountId)).map((event) => event.type).sort(), ['account.closed', 'account.suspended', 'account.updated', 'account.updated']);
  });

  t.test('the routes are documented as admin routes in the OpenAPI document', async (t) => {
    const document = (await app.request({ method: 'GET', url: '/docs/json' })).json<{ paths: Record<string, { post?: { security?: unknown; tags?: string[] } }> }>();
    for (const action of ['suspend', 'reactivate', 'close']) {
      const operation = document.paths[`/accounts/{id}/${action}`]?.post;
      t.same(operation?.security, [{ bearerAuth: ['operator'] }], `${action} declares an operator token`);
      t.ok(operation?.tags?.includes('account'), `${action} is tagged account`);
    }
  });
});
