import { Migrator } from '@mikro-orm/migrations';
import { MikroORM, type EntitySchema, type MigrationObject } from '@mikro-orm/postgresql';
import pg from 'pg';
import type { Logger } from '../observability/logger.ts';

export interface OrmOptions {
  url: string;
  poolSize: number;
  entities: EntitySchema[];
  migrations: MigrationObject[];
  logger: Logger;
}

// int8 columns carry ids, counts and minor units. The money limits keep them below 2^51, so plain
// numbers are exact; a value past 2^53 would be rounded, so reading one fails the query instead.
pg.types.setTypeParser(pg.types.builtins.INT8, parseInt8);

export function parseInt8(value: string): number {
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed)) throw new RangeError(`int8 value ${value} is beyond 2^53 and cannot be read exactly as a number`);
  return parsed;
}

export async function createOrm(options: OrmOptions): Promise<MikroORM> {
  return MikroORM.init({
    clientUrl: options.url,
    entities: options.entities,
    discovery: { warnWhenNoEntities: false },
    extensions: [Migrator],
    migrations: {
      migrationsList: options.migrations,
      snapshot: false,
      transactional: true,
      allOrNothing: true,
      silent: true,
    },
    pool: { min: 0, max: options.poolSize },
    // pg.Pool waits for a free connection forever by default; knex (MikroORM 6) gave up after 60 s,
    // and a request or handler that cannot get a connection is answered as the database being unavailable.
    driverOptions: { connectionTimeoutMillis: 60_000 } satisfies pg.PoolConfig,
    forceUtcTimezone: true,
    allowGlobalContext: false,
    debug: false,
    logger: (message) => options.logger.debug({ component: 'mikro-orm' }, message),
  });
}

// Several processes may start at once against one database; one lock makes their migrations take turns.
const MIGRATION_LOCK_KEY = 7_413_001;

/** Applies pending migrations, serialised across processes by an advisory lock. */
export async function migrate(url: string, orm: MikroORM): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const applied = await orm.migrator.up();
    return applied.map((migration) => migration.name);
  } finally {
    await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await client.end();
  }
}
