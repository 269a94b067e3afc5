import type { ProcessingDecision, ProcessingOutcome } from './processing-decision.ts';

/** What the scheduling work continued (its trace, the event that set it off); opaque to billing, resumed when the payment is processed. */
export interface WorkCause {
  traceparent: string | null;
  causationId: string | null;
  correlationId: string | null;
}

export const PROCESSING_STATUSES = ['SCHEDULED', 'PROCESSED'] as const;
export type ProcessingStatus = (typeof PROCESSING_STATUSES)[number];

/**
 * Billing's processing of one submitted payment: scheduled for `dueAt` (after a random delay) when
 * it arrives, processed once that time has come. Amounts in integer minor units.
 */
export class PaymentProcessing {
  id!: number;
  paymentId!: number;
  accountId!: number;
  amount!: number;
  currency!: string;
  transactionType!: string;
  status: ProcessingStatus = 'SCHEDULED';
  receivedAt!: Date;
  dueAt!: Date;
  outcome: ProcessingOutcome | null = null;
  failureReason: string | null = null;
  processedAt: Date | null = null;
  /** The work that scheduled it, resumed when it is processed: its event then names the event that scheduled it. */
  cause: WorkCause | null = null;

  static schedule(
    input: { paymentId: number; accountId: number; amount: number; currency: string; transactionType: string },
    now: Date,
    delayMs: number,
    cause: WorkCause | null = null,
  ): PaymentProcessing {
    const processing = new PaymentProcessing();
    processing.cause = cause;
    processing.paymentId = input.paymentId;
    processing.accountId = input.accountId;
    processing.amount = input.amount;
    processing.currency = input.currency;
    processing.transactionType = input.transactionType;
    processing.receivedAt = now;
    processing.dueAt = new Date(now.getTime() + delayMs);
    return processing;
  }

  isDue(now: Date): boolean {
    return this.status === 'SCHEDULED' && this.dueAt.getTime() <= now.getTime();
  }

  /** Records the outcome; returns false (and changes nothing) when it is not due or already processed. */
  process(decision: ProcessingDecision, now: Date): boolean {
    if (!this.isDue(now)) return false;
    this.status = 'PROCESSED';
    this.outcome = decision.outcome;
    this.failureReason = decision.failureReason;
    this.processedAt = now;
    return true;
  }
}
