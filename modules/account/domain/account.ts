import { InvalidInputError } from '../../../src/platform/errors.ts';
import {
  AccountNotActiveError,
  CurrencyMismatchError,
  HoldStateError,
  InsufficientFundsError,
  InvalidStatusTransitionError,
  ReservedFundsPendingError,
  type PaymentRefusedError,
} from './account.errors.ts';
import { Hold } from './hold.ts';

export const ACCOUNT_STATUSES = ['ACTIVE', 'SUSPENDED', 'CLOSED'] as const;
export type AccountStatus = (typeof ACCOUNT_STATUSES)[number];

/** What a balance change through the API does. */
export const BALANCE_OPERATIONS = ['DEPOSIT', 'WITHDRAW'] as const;
export type BalanceOperation = (typeof BALANCE_OPERATIONS)[number];

/** A change of balance, in minor units, as `account.balance.changed` reports it. */
export interface BalanceChange {
  previousBalance: number;
  newBalance: number;
  changeAmount: number;
  changeReason: 'CREDIT' | 'DEBIT';
}

/** A change of status, as `account.updated` reports it. */
export interface StatusChange {
  previousStatus: AccountStatus;
  newStatus: AccountStatus;
  reason: string;
}

/**
 * An account with balance and reserved funds in integer minor units. Invariants, also enforced by
 * CHECK constraints: 0 <= reserved <= balance. `available` = balance - reserved is what a new
 * payment, withdrawal or order charge may take.
 */
export class Account {
  id!: number;
  userId!: number;
  login!: string;
  currency!: string;
  accountType = 'CHECKING';
  status: AccountStatus = 'ACTIVE';
  balance = 0;
  reserved = 0;
  /** Why the account is SUSPENDED or CLOSED; null while ACTIVE. */
  statusReason: string | null = null;
  /** End of a suspension, when the admin gave one. */
  suspendedUntil: Date | null = null;
  /** When the status last changed: a decision older than this (an old fraud signal) no longer applies. */
  statusChangedAt!: Date;
  createdAt!: Date;
  updatedAt!: Date;

  static open(input: { userId: number; login: string; currency: string }, now: Date): Account {
    const account = new Account();
    account.userId = input.userId;
    account.login = input.login;
    account.currency = input.currency;
    account.createdAt = now;
    account.updatedAt = now;
    account.statusChangedAt = now;
    return account;
  }

  available(): number {
    return this.balance - this.reserved;
  }

  /** Why the account cannot pay `amount` in `currency` now, or undefined when it can. */
  refusalToPay(amount: number, currency: string): PaymentRefusedError | undefined {
    assertPositiveMinorUnits(amount);
    if (this.status !== 'ACTIVE') return new AccountNotActiveError(this.status);
    if (currency !== this.currency) return new CurrencyMismatchError(this.currency, currency);
    if (amount > this.available()) return new InsufficientFundsError(this.available(), amount, this.currency);
    return undefined;
  }

  deposit(amount: number, now: Date): BalanceChange {
    assertPositiveMinorUnits(amount);
    if (this.status === 'CLOSED') throw new AccountNotActiveError(this.status);
    return this.changeBalance(amount, now);
  }

  withdraw(amount: number, now: Date): BalanceChange {
    this.assertCanPay(amount, this.currency);
    return this.changeBalance(-amount, now);
  }

  /** Order charge: takes the amount at once, under the same rules as a payment. */
  debit(amount: number, currency: string, now: Date): BalanceChange {
    this.assertCanPay(amount, currency);
    return this.changeBalance(-amount, now);
  }

  /** Books a payment's amount: it stays in the balance but is no longer available. */
  reserve(payment: { paymentId: number; amount: number; currency: string }, now: Date): Hold {
    this.assertCanPay(payment.amount, payment.currency);
    this.reserved += payment.amount;
    this.updatedAt = now;
    return Hold.place({ paymentId: payment.paymentId, accountId: this.id, amount: payment.amount }, now);
  }

  /**
   * The payment completed: the reserved amount leaves the account. Whatever the account's status
   * now, the funds were committed while it was active. Undefined when the hold was already captured.
   */
  capture(hold: Hold, now: Date): BalanceChange | undefined {
    this.assertOwns(hold);
    if (hold.status === 'CAPTURED' || hold.status === 'RECREDITED') return undefined;
    if (hold.status !== 'HELD') throw new HoldStateError(`payment ${hold.paymentId}: cannot capture a ${hold.status} hold`);
    this.takeReservation(hold, 'CAPTURED', now);
    return this.changeBalance(-hold.amount, now);
  }

  /** The payment failed: its amount becomes available again. False when it was already released. */
  release(hold: Hold, now: Date): boolean {
    this.assertOwns(hold);
    if (hold.status === 'RELEASED') return false;
    if (hold.status !== 'HELD') throw new HoldStateError(`payment ${hold.paymentId}: cannot release a ${hold.status} hold`);
    this.takeReservation(hold, 'RELEASED', now);
    this.updatedAt = now;
    return true;
  }

  /**
   * The captured payment was reversed: its amount comes back, whatever the account's status (it is
   * the customer's money). Undefined when it was already re-credited.
   */
  recredit(hold: Hold, now: Date): BalanceChange | undefined {
    this.assertOwns(hold);
    if (hold.status === 'RECREDITED') return undefined;
    if (hold.status !== 'CAPTURED') throw new HoldStateError(`payment ${hold.paymentId}: cannot re-credit a ${hold.status} hold`);
    hold.status = 'RECREDITED';
    hold.updatedAt = now;
    return this.changeBalance(hold.amount, now);
  }

  /** ACTIVE → SUSPENDED: no new payment, withdrawal or charge until reactivated. */
  suspend(reason: string, expiresAt: Date | undefined, now: Date): StatusChange {
    if (this.status !== 'ACTIVE') throw new InvalidStatusTransitionError(this.status, 'suspended');
    if (expiresAt !== undefined && expiresAt.getTime() <= now.getTime()) {
      throw new InvalidInputError('invalid-expiry', 'expiresAt must be in the future').withField('expiresAt', 'must be in the future');
    }
    this.suspendedUntil = expiresAt ?? null;
    return this.changeStatus('SUSPENDED', reason, now);
  }

  /** SUSPENDED → ACTIVE. */
  reactivate(now: Date): StatusChange {
    if (this.status !== 'SUSPENDED') throw new InvalidStatusTransitionError(this.status, 'reactivated');
    this.suspendedUntil = null;
    return this.changeStatus('ACTIVE', 'REACTIVATED', now);
  }

  /** ACTIVE or SUSPENDED → CLOSED, for good. Refused while payments hold reserved funds. */
  close(reason: string, now: Date): StatusChange {
    if (this.status === 'CLOSED') throw new InvalidStatusTransitionError(this.status, 'closed');
    if (this.reserved > 0) throw new ReservedFundsPendingError(this.reserved, this.currency);
    this.suspendedUntil = null;
    return this.changeStatus('CLOSED', reason, now);
  }

  private assertCanPay(amount: number, currency: string): void {
    const refusal = this.refusalToPay(amount, currency);
    if (refusal !== undefined) throw refusal;
  }

  private assertOwns(hold: Hold): void {
    if (hold.accountId !== this.id) throw new HoldStateError(`payment ${hold.paymentId}: hold of account ${hold.accountId}, not ${this.id}`);
  }

  private takeReservation(hold: Hold, status: 'CAPTURED' | 'RELEASED', now: Date): void {
    if (this.reserved < hold.amount) throw new HoldStateError(`payment ${hold.paymentId}: reserved ${this.reserved} is less than the hold ${hold.amount}`);
    this.reserved -= hold.amount;
    hold.status = status;
    hold.updatedAt = now;
  }

  private changeStatus(newStatus: AccountStatus, reason: string, now: Date): StatusChange {
    const previousStatus = this.status;
    this.status = newStatus;
    this.statusReason = newStatus === 'ACTIVE' ? null : reason;
    this.updatedAt = now;
    this.statusChangedAt = now;
    return { previousStatus, newStatus, reason };
  }

  private changeBalance(delta: number, now: Date): BalanceChange {
    const previousBalance = this.balance;
    this.balance += delta;
    this.updatedAt = now;
    return { previousBalance, newBalance: this.balance, changeAmount: delta, changeReason: delta < 0 ? 'DEBIT' : 'CREDIT' };
  }
}

/** Amounts reach the domain already converted; anything else is a programming error, not a refusal. */
function assertPositiveMinorUnits(amount: number): void {
  if (!Number.isSafeInteger(amount) || amount <= 0) throw new RangeError(`amount must be a positive integer of minor units (got ${amount})`);
}
