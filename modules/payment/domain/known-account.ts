import { AccountNotPayableError, CurrencyMismatchError } from './payment.errors.ts';

/**
 * What the payment module knows of an account, fed by `account.*` events and, on a miss, by the
 * account module's query API. `login` and `currency` may still be unknown when the row was first
 * made by a status event (`account.updated`, `account.suspended` and `account.closed` carry neither).
 */
export class KnownAccount {
  accountId!: number;
  userId!: number;
  login: string | null = null;
  currency: string | null = null;
  /** ACTIVE, SUSPENDED, CLOSED (whatever the account module reports). */
  status!: string;
  /** Last reported balance in minor units; informational, the account module decides on funds. */
  balance: number | null = null;
  updatedAt!: Date;

  /** Enough is known to decide on a payment without asking the account module: its currency, and whose it is. */
  isComplete(): this is KnownAccount & { currency: string; login: string } {
    return this.currency !== null && this.login !== null;
  }

  /** A payment in `currency` may be requested: the account is ACTIVE and holds that currency. */
  assertAcceptsPayment(currency: string): void {
    if (this.status !== 'ACTIVE') throw new AccountNotPayableError(this.status);
    if (this.currency !== null && this.currency !== currency) throw new CurrencyMismatchError(this.currency, currency);
  }
}

/** Status changes that end the account's ability to pay; its pending payments are cancelled with the reason. */
export function cancellationReasonFor(status: string): 'ACCOUNT_SUSPENDED' | 'ACCOUNT_CLOSED' | undefined {
  if (status === 'SUSPENDED') return 'ACCOUNT_SUSPENDED';
  if (status === 'CLOSED') return 'ACCOUNT_CLOSED';
  return undefined;
}
