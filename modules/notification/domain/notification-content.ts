import { minorDigits } from '../../../src/platform/money.ts';
import type { NotificationContent } from './notification.ts';

/** The wording of every message: pure functions of the event's facts. */

function money(amount: number, currency: string): string {
  return `${Math.abs(amount).toFixed(minorDigits(currency))} ${currency}`;
}

/** `INSUFFICIENT_FUNDS` → `insufficient funds`. */
function humanise(code: string): string {
  return code.toLowerCase().replaceAll('_', ' ');
}

const FAILURE_WORDING: Record<string, string> = {
  INSUFFICIENT_FUNDS: 'insufficient funds',
  FRAUD_SUSPECTED: 'suspected fraud',
  PROCESSING_FAILED: 'the payment could not be processed',
  ACCOUNT_SUSPENDED: 'your account is suspended',
  ACCOUNT_CLOSED: 'your account is closed',
  ACCOUNT_NOT_FOUND: 'no account was found',
  CURRENCY_MISMATCH: 'the currency does not match your account',
};

function failureWording(reason: string): string {
  return FAILURE_WORDING[reason] ?? humanise(reason);
}

export function accountOpened(input: { accountId: number; accountType: string; currency: string }): NotificationContent {
  return {
    kind: 'ACCOUNT_CREATED',
    text: `Your ${humanise(input.accountType)} account ${input.accountId} in ${input.currency} is open.`,
  };
}

export function balanceChanged(input: { accountId: number; changeAmount: number; newBalance: number; currency: string }): NotificationContent {
  const balance = `New balance: ${money(input.newBalance, input.currency)}.`;
  const change = money(input.changeAmount, input.currency);
  const text = input.changeAmount > 0
    ? `${change} was credited to your account ${input.accountId}. ${balance}`
    : input.changeAmount < 0
      ? `${change} was debited from your account ${input.accountId}. ${balance}`
      : `The balance of your account ${input.accountId} was updated. ${balance}`;
  return { kind: 'BALANCE_CHANGED', text };
}

export function paymentCompleted(input: { paymentId: number; amount: number; currency: string }): NotificationContent {
  return { kind: 'PAYMENT_COMPLETED', text: `Your payment ${input.paymentId} of ${money(input.amount, input.currency)} is completed.` };
}

export function paymentFailed(input: { paymentId: number; amount: number; currency: string; failureReason: string }): NotificationContent {
  return {
    kind: 'PAYMENT_FAILED',
    text: `Your payment ${input.paymentId} of ${money(input.amount, input.currency)} failed: ${failureWording(input.failureReason)}.`,
  };
}

export function paymentReversed(input: { paymentId: number; amount: number; currency: string; reversalReason: string }): NotificationContent {
  return {
    kind: 'PAYMENT_REVERSED',
    text: `Your payment ${input.paymentId} of ${money(input.amount, input.currency)} was reversed (${humanise(input.reversalReason)}); the amount is credited back to your account.`,
  };
}

export function fraudDetected(input: { paymentId: number; amount: number; currency: string; fraudReasons: string[]; severity: string }): NotificationContent {
  const reasons = input.fraudReasons.length > 0 ? ` (${input.fraudReasons.map(humanise).join(', ')})` : '';
  return {
    kind: 'FRAUD_DETECTED',
    text: `Security alert: your payment ${input.paymentId} of ${money(input.amount, input.currency)} looks suspicious${reasons}. Severity: ${input.severity}.`,
  };
}

export function accountSuspended(input: { accountId: number; reason: string; expiresAt?: string | undefined }): NotificationContent {
  const until = input.expiresAt === undefined ? '' : ` until ${input.expiresAt}`;
  return { kind: 'ACCOUNT_SUSPENDED', text: `Your account ${input.accountId} is suspended${until} (${humanise(input.reason)}).` };
}

/**
 * account.updated says so for every status change; suspension and closure have messages of their
 * own (account.suspended, account.closed), so only a return to ACTIVE is worth telling here.
 */
export function accountStatusChanged(input: { accountId: number; changes: { previousStatus: string; newStatus: string } }): NotificationContent | undefined {
  const { previousStatus, newStatus } = input.changes;
  if (newStatus !== 'ACTIVE' || previousStatus === 'ACTIVE') return undefined;
  return { kind: 'ACCOUNT_REACTIVATED', text: `Your account ${input.accountId} is active again.` };
}

export function accountClosed(input: { accountId: number; reason: string }): NotificationContent {
  return { kind: 'ACCOUNT_CLOSED', text: `Your account ${input.accountId} is closed (${humanise(input.reason)}).` };
}

export function orderPaid(input: { orderId: number; amount: number; currency: string }): NotificationContent {
  return { kind: 'ORDER_PAID', text: `Your order ${input.orderId} is paid: ${money(input.amount, input.currency)} was debited from your account.` };
}

export function orderNotPaid(input: { orderId: number; amount: number; currency: string; reason: string }): NotificationContent {
  return {
    kind: 'ORDER_NOT_PAID',
    text: `Your order ${input.orderId} of ${money(input.amount, input.currency)} is not paid: ${failureWording(input.reason)}.`,
  };
}
