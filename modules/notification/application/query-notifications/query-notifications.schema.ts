import type { Static } from 'typebox';
import { Type } from 'typebox';
import { NOTIFICATION_KINDS, type Notification } from '../../domain/notification.ts';
import { pagingQuery } from '../../../../src/platform/http/schemas.ts';

export const NotificationsQuery = Type.Object(
  {
    login: Type.String({ minLength: 1, maxLength: 64, description: 'The person\'s login', examples: ['alice'] }),
    ...pagingQuery,
  },
  { additionalProperties: false },
);

export const NotificationView = Type.Object({
  id: Type.Integer({ examples: [1] }),
  type: Type.Enum(NOTIFICATION_KINDS, { description: 'What the message is about' }),
  message: Type.String({ examples: ['Your order 501 is paid: 40.00 EUR was debited from your account.'] }),
  /** Also the CloudEvents id: the event this message was made from. */
  sourceEventId: Type.String({ format: 'uuid', description: 'Id of the event this message was made from' }),
  sourceEventType: Type.String({ examples: ['billing.charge.succeeded'] }),
  occurredAt: Type.String({ format: 'date-time', description: 'When it happened (the event\'s time); the list is newest first by it' }),
  createdAt: Type.String({ format: 'date-time', description: 'When the message was stored' }),
});

export const NotificationList = Type.Object({
  login: Type.String(),
  items: Type.Array(NotificationView),
  total: Type.Integer(),
  limit: Type.Integer(),
  offset: Type.Integer(),
});

export function toNotificationView(notification: Notification): Static<typeof NotificationView> {
  return {
    id: notification.id,
    type: notification.kind,
    message: notification.text,
    sourceEventId: notification.sourceEventId,
    sourceEventType: notification.eventType,
    occurredAt: notification.occurredAt.toISOString(),
    createdAt: notification.createdAt.toISOString(),
  };
}
