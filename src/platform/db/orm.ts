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

// int8 columns carry ids and minor units; both stay far below 2^53, so plain numbers are exact.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

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
    const applied = await orm.getMigrator().up();
    return applied.map((migration) => migration.name);
  } finally {
    await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await client.end();
  }
}
