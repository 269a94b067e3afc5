import { connect } from 'node:net';
import { randomBytes } from 'node:crypto';
import t from 'tap';
import {
  Kafka,
  Partitioners,
  logLevel,
  type Consumer,
  type IHeaders,
  type KafkaMessage,
  type LogEntry,
  type RecordMetadata,
} from 'kafkajs';
import {
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
t.comment(`Kafka test broker: ${broker.kind} at ${broker.brokers.join(',')}`);
const settings = fastKafkaTestSettings(broker.kind);
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
      broker.kind === 'librdkafka-mock' || broker.kind === 'testcontainers',
      'no KAFKA_BROKERS: testcontainers if Docker answers, else the mock',
    );
  }
  t.equal(broker.canInjectFaults, broker.kind === 'librdkafka-mock', 'only the mock injects faults');
  t.ok(
    broker.brokers.length > 0 && broker.brokers.every((b) => /^[^:]+:\d+$/.test(b)),
    'bootstrap servers are host:port',
  );
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

t.test('fault injection: down() makes produce fail, up() restores it', async (t) => {
  // Only the mock can inject faults; on other kinds start one just for this.
  const mock = broker.canInjectFaults
    ? broker
    : await startTestKafkaBroker({ kind: 'librdkafka-mock' });
  if (mock !== broker) t.teardown(() => mock.stop());

  const connectionErrors: string[] = [];
  let onConnectionError: (() => void) | undefined;
  const fk = new Kafka({
    clientId: 'kafka-broker-fault-test',
    brokers: mock.brokers,
    connectionTimeout: 500,
    requestTimeout: 2000,
    retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 300 },
    logCreator:
      () =>
      ({ log }: LogEntry) => {
        if (/ECONNREFUSED|Connection (error|closed)/.test(log.message)) {
          connectionErrors.push(log.message);
          onConnectionError?.();
        }
      },
  });
  const faultTopic = uniq('faults');
  await mock.createTopic(faultTopic, 2);
  const producer = fk.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  t.teardown(() => producer.disconnect());
  const send = async (value: string) => {
    await producer.send({ topic: faultTopic, acks: -1, messages: [{ key: 'k', value }] });
    return 'ok';
  };

  t.equal(await send('before'), 'ok', 'produce works while up');

  await mock.down();
  const started = Date.now();
  const err = await within(
    send('during').then(
      () => undefined,
      (e: unknown) => e,
    ),
    10_000,
    'produce while down settles',
  );
  t.type(err, Error, 'produce while down rejects');
  t.match(
    String((err as Error).message),
    /ECONNREFUSED|Connection|closed/,
    'with a connection error',
  );
  t.ok(Date.now() - started < 5000, `fails fast with short retries (${Date.now() - started} ms)`);

  await mock.up();
  t.equal(await within(send('after'), 5000, 'produce after up'), 'ok', 'produce works after up()');

  // A send issued while down succeeds if the broker returns within its retries.
  await mock.down();
  connectionErrors.length = 0;
  const refused = new Promise<void>((resolve) => (onConnectionError = resolve));
  const spanning = send('spanning');
  await within(refused, 5000, 'kafkajs sees the broker down');
  onConnectionError = undefined;
  await mock.up();
  t.equal(await within(spanning, 5000, 'send spanning the outage'), 'ok', 'retried onto the restored broker');

  // The messages that were acknowledged are there; the failed one is not.
  const admin = fk.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  const total = (await admin.fetchTopicOffsets(faultTopic)).reduce(
    (n, p) => n + Number(p.high),
    0,
  );
  t.equal(total, 3, 'before + after + spanning were written, the failed send was not');
});

t.test('mock stdin protocol and process lifecycle', async (t) => {
  const mock = await startTestKafkaBroker({ kind: 'librdkafka-mock' });
  t.equal(mock.kind, 'librdkafka-mock', 'kind can be forced');
  await mock.createTopic('dup', 1);
  await t.rejects(mock.createTopic('dup', 1), /already exists/i, 'duplicate topic is an error');
  await t.rejects(mock.createTopic('bad name', 1), /invalid topic name/);
  await mock.down();
  await mock.up();
  await mock.stop();
  await mock.stop(); // idempotent
  const [host, port] = (mock.brokers[0] ?? '').split(':');
  const refused = await new Promise<boolean>((resolve) => {
    const s = connect({ host, port: Number(port) });
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(true));
  });
  t.ok(refused, 'stop() closed the listener');
  await t.rejects(mock.down(), /exited/, 'commands after stop() reject');
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
  await t.rejects(ext.down(), /fault injection needs the librdkafka mock/);
  await t.rejects(ext.up(), /fault injection needs the librdkafka mock/);
  await ext.stop();
});
