import t from 'tap';
import { eventually } from '../../test/harness/eventually.ts';
import type { TestPlatform } from '../../test/harness/platform.ts';
import { platformFor, TRANSPORTS } from '../../test/harness/suite.ts';
import { PaymentRequested } from '../payment/index.ts';
import { accountOf, deadLetterCount, ledgerOf, minor, openAccount } from './testing/account.kit.ts';
import { AccountFundsRejected, AccountFundsReserved } from './index.ts';

const OPERATIONS = 200;
const STARTING_BALANCE = 1000;
const WITHDRAWALS_IN_FLIGHT = 8;

/** 1.00 to 25.99, spread: the withdrawals alone, and the reservations alone, ask for more than the balance. */
function amountOf(i: number): number {
  return ((i * 37) % 2500 + 100) / 100;
}

/**
 * The order in which withdrawals (W) and reservation answers (R) committed. Outbox ids are taken at
 * flush, while the account row is still locked, so their order is the serialisation order.
 */
async function commitOrder(app: TestPlatform, accountId: number): Promise<string> {
  const rows = await app.container.cradle.orm.em.fork().execute<Array<{ withdrawal: boolean }>>(
    `select event_type = 'account.balance.changed' as withdrawal from messaging.outbox
      where event_type in ('account.balance.changed', 'account.funds.reserved', 'account.funds.rejected')
        and payload @> ?::jsonb and coalesce(payload->>'changeReason', 'DEBIT') = 'DEBIT'
      order by id`,
    [JSON.stringify({ accountId })],
  );
  return rows.map((row) => (row.withdrawal ? 'W' : 'R')).join('');
}

async function inBatches<T>(items: T[], inFlight: number, run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await run(items[next++]!);
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
}

for (const transport of TRANSPORTS) {
  t.test(`one account under ${OPERATIONS} concurrent withdrawals and payment reservations loses no update and never goes below zero [${transport}]`, async (t) => {
    const app = await platformFor(t, transport, { isolate: ['profile', 'account'] });
    const account = await openAccount(app, 'busy', { deposit: STARTING_BALANCE });
    const ledgerBefore = (await ledgerOf(app, account.accountId)).length;

    const withdrawals: Array<{ amount: number; status: number; code?: string }> = [];
    const withdraw = async (amount: number): Promise<void> => {
      const response = await app.request({ method: 'PUT', url: '/account/operation', payload: { login: 'busy', operation: 'WITHDRAW', sum: amount } });
      withdrawals.push({ amount, status: response.statusCode, ...(response.statusCode === 200 ? {} : { code: response.json<{ code: string }>().code }) });
    };
    const paymentIds = Array.from({ length: OPERATIONS / 2 }, (_, i) => 2 * i + 1);
    const request = (paymentId: number) => app.scenario.commit(PaymentRequested, {
      paymentId, accountId: account.accountId, amount: amountOf(paymentId), currency: 'EUR', transactionType: 'STANDARD', requestedAt: new Date().toISOString(),
    });
    // The reservation requests are committed all at once and the consumer works through them while
    // the withdrawals keep arriving, WITHDRAWALS_IN_FLIGHT at a time: fired all at once, the HTTP
    // requests would queue at the row lock ahead of the consumer and run first, one kind after the other.
    await Promise.all([
      ...paymentIds.map(request),
      inBatches(Array.from({ length: OPERATIONS / 2 }, (_, i) => amountOf(2 * i)), WITHDRAWALS_IN_FLIGHT, withdraw),
    ]);

    const [reserved, rejected] = await eventually(async () => {
      const answers = await Promise.all([
        app.scenario.events(AccountFundsReserved, { accountId: account.accountId }),
        app.scenario.events(AccountFundsRejected, { accountId: account.accountId }),
      ]);
      return answers[0].length + answers[1].length >= paymentIds.length ? answers : undefined;
    }, { what: `an answer to each of the ${paymentIds.length} payment requests`, timeoutMs: 60_000 });

    const order = await commitOrder(app, account.accountId);
    t.comment(`commit order: ${order}`);
    t.ok((order.match(/(?=WR|RW)/g) ?? []).length >= 4, 'withdrawals and reservations committed interleaved, not one kind after the other');

    const accepted = withdrawals.filter((w) => w.status === 200);
    const refused = withdrawals.filter((w) => w.status !== 200);
    t.same(refused.filter((w) => w.status !== 422 || w.code !== 'insufficient-funds'), [], 'every refused withdrawal is 422 insufficient-funds');
    t.same(rejected.filter((answer) => answer.reason !== 'INSUFFICIENT_FUNDS'), [], 'every refused reservation is INSUFFICIENT_FUNDS');
    t.same([...reserved, ...rejected].map((answer) => answer.paymentId).sort((a, b) => a - b), paymentIds.sort((a, b) => a - b), 'each payment answered exactly once');
    t.comment(`withdrawals ${accepted.length} accepted / ${refused.length} refused; reservations ${reserved.length} / ${rejected.length}`);
    t.ok(accepted.length > 0 && reserved.length > 0, 'both kinds of operation got funds');
    t.ok(refused.length > 0 && rejected.length > 0, 'each kind asked for more than the balance, so both had refusals');

    const withdrawn = accepted.reduce((sum, w) => sum + minor(w.amount), 0);
    const held = reserved.reduce((sum, answer) => sum + minor(answer.amount), 0);
    const after = await accountOf(app, 'busy');
    t.equal(minor(after.balance), minor(STARTING_BALANCE) - withdrawn, 'balance = start - accepted withdrawals, exactly');
    t.equal(minor(after.reserved), held, 'reserved = sum of accepted reservations, exactly');
    t.ok(after.balance >= 0 && after.reserved <= after.balance, `0 <= reserved (${after.reserved}) <= balance (${after.balance})`);
    // Available only shrinks during the run, so a refusal was right only if the end is below every refused amount.
    const smallestRefused = Math.min(...refused.map((w) => minor(w.amount)), ...rejected.map((answer) => minor(answer.amount)));
    t.ok(minor(after.available) < smallestRefused, `nothing was refused that could have been paid (available ${after.available} < smallest refused ${smallestRefused / 100})`);

    const ledger = (await ledgerOf(app, account.accountId)).slice(ledgerBefore);
    t.equal(ledger.length, accepted.length, 'one ledger entry per accepted withdrawal');
    t.equal(ledger.at(-1)?.balance_after, minor(after.balance), 'the last ledger entry ends on the balance');
    const [holds] = await app.container.cradle.orm.em.fork().execute<Array<{ n: number; total: number }>>(
      `select count(*)::int as n, coalesce(sum(amount), 0)::bigint as total from account.hold where account_id = ? and status = 'HELD'`, [account.accountId],
    );
    t.same(holds, { n: reserved.length, total: held }, 'the holds add up to reserved');
    t.equal(await deadLetterCount(app), 0, 'no event ended in the dead-letter queue');
  });
}
