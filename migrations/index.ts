import type { MigrationObject } from '@mikro-orm/postgresql';
import { MessagingSchema } from './0001-messaging.migration.ts';
import { ProfileSchema } from './0002-profile.migration.ts';
import { AccountSchema } from './0003-account.migration.ts';
import { AccountHolds } from './0004-account-holds.migration.ts';
import { PaymentSchema } from './0005-payment.migration.ts';
import { BillingSchema } from './0006-billing.migration.ts';
import { OrderSchema } from './0007-order.migration.ts';
import { NotificationSchema } from './0008-notification.migration.ts';
import { PaymentAccountStatusTime } from './0009-payment-account-status-time.migration.ts';
import { IdempotencyScope } from './0010-idempotency-scope.migration.ts';
import { AccountStatusChangedAt } from './0011-account-status-changed-at.migration.ts';
import { ConsumerParking } from './0012-consumer-parking.migration.ts';
import { OutboxKeyHolds } from './0013-outbox-key-holds.migration.ts';
import { ConsumerRetryHolds } from './0014-consumer-retry-holds.migration.ts';
import { EventJourney } from './0015-event-journey.migration.ts';
import { BillingProcessingCause } from './0016-billing-processing-cause.migration.ts';

/** Applied in this order; one file touches one schema. Never edit an applied migration: add one. */
export const migrations: MigrationObject[] = [
  { name: '0001-messaging', class: MessagingSchema },
  { name: '0002-profile', class: ProfileSchema },
  { name: '0003-account', class: AccountSchema },
  { name: '0004-account-holds', class: AccountHolds },
  { name: '0005-payment', class: PaymentSchema },
  { name: '0006-billing', class: BillingSchema },
  { name: '0007-order', class: OrderSchema },
  { name: '0008-notification', class: NotificationSchema },
  { name: '0009-payment-account-status-time', class: PaymentAccountStatusTime },
  { name: '0010-idempotency-scope', class: IdempotencyScope },
  { name: '0011-account-status-changed-at', class: AccountStatusChangedAt },
  { name: '0012-consumer-parking', class: ConsumerParking },
  { name: '0013-outbox-key-holds', class: OutboxKeyHolds },
  { name: '0014-consumer-retry-holds', class: ConsumerRetryHolds },
  { name: '0015-event-journey', class: EventJourney },
  { name: '0016-billing-processing-cause', class: BillingProcessingCause },
];
