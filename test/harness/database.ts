import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { pino } from 'pino';
import { startEmbeddedPostgres } from '../../src/platform/db/embedded-postgres.ts';

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/**
 * A fresh database for one test file, on the first PostgreSQL server available:
 * `TEST_DATABASE_URL`/`DATABASE_URL` (CI: the server on 127.0.0.1:5432), else testcontainers when a
 * Docker engine answers, else an embedded PostgreSQL in a temporary directory.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const server = await serverUrl();
  const name = `test_${randomBytes(6).toString('hex')}`;
  await admin(server.url, `create database ${name}`);
  const url = new URL(server.url);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      await admin(server.url, `drop database if exists ${name} with (force)`);
      await server.release();
    },
  };
}

interface Server {
  url: string;
  release(): Promise<void>;
}

async function serverUrl(): Promise<Server> {
  const configured = process.env['TEST_DATABASE_URL'] ?? process.env['DATABASE_URL'];
  if (configured !== undefined && configured !== '') return { url: configured, release: async () => {} };
  const container = await startContainer();
  if (container !== undefined) return container;
  const dataDir = await mkdtemp(join(tmpdir(), 'payments-test-pg-'));
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const embedded = await startEmbeddedPostgres(dataDir, port, pino({ level: 'silent' }));
  return {
    url: embedded.url.replace(/\/payments$/, '/postgres'),
    async release() {
      await embedded.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function startContainer(): Promise<Server | undefined> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await withTimeout(getContainerRuntimeClient(), 5000);
  } catch {
    return undefined; // no Docker engine: "Could not find a working container runtime strategy"
  }
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const container = await new PostgreSqlContainer('postgres:16-alpine').start();
  return { url: container.getConnectionUri(), release: async () => void (await container.stop()) };
}

async function admin(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms).unref())]);
}
