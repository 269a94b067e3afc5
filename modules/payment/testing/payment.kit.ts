/** Test helpers for the payment module's integration tests: acting as other modules and reading what payment published. */
import { eventually } from '../../../test/harness/eventually.ts';
import type { TestPlatform } from '../../../test/harness/platform.ts';
import { AccountCreated } from '../../account/index.ts';

export interface AccountBody { accountId: number; userId: number; login: string; balance: number; currency: string; status: string }
export interface PaymentBody {
  id: number; accountId: number; userId: number; userName: string | null; amount: number; currency: string;
  transactionType: string; description: string | null; status: string; reason: string | null;
  createdAt: string; updatedAt: string; completedAt: string | null;
}
export interface Published<T = Record<string, unknown>> { key: string; payload: T }

/** An account the account module does not know: only the payment module's cache (fed by this event) does. */
/**
 * Plays the account module: `account.created` for the account, and its owner's login as the
 * account module's query API would have answered it earlier (the `account.*` events carry no login).
 */
export async function announceAccount(app: TestPlatform, account: { accountId: number; userId: number; login: string; currency?: string }): Promise<void> {
  const eventId = await app.scenario.commit(AccountCreated, {
    accountId: account.accountId, userId: account.userId, accountType: 'CHECKING',
    currency: account.currency ?? 'EUR', status: 'ACTIVE', createdAt: new Date().toISOString(),
  });
  await app.scenario.handledBy('payment', eventId);
  await app.container.cradle.orm.em.fork().execute('update payment.account_cache set login = ? where account_id = ?', [account.login, account.accountId]);
}

export async function payment(app: TestPlatform, id: number): Promise<PaymentBody> {
  const response = await app.request({ method: 'GET', url: `/payments/${id}` });
  if (response.statusCode !== 200) throw new Error(`GET /payments/${id}: ${response.statusCode} ${response.body}`);
  return response.json<PaymentBody>();
}

export async function statusBecomes(app: TestPlatform, id: number, status: string): Promise<PaymentBody> {
  return eventually(async () => {
    const current = await payment(app, id);
    if (current.status !== status) throw new Error(`payment ${id} is ${current.status}`);
    return current;
  }, { what: `payment ${id} ${status}` });
}

/** Waits until the payment's status satisfies `until` (read through GET /payments/{id}/status); returns it. */
export async function paymentStatus(app: TestPlatform, id: number, until: (status: string) => boolean, timeoutMs = 30_000): Promise<string> {
  return eventually(async () => {
    const { status } = (await app.request({ method: 'GET', url: `/payments/${id}/status` })).json<{ status: string }>();
    return until(status) ? status : undefined;
  }, { what: `payment ${id} status`, timeoutMs });
}

/** Rows of messaging.outbox for an event type, oldest first; `key` narrows to one message key. */
export async function published<T = Record<string, unknown>>(app: TestPlatform, type: string, key?: number): Promise<Array<Published<T>>> {
  const rows = await app.container.cradle.orm.em.fork().execute<Array<{ message_key: string; payload: T }>>(
    `select message_key, payload from messaging.outbox where event_type = ? ${key === undefined ? '' : 'and message_key = ?'} order by id`,
    key === undefined ? [type] : [type, String(key)],
  );
  return rows.map((row) => ({ key: row.message_key, payload: row.payload }));
}

export async function statusTrail(app: TestPlatform, paymentId: number): Promise<Array<{ status: string; previousStatus: string | null; reason: string | null }>> {
  const rows = await published<{ status: string; previousStatus: string | null; reason: string | null }>(app, 'payment.status', paymentId);
  return rows.map(({ payload }) => ({ status: payload.status, previousStatus: payload.previousStatus, reason: payload.reason }));
}

/**
 * Payments and the events only an accepted or fraud-refused POST /payments writes; the other payment
 * events come from handlers still answering earlier payments, so they are not counted.
 */
export async function rowCounts(app: TestPlatform): Promise<{ payments: number; outbox: number }> {
  const [row] = await app.container.cradle.orm.em.fork().execute<Array<{ payments: number; outbox: number }>>(
    `select (select count(*)::int from payment.payment) as payments,
            (select count(*)::int from messaging.outbox
              where event_type in ('payment.requested', 'fraud.detected')) as outbox`,
  );
  return row!;
}

