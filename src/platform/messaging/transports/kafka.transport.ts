import {
  Kafka,
  Partitioners,
  logLevel,
  type Admin,
  type Consumer,
  type IHeaders,
  type KafkaMessage,
  type LogEntry,
  type Producer,
} from 'kafkajs';
import type { Logger } from '../../observability/logger.ts';
import type { WireHeaders, WireMessage } from '../envelope.ts';
import type { ReceivedMessage, Subscription, Transport } from './transport.ts';

export interface KafkaTransportOptions {
  clientId: string;
  brokers: string[];
  /** Partitions a partition-consuming group works on at once. */
  partitionsConsumedConcurrently: number;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  fetchMaxWaitMs: number;
  /** Messages of one partition handed to a batch handler at once (see {@link Subscription.handleBatch}). */
  batchSize?: number;
  logger: Logger;
}

/**
 * kafkajs producer with `acks: -1` and one request in flight, so a retried batch can never
 * overtake the one before it: per-key order holds without the idempotent producer.
 */
export class KafkaTransport implements Transport {
  readonly kind = 'kafka' as const;
  private readonly kafka: Kafka;
  private readonly producer: Producer;
  private readonly admin: Admin;
  private readonly consumers: Consumer[] = [];
  /** Per batch-consuming group: commits the offsets it handled since the last interval's commit. */
  private readonly stopCommits: Array<() => Promise<void>> = [];
  private connected: Promise<void> | undefined;
  private closing = false;

  constructor(private readonly options: KafkaTransportOptions) {
    this.kafka = new Kafka({
      clientId: options.clientId,
      brokers: options.brokers,
      connectionTimeout: 3000,
      requestTimeout: 15_000,
      retry: { initialRetryTime: 100, maxRetryTime: 2000, retries: 3 },
      logLevel: logLevel.WARN,
      logCreator: () => (entry: LogEntry) => this.log(entry),
    });
    this.producer = this.kafka.producer({
      allowAutoTopicCreation: true,
      idempotent: false,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    this.admin = this.kafka.admin();
  }

  async publish(messages: WireMessage[]): Promise<void> {
    await this.connect();
    const byTopic = new Map<string, Array<{ key: string; value: string; headers: WireHeaders }>>();
    for (const message of messages) {
      const topicMessages = byTopic.get(message.topic) ?? [];
      topicMessages.push({ key: message.key, value: message.value, headers: message.headers });
      byTopic.set(message.topic, topicMessages);
    }
    await this.producer.sendBatch({
      acks: -1,
      topicMessages: [...byTopic].map(([topic, topicMessages]) => ({ topic, messages: topicMessages })),
    });
  }

  async ensureTopics(topics: string[]): Promise<void> {
    await this.connect();
    try {
      await this.admin.createTopics({ topics: topics.map((topic) => ({ topic })), waitForLeaders: true });
    } catch (error) {
      // Some brokers (librdkafka's mock cluster, locked-down clusters) refuse CreateTopics;
      // they create topics on first use instead.
      this.options.logger.warn(
        { err: error, topics: topics.length },
        'broker refused to create topics; relying on automatic topic creation',
      );
      await this.admin.fetchTopicMetadata({ topics }).catch(() => undefined);
    }
  }

  async subscribe(subscription: Subscription): Promise<void> {
    const consumer = this.kafka.consumer({
      groupId: subscription.group,
      allowAutoTopicCreation: true,
      sessionTimeout: this.options.sessionTimeoutMs,
      rebalanceTimeout: this.options.sessionTimeoutMs,
      heartbeatInterval: this.options.heartbeatIntervalMs,
      maxWaitTimeInMs: this.options.fetchMaxWaitMs,
      // After these retries the consumer crashes and kafkajs restarts it: it never gives up for good.
      retry: {
        initialRetryTime: 200,
        maxRetryTime: 5000,
        retries: 10,
        // Without this a consumer that crashes while (or after) we disconnect restarts itself forever.
        restartOnFailure: async () => !this.closing,
      },
    });
    this.consumers.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topics: subscription.topics, fromBeginning: true });
    const { handleBatch } = subscription;
    const batchSize = this.options.batchSize ?? 1;
    if (handleBatch === undefined || batchSize === 1) {
      await consumer.run({
        autoCommit: true,
        partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently,
        eachMessage: async ({ topic, partition, message }) => subscription.handle(received(topic, partition, message)),
      });
      return;
    }
    const handled = new HandledOffsets();
    // After a rebalance, committing a partition another member now owns could rewind it.
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => handled.keepOnly(payload.memberAssignment));
    this.stopCommits.push(() => handled.commit(consumer));
    await consumer.run({
      // kafkajs commits after every fetched record batch when autoCommit is on, whatever the
      // interval: a round trip per batch, and a batch is often a few messages. Offsets go out once
      // per interval instead, and when the consumer stops. A crash or a rebalance redelivers at
      // most an interval's messages, which the inbox absorbs (at-least-once, as before).
      autoCommit: false,
      autoCommitInterval: OFFSET_COMMIT_INTERVAL_MS,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently,
      // Offsets are resolved chunk by chunk, only after the handler resolved, never for the whole
      // fetched batch at once: a consumer stopping mid-batch must not skip what it did not handle.
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale, commitOffsetsIfNecessary, uncommittedOffsets }) => {
        for (let start = 0; start < batch.messages.length; start += batchSize) {
          if (!isRunning() || isStale()) break;
          const chunk = batch.messages.slice(start, start + batchSize);
          await handleBatch(chunk.map((message) => received(batch.topic, batch.partition, message)));
          const last = chunk[chunk.length - 1]!.offset;
          resolveOffset(last);
          handled.note(batch.topic, batch.partition, last);
          await commitOffsetsIfNecessary();
          await heartbeat();
        }
        // Stopping: this batch's offsets go out while the member is still in the group.
        if (!isRunning()) await commitOffsetsIfNecessary(uncommittedOffsets());
      },
    });
  }

  async isReachable(): Promise<boolean> {
    try {
      await this.connect();
      await withTimeout(this.admin.describeCluster(), 3000);
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.allSettled(this.stopCommits.map((commit) => withTimeout(commit(), CLOSE_TIMEOUT_MS)));
    // A consumer finishes its in-flight message first; an unreachable broker must not hold shutdown forever.
    await Promise.allSettled(this.consumers.map((consumer) => withTimeout(consumer.disconnect(), CLOSE_TIMEOUT_MS)));
    await Promise.allSettled([this.producer.disconnect(), this.admin.disconnect()].map((done) => withTimeout(done, CLOSE_TIMEOUT_MS)));
  }

  private connect(): Promise<void> {
    this.connected ??= Promise.all([this.producer.connect(), this.admin.connect()]).then(
      () => undefined,
      (error: unknown) => {
        this.connected = undefined;
        throw error;
      },
    );
    return this.connected;
  }

  private log(entry: LogEntry): void {
    const { message, ...extra } = entry.log;
    const fields = { component: 'kafkajs', namespace: entry.namespace, ...extra };
    if (entry.level <= logLevel.ERROR) this.options.logger.error(fields, message);
    else this.options.logger.warn(fields, message);
  }
}

const CLOSE_TIMEOUT_MS = 15_000;
const OFFSET_COMMIT_INTERVAL_MS = 1000;

/** The next offset to consume of every partition a group handled messages of, for its commit on close. */
class HandledOffsets {
  private readonly next = new Map<string, { topic: string; partition: number; offset: string }>();

  note(topic: string, partition: number, offset: string): void {
    this.next.set(`${topic}\u0000${partition}`, { topic, partition, offset: (BigInt(offset) + 1n).toString() });
  }

  keepOnly(assignment: Record<string, number[]>): void {
    for (const [key, { topic, partition }] of this.next) {
      if (!assignment[topic]?.includes(partition)) this.next.delete(key);
    }
  }

  /** Commits them while the consumer still runs (a stopped one has left its group). */
  async commit(consumer: Consumer): Promise<void> {
    if (this.next.size > 0) await consumer.commitOffsets([...this.next.values()]);
  }
}

function received(topic: string, partition: number, message: KafkaMessage): ReceivedMessage {
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key?.toString('utf8') ?? null,
    value: message.value?.toString('utf8') ?? null,
    headers: stringHeaders(message.headers),
  };
}

function stringHeaders(headers: IHeaders | undefined): WireHeaders {
  const result: WireHeaders = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) result[name] = first.toString();
  }
  return result;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
