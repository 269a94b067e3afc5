import { LockMode, type EntityManager } from '@mikro-orm/postgresql';
import { handles } from '../../../../src/platform/messaging/event-handler.ts';
import { fromMinorUnits } from '../../../../src/platform/money.ts';
import { AccountChargeDebited, AccountChargeRejected } from '../../../account/index.ts';
import { BillingChargeFailed } from '../../contracts/events/billing-charge-failed.event.ts';
import { BillingChargeSucceeded } from '../../contracts/events/billing-charge-succeeded.event.ts';
import { Charge } from '../../domain/charge.ts';

async function lockedCharge(em: EntityManager, chargeId: number): Promise<Charge> {
  const charge = await em.findOne(Charge, { id: chargeId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
  // Billing created the charge before asking; an answer for an unknown one is a bug to dead-letter.
  if (charge === null) throw new Error(`account answered for unknown charge ${chargeId}`);
  return charge;
}

/** The fields both outcomes of a charge report. */
function chargeOutcome<A extends number | null>(charge: Charge, accountId: A) {
  return {
    chargeId: charge.id, orderId: charge.orderId, login: charge.login, accountId,
    amount: fromMinorUnits(charge.amount, charge.currency), currency: charge.currency,
  };
}

/** The account paid the order: the charge SUCCEEDED, reported on `billing.charge.succeeded` (order, notification). */
export const onChargeDebited = handles(AccountChargeDebited, ({ clock }) => async (event, { em, publish }) => {
  const charge = await lockedCharge(em, event.data.chargeId);
  const now = clock.now();
  if (!charge.succeed(event.data.accountId, now)) return;
  publish(BillingChargeSucceeded, { ...chargeOutcome(charge, event.data.accountId), chargedAt: event.data.debitedAt });
});

/** The account could not pay: the charge FAILED with the account's reason (INSUFFICIENT_FUNDS, ...). */
export const onChargeRejected = handles(AccountChargeRejected, ({ clock }) => async (event, { em, publish }) => {
  const charge = await lockedCharge(em, event.data.chargeId);
  const now = clock.now();
  if (!charge.fail(event.data.reason, event.data.accountId, now)) return;
  publish(BillingChargeFailed, { ...chargeOutcome(charge, event.data.accountId), reason: event.data.reason, failedAt: event.data.rejectedAt });
});
