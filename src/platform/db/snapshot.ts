import { IsolationLevel, type EntityManager, type MikroORM } from '@mikro-orm/postgresql';

/**
 * `read` in one read-only REPEATABLE READ transaction of a fresh EntityManager: all its statements
 * see one snapshot, so a page and its total (two statements) agree while rows are being written.
 */
export function readInSnapshot<T>(orm: MikroORM, read: (em: EntityManager) => Promise<T>): Promise<T> {
  return orm.em.fork().transactional(read, { isolationLevel: IsolationLevel.REPEATABLE_READ, readOnly: true });
}
