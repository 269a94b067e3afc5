/** What a message is about; one per kind of event the person hears of. */
export const NOTIFICATION_KINDS = [
  'ACCOUNT_CREATED',
  'ACCOUNT_REACTIVATED',
  'ACCOUNT_SUSPENDED',
  'ACCOUNT_CLOSED',
  'BALANCE_CHANGED',
  'PAYMENT_COMPLETED',
  'PAYMENT_FAILED',
  'PAYMENT_REVERSED',
  'FRAUD_DETECTED',
  'ORDER_PAID',
  'ORDER_NOT_PAID',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export interface NotificationContent {
  kind: NotificationKind;
  text: string;
}

/**
 * Who a message is for, as far as its event says: events name a person by userId, accountId or
 * login, never necessarily all three. The login is resolved from these when messages are read.
 */
export interface Recipient {
  userId?: number | null | undefined;
  accountId?: number | null | undefined;
  login?: string | null | undefined;
}

/** The event a message was made from. */
export interface SourceEvent {
  id: string;
  type: string;
  occurredAt: Date;
}

export class MissingRecipientError extends Error {
  override name = 'MissingRecipientError';
}

/** A message stored for a person; exactly one per source event. */
export class Notification {
  id!: number;
  sourceEventId!: string;
  eventType!: string;
  kind!: NotificationKind;
  text!: string;
  userId: number | null = null;
  accountId: number | null = null;
  login: string | null = null;
  /** When the thing happened (the event's time): messages are listed newest first by it. */
  occurredAt!: Date;
  /** When this message was stored. */
  createdAt!: Date;

  static compose(source: SourceEvent, recipient: Recipient, content: NotificationContent, now: Date): Notification {
    const notification = new Notification();
    notification.sourceEventId = source.id;
    notification.eventType = source.type;
    notification.kind = content.kind;
    notification.text = content.text;
    notification.userId = recipient.userId ?? null;
    notification.accountId = recipient.accountId ?? null;
    notification.login = recipient.login ?? null;
    if (notification.userId === null && notification.accountId === null && notification.login === null) {
      throw new MissingRecipientError(`${source.type} ${source.id} names no user, account or login`);
    }
    notification.occurredAt = source.occurredAt;
    notification.createdAt = now;
    return notification;
  }
}
