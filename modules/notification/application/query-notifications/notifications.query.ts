import type { MikroORM } from '@mikro-orm/postgresql';
import { readInSnapshot } from '../../../../src/platform/db/snapshot.ts';
import type { Notification } from '../../domain/notification.ts';
import { notificationsOf } from '../../infrastructure/notification.repository.ts';
import { type Found, type PageRequest } from '../../../../src/platform/http/schemas.ts';

/** A person's messages, newest first; the page and its total from one snapshot. */
export function notificationsFor(orm: MikroORM, login: string, page: PageRequest): Promise<Found<Notification>> {
  return readInSnapshot(orm, (em) => notificationsOf(em, login, page));
}
