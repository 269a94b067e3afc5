import { defineModule } from '../../src/platform/module.ts';
import { onProfileRegistered } from './application/directory/on-profile-registered.handler.ts';
import { queryNotificationsRoutes } from './application/query-notifications/query-notifications.route.ts';
import { onAccountEvents } from './application/store-notification/on-account-events.handler.ts';
import { onOrderChargeEvents } from './application/store-notification/on-order-charge-events.handler.ts';
import { onPaymentEvents } from './application/store-notification/on-payment-events.handler.ts';
import { AccountEntrySchema, NotificationSchema, PersonEntrySchema } from './infrastructure/notification.entity.ts';

export default defineModule({
  name: 'notification',
  description: 'Messages for people: account opened, balance changed, payment outcomes, fraud alerts, suspension, orders paid or not',
  entities: [NotificationSchema, PersonEntrySchema, AccountEntrySchema],
  produces: [],
  async routes(app, container) {
    queryNotificationsRoutes(app, { orm: container.cradle.orm });
  },
  handlers: [onProfileRegistered, ...onAccountEvents, ...onPaymentEvents, ...onOrderChargeEvents],
});
