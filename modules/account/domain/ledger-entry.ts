/** One movement of money on an account, kept for audit and reconciliation. */
export class LedgerEntry {
  id!: number;
  accountId!: number;
  /** DEPOSIT, WITHDRAWAL, ... */
  kind!: string;
  /** Signed change of the balance in minor units. */
  amount!: number;
  balanceAfter!: number;
  reference!: string | null;
  createdAt!: Date;

  static record(input: { accountId: number; kind: string; amount: number; balanceAfter: number; reference?: string }, now: Date): LedgerEntry {
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
