import { randomBytes } from 'node:crypto';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { pino } from 'pino';
import { loadConfig, type ModuleName } from '../../src/config.ts';
import { startPlatform, type PlatformOverrides, type RunningPlatform } from '../../src/platform/runtime.ts';

export type TransportKind = 'local' | 'kafka';

export interface TestPlatformOptions {
  databaseUrl: string;
  transport: TransportKind;
  /** Bootstrap servers, required for the Kafka transport. */
  brokers?: string[];
  /** Shared by the processes of one split deployment (topic and group prefix). */
  namespace?: string;
  env?: Record<string, string>;
  overrides?: PlatformOverrides;
  /**
   * Module tests: run only these modules, on either transport, and act as the others by committing
   * their events. Production configuration refuses a partial process on the local transport
   * (nothing would consume the other modules' events); a test that plays those modules itself may.
   */
  isolate?: ModuleName[];
}

export interface TestPlatform extends RunningPlatform {
  namespace: string;
  request(options: InjectOptions): Promise<LightMyRequestResponse>;
  json<T = unknown>(response: LightMyRequestResponse): T;
}

export const ADMIN_TOKEN = 'test-admin-token';

/** Starts the real platform on a test database; Kafka runs get a fresh topic and group namespace. */
export async function startTestPlatform(options: TestPlatformOptions): Promise<TestPlatform> {
  const namespace = options.namespace ?? `t${randomBytes(4).toString('hex')}`;
  const env: Record<string, string> = {
    DATABASE_URL: options.databaseUrl,
    PORT: '0',
    LOG_LEVEL: process.env['TEST_LOG_LEVEL'] ?? 'silent',
    ADMIN_TOKEN,
    RELAY_POLL_INTERVAL_MS: '200',
    RELAY_BACKOFF_BASE_MS: '50',
    RELAY_BACKOFF_MAX_MS: '1000',
    CONSUMER_RETRY_BASE_MS: '10',
    CONSUMER_MAX_ATTEMPTS: '3',
    PROCESSING_DELAY_MIN_MS: '0',
    PROCESSING_DELAY_MAX_MS: '20',
    ORDER_WAIT_MS: '8000',
    ...(options.transport === 'kafka'
      ? {
          KAFKA_BROKERS: requireBrokers(options.brokers).join(','),
          TOPIC_PREFIX: `${namespace}.`,
          KAFKA_GROUP_PREFIX: namespace,
          // The broker's lowest session timeout (group.min.session.timeout.ms): a stopped member is noticed soon.
          KAFKA_SESSION_TIMEOUT_MS: '6000',
          // Few partitions per topic: every test platform creates its own ≈40 topics on a shared broker.
          KAFKA_TOPIC_PARTITIONS: '4',
          KAFKA_HEARTBEAT_INTERVAL_MS: '500',
          KAFKA_FETCH_MAX_WAIT_MS: '100',
        }
      : {}),
    ...options.env,
  };
  const loaded = loadConfig(env);
  const config = options.isolate === undefined ? loaded : { ...loaded, modules: new Set(options.isolate) };
  const logger = pino({ level: env['LOG_LEVEL'] ?? 'silent' });
  const platform = await startPlatform(config, { logger, ...options.overrides });
  return {
    ...platform,
    namespace,
    request: (request) => {
      if (platform.http === undefined) throw new Error('this test platform has no api role');
      return platform.http.inject(request);
    },
    json: <T>(response: LightMyRequestResponse) => response.json<T>(),
  };
}

function requireBrokers(brokers: string[] | undefined): string[] {
  if (brokers === undefined || brokers.length === 0) throw new Error('the Kafka transport needs brokers');
  return brokers;
}
