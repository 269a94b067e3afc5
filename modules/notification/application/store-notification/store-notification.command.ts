import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../../../../src/platform/clock.ts';
import type { EventEnvelope } from '../../../../src/platform/messaging/envelope.ts';
import { Notification, type NotificationContent, type Recipient } from '../../domain/notification.ts';
import { insertNotificationOnce } from '../../infrastructure/notification.repository.ts';

/** Stores the one message of an event, addressed with whatever identifiers the event carried. */
export async function storeNotification(
  em: EntityManager,
  clock: Clock,
  event: EventEnvelope<unknown>,
  recipient: Recipient,
  content: NotificationContent,
): Promise<void> {
  const now = clock.now();
  const notification = Notification.compose({ id: event.id, type: event.type, occurredAt: occurredAt(event, now) }, recipient, content, now);
  await insertNotificationOnce(em, notification);
}

/** The event's own time orders the messages; a producer that sent none gets the time it was handled. */
function occurredAt(event: EventEnvelope<unknown>, now: Date): Date {
  const time = new Date(event.time);
  return Number.isNaN(time.getTime()) || time.getTime() === 0 ? now : time;
}
