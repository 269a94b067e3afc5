import type { EntityManager, FilterQuery } from '@mikro-orm/postgresql';
import { AccountEntry, PersonEntry } from '../domain/directory.ts';
import { Notification } from '../domain/notification.ts';

/**
 * Stores the message unless one already exists for its source event (unique source_event_id).
 * The inbox already skips redelivered events; this holds even for a second path to the same event.
 */
export async function insertNotificationOnce(em: EntityManager, notification: Notification): Promise<void> {
  await em.createQueryBuilder(Notification)
    .insert({
      sourceEventId: notification.sourceEventId,
      eventType: notification.eventType,
      kind: notification.kind,
      text: notification.text,
      userId: notification.userId,
      accountId: notification.accountId,
      login: notification.login,
      occurredAt: notification.occurredAt,
      createdAt: notification.createdAt,
    })
    .onConflict('sourceEventId')
    .ignore()
    .execute();
}

/** Logins and user ids do not change: the first announcement stays. */
export async function rememberPerson(em: EntityManager, entry: PersonEntry): Promise<void> {
  await em.createQueryBuilder(PersonEntry).insert({ userId: entry.userId, login: entry.login }).onConflict('userId').ignore().execute();
}

/** An account never changes owner: the first announcement stays. */
export async function rememberAccount(em: EntityManager, entry: AccountEntry): Promise<void> {
  await em.createQueryBuilder(AccountEntry).insert({ accountId: entry.accountId, userId: entry.userId }).onConflict('accountId').ignore().execute();
}

export interface Page {
  limit: number;
  offset: number;
}

/**
 * A person's messages, newest first: those stored with their login, their user id, or the id of
 * one of their accounts, whichever the event carried and in whatever order the events came.
 */
export async function notificationsOf(em: EntityManager, login: string, page: Page): Promise<{ items: Notification[]; total: number }> {
  const userIds = (await em.find(PersonEntry, { login })).map((person) => person.userId);
  const accountIds = userIds.length === 0
    ? []
    : (await em.find(AccountEntry, { userId: { $in: userIds } })).map((account) => account.accountId);
  const addressedTo: Array<FilterQuery<Notification>> = [{ login }];
  if (userIds.length > 0) addressedTo.push({ userId: { $in: userIds } });
  if (accountIds.length > 0) addressedTo.push({ accountId: { $in: accountIds } });
  const [items, total] = await em.findAndCount(Notification, { $or: addressedTo }, {
    orderBy: { occurredAt: 'desc', id: 'desc' },
    limit: page.limit,
    offset: page.offset,
  });
  return { items, total };
}
