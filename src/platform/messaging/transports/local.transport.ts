import type { WireMessage } from '../envelope.ts';
import type { GroupLag, ReceivedMessage, Subscription, Transport } from './transport.ts';

/**
 * Delivers in-process. `publish` resolves only after every subscribed consumer group has handled
 * every message (handler + inbox committed, or dead-lettered), so the relay marks rows published
 * only then: a crash before that redelivers, and the inbox absorbs the duplicate — the same
 * at-least-once contract as Kafka. Per consumer group, messages with the same key run in order;
 * different keys run concurrently up to `concurrency`, counted across concurrent publishes (the
 * relay's workers publish side by side). A subscription with a batch handler gets the keys spread
 * over at most `concurrency` groups, each handed over in order, `batchSize` messages at a time.
 */
export class LocalTransport implements Transport {
  readonly kind = 'local' as const;
  private readonly subscriptions: Subscription[] = [];
  private closed = false;
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  /** Per consumer group: messages handed to `publish` that its handlers have not finished. */
  private readonly pending = new Map<string, number>();

  constructor(
    private readonly concurrency: number,
    private readonly batchSize = 1,
  ) {}

  async publish(messages: WireMessage[]): Promise<void> {
    if (this.closed) throw new Error('local transport is closed');
    const lanes: Array<() => Promise<void>> = [];
    const trackers: PendingTracker[] = [];
    for (const subscription of this.subscriptions) {
      const sequences = sequencesByKey(messages, subscription.topics);
      const { handleBatch } = subscription;
      const tracker = this.track(subscription.group, sequences);
      trackers.push(tracker);
      if (handleBatch === undefined || this.batchSize === 1) {
        for (const sequence of sequences) {
          lanes.push(async () => {
            for (const [offset, message] of sequence.entries()) {
              await subscription.handle(received(message, offset));
              tracker.handled(1);
            }
          });
        }
        continue;
      }
      for (const group of spread(sequences, this.concurrency)) {
        lanes.push(async () => {
          for (let start = 0; start < group.length; start += this.batchSize) {
            const batch = group.slice(start, start + this.batchSize);
            await handleBatch(batch.map((message, i) => received(message, start + i)));
            tracker.handled(batch.length);
          }
        });
      }
    }
    const outcomes = await Promise.allSettled(lanes.map((lane) => this.inSlot(lane)));
    // What failed is no longer handed over: the relay publishes it again later.
    for (const tracker of trackers) tracker.handled(tracker.remaining);
    const failed = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
  }

  async ensureTopics(): Promise<void> {}

  /**
   * Nothing is kept once handed over: only a relay that crashed between publishing and marking
   * hands a batch over again, at its next claim.
   */
  async redeliveryHorizon(): Promise<undefined> {
    return undefined;
  }

  async subscribe(subscription: Subscription): Promise<void> {
    this.subscriptions.push(subscription);
  }

  async isReachable(): Promise<boolean> {
    return !this.closed;
  }

  async lag(group: string): Promise<GroupLag> {
    return { total: this.pending.get(group) ?? 0, partitions: [] };
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private track(group: string, sequences: WireMessage[][]): PendingTracker {
    const pending = this.pending;
    const tracker = {
      remaining: sequences.reduce((sum, sequence) => sum + sequence.length, 0),
      handled(count: number) {
        tracker.remaining -= count;
        pending.set(group, (pending.get(group) ?? 0) - count);
      },
    };
    pending.set(group, (pending.get(group) ?? 0) + tracker.remaining);
    return tracker;
  }

  /** Runs `task` once one of the `concurrency` slots is free. */
  private async inSlot(task: () => Promise<void>): Promise<void> {
    if (this.running < this.concurrency) this.running++;
    else await new Promise<void>((resolve) => this.waiting.push(resolve)); // the slot is handed over, not freed
    try {
      await task();
    } finally {
      const next = this.waiting.shift();
      if (next === undefined) this.running--;
      else next();
    }
  }
}

interface PendingTracker {
  remaining: number;
  handled(count: number): void;
}

function received(message: WireMessage, offset: number): ReceivedMessage {
  return { topic: message.topic, partition: 0, offset: String(offset), key: message.key, value: message.value, headers: message.headers };
}

/** Whole per-key sequences dealt round-robin into at most `count` groups; each group keeps them in order. */
function spread(sequences: WireMessage[][], count: number): WireMessage[][] {
  const groups: WireMessage[][] = Array.from({ length: Math.min(count, sequences.length) }, () => []);
  for (const [index, sequence] of sequences.entries()) groups[index % groups.length]!.push(...sequence);
  return groups;
}

function sequencesByKey(messages: WireMessage[], topics: string[]): WireMessage[][] {
  const byKey = new Map<string, WireMessage[]>();
  for (const message of messages) {
    if (!topics.includes(message.topic)) continue;
    const sequence = byKey.get(message.key);
    if (sequence === undefined) byKey.set(message.key, [message]);
    else sequence.push(message);
  }
  return [...byKey.values()];
}
