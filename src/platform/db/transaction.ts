import type { EntityManager } from '@mikro-orm/postgresql';
import { setTimeout as sleep } from 'node:timers/promises';
import { errorChain } from './error-chain.ts';

// serialization_failure and deadlock_detected: PostgreSQL aborted the transaction because of
// other transactions, not because of anything it did wrong; the same work, run again, succeeds.
const CONFLICT_CODES = new Set(['40001', '40P01']);

/** Runs after a deadlock: the rival holding the lock gets this long to finish before the re-run. */
const RETRY_BASE_MS = 10;
export const TRANSACTION_ATTEMPTS = 5;

export type ConflictOutcome = 'retried' | 'gave_up';

// Process-wide, as the connection pool's conflicts are: the runtime turns them into a metric.
const conflictListeners = new Set<(outcome: ConflictOutcome) => void>();

/** Calls `listener` after every transaction aborted in a conflict; returns the unsubscribe. */
export function onTransactionConflict(listener: (outcome: ConflictOutcome) => void): () => void {
  conflictListeners.add(listener);
  return () => conflictListeners.delete(listener);
}

/** True when PostgreSQL aborted the transaction in a deadlock or serialization conflict with others. */
export function isTransactionConflict(error: unknown): boolean {
  for (const { code } of errorChain(error)) {
    if (typeof code === 'string' && CONFLICT_CODES.has(code)) return true;
  }
  return false;
}

/**
 * `work` in one transaction of a fresh fork of `em`, run again (up to TRANSACTION_ATTEMPTS times
 * in all) when PostgreSQL aborts it in a deadlock or serialization conflict. `work` must keep its
 * effects inside the transaction, so that a re-run starts from nothing.
 *
 * Deadlocks are expected here, not bugs: a batched consumer locks several accounts in the order
 * their events arrived, and a request waiting on one of them joins the cycle (docs/adr/0006).
 */
export async function transactionally<T>(em: EntityManager, work: (em: EntityManager) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await em.fork().transactional(work);
    } catch (error) {
      if (!isTransactionConflict(error)) throw error;
      const outcome: ConflictOutcome = attempt >= TRANSACTION_ATTEMPTS ? 'gave_up' : 'retried';
      for (const listener of conflictListeners) listener(outcome);
      if (outcome === 'gave_up') throw error;
      // Jitter keeps the two sides of a deadlock from colliding again in step.
      await sleep(RETRY_BASE_MS * attempt * (0.5 + Math.random()));
    }
  }
}
