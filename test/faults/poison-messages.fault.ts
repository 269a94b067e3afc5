import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Message } from 'kafkajs';
import t, { type Test } from 'tap';
import { envelopeHeaders } from '../../src/platform/messaging/envelope.ts';
import { eventually } from '../harness/eventually.ts';
import { customerAuthorization, OPERATOR_AUTHORIZATION } from '../harness/tokens.ts';
import { testBroker } from '../harness/suite.ts';
import { FaultRun, type Delivery } from './harness/fault-run.ts';
import { assertInvariants, waitForEvents, waitUntilCaughtUp } from './harness/invariants.ts';

const POISON = 1_000;
const EVENTS_BEFORE_INJECTION = 1_000;

/** The four ways a message on a consumed topic can be unusable, in turn. */
const POISON_KINDS = ['invalid JSON', 'no event id', 'schema violation', 'unknown contract version'] as const;
type PoisonKind = (typeof POISON_KINDS)[number];

interface Injected {
  topic: string;
  kind: PoisonKind;
  message: Message;
}

t.test('1,000 malformed or schema-breaking messages on consumed topics: all end in the DLQ, consumption goes on, a fixed message redriven is handled', async (t) => {
  const broker = await testBroker();
  const run = await FaultRun.create(t, { brokers: broker.brokers });
  const { api } = await run.startSplitDeployment();
  const workload = run.workload(api, { accounts: 10, concurrency: 8 });
  await workload.onboard(2000);
  workload.start();
  await waitForEvents(run, EVENTS_BEFORE_INJECTION);

  // Straight onto the topics, as a foreign or buggy producer would: the outbox's checks never see them.
  const poison = poisonMessages(run.deliveries, POISON);
  await produce(broker.brokers, poison);
  const eventsAtInjection = (await run.pool.query<{ n: number }>('select count(*)::int as n from messaging.outbox')).rows[0]!.n;
  await waitForEvents(run, eventsAtInjection + 1_000); // business traffic goes on past the poison
  await workload.stop();

  const expectedDeadLetters = poison.reduce((sum, injected) => sum + consumersOf(run.deliveries, injected.topic).length, 0);
  await eventually(async () => (await deadLetterCount(run)) >= expectedDeadLetters ? true : undefined,
    { timeoutMs: 180_000, intervalMs: 250, what: `${expectedDeadLetters} dead letters` });
  const drainMs = await waitUntilCaughtUp(run);
  const { delivery } = await assertInvariants(t, run, expectedDeadLetters);
  t.same(workload.unexpectedAnswers(), {}, 'the API answered every request as when healthy');

  const byReason = await run.pool.query<{ reason: string; n: number }>(
    `select case when error like 'poison message%' then 'poison message'
                 when error like 'schema violation%' then 'schema violation'
                 when error like 'no handler for%' then 'no handler'
                 else error end as reason, count(*)::int as n
       from messaging.dead_letter group by 1`);
  const reasons = Object.fromEntries(byReason.rows.map((row) => [row.reason, row.n]));
  t.same(reasons, expectedReasons(run.deliveries, poison), 'each message was dead-lettered for what it is, by every group that consumes its topic');
  t.ok((await run.pool.query('select 1 from messaging.dead_letter where attempts <> 0')).rowCount === 0, 'poison is dead-lettered at once, never retried');
  const dlqRows = await run.pool.query<{ n: number }>(`select count(*)::int as n from messaging.outbox where topic like '%.dlq'`);
  t.equal(dlqRows.rows[0]!.n, expectedDeadLetters, 'every dead letter was also published to <topic>.dlq');

  const auth = { authorization: OPERATOR_AUTHORIZATION };
  const listed = (await (await fetch(`${api.url}/admin/dead-letters?limit=1`, { headers: auth })).json()) as { total: number };
  t.equal(listed.total, expectedDeadLetters, 'GET /admin/dead-letters counts them all');

  const redrive = await redriveFixedBalanceChange(t, run, api.url, workload.logins[0]!, auth);
  await run.report(t, 'poison-messages', {
    injected: poison.length,
    byKind: Object.fromEntries(POISON_KINDS.map((kind) => [kind, poison.filter((injected) => injected.kind === kind).length])),
    deadLetters: expectedDeadLetters,
    deadLettersByReason: reasons,
    events: delivery.events,
    lost: delivery.unpublished + delivery.undelivered,
    duplicatesAbsorbed: run.duplicatesAbsorbed(),
    requests: workload.requests(),
    drainAfterLoadMs: drainMs,
    redriveHandledMs: redrive,
  });
});

/**
 * Takes one of the notification group's schema-broken `account.balance.changed` dead letters,
 * redrives it with a valid payload for a real account and waits for the notification it causes.
 */
async function redriveFixedBalanceChange(t: Test, run: FaultRun, url: string, login: string, auth: Record<string, string>): Promise<number> {
  const { rows } = await run.pool.query<{ id: number; event_id: string }>(
    `select id, headers->>'ce_id' as event_id from messaging.dead_letter
      where consumer = $1 and topic = $2 and error like 'schema violation%' order by id limit 1`,
    [`${run.namespace}.notification`, `${run.namespace}.account.balance.changed`]);
  const deadLetter = rows[0];
  if (deadLetter === undefined) throw new Error('no schema-broken account.balance.changed dead letter of the notification group');
  const account = (await (await fetch(`${url}/account?login=${login}`, { headers: { authorization: await customerAuthorization(login) } })).json()) as { accountId: number };
  const fixed = {
    accountId: account.accountId, previousBalance: 100, newBalance: 143.21, changeAmount: 43.21,
    currency: 'EUR', changeReason: 'CREDIT', timestamp: new Date().toISOString(),
  };
  const started = performance.now();
  const redriven = await fetch(`${url}/admin/dead-letters/${deadLetter.id}/redrive`, {
    method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ payload: fixed }),
  });
  t.equal(redriven.status, 200, 'POST /admin/dead-letters/{id}/redrive › 200');
  const stored = await eventually(async () => {
    const found = await run.pool.query<{ text: string; login: string | null }>(
      'select text, login from notification.message where source_event_id = $1', [deadLetter.event_id]);
    return found.rows[0];
  }, { timeoutMs: 60_000, intervalMs: 100, what: 'the notification of the redriven, fixed message' });
  t.match(stored.text, /43[.,]21 .*credited/, `the fixed message reached the notification module and was stored: "${stored.text}"`);
  const again = await fetch(`${url}/admin/dead-letters/${deadLetter.id}/redrive`, {
    method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{}',
  });
  t.equal(again.status, 409, 'a dead letter is redriven once');
  return Math.round(performance.now() - started);
}

function poisonMessages(deliveries: Delivery[], count: number): Injected[] {
  const topics = [...new Map(deliveries.map((delivery) => [delivery.topic, delivery])).values()];
  return Array.from({ length: count }, (_, n) => {
    const target = topics[n % topics.length]!;
    const kind = POISON_KINDS[Math.floor(n / topics.length) % POISON_KINDS.length]!;
    return { topic: target.topic, kind, message: poisonMessage(target, kind, n) };
  });
}

function poisonMessage(target: Delivery, kind: PoisonKind, n: number): Message {
  const key = `poison-${n}`;
  const headers = envelopeHeaders({
    specversion: '1.0', id: randomUUID(), type: target.type, source: 'fault-suite', time: new Date().toISOString(),
    subject: key, datacontenttype: 'application/json', dataversion: kind === 'unknown contract version' ? 99 : target.version,
  });
  switch (kind) {
    case 'invalid JSON':
      return { key, value: `{"truncated": ${n}`, headers };
    case 'no event id': {
      const { ce_id: _dropped, ...rest } = headers;
      return { key, value: JSON.stringify({ n }), headers: rest };
    }
    case 'schema violation':
      return { key, value: JSON.stringify({ accountId: `not-a-number-${n}`, unexpected: true }), headers };
    case 'unknown contract version':
      return { key, value: JSON.stringify({ n }), headers };
  }
}

async function produce(brokers: string[], injected: Injected[]): Promise<void> {
  const producer = new Kafka({ clientId: 'fault-suite-poison', brokers, logLevel: logLevel.NOTHING }).producer({ idempotent: false });
  await producer.connect();
  try {
    const byTopic = new Map<string, Message[]>();
    for (const { topic, message } of injected) byTopic.set(topic, [...(byTopic.get(topic) ?? []), message]);
    await producer.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) });
  } finally {
    await producer.disconnect();
  }
}

const REASON_OF: Record<PoisonKind, string> = {
  'invalid JSON': 'poison message',
  'no event id': 'poison message',
  'schema violation': 'schema violation',
  'unknown contract version': 'no handler',
};

function expectedReasons(deliveries: Delivery[], poison: Injected[]): Record<string, number> {
  const expected: Record<string, number> = {};
  for (const injected of poison) {
    const reason = REASON_OF[injected.kind];
    expected[reason] = (expected[reason] ?? 0) + consumersOf(deliveries, injected.topic).length;
  }
  return expected;
}

function consumersOf(deliveries: Delivery[], topic: string): string[] {
  return [...new Set(deliveries.filter((delivery) => delivery.topic === topic).map((delivery) => delivery.consumer))];
}

async function deadLetterCount(run: FaultRun): Promise<number> {
  return (await run.pool.query<{ n: number }>('select count(*)::int as n from messaging.dead_letter')).rows[0]!.n;
}
