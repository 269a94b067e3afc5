import type { WireHeaders, WireMessage } from '../envelope.ts';

export interface ReceivedMessage {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: string | null;
  headers: WireHeaders;
}

/**
 * Handles one message. Resolving means "done, commit the offset"; rejecting means "not done,
 * deliver it again" (only when the process is stopping or the database is unreachable: handler
 * failures end in the dead-letter queue, not in a rejection).
 */
export type MessageHandler = (message: ReceivedMessage) => Promise<void>;

/**
 * Handles messages in the order given (one partition's, or whole per-key sequences). Resolving
 * means every one of them is done, with the same meaning as {@link MessageHandler}.
 */
export type BatchHandler = (messages: ReceivedMessage[]) => Promise<void>;

export interface Subscription {
  group: string;
  topics: string[];
  handle: MessageHandler;
  /** When present, transports hand over up to their batch size of messages at a time. */
  handleBatch?: BatchHandler;
}

/**
 * How long after a message is first delivered a consumer group may be handed it again: the inbox
 * must remember a handled event at least this long, or the second delivery applies it twice.
 */
export interface RedeliveryHorizon {
  /** Milliseconds; `Infinity` when the topic keeps messages forever. */
  ms: number;
  /** The topic that sets the horizon (the longest-kept of those asked about). */
  topic: string;
}

/** One partition of a consumer group's topic: its committed offset against the high watermark. */
export interface PartitionLag {
  topic: string;
  partition: number;
  /** Null before the group commits anything on the partition. */
  committed: string | null;
  highWatermark: string;
  lag: number;
}

/** How far a consumer group is behind: per partition on Kafka; on the local transport, messages handed over and not yet handled. */
export interface GroupLag {
  total: number;
  partitions: PartitionLag[];
}

export interface Transport {
  readonly kind: 'kafka' | 'local';
  /** Resolves once every message is durably accepted (Kafka: acknowledged by all in-sync replicas). */
  publish(messages: WireMessage[]): Promise<void>;
  ensureTopics(topics: string[]): Promise<void>;
  subscribe(subscription: Subscription): Promise<void>;
  /** The longest horizon among these topics; undefined when nothing can be handed over again later than seconds after. */
  redeliveryHorizon(topics: string[]): Promise<RedeliveryHorizon | undefined>;
  isReachable(): Promise<boolean>;
  lag(group: string, topics: string[]): Promise<GroupLag>;
  /** Stops consumers after their in-flight message, then the producer. */
  close(): Promise<void>;
}
