import type { WireMessage } from '../../src/platform/messaging/envelope.ts';
import type { Subscription, Transport } from '../../src/platform/messaging/transports/transport.ts';

/**
 * Wraps the real transport and refuses every batch holding a message of `key` while `refusing`:
 * a record the broker will not take (too large, a topic it lacks). Everything else passes through.
 */
export class RefuseKey implements Transport {
  refusing = true;
  constructor(private readonly inner: Transport, private readonly key: string) {}
  get kind() { return this.inner.kind; }
  async publish(messages: WireMessage[]): Promise<void> {
    if (this.refusing && messages.some((message) => message.key === this.key)) throw new Error(`record of ${this.key} refused`);
    await this.inner.publish(messages);
  }
  ensureTopics(topics: string[]) { return this.inner.ensureTopics(topics); }
  subscribe(subscription: Subscription) { return this.inner.subscribe(subscription); }
  isReachable() { return this.inner.isReachable(); }
  close() { return this.inner.close(); }
}
