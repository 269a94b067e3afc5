import kafkajs, {
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
import { TopicNames } from '../contract.ts';
import type { WireHeaders, WireMessage } from '../envelope.ts';
import type { GroupLag, PartitionLag, ReceivedMessage, RedeliveryHorizon, Subscription, Transport } from './transport.ts';
import { mendRequestQueueTimer } from './kafkajs-request-queue.ts';

mendRequestQueueTimer();

// kafkajs is CommonJS: Node finds some of its named exports statically, not this one.
const { ConfigResourceTypes } = kafkajs;

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
  /** Partitions of each topic {@link KafkaTransport.ensureTopics} creates (default 12). */
  topicPartitions?: number;
  /** Replicas of each topic it creates (default 3), capped at the cluster's broker count. */
  replicationFactor?: number;
  logger: Logger;
}

/**
 * kafkajs producer with `acks: -1` and one request in flight, so a retried batch can never
 * overtake the one before it: per-key order holds without the idempotent producer. The producer
 * never retries by itself: the relay retries whole batches.
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
      allowAutoTopicCreation: false,
      // kafkajs 2.2.4 retries a failed send only towards brokers that have not answered yet: when
      // a failed broker's partitions moved to one that had answered, their messages are dropped and
      // the send resolves anyway (lost events on every leader change). A failed send throws
      // instead, after kafkajs refreshed its metadata; the relay sends the whole batch again
      // (duplicates are what the consumers' inbox is for).
      retry: { retries: 0 },
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

  /**
   * Creates every topic given and its dead-letter topic, as a production cluster wants them:
   * KAFKA_TOPIC_PARTITIONS partitions, KAFKA_REPLICATION_FACTOR replicas (at most one per broker),
   * `min.insync.replicas` one below that. Nothing relies on automatic topic creation.
   */
  async ensureTopics(topics: string[]): Promise<void> {
    await this.connect();
    const { logger } = this.options;
    const wanted = withDeadLetterTopics(topics);
    const partitions = this.options.topicPartitions ?? DEFAULT_TOPIC_PARTITIONS;
    const configured = this.options.replicationFactor ?? DEFAULT_REPLICATION_FACTOR;
    const { brokers } = await this.admin.describeCluster();
    const replicationFactor = Math.max(1, Math.min(configured, brokers.length));
    if (replicationFactor < configured) {
      logger.warn({ configured, brokers: brokers.length, replicationFactor }, 'KAFKA_REPLICATION_FACTOR exceeds the cluster\'s broker count; capped');
    }
    const minInsyncReplicas = Math.max(1, replicationFactor - 1);
    try {
      // kafkajs' own wait for leaders gives up when a broker does not know a new topic yet, which
      // a loaded KRaft cluster takes a moment to propagate: waitForTopicLeaders waits for it.
      await this.admin.createTopics({
        waitForLeaders: false,
        topics: wanted.map((topic) => ({
          topic,
          numPartitions: partitions,
          replicationFactor,
          configEntries: [{ name: 'min.insync.replicas', value: String(minInsyncReplicas) }],
        })),
      });
    } catch (error) {
      const refused = refusedTopics(error, wanted);
      // Only "already exists" for some: another process created those meanwhile, ours created the rest.
      if (refused.length === 0) return this.readyTopics(wanted, partitions, replicationFactor);
      const existing = new Set(await this.admin.listTopics());
      const missing = refused.filter((topic) => !existing.has(topic));
      if (missing.length > 0) {
        throw new Error(`Kafka topics missing and could not be created: ${missing.join(', ')} (${describeError(error)})`, { cause: error });
      }
      logger.warn(
        { err: error, topics: wanted.length },
        isAuthorizationError(error)
          ? 'not authorized to create topics (ACLs); every topic exists already, starting'
          : 'broker refused to create topics; every topic exists already, starting',
      );
    }
    await this.readyTopics(wanted, partitions, replicationFactor);
  }

  private async readyTopics(topics: string[], partitions: number, replicationFactor: number): Promise<void> {
    await waitForTopicLeaders(this.admin, topics);
    await this.warnAboutSmallTopics(topics, partitions, replicationFactor);
  }

  /** Topics created earlier, or by someone else, may have fewer partitions or replicas than configured. */
  private async warnAboutSmallTopics(topics: string[], partitions: number, replicationFactor: number): Promise<void> {
    const { topics: described } = await this.admin.fetchTopicMetadata({ topics });
    for (const { name, partitions: found } of described) {
      const replicas = Math.min(...found.map((partition) => partition.replicas.length));
      if (found.length < partitions || replicas < replicationFactor) {
        this.options.logger.warn(
          { topic: name, has: { partitions: found.length, replicationFactor: replicas }, wants: { partitions, replicationFactor } },
          'topic has fewer partitions or replicas than configured',
        );
      }
    }
  }

  /**
   * The longest `retention.ms` of these topics: a group whose committed offsets expired
   * (`offsets.retention.minutes` after it last had a member) starts again from the beginning
   * (fromBeginning), so every message still kept is handed over again. Undefined, with a warning,
   * when the cluster does not let this client read topic configurations.
   */
  async redeliveryHorizon(topics: string[]): Promise<RedeliveryHorizon | undefined> {
    await this.connect();
    let described;
    try {
      described = await this.admin.describeConfigs({
        includeSynonyms: false,
        resources: topics.map((name) => ({ type: ConfigResourceTypes.TOPIC, name, configNames: ['retention.ms'] })),
      });
    } catch (error) {
      this.options.logger.warn({ err: error }, 'could not read the topics\' retention.ms; INBOX_RETENTION_HOURS is not checked against it');
      return undefined;
    }
    let longest: RedeliveryHorizon | undefined;
    for (const resource of described.resources) {
      const value = Number(resource.configEntries.find((entry) => entry.configName === 'retention.ms')?.configValue);
      if (!Number.isFinite(value)) continue;
      const ms = value < 0 ? Infinity : value;
      if (longest === undefined || ms > longest.ms) longest = { ms, topic: resource.resourceName };
    }
    return longest;
  }

  async subscribe(subscription: Subscription): Promise<void> {
    const consumer = this.kafka.consumer({
      groupId: subscription.group,
      allowAutoTopicCreation: false,
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
        // A handler retrying, or waiting for the database, may take longer than the session timeout.
        eachMessage: async ({ topic, partition, message, heartbeat }) =>
          this.heartbeating(heartbeat, () => subscription.handle(received(topic, partition, message))),
      });
      return;
    }
    const handled = new HandledOffsets();
    // A new generation (after a rebalance or an eviction) may have handed any partition to another
    // member meanwhile: committing an offset noted before the join could rewind it.
    // (kafkajs 2.2's GROUP_JOIN payload carries no generationId, but every join is a new generation.)
    consumer.on(consumer.events.GROUP_JOIN, () => handled.startGeneration());
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
          await this.heartbeating(heartbeat, () => handleBatch(chunk.map((message) => received(batch.topic, batch.partition, message))));
          const last = chunk[chunk.length - 1]!.offset;
          resolveOffset(last);
          handled.note(batch.topic, batch.partition, last);
          await commitOffsetsIfNecessary();
          await heartbeat();
        }
        // Stopping: this batch's offsets go out while the member is still in the group. Caught up:
        // they go out now too, or they would wait for the next message and the group would show a
        // lag while idle (under load a batch seldom ends caught up, so commits stay per interval).
        if (!isRunning() || (batch.offsetLag() === '0' && !isStale())) await commitOffsetsIfNecessary(uncommittedOffsets());
      },
    });
  }

  /** Committed offsets against each partition's high watermark; a partition with no commit lags by all it holds. */
  async lag(group: string, topics: string[]): Promise<GroupLag> {
    await this.connect();
    const committed = await this.admin.fetchOffsets({ groupId: group, topics });
    const partitions: PartitionLag[] = [];
    for (const { topic, partitions: offsets } of committed) {
      const ends = await this.admin.fetchTopicOffsets(topic);
      for (const end of ends) {
        const commit = offsets.find((offset) => offset.partition === end.partition)?.offset;
        const hasCommit = commit !== undefined && Number(commit) >= 0;
        const from = hasCommit ? Number(commit) : Number(end.low);
        partitions.push({
          topic,
          partition: end.partition,
          committed: hasCommit ? commit : null,
          highWatermark: end.high,
          lag: Math.max(0, Number(end.high) - from),
        });
      }
    }
    partitions.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
    return { total: partitions.reduce((sum, partition) => sum + partition.lag, 0), partitions };
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

  /**
   * kafkajs heartbeats only when asked to from eachBatch/eachMessage: while `work` runs, ask every
   * heartbeat interval, or a long handler gets the member evicted and its partitions redelivered.
   */
  private async heartbeating<T>(heartbeat: () => Promise<void>, work: () => Promise<T>): Promise<T> {
    let beating = false;
    const timer = setInterval(() => {
      if (beating) return;
      beating = true;
      heartbeat()
        .catch((error: unknown) => {
          // During a rebalance the coordinator refuses heartbeats; the member rejoins after `work`.
          if (!isRebalanceError(error)) this.options.logger.warn({ err: error }, 'kafka heartbeat failed during a handler call');
        })
        .finally(() => {
          beating = false;
        });
    }, this.options.heartbeatIntervalMs);
    try {
      return await work();
    } finally {
      clearInterval(timer);
    }
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
    // kafkajs logs every error response ("Response CreateTopics", "Response Metadata", …) before
    // its caller retries or handles it (a topic just created, a leader moving): what fails for good
    // is thrown and logged where it matters, so these stay at debug.
    if (entry.namespace === 'Connection' && message.startsWith('Response ')) this.options.logger.debug(fields, message);
    else if (entry.level <= logLevel.ERROR) this.options.logger.error(fields, message);
    else this.options.logger.warn(fields, message);
  }
}

const CLOSE_TIMEOUT_MS = 15_000;
const OFFSET_COMMIT_INTERVAL_MS = 1000;

const DEFAULT_TOPIC_PARTITIONS = 12;
const DEFAULT_REPLICATION_FACTOR = 3;
const deadLetterNames = new TopicNames('');

/** The topics and the dead-letter topic of each (named as {@link TopicNames.deadLetterOf} names them). */
export function withDeadLetterTopics(topics: string[]): string[] {
  const all = new Set<string>();
  for (const topic of topics) {
    all.add(topic);
    const deadLetter = deadLetterNames.deadLetterOf(topic);
    // A dead-letter topic is produced to, never consumed: it has no dead-letter topic of its own.
    if (!topics.some((other) => deadLetterNames.deadLetterOf(other) === topic)) all.add(deadLetter);
  }
  return [...all].sort();
}

const REBALANCE_ERRORS = new Set(['REBALANCE_IN_PROGRESS', 'ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID', 'NOT_COORDINATOR', 'FENCED_INSTANCE_ID']);

function errorType(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'type' in error && typeof error.type === 'string' ? error.type : undefined;
}

function isRebalanceError(error: unknown): boolean {
  return REBALANCE_ERRORS.has(errorType(error) ?? '');
}

const TOPIC_LEADERS_TIMEOUT_MS = 60_000;

/**
 * Resolves once every partition of every topic has a leader, as the cluster's metadata says;
 * a topic just created may be unknown to the broker asked for a moment.
 */
export async function waitForTopicLeaders(admin: Admin, topics: string[], timeoutMs = TOPIC_LEADERS_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let pause = 50; ; pause = Math.min(pause * 2, 1000)) {
    let waitingFor: string;
    try {
      const { topics: described } = await admin.fetchTopicMetadata({ topics });
      const leaderless = described.filter((topic) => topic.partitions.length === 0 || topic.partitions.some((partition) => partition.leader < 0));
      if (leaderless.length === 0) return;
      waitingFor = `no leader yet for ${leaderless.map((topic) => topic.name).join(', ')}`;
    } catch (error) {
      if (!isRetriableMetadataError(error)) throw error;
      waitingFor = describeError(error);
    }
    if (Date.now() >= deadline) throw new Error(`Kafka topics not ready within ${timeoutMs} ms: ${waitingFor}`);
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
}

/**
 * The topics a failed CreateTopics did not create and that did not exist before. Per-topic errors
 * name their topic (another process creating the same topics at once yields TOPIC_ALREADY_EXISTS
 * for some, while the rest were created); any other failure may have refused them all.
 */
function refusedTopics(error: unknown, wanted: string[]): string[] {
  const errors = innerErrors(error);
  const perTopic = errors?.every((each) => typeof each === 'object' && each !== null && 'topic' in each && typeof each.topic === 'string');
  if (errors === undefined || !perTopic) return wanted;
  return errors.filter((each) => errorType(each) !== 'TOPIC_ALREADY_EXISTS').map((each) => (each as { topic: string }).topic);
}

/** kafkajs marks UNKNOWN_TOPIC_OR_PARTITION, LEADER_NOT_AVAILABLE and the like retriable. */
function isRetriableMetadataError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'retriable' in error && error.retriable === true;
}

/** The errors inside a kafkajs aggregate error ("Topic creation errors"); undefined for any other. */
function innerErrors(error: unknown): unknown[] | undefined {
  return typeof error === 'object' && error !== null && 'errors' in error && Array.isArray(error.errors) ? (error.errors as unknown[]) : undefined;
}

function isAuthorizationError(error: unknown): boolean {
  return (innerErrors(error) ?? [error]).some((each) => /AUTHORIZATION_FAILED$/.test(errorType(each) ?? ''));
}

/** An error's message; for kafkajs' aggregate ("Topic creation errors") the distinct messages inside. */
function describeError(error: unknown): string {
  const errors = innerErrors(error) ?? [];
  if (errors.length > 0) return [...new Set(errors.map(describeError))].join('; ');
  return error instanceof Error ? error.message : String(error);
}

/**
 * The next offset to consume of every partition a group handled messages of, for its commit on
 * close. Only offsets of the member's current generation: a join clears everything noted before.
 */
export class HandledOffsets {
  private readonly next = new Map<string, { topic: string; partition: number; offset: string }>();
  note(topic: string, partition: number, offset: string): void {
    this.next.set(`${topic}\u0000${partition}`, { topic, partition, offset: (BigInt(offset) + 1n).toString() });
  }

  /** The member joined its group (again): nothing noted before may be committed any more. */
  startGeneration(): void {
    this.next.clear();
  }

  offsets(): Array<{ topic: string; partition: number; offset: string }> {
    return [...this.next.values()];
  }

  /** Commits them while the consumer still runs (a stopped one has left its group). */
  async commit(consumer: Pick<Consumer, 'commitOffsets'>): Promise<void> {
    if (this.next.size > 0) await consumer.commitOffsets(this.offsets());
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
