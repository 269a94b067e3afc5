/** Reasons a payment ends REJECTED or FAILED, as `payment.failed.failureReason` carries them. */
export const FailureReason = {
  INSUFFICIENT_FUNDS: 'INSUFFICIENT_FUNDS',
  FRAUD_SUSPECTED: 'FRAUD_SUSPECTED',
  PROCESSING_FAILED: 'PROCESSING_FAILED',
  ACCOUNT_SUSPENDED: 'ACCOUNT_SUSPENDED',
  ACCOUNT_CLOSED: 'ACCOUNT_CLOSED',
  ACCOUNT_NOT_FOUND: 'ACCOUNT_NOT_FOUND',
  CURRENCY_MISMATCH: 'CURRENCY_MISMATCH',
} as const;

/** Technical codes for `payment.failed.errorCode`; ERR_BALANCE_001 is the published example (docs/requirements.md#status-lifecycle). */
const ERROR_CODES: Record<string, string> = {
  [FailureReason.INSUFFICIENT_FUNDS]: 'ERR_BALANCE_001',
  [FailureReason.ACCOUNT_SUSPENDED]: 'ERR_ACCOUNT_001',
  [FailureReason.ACCOUNT_CLOSED]: 'ERR_ACCOUNT_002',
  [FailureReason.ACCOUNT_NOT_FOUND]: 'ERR_ACCOUNT_003',
  [FailureReason.CURRENCY_MISMATCH]: 'ERR_CURRENCY_001',
  [FailureReason.FRAUD_SUSPECTED]: 'ERR_FRAUD_001',
  [FailureReason.PROCESSING_FAILED]: 'ERR_PROCESSING_001',
};

/** A reason the account module may add later still gets a code, so `payment.failed` stays valid. */
export const UNKNOWN_FAILURE_CODE = 'ERR_PAYMENT_000';

export function errorCodeFor(reason: string): string {
  return ERROR_CODES[reason] ?? UNKNOWN_FAILURE_CODE;
}
