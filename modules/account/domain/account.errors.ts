import { RuleViolationError } from '../../../src/platform/errors.ts';

export class InsufficientFundsError extends RuleViolationError {
  constructor(availableMinor: number, requestedMinor: number) {
    super('insufficient-funds', `Available ${(availableMinor / 100).toFixed(2)}, requested ${(requestedMinor / 100).toFixed(2)}`);
  }
}

export class AccountNotActiveError extends RuleViolationError {
  constructor(status: string) {
    super(`account-${status.toLowerCase()}`, `The account is ${status}`);
  }
}
