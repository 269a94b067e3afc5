import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { Static, TSchema } from 'typebox';
import type { EventContract } from '../messaging/contract.ts';
import type { EventEnvelope } from '../messaging/envelope.ts';
import type { OutboxWriter } from '../messaging/outbox-writer.ts';
import { transactionally } from './transaction.ts';

/**
 * One database transaction holding a state change and the events it causes (and, for a request
 * with an `Idempotency-Key`, the key and its stored response): all of it commits or none of it.
 * Every use case and every event handler runs in one; nothing it does escapes it.
 */
export interface UnitOfWork {
  /** The transaction's EntityManager: entities persisted here are flushed at commit. */
  readonly em: EntityManager;
  /** Adds an event to the outbox in this transaction. */
  publish<S extends TSchema>(contract: EventContract<S>, data: Static<S>): EventEnvelope<Static<S>>;
  /** True when this run follows a step the work asked for outside the transaction ({@link OutsideTransaction}). */
  readonly afterOutsideStep: boolean;
}

/**
 * Thrown by work that needs something no transaction should wait on (another module's answer over
 * HTTP): the unit of work rolls back, runs `step` with no transaction open, and runs the work once
 * more with `afterOutsideStep` set. What the step learnt must be in the database by then.
 */
export class OutsideTransaction extends Error {
  constructor(readonly why: string, readonly step: (em: EntityManager) => Promise<void>) {
    super(`needs a step outside the transaction: ${why}`);
    this.name = 'OutsideTransaction';
  }
}

export type Work<T> = (uow: UnitOfWork) => Promise<T>;

/** Runs work in units of work: one transaction each, re-run on deadlocks and serialization conflicts. */
export class UnitsOfWork {
  constructor(
    private readonly orm: MikroORM,
    private readonly outbox: OutboxWriter,
  ) {}

  async run<T>(work: Work<T>): Promise<T> {
    try {
      return await transactionally(this.orm.em, (em) => work(this.bind(em, false)));
    } catch (error) {
      if (!(error instanceof OutsideTransaction)) throw error;
      await error.step(this.orm.em.fork());
      return transactionally(this.orm.em, (em) => work(this.bind(em, true)));
    }
  }

  /** A unit of work over a transaction someone else opened (a consumer's batch, a savepoint). */
  bind(em: EntityManager, afterOutsideStep = false): UnitOfWork {
    return { em, afterOutsideStep, publish: (contract, data) => this.outbox.add(em, contract, data) };
  }
}
