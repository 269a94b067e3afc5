import { ConfigError, loadConfig } from './config.ts';
import { startEmbeddedPostgres } from './platform/db/embedded-postgres.ts';
import { createOrm, migrate } from './platform/db/orm.ts';
import { createLogger } from './platform/observability/logger.ts';
import { migrations } from '../migrations/index.ts';

/** `npm run migrate`: applies pending migrations to DATABASE_URL (or the embedded database) and exits. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const embedded = config.database.url === undefined
    ? await startEmbeddedPostgres(config.database.dataDir, config.database.embeddedPort, logger)
    : undefined;
  const url = config.database.url ?? embedded!.url;
  const orm = await createOrm({ url, poolSize: 2, entities: [], migrations, logger });
  try {
    const applied = await migrate(url, orm);
    logger.info({ applied }, applied.length > 0 ? 'migrations applied' : 'database is up to date');
  } finally {
    await orm.close();
    await embedded?.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(error instanceof ConfigError ? `configuration error: ${error.message}\n` : `migration failed: ${String(error)}\n`);
  process.exit(error instanceof ConfigError ? 2 : 1);
});
