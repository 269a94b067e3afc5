import pg from 'pg';
import { pino } from 'pino';
import { migrations } from '../../migrations/index.ts';
import { createOrm, migrate } from '../../src/platform/db/orm.ts';
import { OutboxMessageEntity } from '../../src/platform/messaging/outbox.entity.ts';
import { createTestDatabase, type TestDatabase } from '../../test/harness/database.ts';

export interface BenchDatabase extends TestDatabase {
  /** A small pool for the bench's own set-up and checks (not for what is being measured). */
  admin: pg.Pool;
  /** Where the server came from, for the report. */
  server: string;
  /** Empties the messaging tables between phases so each starts from the same state. */
  reset(): Promise<void>;
}

/**
 * One database for the whole run, found the way the tests find theirs (TEST_DATABASE_URL, else
 * Docker, else an embedded PostgreSQL), with the platform's migrations applied.
 */
export async function startBenchDatabase(): Promise<BenchDatabase> {
  const database = await createTestDatabase();
  const orm = await createOrm({ url: database.url, poolSize: 2, entities: [OutboxMessageEntity], migrations, logger: pino({ level: 'silent' }) });
  try {
    await migrate(database.url, orm);
  } finally {
    await orm.close();
  }
  const admin = new pg.Pool({ connectionString: database.url, max: 2 });
  const { rows } = await admin.query<{ server_version: string }>('show server_version');
  const configured = process.env['TEST_DATABASE_URL'] ?? process.env['DATABASE_URL'];
  return {
    ...database,
    admin,
    server: `PostgreSQL ${rows[0]?.server_version ?? '?'} (${configured ? 'TEST_DATABASE_URL' : 'started by the harness'})`,
    async reset() {
      await admin.query(`truncate messaging.outbox, messaging.outbox_key_hold, messaging.inbox, messaging.dead_letter,
        messaging.parked_key, messaging.parked_message restart identity`);
      await admin.query('vacuum analyze messaging.outbox');
    },
    async drop() {
      await admin.end();
      await database.drop();
    },
  };
}
