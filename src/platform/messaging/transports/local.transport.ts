import type { WireMessage } from '../envelope.ts';
import type { Subscription, Transport } from './transport.ts';

/**
 * Delivers in-process. `publish` resolves only after every subscribed consumer group has handled
 * every message (handler + inbox committed, or dead-lettered), so the relay marks rows published
 * only then: a crash before that redelivers, and the inbox absorbs the duplicate — the same
 * at-least-once contract as Kafka. Per consumer group, messages with the same key run in order;
 * different keys run concurrently up to `concurrency`.
 */
export class LocalTransport implements Transport {
  readonly kind = 'local' as const;
  private readonly subscriptions: Subscription[] = [];
  private closed = false;

  constructor(private readonly concurrency: number) {}

  async publish(messages: WireMessage[]): Promise<void> {
    if (this.closed) throw new Error('local transport is closed');
    const lanes: Array<() => Promise<void>> = [];
    for (const subscription of this.subscriptions) {
      for (const sequence of sequencesByKey(messages, subscription.topics)) {
        lanes.push(async () => {
          let offset = 0;
          for (const message of sequence) {
            await subscription.handle({
              topic: message.topic,
              partition: 0,
              offset: String(offset++),
              key: message.key,
              value: message.value,
              headers: message.headers,
            });
          }
        });
      }
    }
    await runLimited(lanes, this.concurrency);
  }

  async ensureTopics(): Promise<void> {}

  async subscribe(subscription: Subscription): Promise<void> {
    this.subscriptions.push(subscription);
  }

  async isReachable(): Promise<boolean> {
    return !this.closed;
  }

  async close(): Promise<void> {
    this.closed = true;
  }
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

/** Runs the tasks with at most `limit` at once; rejects with the first failure after all settle. */
async function runLimited(tasks: Array<() => Promise<void>>, limit: number): Promise<void> {
  let next = 0;
  const failures: unknown[] = [];
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const task = tasks[next++]!;
      await task().catch((error: unknown) => failures.push(error));
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  if (failures.length > 0) throw failures[0];
}
