import t, { type Test } from 'tap';
import { eventually } from '../harness/eventually.ts';
import { type TestPlatform } from '../harness/platform.ts';
import { OPERATOR_AUTHORIZATION } from '../harness/tokens.ts';
import { effects, handledOrderByKey, Sequenced, startRecordingConsumer } from '../harness/recording-consumer.ts';
import { RefuseKey } from '../harness/refusing-transport.ts';
import { platformFor, TRANSPORTS } from '../harness/suite.ts';

const KEYS = 1000;
const FAILING = 20;
const PER_KEY = 5;
const GROUP = 'test.recorder';
const auth = { authorization: OPERATOR_AUTHORIZATION };

async function write(app: TestPlatform, round: number, keys: number, perKey: number, prefix = 'k'): Promise<void> {
  const { orm, outbox } = app.container.cradle;
  for (let seq = 0; seq < perKey; seq++) {
    await orm.em.fork().transactional(async (em) => {
      for (let k = 0; k < keys; k++) outbox.add(em, Sequenced, { key: `${prefix}${k}`, seq: round * perKey + seq });
    });
  }
}

/** Commit → handled, per event of the keys matching `like`, in milliseconds (outbox row time to inbox row time). */
async function latencies(app: TestPlatform, like: string, fromSeq: number): Promise<{ p50: number; p99: number; events: number }> {
  const rows = await app.container.cradle.orm.em.fork().execute<Array<{ ms: number }>>(
    `select extract(epoch from i.handled_at - o.created_at) * 1000 as ms
       from messaging.inbox i join messaging.outbox o on o.event_id = i.event_id
      where i.consumer = ? and o.message_key like ? and (o.payload->>'seq')::int >= ?`,
    [GROUP, like, fromSeq],
  );
  const sorted = rows.map((row) => Number(row.ms)).sort((a, b) => a - b);
  const at = (q: number): number => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0);
  return { p50: at(0.5), p99: at(0.99), events: sorted.length };
}

function orderViolations(byKey: Map<string, number[]>): number {
  let violations = 0;
  for (const seqs of byKey.values()) violations += seqs.filter((seq, i) => i > 0 && seq <= seqs[i - 1]!).length;
  return violations;
}

/**
 * 1,000 keys flow while the handler has a bug for 20 of them: exactly those 20 park, the 980 others
 * finish at their usual latency; after the fix, one bulk redrive applies every parked message in
 * order, once.
 */
async function consumerScenario(t: Test, transport: (typeof TRANSPORTS)[number]): Promise<void> {
  const app = await platformFor(t, transport);
  const failingKeys = new Set<string>();
  // The production retry settings (the harness shortens them): a failing message's attempts take
  // about 3 s, which the keys behind it must not wait for.
  await startRecordingConsumer(app, GROUP, failingKeys, { maxAttempts: 5, retryBaseMs: 200 });

  await write(app, 0, KEYS, PER_KEY);
  await eventually(async () => (await effects(app)).length === KEYS * PER_KEY, { what: 'the healthy round', timeoutMs: 240_000, intervalMs: 250 });
  const before = await latencies(app, 'k%', 0);

  for (let k = 0; k < FAILING; k++) failingKeys.add(`k${k * (KEYS / FAILING)}`);
  await write(app, 1, KEYS, PER_KEY);
  const others = (KEYS - FAILING) * PER_KEY;
  await eventually(async () => (await effects(app)).length === KEYS * PER_KEY + others, { what: 'the other keys of the faulty round', timeoutMs: 240_000, intervalMs: 250 });
  const parked = await eventually(async () => {
    const body = (await app.request({ method: 'GET', url: `/admin/parked-keys?consumer=${GROUP}&limit=500`, headers: auth })).json<{ items: Array<{ key: string; parkedMessages: number }>; total: number }>();
    return body.items.reduce((sum, item) => sum + item.parkedMessages, 0) === FAILING * (PER_KEY - 1) ? body : undefined;
  }, { what: 'the failing keys parked with their later messages', timeoutMs: 120_000, intervalMs: 250 });
  t.same(parked.items.map((item) => item.key).sort(), [...failingKeys].sort(), `exactly the ${FAILING} failing keys are parked`);
  const during = await latencies(app, 'k%', PER_KEY);
  t.ok(during.p50 <= before.p50 * 3 + 250, `the other keys' median latency stays near its healthy value (${before.p50} → ${during.p50} ms)`);
  t.ok(during.p99 <= before.p99 * 3 + 1000, `and so does their p99, below the failing keys' retries (${before.p99} → ${during.p99} ms)`);

  failingKeys.clear();
  const redriven = await app.request({
    method: 'POST', url: '/admin/parked-keys/redrive', headers: auth,
    payload: { consumer: GROUP, error: 'Error: the handler has a bug for this key', reason: 'fix deployed' },
  });
  t.equal(redriven.json<{ settled: unknown[] }>().settled.length, FAILING, 'one bulk redrive for every parked key');
  const all = await eventually(async () => {
    const rows = await effects(app);
    return rows.length === KEYS * PER_KEY * 2 ? rows : undefined;
  }, { what: 'every parked message applied', timeoutMs: 120_000, intervalMs: 250 });
  const byKey = handledOrderByKey(all);
  t.equal(orderViolations(byKey), 0, 'no key handled out of order');
  t.equal(new Set(all.map((row) => row.event_id)).size, all.length, 'no event applied twice');
  t.ok([...byKey.values()].every((seqs) => seqs.length === PER_KEY * 2), 'every key has all its events');
  t.equal((await app.request({ method: 'GET', url: `/admin/parked-keys?consumer=${GROUP}`, headers: auth })).json<{ total: number }>().total, 0, 'nothing parked any more');
  t.comment(`figures parking-consumer-${transport}: ${JSON.stringify({
    keys: KEYS, events: KEYS * PER_KEY * 2, keysParked: parked.total, messagesParkedAndReleased: FAILING * (PER_KEY - 1),
    orderViolations: orderViolations(byKey), latencyOtherKeysMs: { before, during },
  })}`);
}

/** An unpublishable row among 10,000 good ones: only its key waits. */
async function relayScenario(t: Test, transport: (typeof TRANSPORTS)[number]): Promise<void> {
  const app = await platformFor(t, transport, {
    env: { RELAY_MAX_ATTEMPTS: '3', RELAY_BACKOFF_BASE_MS: '20' },
    overrides: { wrapTransport: (inner) => new RefuseKey(inner, 'r0') },
  });
  await startRecordingConsumer(app, GROUP);
  const started = performance.now();
  await write(app, 0, 2000, 5, 'r');
  const good = 1999 * 5;
  const handled = await eventually(async () => {
    const rows = await effects(app);
    return rows.length >= good ? rows : undefined;
  }, { what: 'every other key published and handled', timeoutMs: 240_000, intervalMs: 250 });
  const seconds = (performance.now() - started) / 1000;
  t.equal(handled.length, good, `the ${good} rows of the other keys went out`);
  t.notOk(handled.some((row) => row.key === 'r0'), "the refused key's rows wait");
  t.equal(orderViolations(handledOrderByKey(handled)), 0, 'in order per key');
  const held = await eventually(async () => {
    const { items } = (await app.request({ method: 'GET', url: '/admin/outbox/held-keys', headers: auth })).json<{ items: Array<{ key: string; parked: boolean; waitingRows: number }> }>();
    return items.find((item) => item.key === 'r0' && item.parked);
  }, { what: 'r0 parked', timeoutMs: 60_000 });
  t.equal(held.waitingRows, 5, 'only its own rows wait');
  t.comment(`figures parking-relay-${transport}: ${JSON.stringify({ rows: 10_000, published: handled.length, heldKeys: 1, waitingRows: held.waitingRows, seconds: Math.round(seconds) })}`);
}

for (const transport of TRANSPORTS) {
  t.test(`parking · ${KEYS} keys, the handler failing for ${FAILING} until fixed [${transport}]`, (t) => consumerScenario(t, transport));
  t.test(`parking · one unpublishable key among 10,000 rows [${transport}]`, (t) => relayScenario(t, transport));
}
