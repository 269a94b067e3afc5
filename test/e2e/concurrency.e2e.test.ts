import t from 'tap';
import { eventually } from '../harness/eventually.ts';
import { platformFor } from '../harness/suite.ts';
import { accountOf, openAccount } from '../../modules/account/testing/account.kit.ts';

/** Runs `tasks` with at most `limit` in flight. */
async function inParallel<T>(tasks: Array<() => Promise<T>>, limit: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < tasks.length) {
      const index = next++;
      results[index] = await tasks[index]!();
    }
  }));
  return results;
}

t.test('one account under 200 concurrent payments and withdrawals through the API never goes below zero and loses no update', async (t) => {
  const app = await platformFor(t, 'local', {
    env: { FRAUD_MAX_PAYMENTS_PER_MINUTE: '100000', PROCESSING_DELAY_MIN_MS: '0', PROCESSING_DELAY_MAX_MS: '30', DATABASE_POOL_SIZE: '20' },
  });
  const start = 1000;
  await openAccount(app, 'hugo', { deposit: start });
  // 100 payments of 7.00 and 100 withdrawals of 12.00 (1900 in all) against 1000: some must be refused.
  type Outcome = { kind: 'payment' | 'withdrawal'; response: Awaited<ReturnType<typeof app.request>> };
  const tasks: Array<() => Promise<Outcome>> = Array.from({ length: 200 }, (_, i) => i % 2 === 0
    ? async () => ({ kind: 'payment' as const, response: await app.request({ method: 'POST', url: '/payments', payload: { userName: 'hugo', amount: 7, currency: 'EUR' } }) })
    : async () => ({ kind: 'withdrawal' as const, response: await app.request({ method: 'PUT', url: '/account/operation', payload: { login: 'hugo', operation: 'WITHDRAW', sum: 12 } }) }));
  const results = await inParallel(tasks, 32);

  const withdrawals = results.filter((r) => r.kind === 'withdrawal');
  const accepted = withdrawals.filter((r) => r.response.statusCode === 200).length;
  t.ok(withdrawals.every((r) => r.response.statusCode === 200 || r.response.statusCode === 422), 'every withdrawal is 200 or 422, never 5xx');
  const payments = results.filter((r) => r.kind === 'payment');
  t.ok(payments.every((r) => r.response.statusCode === 201), 'every payment request is accepted for processing');
  const ids = payments.map((r) => r.response.json<{ id: number }>().id);

  const finals = await eventually(async () => {
    const statuses = await Promise.all(ids.map(async (id) => (await app.request({ method: 'GET', url: `/payments/${id}/status` })).json<{ status: string }>().status));
    return statuses.every((s) => s === 'COMPLETED' || s === 'REJECTED') ? statuses : undefined;
  }, { what: 'every payment settled', timeoutMs: 90_000, intervalMs: 250 });
  const completed = finals.filter((s) => s === 'COMPLETED').length;
  const settled = await eventually(async () => {
    const current = await accountOf(app, 'hugo');
    return current.reserved === 0 ? current : undefined;
  }, { what: 'all reservations captured or released', timeoutMs: 30_000 });

  t.ok(completed > 0 && accepted > 0, `${completed} payments completed and ${accepted} withdrawals accepted`);
  t.ok(completed + accepted < 200, 'some operations were refused for lack of funds');
  t.equal(settled.balance, start - completed * 7 - accepted * 12, 'balance = deposit − completed payments − accepted withdrawals, exactly');
  t.ok(settled.balance >= 0, 'the balance never went below zero');
  // Nothing is ever released here (no processing failures), so available only shrank: what is left
  // at the end could not have paid any operation that was refused.
  if (accepted < 100) t.ok(settled.available < 12, `a withdrawal was refused, and ${settled.available} left cannot pay 12`);
  if (completed < 100) t.ok(settled.available < 7, `a payment was refused, and ${settled.available} left cannot pay 7`);
  const [ledger] = await app.container.cradle.orm.em.fork().execute<Array<{ sum: number }>>('select coalesce(sum(amount), 0)::bigint as sum from account.ledger_entry');
  t.equal(Number(ledger?.sum) / 100, settled.balance, 'the ledger adds up to the balance');
});
