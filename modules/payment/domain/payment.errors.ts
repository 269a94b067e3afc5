import { RuleViolationError } from '../../../src/platform/errors.ts';
import type { PaymentStatus } from './payment-status.ts';

/** A status change the payment's state machine does not allow, e.g. reversing a payment that is not COMPLETED. */
export class IllegalPaymentTransitionError extends RuleViolationError {
  override name = 'IllegalPaymentTransitionError';

  constructor(
    readonly from: PaymentStatus,
    readonly to: PaymentStatus,
  ) {
    super('illegal-payment-transition', `A ${from} payment cannot become ${to}`);
  }
}

/** The account may not pay: it is suspended, closed or otherwise not active. */
export class AccountNotPayableError extends RuleViolationError {
  constructor(status: string) {
    super(`account-${status.toLowerCase()}`, `The account is ${status} and cannot make payments`);
  }
}

export class CurrencyMismatchError extends RuleViolationError {
  constructor(accountCurrency: string, requested: string) {
    super('currency-mismatch', `The account holds ${accountCurrency}, the payment is in ${requested}`);
  }
}
