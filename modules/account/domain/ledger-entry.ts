export type LedgerKind = 'DEPOSIT' | 'WITHDRAWAL' | 'PAYMENT_CAPTURE' | 'PAYMENT_RECREDIT' | 'ORDER_CHARGE';

/** The business reference of an entry; (kind, reference) is unique, so a payment is captured once. */
export const ledgerReference = {
  payment: (paymentId: number) => `payment:${paymentId}`,
  charge: (chargeId: number) => `charge:${chargeId}`,
};

/** One movement of money on an account, kept for audit and reconciliation. */
export class LedgerEntry {
  id!: number;
  accountId!: number;
  kind!: LedgerKind;
  /** Signed change of the balance in minor units. */
  amount!: number;
  balanceAfter!: number;
  reference!: string | null;
  createdAt!: Date;

  static record(input: { accountId: number; kind: LedgerKind; amount: number; balanceAfter: number; reference?: string }, now: Date): LedgerEntry {
    const entry = new LedgerEntry();
    entry.accountId = input.accountId;
    entry.kind = input.kind;
    entry.amount = input.amount;
    entry.balanceAfter = input.balanceAfter;
    entry.reference = input.reference ?? null;
    entry.createdAt = now;
    return entry;
  }
}
