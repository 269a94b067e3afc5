import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { pino } from 'pino';
import { OutboxRelay } from '../relay/outbox-relay.ts';
import type { Config } from '../src/config.ts';
import { KafkaTransport } from '../src/platform/messaging/transports/kafka.transport.ts';
import { LocalTransport } from '../src/platform/messaging/transports/local.transport.ts';
import type { Transport } from '../src/platform/messaging/transports/transport.ts';
import { Metrics } from '../src/platform/observability/metrics.ts';
import type { TestKafkaBroker } from '../test/harness/kafka-broker.ts';
import { benchConfig } from './support/bench-config.ts';
import type { BenchDatabase } from './support/bench-database.ts';
import { fillOutbox, generateEvent } from './support/bench-events.ts';
import { round } from './support/percentiles.ts';
import { formatCount, Progress } from './support/progress.ts';

export type RelayTarget = 'local' | 'kafka';

export interface Throughput {
  eventsPerSec: number;
  events: number;
  seconds: number;
  batchSize: number;
}

export interface RelayThroughput extends Throughput {
  /** Messages the transport delivered or the broker holds afterwards: at least `events`. */
  delivered: number;
  note?: string;
}

/** Partitions of every bench topic on the broker. */
export const TOPIC_PARTITIONS = 8;
const TIMEOUT_MS = 180_000;

/**
 * Relay throughput: `events` committed rows wait in the outbox, one OutboxRelay (the platform's
 * defaults) starts, and the clock stops when it has committed the last batch as published.
 * Local: delivered in-process to one subscriber that only counts. Kafka: acknowledged by the broker.
 */
export async function measureRelayThroughput(
  db: BenchDatabase,
  target: RelayTarget,
  events: number,
  broker: TestKafkaBroker | undefined,
): Promise<RelayThroughput> {
  const config = benchConfig();
  await db.reset();
  const topic = `bench.relay-${target}.${Date.now()}`;
  const fill = new Progress(`relay → ${target}: filling the outbox`);
  await fillOutbox(db.admin, topic, events, (done) => fill.update(`${formatCount(done)}/${formatCount(events)} rows`));
  fill.done(`${formatCount(events)} rows committed`);

  const sink = await sinkFor(target, topic, config, broker);
  const metrics = new Metrics();
  const relay = new OutboxRelay(db.url, sink.transport, config.relay, metrics, pino({ level: 'silent' }));
  const progress = new Progress(`relay → ${target}`);
  const started = performance.now();
  let published = 0;
  relay.start();
  try {
    while (published < events && performance.now() - started < TIMEOUT_MS) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      published = await publishedCount(metrics);
      const seconds = (performance.now() - started) / 1000;
      progress.update(`${formatCount(published)}/${formatCount(events)} events, ${formatCount(published / seconds)}/s`);
    }
  } finally {
    await relay.stop();
  }
  const seconds = (performance.now() - started) / 1000;
  const delivered = await sink.delivered();
  await sink.transport.close();
  const eventsPerSec = round(published / seconds, 0);
  progress.done(`${formatCount(published)} events in ${seconds.toFixed(2)} s = ${formatCount(eventsPerSec)} events/s`);
  if (delivered < published) throw new Error(`relay → ${target}: ${published} rows marked published but only ${delivered} messages arrived`);
  return {
    eventsPerSec,
    events: published,
    seconds: round(seconds, 3),
    batchSize: config.relay.batchSize,
    delivered,
    ...(published < events ? { note: `timed out after ${TIMEOUT_MS / 1000} s with ${events - published} rows left` } : {}),
  };
}

interface Sink {
  transport: Transport;
  delivered(): Promise<number>;
}

async function sinkFor(target: RelayTarget, topic: string, config: Config, broker: TestKafkaBroker | undefined): Promise<Sink> {
  if (target === 'local') {
    const transport = new LocalTransport(config.consumer.concurrency);
    let delivered = 0;
    await transport.subscribe({ group: 'bench.counter', topics: [topic], handle: async () => void delivered++ });
    return { transport, delivered: async () => delivered };
  }
  if (broker === undefined) throw new Error('the Kafka relay bench needs a broker');
  await broker.createTopic(topic, TOPIC_PARTITIONS);
  const transport = new KafkaTransport({
    clientId: 'bench-relay', brokers: broker.brokers, logger: pino({ level: 'silent' }),
    partitionsConsumedConcurrently: config.consumer.concurrency,
    sessionTimeoutMs: config.kafka.sessionTimeoutMs, heartbeatIntervalMs: config.kafka.heartbeatIntervalMs, fetchMaxWaitMs: config.kafka.fetchMaxWaitMs,
  });
  await transport.ensureTopics([topic]); // connects the producer before the clock starts
  return { transport, delivered: () => messagesOnTopic(broker, topic) };
}

async function publishedCount(metrics: Metrics): Promise<number> {
  return (await metrics.relayPublished.get()).values.reduce((sum, value) => sum + value.value, 0);
}

/** Sum of the partitions' high watermarks: how many messages the broker accepted. */
export async function messagesOnTopic(broker: TestKafkaBroker, topic: string): Promise<number> {
  const admin = new Kafka({ clientId: 'bench-check', brokers: broker.brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, partition) => sum + Number(partition.high), 0);
  } finally {
    await admin.disconnect();
  }
}

/**
 * The ceiling for the Kafka relay: kafkajs alone sending the same messages (same keys, values,
 * headers) with the same producer settings as KafkaTransport (acks all, one request in flight)
 * and the same batch size, one batch after the other, nothing read from a database.
 */
export async function measureRawKafkaProduce(broker: TestKafkaBroker, events: number): Promise<Throughput> {
  const { batchSize } = benchConfig().relay;
  const topic = `bench.raw-produce.${Date.now()}`;
  await broker.createTopic(topic, TOPIC_PARTITIONS);
  const kafka = new Kafka({ clientId: 'bench-raw', brokers: broker.brokers, logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ allowAutoTopicCreation: true, idempotent: false, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const messages = Array.from({ length: events }, (_, n) => {
    const event = generateEvent(n);
    return { key: event.key, value: JSON.stringify(event.data), headers: event.headers };
  });
  const warmUp = `${topic}.warm-up`;
  await broker.createTopic(warmUp, TOPIC_PARTITIONS);
  await producer.sendBatch({ acks: -1, topicMessages: [{ topic: warmUp, messages: messages.slice(0, batchSize) }] });
  const progress = new Progress('raw kafkajs produce');
  const started = performance.now();
  try {
    for (let offset = 0; offset < events; offset += batchSize) {
      await producer.sendBatch({ acks: -1, topicMessages: [{ topic, messages: messages.slice(offset, offset + batchSize) }] });
      const seconds = (performance.now() - started) / 1000;
      progress.update(`${formatCount(offset + batchSize)}/${formatCount(events)} events, ${formatCount((offset + batchSize) / seconds)}/s`);
    }
  } finally {
    await producer.disconnect();
  }
  const seconds = (performance.now() - started) / 1000;
  const eventsPerSec = round(events / seconds, 0);
  progress.done(`${formatCount(events)} events in ${seconds.toFixed(2)} s = ${formatCount(eventsPerSec)} events/s`);
  const accepted = await messagesOnTopic(broker, topic);
  if (accepted !== events) throw new Error(`raw produce: sent ${events} but the broker holds ${accepted}`);
  return { eventsPerSec, events, seconds: round(seconds, 3), batchSize };
}
