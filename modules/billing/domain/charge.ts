import { ChargeAlreadySettledError } from './billing.errors.ts';

export const CHARGE_STATUSES = ['PENDING', 'SUCCEEDED', 'FAILED'] as const;
export type ChargeStatus = (typeof CHARGE_STATUSES)[number];

/**
 * What billing asks a customer's account to pay for one order. PENDING until the
 * account module answers, then SUCCEEDED or FAILED with the reason. Amount in integer minor units.
 */
export class Charge {
  id!: number;
  orderId!: number;
  login!: string;
  accountId: number | null = null;
  amount!: number;
  currency!: string;
  status: ChargeStatus = 'PENDING';
  failureReason: string | null = null;
  createdAt!: Date;
  updatedAt!: Date;

  static open(input: { orderId: number; login: string; amount: number; currency: string }, now: Date): Charge {
    const charge = new Charge();
    charge.orderId = input.orderId;
    charge.login = input.login;
    charge.amount = input.amount;
    charge.currency = input.currency;
    charge.createdAt = now;
    charge.updatedAt = now;
    return charge;
  }

  /** The account was debited. Returns false when this was already recorded (a repeated answer). */
  succeed(accountId: number, now: Date): boolean {
    if (this.status === 'SUCCEEDED') return false;
    if (this.status === 'FAILED') throw new ChargeAlreadySettledError(this.id, this.status, 'SUCCEEDED');
    this.status = 'SUCCEEDED';
    this.accountId = accountId;
    this.updatedAt = now;
    return true;
  }

  /** The account could not pay. Returns false when this was already recorded (a repeated answer). */
  fail(reason: string, accountId: number | null, now: Date): boolean {
    if (this.status === 'FAILED') return false;
    if (this.status === 'SUCCEEDED') throw new ChargeAlreadySettledError(this.id, this.status, 'FAILED');
    this.status = 'FAILED';
    this.failureReason = reason;
    this.accountId = accountId;
    this.updatedAt = now;
    return true;
  }
}
