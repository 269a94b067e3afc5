import type { MigrationObject } from '@mikro-orm/postgresql';
import { CreateMessagingSchema } from './0001-messaging.migration.ts';
import { CreateProfileSchema } from './0002-profile.migration.ts';
import { CreateAccountSchema } from './0003-account.migration.ts';
import { AccountHolds } from './0004-account-holds.migration.ts';
import { CreatePaymentSchema } from './0005-payment.migration.ts';
import { CreateBillingSchema } from './0006-billing.migration.ts';
import { CreateOrderSchema } from './0007-order.migration.ts';
import { CreateNotificationSchema } from './0008-notification.migration.ts';
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
  { name: '0001-messaging', class: CreateMessagingSchema },
  { name: '0002-profile', class: CreateProfileSchema },
  { name: '0003-account', class: CreateAccountSchema },
  { name: '0004-account-holds', class: AccountHolds },
  { name: '0005-payment', class: CreatePaymentSchema },
  { name: '0006-billing', class: CreateBillingSchema },
  { name: '0007-order', class: CreateOrderSchema },
  { name: '0008-notification', class: CreateNotificationSchema },
  { name: '0009-payment-account-status-time', class: PaymentAccountStatusTime },
  { name: '0010-idempotency-scope', class: IdempotencyScope },
  { name: '0011-account-status-changed-at', class: AccountStatusChangedAt },
  { name: '0012-consumer-parking', class: ConsumerParking },
  { name: '0013-outbox-key-holds', class: OutboxKeyHolds },
  { name: '0014-consumer-retry-holds', class: ConsumerRetryHolds },
  { name: '0015-event-journey', class: EventJourney },
  { name: '0016-billing-processing-cause', class: BillingProcessingCause },
];
