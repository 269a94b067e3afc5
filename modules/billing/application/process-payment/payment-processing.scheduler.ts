import { LockMode, type MikroORM } from '@mikro-orm/postgresql';
import type { Clock } from '../../../../src/platform/clock.ts';
import type { UnitsOfWork } from '../../../../src/platform/db/unit-of-work.ts';
import { backoffDelay, pause } from '../../../../src/platform/messaging/backoff.ts';
import type { Logger } from '../../../../src/platform/observability/logger.ts';
import { runInCause } from '../../../../src/platform/observability/trace-context.ts';
import { BillingPaymentProcessed } from '../../contracts/events/billing-payment-processed.event.ts';
import { PaymentProcessing } from '../../domain/payment-processing.ts';
import { decideOutcome, type ProcessingRules, type RandomSource } from '../../domain/processing-decision.ts';

export interface SchedulerDeps {
  orm: MikroORM;
  units: UnitsOfWork;
  clock: Clock;
  random: RandomSource;
  rules: ProcessingRules;
  logger: Logger;
  /** Rows claimed per transaction. */
  batchSize?: number;
  /** Longest sleep between two looks at the table: bounds the lateness of rows scheduled by another process. */
  idleMs?: number;
}

const DEFAULT_BATCH_SIZE = 100;
const DEFAULT_IDLE_MS = 200;
// Rows due but locked by another scheduler are skipped; this keeps the loop from spinning on them.
const MIN_WAIT_MS = 10;
const FAILURE_BACKOFF_BASE_MS = 100;
const FAILURE_BACKOFF_MAX_MS = 5000;

/**
 * Processes scheduled payments once they are due. Each batch claims due rows `FOR UPDATE SKIP
 * LOCKED` (so schedulers in several processes share the work and never process a row twice),
 * decides each outcome and writes `billing.payment.processed` through the outbox in the same
 * transaction. Everything lives in the table: a restart simply finds the rows that are due.
 */
export class PaymentProcessingScheduler {
  private readonly stopping = new AbortController();
  private running: Promise<void> | undefined;
  private readonly batchSize: number;
  private readonly idleMs: number;

  constructor(private readonly deps: SchedulerDeps) {
    this.batchSize = deps.batchSize ?? DEFAULT_BATCH_SIZE;
    this.idleMs = deps.idleMs ?? DEFAULT_IDLE_MS;
  }

  start(): void {
    this.running ??= this.loop();
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await this.running;
  }

  /** Processes one batch of due rows; returns how many. */
  async processDue(): Promise<number> {
    return this.deps.units.run(async ({ em, publish }) => {
      const now = this.deps.clock.now();
      const due = await em.find(
        PaymentProcessing,
        { status: 'SCHEDULED', dueAt: { $lte: now } },
        { orderBy: { dueAt: 'asc', id: 'asc' }, limit: this.batchSize, lockMode: LockMode.PESSIMISTIC_PARTIAL_WRITE },
      );
      for (const processing of due) {
        if (!processing.process(decideOutcome(this.deps.rules, this.deps.random), now)) continue;
        runInCause(processing.cause, 'billing process payment', () => publish(BillingPaymentProcessed, {
          paymentId: processing.paymentId,
          accountId: processing.accountId,
          outcome: processing.outcome!,
          failureReason: processing.failureReason,
          processedAt: now.toISOString(),
        }));
      }
      return due.length;
    });
  }

  /** Milliseconds until the earliest scheduled row is due, within [MIN_WAIT_MS, idleMs]. */
  async untilNextDue(): Promise<number> {
    const [row] = await this.deps.orm.em.fork().execute<Array<{ due_at: Date | string | null }>>(
      `select min(due_at) as due_at from billing.payment_processing where status = 'SCHEDULED'`,
    );
    if (row?.due_at == null) return this.idleMs;
    const wait = new Date(row.due_at).getTime() - this.deps.clock.now().getTime();
    return Math.max(MIN_WAIT_MS, Math.min(this.idleMs, wait));
  }

  private async loop(): Promise<void> {
    let failures = 0;
    while (!this.stopping.signal.aborted) {
      try {
        const processed = await this.processDue();
        failures = 0;
        if (processed === this.batchSize) continue;
        await pause(await this.untilNextDue(), this.stopping.signal);
      } catch (error) {
        const delay = backoffDelay(failures++, FAILURE_BACKOFF_BASE_MS, FAILURE_BACKOFF_MAX_MS);
        this.deps.logger.warn({ err: error, retryInMs: delay }, 'payment processing scheduler failed; retrying');
        await pause(delay, this.stopping.signal);
      }
    }
  }
}
