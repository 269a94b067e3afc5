import { defineModule } from '../../src/platform/module.ts';
import { onProfileRegistered } from './application/directory/on-profile-registered.listener.ts';
import { queryNotificationsRoutes } from './application/query-notifications/query-notifications.route.ts';
import { onAccountEvents } from './application/store-notification/on-account-events.listener.ts';
import { onOrderChargeEvents } from './application/store-notification/on-order-charge-events.listener.ts';
import { onPaymentEvents } from './application/store-notification/on-payment-events.listener.ts';
import { AccountEntryEntity, NotificationEntity, PersonEntryEntity } from './infrastructure/notification.entity.ts';

export default defineModule({
  name: 'notification',
  description: 'Messages for people: account opened, balance changed, payment outcomes, fraud alerts, suspension, orders paid or not',
  entities: [NotificationEntity, PersonEntryEntity, AccountEntryEntity],
  produces: [],
  async routes(app, container) {
    queryNotificationsRoutes(app, { orm: container.cradle.orm });
  },
  handlers: [onProfileRegistered, ...onAccountEvents, ...onPaymentEvents, ...onOrderChargeEvents],
});
