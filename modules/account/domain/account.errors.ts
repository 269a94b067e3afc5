import { NotFoundError, RuleViolationError } from '../../../src/platform/errors.ts';
import { formatMoney } from '../../../src/platform/money.ts';

/** Why an account refuses to pay (reserve, withdraw or debit); the reason travels in refusal events. */
export type PaymentRefusalReason = 'INSUFFICIENT_FUNDS' | 'ACCOUNT_SUSPENDED' | 'ACCOUNT_CLOSED' | 'CURRENCY_MISMATCH';

export abstract class PaymentRefusedError extends RuleViolationError {
  abstract readonly reason: PaymentRefusalReason;
}

export class InsufficientFundsError extends PaymentRefusedError {
  readonly reason = 'INSUFFICIENT_FUNDS';

  constructor(availableMinor: number, requestedMinor: number, currency: string) {
    super('insufficient-funds', `Available ${formatMoney(availableMinor, currency)}, requested ${formatMoney(requestedMinor, currency)}`);
  }
}

export class AccountNotActiveError extends PaymentRefusedError {
  readonly reason: PaymentRefusalReason;

  constructor(status: 'SUSPENDED' | 'CLOSED') {
    super(`account-${status.toLowerCase()}`, `The account is ${status}`);
    this.reason = status === 'SUSPENDED' ? 'ACCOUNT_SUSPENDED' : 'ACCOUNT_CLOSED';
  }
}

export class CurrencyMismatchError extends PaymentRefusedError {
  readonly reason = 'CURRENCY_MISMATCH';

  constructor(accountCurrency: string, requestedCurrency: string) {
    super('currency-mismatch', `The account holds ${accountCurrency}, the amount is in ${requestedCurrency}`);
  }
}

/** An admin asked for a status change the account's current status does not allow. */
export class InvalidStatusTransitionError extends RuleViolationError {
  constructor(from: string, action: string) {
    super('invalid-status-transition', `An account that is ${from} cannot be ${action}`);
  }
}

export class ReservedFundsPendingError extends RuleViolationError {
  constructor(reservedMinor: number, currency: string) {
    super('reserved-funds-pending', `${formatMoney(reservedMinor, currency)} is reserved for payments in progress; close the account once they are settled`);
  }
}

/**
 * A payment event that contradicts the hold it refers to (e.g. a reversal of a payment that was
 * never captured). Not a business refusal: the data is inconsistent, so the handler fails and the
 * event ends in the dead-letter queue for an operator.
 */
export class HoldStateError extends Error {
  override name = 'HoldStateError';
}

/** No such account, or (to a customer) one it does not own: the answer is the same, so ids cannot be probed. */
export class AccountNotFoundError extends NotFoundError {
  constructor(which: { login: string } | { id: number }) {
    super('account', 'login' in which ? `No account for login ${which.login}` : `No account with id ${which.id}`);
  }
}
