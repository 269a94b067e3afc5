import t, { type Test } from 'tap';
import type { Static, TSchema } from 'typebox';
import type { Clock } from '../../src/platform/clock.ts';
import type { EventContract } from '../../src/platform/messaging/contract.ts';
import { bindHandlers } from '../../src/platform/messaging/event-handler.ts';
import { eventually } from '../../test/harness/eventually.ts';
import type { TestPlatform } from '../../test/harness/platform.ts';
import { platformFor, TRANSPORTS } from '../../test/harness/suite.ts';
import { AccountBalanceChanged, AccountClosed, AccountCreated, AccountSuspended, AccountUpdated } from '../account/index.ts';
import { BillingChargeFailed, BillingChargeSucceeded } from '../billing/index.ts';
import { FraudDetected, PaymentCompleted, PaymentFailed, PaymentReversed } from '../payment/index.ts';
import { ProfileRegistered } from '../profile/index.ts';
import notificationModule from './notification.module.ts';

interface NotificationItem { id: number; type: string; message: string; sourceEventId: string; sourceEventType: string; occurredAt: string; createdAt: string }
interface NotificationList { login: string; items: NotificationItem[]; total: number; limit: number; offset: number }

/** Every event gets a later time than the one before, so "newest first" has one right answer. */
function strictlyIncreasingClock(): Clock {
  let last = 0;
  return { now: () => new Date((last = Math.max(Date.now(), last + 1))) };
}

function start(t: Test, transport: 'local' | 'kafka'): Promise<TestPlatform> {
  return platformFor(t, transport, { isolate: ['profile', 'account', 'notification'], overrides: { clock: strictlyIncreasingClock() } });
}

async function notificationsOf(app: TestPlatform, login: string, url = '/notifications'): Promise<NotificationList> {
  const response = await app.request({ method: 'GET', url: `${url}?login=${encodeURIComponent(login)}` });
  if (response.statusCode !== 200) throw new Error(`GET ${url} answered ${response.statusCode}: ${response.body}`);
  return response.json<NotificationList>();
}

async function untilTotal(app: TestPlatform, login: string, total: number): Promise<NotificationList> {
  return eventually(async () => {
    const list = await notificationsOf(app, login);
    return list.total === total ? list : undefined;
  }, { what: `${total} notifications for ${login}` });
}

const at = (iso: string) => iso;

for (const transport of TRANSPORTS) {
  t.test(`GET /notifications › one message per event, newest first, whatever identifiers the event carried [${transport}]`, async (t) => {
    const app = await start(t, transport);

    // Register and top up for real; the account module's own events become messages.
    const registered = await app.request({ method: 'POST', url: '/profiles', payload: { login: 'alice', fullName: 'Alice Martin', email: 'alice@example.org' } });
    t.equal(registered.statusCode, 201);
    const userId = registered.json<{ id: number }>().id;
    await untilTotal(app, 'alice', 1);
    const account = (await app.request({ method: 'GET', url: '/account?login=alice' })).json<{ accountId: number }>();
    const deposit = await app.request({ method: 'PUT', url: '/account/operation', payload: { login: 'alice', operation: 'DEPOSIT', sum: 200 } });
    t.equal(deposit.statusCode, 200);
    await untilTotal(app, 'alice', 2);

    // Acting as the account, payment and billing modules. Payments use a second account that no
    // other module keeps, so their own reactions to these events cannot add messages of their own.
    const secondAccount = 900_001;
    const sent: Array<{ eventId: string; type: string }> = [];
    const send = async <S extends TSchema>(contract: EventContract<S>, data: Static<S>, type: string | undefined) => {
      const eventId = await app.scenario.commit(contract, data).andWaitUntilHandledBy('notification');
      if (type !== undefined) sent.push({ eventId, type });
      return eventId;
    };
    await send(AccountCreated, { accountId: secondAccount, userId, accountType: 'SAVINGS', currency: 'EUR', status: 'ACTIVE', createdAt: at('2024-01-10T08:00:00Z') }, 'ACCOUNT_CREATED');
    await send(PaymentCompleted, { paymentId: 12345, accountId: secondAccount, amount: 150.75, currency: 'EUR', transactionType: 'STANDARD', status: 'COMPLETED', completedAt: at('2024-01-15T10:30:00Z') }, 'PAYMENT_COMPLETED');
    await send(PaymentFailed, { paymentId: 12346, accountId: secondAccount, amount: 9999, currency: 'EUR', failureReason: 'INSUFFICIENT_FUNDS', errorCode: 'ERR_BALANCE_001', failedAt: at('2024-01-15T10:35:00Z') }, 'PAYMENT_FAILED');
    await send(PaymentReversed, { paymentId: 12345, accountId: secondAccount, amount: 150.75, currency: 'EUR', reversalReason: 'CUSTOMER_REQUEST', originalPaymentDate: at('2024-01-15T10:30:00Z'), reversedAt: at('2024-01-16T14:20:00Z') }, 'PAYMENT_REVERSED');
    await send(FraudDetected, { paymentId: 12347, accountId: secondAccount, userId, amount: 5000, currency: 'EUR', fraudScore: 0.95, fraudReasons: ['AMOUNT_TOO_HIGH', 'UNUSUAL_LOCATION'], detectedAt: at('2024-01-15T10:40:00Z'), severity: 'HIGH' }, 'FRAUD_DETECTED');
    await send(AccountSuspended, { accountId: secondAccount, userId, reason: 'FRAUD_SUSPECTED', suspendedAt: at('2024-01-15T10:00:00Z'), expiresAt: at('2024-01-16T10:00:00Z') }, 'ACCOUNT_SUSPENDED');
    const statusChange = await send(AccountUpdated, { accountId: secondAccount, userId, status: 'SUSPENDED', updatedAt: at('2024-01-15T10:00:00Z'), changes: { previousStatus: 'ACTIVE', newStatus: 'SUSPENDED' } }, undefined);
    await send(AccountUpdated, { accountId: secondAccount, userId, status: 'ACTIVE', updatedAt: at('2024-01-16T10:00:00Z'), changes: { previousStatus: 'SUSPENDED', newStatus: 'ACTIVE' } }, 'ACCOUNT_REACTIVATED');
    await send(BillingChargeSucceeded, { chargeId: 1, orderId: 501, login: 'alice', accountId: account.accountId, amount: 40, currency: 'EUR', chargedAt: at('2024-01-17T09:00:00Z') }, 'ORDER_PAID');
    await send(BillingChargeFailed, { chargeId: 2, orderId: 502, login: 'alice', accountId: null, amount: 500, currency: 'EUR', reason: 'INSUFFICIENT_FUNDS', failedAt: at('2024-01-17T09:05:00Z') }, 'ORDER_NOT_PAID');
    await send(AccountClosed, { accountId: secondAccount, userId, closedAt: at('2024-02-01T12:00:00Z'), reason: 'CUSTOMER_REQUEST' }, 'ACCOUNT_CLOSED');
    // Someone else's payment, on an account nobody announced: stored, but not alice's.
    const strangers = await send(PaymentCompleted, { paymentId: 77777, accountId: 900_999, amount: 1, currency: 'EUR', transactionType: 'STANDARD', status: 'COMPLETED', completedAt: at('2024-01-15T10:30:00Z') }, undefined);

    const list = await notificationsOf(app, 'alice');
    t.equal(list.total, 2 + sent.length, 'one message per notifying event, none for a plain status change or another person');
    const expectedNewestFirst = [...sent].reverse();
    t.same(list.items.slice(0, sent.length).map((item) => item.type), expectedNewestFirst.map((entry) => entry.type), 'newest first');
    t.same(list.items.slice(0, sent.length).map((item) => item.sourceEventId), expectedNewestFirst.map((entry) => entry.eventId), 'each message names its source event');
    t.same(list.items.slice(sent.length).map((item) => item.type), ['BALANCE_CHANGED', 'ACCOUNT_CREATED'], 'the real deposit and account opening come last (oldest)');
    const times = list.items.map((item) => Date.parse(item.occurredAt));
    t.same(times, [...times].sort((a, b) => b - a), 'occurredAt never increases down the list');

    const byType = new Map(list.items.map((item) => [item.type, item]));
    t.equal(byType.get('PAYMENT_FAILED')?.message, 'Your payment 12346 of 9999.00 EUR failed: insufficient funds.');
    t.equal(byType.get('ORDER_NOT_PAID')?.message, 'Your order 502 of 500.00 EUR is not paid: insufficient funds.', 'order not paid says "insufficient funds"');
    t.equal(byType.get('ORDER_PAID')?.message, 'Your order 501 is paid: 40.00 EUR was debited from your account.');
    t.equal(byType.get('BALANCE_CHANGED')?.message, `200.00 EUR was credited to your account ${account.accountId}. New balance: 200.00 EUR.`);
    t.match(byType.get('ACCOUNT_CREATED'), { sourceEventType: 'account.created' });
    t.notOk(list.items.some((item) => item.sourceEventId === statusChange || item.sourceEventId === strangers), 'no message from events that are not alice\'s to hear');

    const alias = await app.request({ method: 'GET', url: '/notice/notices/?login=alice' });
    t.equal(alias.statusCode, 200, 'GET /notice/notices/ › the original API\'s alias answers');
    t.same(alias.json(), list, 'GET /notice/notices/ › same messages as GET /notifications');
    const page = (await app.request({ method: 'GET', url: '/notifications?login=alice&limit=2&offset=1' })).json<NotificationList>();
    t.same(page.items, list.items.slice(1, 3), 'limit and offset page the newest-first list');
    t.equal(page.total, list.total);

    const counts = await app.container.cradle.orm.em.fork().execute<Array<{ messages: number; events: number }>>(
      'select count(*)::int as messages, count(distinct source_event_id)::int as events from notification.message',
    );
    t.same(counts[0], { messages: list.total + 1, events: list.total + 1 }, 'exactly one row per source event (alice\'s and the stranger\'s)');
  });

  t.test(`GET /notifications › account events handled before profile.registered are found once it arrives [${transport}]`, async (t) => {
    const app = await start(t, transport);
    const userId = 800_101;
    const accountId = 900_101;
    const early = [
      await app.scenario.commit(AccountCreated, { accountId, userId, accountType: 'CHECKING', currency: 'EUR', status: 'ACTIVE', createdAt: at('2024-01-10T08:00:00Z') }),
      await app.scenario.commit(AccountBalanceChanged, { accountId, previousBalance: 0, newBalance: 100, changeAmount: 100, currency: 'EUR', changeReason: 'CREDIT', timestamp: at('2024-01-10T09:00:00Z') }),
      await app.scenario.commit(AccountBalanceChanged, { accountId, previousBalance: 100, newBalance: 70, changeAmount: -30, currency: 'EUR', changeReason: 'DEBIT', timestamp: at('2024-01-10T10:00:00Z') }),
    ];
    for (const eventId of early) await app.scenario.handledBy('notification', eventId);
    const before = await notificationsOf(app, 'dora');
    t.same(before.items, [], 'an unknown login answers 200 with an empty list');

    await app.scenario.commit(ProfileRegistered, { userId, login: 'dora', fullName: 'Dora', email: 'dora@example.org', currency: 'EUR', registeredAt: new Date().toISOString() });
    // The account module answers profile.registered by opening an account of its own: 4 in all.
    const list = await untilTotal(app, 'dora', 4);
    t.same(list.items.map((item) => item.type), ['ACCOUNT_CREATED', 'BALANCE_CHANGED', 'BALANCE_CHANGED', 'ACCOUNT_CREATED'], 'newest first');
    t.same(list.items.slice(1).map((item) => item.sourceEventId), [...early].reverse(), 'none of the early messages was lost or duplicated');
    t.equal(list.items[1]?.message, `30.00 EUR was debited from your account ${accountId}. New balance: 70.00 EUR.`);
    t.same((await notificationsOf(app, 'dora', '/notice/notices/')).items, list.items, 'the alias finds them too');
  });
}

t.test('GET /notifications › bad query input is a 400 problem [local]', async (t) => {
  const app = await start(t, 'local');
  for (const url of ['/notifications', '/notice/notices/']) {
    for (const query of ['', '?login=', `?login=${'a'.repeat(65)}`, '?login=alice&unknown=1', '?login=alice&limit=0', '?login=alice&limit=501', '?login=alice&limit=abc', '?login=alice&offset=-1', '?user=alice']) {
      const response = await app.request({ method: 'GET', url: `${url}${query}` });
      t.equal(response.statusCode, 400, `GET ${url}${query} › 400`);
      t.equal(response.headers['content-type'], 'application/problem+json; charset=utf-8');
      t.match(response.json(), { code: 'validation-error', errors: [{ in: 'querystring' }] });
    }
  }
  const unknown = await app.request({ method: 'GET', url: '/notifications?login=nobody' });
  t.equal(unknown.statusCode, 200, 'an unknown login is not an error');
  t.same(unknown.json(), { login: 'nobody', items: [], total: 0, limit: 50, offset: 0 });
});

t.test('notification handlers › an event reaching a handler twice past the inbox still makes one message [local]', async (t) => {
  const app = await start(t, 'local');
  const { orm, outbox, units } = app.container.cradle;
  const handler = bindHandlers(notificationModule.handlers!.filter((declared) => declared.contract === PaymentCompleted), app.container.cradle)[0]!;
  const event = await orm.em.fork().transactional(async (em) => outbox.add(em, PaymentCompleted, {
    paymentId: 1, accountId: 900_201, amount: 10, currency: 'EUR', transactionType: 'STANDARD', status: 'COMPLETED', completedAt: at('2024-01-15T10:30:00Z'),
  }));
  await app.scenario.handledBy('notification', event.id);
  for (let copy = 0; copy < 2; copy++) {
    await orm.em.fork().transactional(async (em) => handler.handle(event, units.bind(em)));
  }
  const rows = await orm.em.fork().execute('select id from notification.message where source_event_id = ?', [event.id]);
  t.equal(rows.length, 1, 'the message row is unique by source event id');
});
