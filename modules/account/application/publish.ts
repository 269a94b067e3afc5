import type { EntityManager } from '@mikro-orm/postgresql';
import type { HandlerContext } from '../../../src/platform/messaging/event-handler.ts';
import type { OutboxWriter } from '../../../src/platform/messaging/outbox-writer.ts';

/** Emits an event in the current transaction: a handler's `publish`, or the outbox for a route. */
export type Publish = HandlerContext['publish'];

export function publishThroughOutbox(outbox: OutboxWriter, em: EntityManager): Publish {
  return (contract, data) => {
    outbox.add(em, contract, data);
  };
}
