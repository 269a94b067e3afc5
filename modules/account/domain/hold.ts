export type HoldStatus = 'HELD' | 'CAPTURED' | 'RELEASED' | 'RECREDITED';

/**
 * Funds of an account reserved for one payment (integer minor units). HELD until the payment
 * completes (CAPTURED) or fails (RELEASED); a reversed capture becomes RECREDITED. Its transitions
 * are made by {@link Account}, which owns the balances they move.
 */
export class Hold {
  id!: number;
  paymentId!: number;
  accountId!: number;
  amount!: number;
  status: HoldStatus = 'HELD';
  createdAt!: Date;
  updatedAt!: Date;

  static place(input: { paymentId: number; accountId: number; amount: number }, now: Date): Hold {
    const hold = new Hold();
    hold.paymentId = input.paymentId;
    hold.accountId = input.accountId;
    hold.amount = input.amount;
    hold.createdAt = now;
    hold.updatedAt = now;
    return hold;
  }
}
