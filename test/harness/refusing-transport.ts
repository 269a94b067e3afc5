import type { WireMessage } from '../../src/platform/messaging/envelope.ts';
import type { Subscription, Transport } from '../../src/platform/messaging/transports/transport.ts';

/** The real transport, unchanged: test doubles override `publish` only. */
export class PassThroughTransport implements Transport {
  constructor(protected readonly inner: Transport) {}
  get kind() { return this.inner.kind; }
  publish(messages: WireMessage[]): Promise<void> { return this.inner.publish(messages); }
  ensureTopics(topics: string[]) { return this.inner.ensureTopics(topics); }
  subscribe(subscription: Subscription) { return this.inner.subscribe(subscription); }
  redeliveryHorizon(topics: string[]) { return this.inner.redeliveryHorizon(topics); }
  isReachable() { return this.inner.isReachable(); }
  lag(group: string, topics: string[]) { return this.inner.lag(group, topics); }
  close() { return this.inner.close(); }
}

/**
 * Wraps the real transport and refuses every batch holding a message of `key` while `refusing`:
 * a record the broker will not take (too large, a topic it lacks). Everything else passes through.
 */
export class RefuseKey extends PassThroughTransport {
  refusing = true;
  constructor(inner: Transport, private readonly key: string) {
    super(inner);
  }
  override async publish(messages: WireMessage[]): Promise<void> {
    if (this.refusing && messages.some((message) => message.key === this.key)) throw new Error(`record of ${this.key} refused`);
    await this.inner.publish(messages);
  }
}
