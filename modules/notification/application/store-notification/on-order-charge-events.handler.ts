import type { Clock } from '../../../../src/platform/clock.ts';
import { on, type EventHandler } from '../../../../src/platform/messaging/event-handler.ts';
import { BillingChargeFailed, BillingChargeSucceeded } from '../../../billing/index.ts';
import { orderNotPaid, orderPaid } from '../../domain/notification-content.ts';
import { storeNotification } from './store-notification.ts';

/** Order paid / not paid (seed 004): billing names the customer by login. */
export function onOrderChargeEvents(clock: Clock): EventHandler[] {
  return [
    on(BillingChargeSucceeded, async (event, { em }) => {
      const { login, accountId } = event.data;
      await storeNotification(em, clock, event, { login, accountId }, orderPaid(event.data));
    }),
    on(BillingChargeFailed, async (event, { em }) => {
      const { login, accountId } = event.data;
      await storeNotification(em, clock, event, { login, accountId }, orderNotPaid(event.data));
    }),
  ];
}
