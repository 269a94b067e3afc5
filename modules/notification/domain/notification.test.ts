import t from 'tap';
import { MissingRecipientError, Notification } from './notification.ts';

const source = { id: '7a0b6c62-2d4e-4c4b-9d0e-3f1f7d7c2a10', type: 'payment.completed', occurredAt: new Date('2024-01-15T10:30:00Z') };
const content = { kind: 'PAYMENT_COMPLETED' as const, text: 'Your payment 1 of 1.00 EUR is completed.' };
const now = new Date('2024-01-15T10:30:01Z');

t.test('Notification.compose › keeps the identifiers the event carried and nothing else', async (t) => {
  const notification = Notification.compose(source, { accountId: 67890 }, content, now);
  t.match(notification, {
    sourceEventId: source.id, eventType: 'payment.completed', kind: 'PAYMENT_COMPLETED',
    accountId: 67890, userId: null, login: null, occurredAt: source.occurredAt, createdAt: now,
  });
});

t.test('Notification.compose › refuses an event that names nobody', async (t) => {
  t.throws(() => Notification.compose(source, { accountId: null, login: undefined }, content, now), MissingRecipientError);
});
