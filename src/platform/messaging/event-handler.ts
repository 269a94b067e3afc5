import type { Static, TSchema } from 'typebox';
import type { UnitOfWork } from '../db/unit-of-work.ts';
import type { EventContract } from './contract.ts';
import type { EventEnvelope } from './envelope.ts';

export interface EventHandler<S extends TSchema = TSchema> {
  contract: EventContract<S>;
  /** Runs in the consumer's unit of work, beside the inbox row that marks the event handled. */
  handle(event: EventEnvelope<Static<S>>, uow: UnitOfWork): Promise<void>;
}

/** Binds a handler to a contract with the payload type inferred from the contract's schema. */
export function on<S extends TSchema>(
  contract: EventContract<S>,
  handle: (event: EventEnvelope<Static<S>>, uow: UnitOfWork) => Promise<void>,
): EventHandler {
  return { contract, handle } as unknown as EventHandler;
}
