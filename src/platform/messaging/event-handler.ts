import type { Static, TSchema } from 'typebox';
import type { Cradle } from '../container.ts';
import type { UnitOfWork } from '../db/unit-of-work.ts';
import type { EventContract } from './contract.ts';
import type { EventEnvelope } from './envelope.ts';

/** Runs in the consumer's unit of work, beside the inbox row that marks the event handled. */
export type HandleEvent<S extends TSchema = TSchema> = (event: EventEnvelope<Static<S>>, uow: UnitOfWork) => Promise<void>;

/** A handler bound to its services, as a consumer runs it. */
export interface EventHandler<S extends TSchema = TSchema> {
  contract: EventContract<S>;
  handle: HandleEvent<S>;
}

/**
 * A module's listener, declared once where it is written: the contract it consumes and how it is
 * built from the container's services. The module lists its declarations; what it consumes (the
 * subscriptions, the AsyncAPI document, the fault suite's expected deliveries) is read from them.
 */
export interface HandlerDeclaration<S extends TSchema = TSchema> {
  readonly contract: EventContract<S>;
  readonly bind: (services: Cradle) => HandleEvent<S>;
}

/** Declares a listener with the payload type inferred from the contract's schema. */
export function handles<S extends TSchema>(
  contract: EventContract<S>,
  bind: (services: Cradle) => HandleEvent<S>,
): HandlerDeclaration {
  return { contract, bind } as unknown as HandlerDeclaration;
}

/** Builds the declared listeners with the process's services, once, when consumers start. */
export function bindHandlers(declarations: readonly HandlerDeclaration[], services: Cradle): EventHandler[] {
  return declarations.map((declaration) => ({ contract: declaration.contract, handle: declaration.bind(services) }));
}
