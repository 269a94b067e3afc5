/** Drives the billing module from tests: waits for the charges it asks for and answers them as the account module would. */
import type { Static } from 'typebox';
import { eventually } from '../../../test/harness/eventually.ts';
import type { TestPlatform } from '../../../test/harness/platform.ts';
import { AccountChargeDebited, AccountChargeRejected } from '../../account/index.ts';
import { BillingChargeRequested } from '../index.ts';

export type ChargeRequest = Static<typeof BillingChargeRequested.schema>;

/** Waits for billing to ask for the charge of `orderId` (or of the `nth` order of `login`). */
export async function chargeRequested(app: TestPlatform, login: string, which: { orderId?: number; nth?: number } = {}): Promise<ChargeRequest> {
  return eventually(async () => {
    const requests = await app.scenario.events(BillingChargeRequested, { login });
    return which.orderId !== undefined ? requests.find((request) => request.orderId === which.orderId) : requests[which.nth ?? requests.length - 1];
  }, { what: `billing.charge.requested for ${login}`, timeoutMs: 30_000 });
}

/**
 * Plays the account module's side of an order charge, for tests that run billing and order without
 * it: commits the account's answer through the outbox as it would.
 */
export async function answerCharge(
  app: TestPlatform,
  request: ChargeRequest,
  answer: { debit: { accountId: number } } | { reject: { reason: string; accountId: number | null } },
): Promise<void> {
  const common = { chargeId: request.chargeId, orderId: request.orderId, amount: request.amount, currency: request.currency };
  const at = new Date().toISOString();
  if ('debit' in answer) await app.scenario.commit(AccountChargeDebited, { ...common, accountId: answer.debit.accountId, debitedAt: at });
  else await app.scenario.commit(AccountChargeRejected, { ...common, accountId: answer.reject.accountId, reason: answer.reject.reason, rejectedAt: at });
}
