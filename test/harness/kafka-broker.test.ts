import { randomBytes } from 'node:crypto';
import t from 'tap';
import {
  Kafka,
  Partitioners,
  logLevel,
  type Consumer,
  type IHeaders,
  type KafkaMessage,
  type RecordMetadata,
} from 'kafkajs';
import {
  clusterId,
  fastKafkaTestSettings,
  startTestKafkaBroker,
  type TestKafkaBroker,
} from './kafka-broker.ts';

/** Rejects if `p` does not settle within `ms`. */
async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

const uniq = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;

interface Received {
  partition: number;
  offset: string;
  key: string;
  value: string;
  headers: Record<string, string>;
}

function decodeHeaders(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) {
    if (v !== undefined) out[k] = Array.isArray(v) ? v.map(String).join(',') : String(v);
  }
  return out;
}

/** Runs a consumer that records every message and resolves `until(pred)` when pred holds. */
async function collectingConsumer(consumer: Consumer, topic: string) {
  const received: Received[] = [];
  const waiters: Array<{ pred: (r: Received[]) => boolean; resolve: () => void }> = [];
  const check = () => {
    for (const w of waiters.splice(0)) {
      if (w.pred(received)) w.resolve();
      else waiters.push(w);
    }
  };
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message }: { partition: number; message: KafkaMessage }) => {
      received.push({
        partition,
        offset: message.offset,
        key: message.key?.toString() ?? '',
        value: message.value?.toString() ?? '',
        headers: decodeHeaders(message.headers),
      });
      check();
    },
  });
  return {
    received,
    until: (pred: (r: Received[]) => boolean) =>
      new Promise<void>((resolve) => {
        waiters.push({ pred, resolve });
        check();
      }),
  };
}

const broker: TestKafkaBroker = await startTestKafkaBroker();
t.teardown(() => broker.stop());
t.comment(`Kafka test broker: Apache Kafka ${broker.version} (${broker.kind}) at ${broker.brokers.join(',')}`);
const settings = fastKafkaTestSettings();
const kafka = new Kafka({
  clientId: 'kafka-broker-test',
  brokers: broker.brokers,
  logLevel: logLevel.NOTHING,
  ...settings.client,
});

t.test('choice of broker', async (t) => {
  if (process.env.KAFKA_BROKERS || process.env.TEST_KAFKA_BROKER_KIND) {
    t.pass(`kind chosen by environment: ${broker.kind}`);
  } else {
    t.ok(
      broker.kind === 'local' || broker.kind === 'testcontainers',
      'no KAFKA_BROKERS: testcontainers if Docker answers, else the local broker from jars',
    );
  }
  t.equal(broker.canInjectFaults, broker.kind === 'local', 'only the local broker injects faults');
  t.ok(
    broker.brokers.length > 0 && broker.brokers.every((b) => /^[^:]+:\d+$/.test(b)),
    'bootstrap servers are host:port',
  );
});

t.test('the warm-up group leaves for good: no hidden member lives on to restart itself once the broker stops', async (t) => {
  const admin = new Kafka({ clientId: uniq('probe'), brokers: broker.brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  const members = async () => (await admin.describeGroups(['__harness-warm-up'])).groups[0]?.members ?? [];
  // A member that disconnected mid-join may linger until its session (6 s) expires; a restarted one
  // heartbeats and stays.
  const deadline = Date.now() + 15_000;
  while ((await members()).length > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 500));
  t.same(await members(), [], 'the warm-up group empties within a session timeout');
  await new Promise((resolve) => setTimeout(resolve, 2500));
  t.same(await members(), [], 'and nobody rejoins it (kafkajs restarts a crashed consumer after about a second)');
});

t.test('cluster ids are 22 base64url characters and never start with "-" (the storage tool would read an option)', async (t) => {
  const ids = Array.from({ length: 2000 }, () => clusterId());
  t.ok(ids.every((id) => /^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/.test(id)), 'every id is well formed');
});

// Shared by the next subtests (tap runs them in order).
const topic = uniq('orders');
const groupId = uniq('group');
const firstRound: Received[] = [];
const produced: Array<{ key: string; value: string; meta: RecordMetadata }> = [];

t.test('produce acks=-1 with keys and headers, consume with a group, commit, restart', async (t) => {
  await broker.createTopic(topic, 3);
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  t.teardown(() => producer.disconnect());

  // 3 keys x 5 messages, interleaved, one message per send so that each
  // RecordMetadata belongs to exactly one message.
  for (let i = 0; i < 15; i++) {
    const key = `key-${i % 3}`;
    const value = `v${i}`;
    const [meta] = await producer.send({
      topic,
      acks: -1,
      messages: [{ key, value, headers: { 'x-seq': String(i), 'x-source': 'harness-test' } }],
    });
    if (!meta) throw new Error('send returned no metadata');
    t.equal(meta.errorCode, 0, `send ${i} acknowledged`);
    produced.push({ key, value, meta });
  }

  const c1 = kafka.consumer({ groupId, ...settings.consumer });
  const run1 = await collectingConsumer(c1, topic);
  await within(run1.until((r) => r.length >= 15), 20_000, 'first consumer gets 15 messages');
  await c1.disconnect(); // commits the resolved offsets
  firstRound.push(...run1.received);

  t.equal(firstRound.length, 15, 'each message delivered exactly once');
  t.same(
    new Set(firstRound.map((r) => r.value)),
    new Set(produced.map((p) => p.value)),
    'all values came back',
  );
  for (const r of firstRound) {
    const seq = Number(r.value.slice(1));
    t.equal(r.key, `key-${seq % 3}`, `key of ${r.value}`);
    t.same(r.headers, { 'x-seq': String(seq), 'x-source': 'harness-test' }, `headers of ${r.value}`);
  }

  // Committed offsets == end offsets on every partition.
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  const ends = await admin.fetchTopicOffsets(topic);
  const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
  for (const end of ends) {
    const c = committed?.partitions.find((p) => p.partition === end.partition);
    const expected = end.high === '0' ? '-1' : end.high; // nothing consumed → nothing committed
    t.equal(c?.offset, expected, `partition ${end.partition} committed up to the end`);
  }

  // A sentinel in every partition: if the restarted member re-read any old
  // message, it would arrive before that partition's sentinel.
  const sentinels = ends.map((e) => `sentinel-${e.partition}`);
  await producer.send({
    topic,
    acks: -1,
    messages: ends.map((e) => ({
      partition: e.partition,
      key: `s${e.partition}`,
      value: `sentinel-${e.partition}`,
    })),
  });
  const c2 = kafka.consumer({ groupId, ...settings.consumer });
  t.teardown(() => c2.disconnect());
  const run2 = await collectingConsumer(c2, topic);
  await within(
    run2.until((r) => sentinels.every((s) => r.some((m) => m.value === s))),
    20_000,
    'restarted consumer reaches every sentinel',
  );
  t.same(
    run2.received.map((r) => r.value).sort(),
    [...sentinels].sort(),
    'the restarted member of the group sees only the new messages',
  );
});

t.test('messages with the same key land in the same partition, in order', async (t) => {
  t.equal(produced.length, 15, 'needs the previous test');
  for (const key of ['key-0', 'key-1', 'key-2']) {
    const sent = produced.filter((p) => p.key === key);
    const partitions = new Set(sent.map((p) => p.meta.partition));
    t.equal(partitions.size, 1, `${key}: one partition on produce`);
    const offsets = sent.map((p) => BigInt(p.meta.baseOffset ?? '-1'));
    t.ok(
      offsets.every((o, i) => i === 0 || o > (offsets[i - 1] ?? -1n)),
      `${key}: offsets increase in send order`,
    );

    const got = firstRound.filter((r) => r.key === key);
    t.same(new Set(got.map((r) => r.partition)), partitions, `${key}: consumed from that partition`);
    t.same(
      got.map((r) => r.value),
      sent.map((p) => p.value),
      `${key}: consumed in the order produced`,
    );
  }
});

t.test('the broker refuses to create topics on first use (auto.create.topics.enable=false)', async (t) => {
  if (broker.kind === 'external') {
    t.pass('an external cluster is taken as it is');
    return;
  }
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: true });
  await producer.connect();
  t.teardown(() => producer.disconnect());
  await t.rejects(
    producer.send({ topic: uniq('never-created'), acks: -1, messages: [{ value: 'x' }] }),
    /does not host this topic-partition|UNKNOWN_TOPIC|not exist/i,
    'a send to a topic nobody created fails',
  );
});

t.test('fault injection on the local broker: kill -9 makes produce fail, restart() restores it, acknowledged data survives', async (t) => {
  const local = broker.canInjectFaults ? broker : await startTestKafkaBroker({ kind: 'local' });
  if (local !== broker) t.teardown(() => local.stop());
  const fk = new Kafka({
    clientId: 'kafka-broker-fault-test',
    brokers: local.brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 500,
    requestTimeout: 2000,
    retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 300 },
  });
  const faultTopic = uniq('faults');
  await local.createTopic(faultTopic, 2);
  const producer = fk.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  t.teardown(() => producer.disconnect());
  const send = async (value: string) => {
    await producer.send({ topic: faultTopic, acks: -1, messages: [{ key: 'k', value }] });
    return 'ok';
  };
  t.equal(await send('before'), 'ok', 'produce works while the broker runs');

  await local.kill();
  const err = await within(send('during').then(() => undefined, (e: unknown) => e), 15_000, 'produce while killed settles');
  t.type(err, Error, 'produce to a killed broker rejects');

  await local.restart();
  t.equal(await within(send('after'), 30_000, 'produce after restart'), 'ok', 'produce works after restart()');
  const admin = fk.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  const total = (await admin.fetchTopicOffsets(faultTopic)).reduce((n, p) => n + Number(p.high), 0);
  t.equal(total, 2, 'before and after were written (the acknowledged one survived the kill), the failed send was not');

  await local.freeze();
  const frozen = await within(send('frozen').then(() => undefined, (e: unknown) => e), 15_000, 'produce while frozen settles');
  t.type(frozen, Error, 'a frozen (SIGSTOP) broker answers nothing: the send times out');
  await local.thaw();
  t.equal(await within(send('thawed'), 30_000, 'produce after thaw'), 'ok', 'produce works after thaw()');
});

t.test('a local broker that stops closes its port, and stop() is idempotent', async (t) => {
  const local = await startTestKafkaBroker({ kind: 'local' });
  t.equal(local.kind, 'local', 'kind can be forced');
  await local.createTopic('dup', 1);
  await t.rejects(local.createTopic('bad name', 1), /Topic creation errors/, 'an invalid topic name is refused');
  await local.stop();
  await local.stop();
  const probe = new Kafka({ clientId: 'probe', brokers: local.brokers, logLevel: logLevel.NOTHING, connectionTimeout: 500, retry: { retries: 0 } }).admin();
  await t.rejects(probe.connect(), /ECONNREFUSED|Connection|refused/i, 'nothing answers on its port after stop()');
});

t.test('external kind has no fault injection', async (t) => {
  const saved = process.env.KAFKA_BROKERS;
  process.env.KAFKA_BROKERS = broker.brokers.join(',');
  t.teardown(() => {
    if (saved === undefined) delete process.env.KAFKA_BROKERS;
    else process.env.KAFKA_BROKERS = saved;
  });
  const ext = await startTestKafkaBroker({ kind: 'external' });
  t.equal(ext.kind, 'external', 'kind');
  t.same(ext.brokers, broker.brokers, 'brokers from KAFKA_BROKERS');
  t.equal(ext.canInjectFaults, false, 'cannot inject faults');
  await t.rejects(ext.kill(), /fault injection needs the local Kafka broker/);
  await t.rejects(ext.restart(), /fault injection needs the local Kafka broker/);
  await ext.stop();
});
