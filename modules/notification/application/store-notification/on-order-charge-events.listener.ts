import { handles, type HandlerDeclaration } from '../../../../src/platform/messaging/event-handler.ts';
import { BillingChargeFailed, BillingChargeSucceeded } from '../../../billing/index.ts';
import { orderNotPaid, orderPaid } from '../../domain/notification-content.ts';
import { storeNotification } from './store-notification.command.ts';

/** Order paid / not paid: billing names the customer by login. */
export const onOrderChargeEvents: HandlerDeclaration[] = [
  handles(BillingChargeSucceeded, ({ clock }) => async (event, { em }) => {
    const { login, accountId } = event.data;
    await storeNotification(em, clock, event, { login, accountId }, orderPaid(event.data));
  }),
  handles(BillingChargeFailed, ({ clock }) => async (event, { em }) => {
    const { login, accountId } = event.data;
    await storeNotification(em, clock, event, { login, accountId }, orderNotPaid(event.data));
  }),
];
