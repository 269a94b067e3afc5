import { setTimeout as sleep } from 'node:timers/promises';
import { customerAuthorization } from '../harness/tokens.ts';
import t, { type Test } from 'tap';
import { testBroker } from '../harness/suite.ts';
import { FaultRun } from './harness/fault-run.ts';
import { assertInvariants, spread, waitUntilCaughtUp } from './harness/invariants.ts';
import { killRepeatedly, type PlatformProcess } from './harness/platform-process.ts';
import { mulberry32, Workload } from './harness/workload.ts';

const CLIENTS = 1000;
const ACCOUNTS = 50;
const KILLS = 8;
/** The clients' first attempts are spread over this long, so that requests are in flight at every kill. */
const ARRIVALS_MS = 30_000;
/** A client that has no final answer by then is a finding, not a reason to wait forever. */
const ANSWER_DEADLINE_MS = 300_000;

interface KeyOutcome {
  key: string;
  login: string;
  /** The final answer: 201, or a 4xx other than 409 (which only says "still in progress"). */
  status: number | undefined;
  paymentId: number | undefined;
  attempts: number;
  replayed: boolean;
}

/**
 * One client of a payment API that may die under it: it sends its payment with its own
 * Idempotency-Key and, on no answer, a 5xx or a 409, sends the very same request again after a
 * short pause — as the IETF draft tells clients to — until it gets a final answer.
 */
async function payUntilAnswered(url: string, login: string, key: string, random: () => number, deadline: number): Promise<KeyOutcome> {
  const outcome: KeyOutcome = { key, login, status: undefined, paymentId: undefined, attempts: 0, replayed: false };
  const body = JSON.stringify({ userName: login, amount: 1.25, currency: 'EUR' });
  const authorization = await customerAuthorization(login);
  while (Date.now() < deadline) {
    outcome.attempts++;
    try {
      const response = await fetch(`${url}/payments`, {
        method: 'POST', body, headers: { 'content-type': 'application/json', 'idempotency-key': key, authorization }, signal: AbortSignal.timeout(15_000),
      });
      const answer = (await response.json()) as { id?: number };
      if (response.status < 500 && response.status !== 409) {
        return { ...outcome, status: response.status, paymentId: answer.id, replayed: response.headers.get('idempotent-replayed') === 'true' };
      }
    } catch {
      // The process is down or died mid-request: the answer is unknown, so ask again.
    }
    await sleep(100 + random() * 400);
  }
  return outcome;
}

/**
 * The API process is killed with SIGKILL 8 times at random moments while 1,000 clients pay, each
 * with a key of its own, retrying until they get a final answer. Afterwards: every key answered,
 * exactly one payment per key, and every money invariant holds.
 */
async function apiKillScenario(t: Test, transport: 'local' | 'kafka'): Promise<void> {
  const run = await FaultRun.create(t, transport === 'kafka' ? { brokers: (await testBroker()).brokers } : {});
  // Local: one process with every role, as `npm start` runs it, so the whole platform dies each time.
  const api: PlatformProcess = await run.deploy();
  const accounts = new Workload({ url: api.url, accounts: ACCOUNTS, concurrency: 1, prefix: `${run.namespace}p` }, run.seed);
  await accounts.onboard(1000);

  const random = mulberry32(run.seed ^ 0xa11);
  const deadline = Date.now() + ANSWER_DEADLINE_MS;
  const started = performance.now();
  const clients = Array.from({ length: CLIENTS }, async (_, n) => {
    await sleep(random() * ARRIVALS_MS);
    return payUntilAnswered(api.url, accounts.logins[n % ACCOUNTS]!, `${run.namespace}-key-${n}`, mulberry32(run.seed + n), deadline);
  });
  const restartedAt = await killRepeatedly(api, { times: KILLS, minGapMs: 1000, maxGapMs: 3500, random: run.random() });
  const outcomes = await Promise.all(clients);
  const loadSeconds = (performance.now() - started) / 1000;
  const drainMs = await waitUntilCaughtUp(run);

  t.equal(api.kills, KILLS, `the api process was killed ${KILLS} times and restarted each time`);
  const unanswered = outcomes.filter((outcome) => outcome.status === undefined);
  t.same(unanswered.map((outcome) => outcome.key), [], 'every key got a final answer');
  const answers = countBy(outcomes.map((outcome) => String(outcome.status)));
  t.same(answers, { 201: CLIENTS }, 'every payment was accepted (the accounts hold enough)');

  const answeredIds = outcomes.map((outcome) => outcome.paymentId).filter((id): id is number => id !== undefined);
  t.equal(new Set(answeredIds).size, CLIENTS, 'each key was answered with a payment of its own');
  const { rows } = await run.pool.query<{ id: string }>(
    'select id from payment.payment where user_name like $1 order by id', [`${run.namespace}p%`],
  );
  const stored = rows.map((row) => Number(row.id));
  t.equal(stored.length, CLIENTS, `${CLIENTS} payments in the database: none twice, none lost`);
  t.same(stored, [...answeredIds].sort((a, b) => a - b), 'and they are exactly the ones the clients were told of');
  const { rows: keys } = await run.pool.query<{ n: number }>(
    `select count(*)::int as n from messaging.idempotency_key where route = 'payment.request' and key like $1`, [`${run.namespace}-key-%`],
  );
  t.equal(keys[0]!.n, CLIENTS, 'one stored key per client');
  const { rows: perKey } = await run.pool.query<{ unanswered: number; most: number }>(
    `with answered as (
       select (k.response->>'id')::bigint as payment_id from messaging.idempotency_key k
        where k.route = 'payment.request' and k.key like $2)
     select count(*) filter (where a.payment_id is null)::int as unanswered,
            coalesce(max(per.n), 0)::int as most
       from payment.payment p
       left join answered a on a.payment_id = p.id
       left join (select payment_id, count(*) as n from answered group by payment_id) per on per.payment_id = p.id
      where p.user_name like $1`,
    [`${run.namespace}p%`, `${run.namespace}-key-%`],
  );
  t.equal(perKey[0]!.unanswered, 0, 'no payment that no key answered with (a second execution would be one)');
  t.equal(perKey[0]!.most, 1, 'no payment answered to two keys');
  const { money } = await assertInvariants(t, run);

  const attempts = outcomes.map((outcome) => outcome.attempts);
  await run.report(t, `kill-api-${transport}`, {
    clients: CLIENTS,
    kills: api.kills,
    requests: attempts.reduce((sum, n) => sum + n, 0),
    retries: attempts.reduce((sum, n) => sum + n - 1, 0),
    clientsThatRetried: attempts.filter((n) => n > 1).length,
    attemptsPerClient: { ...spread(attempts), min: Math.min(...attempts) },
    answersReplayed: outcomes.filter((outcome) => outcome.replayed).length,
    keysAnswered: new Set(answeredIds).size,
    payments: stored.length,
    paymentsNoKeyAnsweredWith: perKey[0]!.unanswered,
    loadSeconds: Math.round(loadSeconds),
    restartToReadyMs: spread(api.startTimesMs.slice(1)),
    firstRestartAt: restartedAt[0]?.toISOString(),
    drainAfterLoadMs: drainMs,
    money: { balances: money.balances, deposits: money.deposits, completedPayments: money.completedPayments, captures: money.captures },
  });
}

function countBy(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

for (const transport of ['local', 'kafka'] as const) {
  t.test(`kill -9 of the api process ${KILLS} times while ${CLIENTS} clients pay with unique keys and retry [${transport}]: one payment per key, money conserved`,
    (t) => apiKillScenario(t, transport));
}
