import t from 'tap';
import { customerAuthorization } from '../harness/tokens.ts';
import { testBroker, TRANSPORTS } from '../harness/suite.ts';
import { FaultRun } from './harness/fault-run.ts';
import { assertInvariants, waitUntilCaughtUp } from './harness/invariants.ts';

const PAYMENTS = 1_000;
const AMOUNT = 2;
/** Exactly half of the payments fit. */
const DEPOSIT = (PAYMENTS / 2) * AMOUNT;

for (const transport of TRANSPORTS) {
  t.test(`1,000 concurrent payments against one account that can afford exactly half [${transport}]: exactly 500 complete, the balance ends at zero, never below`, async (t) => {
    const run = await FaultRun.create(t, transport === 'kafka' ? { brokers: (await testBroker()).brokers } : {});
    const api = await run.deploy();
    const owner = run.workload(api, { accounts: 1, concurrency: 0 });
    await owner.onboard(DEPOSIT);
    const [login] = owner.logins;

    const started = performance.now();
    const answers = await Promise.all(Array.from({ length: PAYMENTS }, (_, n) => pay(api.url, login!, n)));
    const answeredMs = Math.round(performance.now() - started);
    const drainMs = await waitUntilCaughtUp(run);

    const statuses = countBy(answers);
    t.same(statuses, { 201: PAYMENTS }, 'every request was accepted (201); funds are checked when the account reserves them');
    const { rows } = await run.pool.query<{ status: string; reason: string | null; n: number }>(
      'select status, reason, count(*)::int as n from payment.payment group by status, reason order by status');
    const outcome = Object.fromEntries(rows.map((row) => [`${row.status}${row.reason === null ? '' : `/${row.reason}`}`, row.n]));
    t.same(outcome, { COMPLETED: PAYMENTS / 2, 'REJECTED/INSUFFICIENT_FUNDS': PAYMENTS / 2 }, 'exactly half completed, the other half rejected for insufficient funds');
    const account = await accountOf(api.url, login!);
    t.same({ balance: account.balance, reserved: account.reserved }, { balance: 0, reserved: 0 }, 'the balance ends at exactly zero with nothing reserved');
    const { money, delivery } = await assertInvariants(t, run);

    await run.report(t, `concurrent-payments-${transport}`, {
      payments: PAYMENTS,
      accepted: statuses[201] ?? 0,
      outcome,
      answeredAllMs: answeredMs,
      settledAllMs: answeredMs + drainMs,
      events: delivery.events,
      lost: delivery.unpublished + delivery.undelivered,
      duplicatesAbsorbed: run.duplicatesAbsorbed(),
      balanceMinor: money.balances,
      negativeBalances: money.negativeBalances,
    });
  });
}

async function pay(url: string, login: string, n: number): Promise<number | 'error'> {
  try {
    const response = await fetch(`${url}/payments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: await customerAuthorization(login) },
      body: JSON.stringify({ userName: login, amount: AMOUNT, currency: 'EUR', description: `concurrent ${n}` }),
      signal: AbortSignal.timeout(120_000),
    });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return 'error';
  }
}

async function accountOf(url: string, login: string): Promise<{ balance: number; reserved: number }> {
  const response = await fetch(`${url}/account?login=${encodeURIComponent(login)}`, { headers: { authorization: await customerAuthorization(login) } });
  return (await response.json()) as { balance: number; reserved: number };
}

function countBy(values: Array<number | 'error'>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[String(value)] = (counts[String(value)] ?? 0) + 1;
  return counts;
}
