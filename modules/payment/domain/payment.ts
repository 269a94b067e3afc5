import { actsFor, type Caller } from '../../../src/platform/auth/caller.ts';
import { IllegalPaymentTransitionError } from './payment.errors.ts';
import type { PaymentStatus } from './payment-status.ts';

export { PAYMENT_STATUSES, type PaymentStatus } from './payment-status.ts';

export const TRANSACTION_TYPES = ['STANDARD', 'INSTANT', 'BIOMETRIC', 'QR_CODE'] as const;
export type TransactionType = (typeof TRANSACTION_TYPES)[number];

/**
 * The only moves a payment can make. CREATED → REJECTED covers bookings the account refused,
 * fraud and cancellations; PROCESSING → REJECTED a cancellation after the funds were reserved.
 */
const TRANSITIONS: Record<PaymentStatus, readonly PaymentStatus[]> = {
  CREATED: ['PROCESSING', 'REJECTED'],
  PROCESSING: ['COMPLETED', 'REJECTED', 'FAILED'],
  COMPLETED: ['REVERSED'],
  REJECTED: [],
  FAILED: [],
  REVERSED: [],
};

/** One status change, as `payment.status` reports it. `from` is null for the first status. */
export interface StatusChange {
  from: PaymentStatus | null;
  to: PaymentStatus;
  reason: string | null;
  at: Date;
}

/** What a later outcome is waiting for: the account's booking (CREATED) or billing's processing (PROCESSING). */
export type PaymentStage = 'booking' | 'processing';

export interface PaymentRequest {
  accountId: number;
  userId: number;
  userName: string | null;
  /** Minor units, > 0. */
  amount: number;
  currency: string;
  transactionType: TransactionType;
  description: string | null;
}

/** A payment from one account, amounts in integer minor units; its status moves only along TRANSITIONS. */
export class Payment {
  id!: number;
  accountId!: number;
  userId!: number;
  userName!: string | null;
  amount!: number;
  currency!: string;
  transactionType!: TransactionType;
  description!: string | null;
  status: PaymentStatus = 'CREATED';
  /** Why it was rejected, failed or reversed. */
  reason: string | null = null;
  createdAt!: Date;
  updatedAt!: Date;
  completedAt: Date | null = null;

  static request(input: PaymentRequest, now: Date): { payment: Payment; change: StatusChange } {
    if (!Number.isSafeInteger(input.amount) || input.amount <= 0) {
      throw new RangeError(`a payment amount must be a positive integer of minor units (got ${input.amount})`);
    }
    const payment = new Payment();
    Object.assign(payment, input);
    payment.createdAt = now;
    payment.updatedAt = now;
    return { payment, change: { from: null, to: 'CREATED', reason: null, at: now } };
  }

  /** A customer sees its own payments only (the payer's login); operators see them all. */
  isVisibleTo(caller: Caller): boolean {
    return actsFor(caller, this.userName ?? '');
  }

  canBecome(status: PaymentStatus): boolean {
    return TRANSITIONS[this.status].includes(status);
  }

  /** No status can follow (REJECTED, FAILED, REVERSED). */
  isFinal(): boolean {
    return TRANSITIONS[this.status].length === 0;
  }

  /** Whether an outcome of `stage` still applies; one arriving later (after a cancel, twice) is ignored. */
  awaits(stage: PaymentStage): boolean {
    return this.status === (stage === 'booking' ? 'CREATED' : 'PROCESSING');
  }

  /** The account reserved the funds: billing may process it. */
  startProcessing(now: Date): StatusChange {
    return this.moveTo('PROCESSING', null, now);
  }

  complete(now: Date): StatusChange {
    const change = this.moveTo('COMPLETED', null, now);
    this.completedAt = now;
    return change;
  }

  /** Refused before it was carried out: booking refused, fraud suspected, account suspended or closed. */
  reject(reason: string, now: Date): StatusChange {
    return this.moveTo('REJECTED', reason, now);
  }

  /** Processing was attempted and failed. */
  fail(reason: string, now: Date): StatusChange {
    return this.moveTo('FAILED', reason, now);
  }

  reverse(reason: string, now: Date): StatusChange {
    return this.moveTo('REVERSED', reason, now);
  }

  private moveTo(to: PaymentStatus, reason: string | null, now: Date): StatusChange {
    if (!this.canBecome(to)) throw new IllegalPaymentTransitionError(this.status, to);
    const change: StatusChange = { from: this.status, to, reason, at: now };
    this.status = to;
    this.reason = reason;
    this.updatedAt = now;
    return change;
  }
}
