import type { EntityManager } from '@mikro-orm/postgresql';
import type { Static, TSchema } from 'typebox';
import type { EventContract } from './contract.ts';
import type { EventEnvelope } from './envelope.ts';

/** What a handler gets besides the event: the transaction's EntityManager and a way to emit events in it. */
export interface HandlerContext {
  em: EntityManager;
  publish<S extends TSchema>(contract: EventContract<S>, data: Static<S>): void;
}

export interface EventHandler<S extends TSchema = TSchema> {
  contract: EventContract<S>;
  handle(event: EventEnvelope<Static<S>>, context: HandlerContext): Promise<void>;
}

/** Binds a handler to a contract with the payload type inferred from the contract's schema. */
export function on<S extends TSchema>(
  contract: EventContract<S>,
  handle: (event: EventEnvelope<Static<S>>, context: HandlerContext) => Promise<void>,
): EventHandler {
  return { contract, handle } as unknown as EventHandler;
}
