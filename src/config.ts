import { resolve } from 'node:path';
import { MONEY_CEILING, type MoneyLimitSettings } from './platform/money.ts';
import { ConfigError, decimalSetting, integerSetting, present } from './platform/settings.ts';

export { ConfigError };

// Every name here has modules/<name>/<name>.module.ts; MODULES selects among them.
export const MODULE_NAMES = ['profile', 'account', 'payment', 'billing', 'order', 'notification'] as const;
export type ModuleName = (typeof MODULE_NAMES)[number];

export const ROLES = ['api', 'worker', 'relay'] as const;
export type Role = (typeof ROLES)[number];

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Config {
  http: { port: number; host: string };
  database: { url: string | undefined; dataDir: string; embeddedPort: number; poolSize: number };
  transport: { kind: 'kafka'; brokers: string[] } | { kind: 'local' };
  kafka: {
    clientId: string;
    groupPrefix: string;
    sessionTimeoutMs: number;
    heartbeatIntervalMs: number;
    fetchMaxWaitMs: number;
    /** Partitions of each topic the process creates. */
    topicPartitions: number;
    /** Replicas of each topic the process creates, capped at the cluster's broker count. */
    replicationFactor: number;
  };
  topicPrefix: string;
  roles: ReadonlySet<Role>;
  modules: ReadonlySet<ModuleName>;
  relay: {
    batchSize: number;
    /** Claim → publish → commit loops side by side, each on its own share of the 64 lanes. */
    workers: number;
    /**
     * Whether a batch's published mark waits for its WAL flush. Off: a database crash may forget
     * the last marks and the rows go out again, which at-least-once delivery and the inboxes
     * already absorb; the relay does not wait for an fsync per batch.
     */
    synchronousCommit: boolean;
    pollIntervalMs: number;
    retentionHours: number;
    inboxRetentionHours: number;
    backoffBaseMs: number;
    backoffMaxMs: number;
    /** Refusals of one key, while the transport accepts others, before the key is parked for an operator. */
    maxAttempts: number;
  };
  consumer: {
    maxAttempts: number;
    retryBaseMs: number;
    concurrency: number;
    /** Messages handled in one transaction (one inbox insert); 1 = a transaction per message. */
    batchSize: number;
  };
  /** How long a stored Idempotency-Key answers retries before it is pruned. */
  idempotencyKeyTtlHours: number;
  /** MONEY_MAX_AMOUNT and MONEY_MAX_BALANCE, in major units of any currency. */
  money: MoneyLimitSettings;
  /**
   * How bearer tokens are verified: an OpenID Connect provider's JWKS, or (the embedded default)
   * a signing key made under DATA_DIR on first start. With a provider, `serviceClient` is how this
   * process gets its own service token (OAuth 2.0 client credentials) to call `MODULE_URL_*`.
   */
  auth:
    | { kind: 'local'; issuer: string; audience: string }
    | { kind: 'jwks'; jwksUrl: string; issuer: string; audience: string; serviceClient: ServiceClient | undefined };
  /** Requests per minute one caller may send to the routes that move money (429 beyond). */
  moneyRequestsPerMinute: number;
  logLevel: LogLevel;
  /** Base URLs of modules that run in another process, for synchronous queries (`MODULE_URL_ACCOUNT=http://...`). */
  moduleUrls: Partial<Record<ModuleName, string>>;
  /** The environment it was read from: each module reads its own settings from it (src/platform/settings.ts). */
  environment: Readonly<Env>;
}

type Env = Record<string, string | undefined>;

/** A broker refuses to let a member join with a session timeout below group.min.session.timeout.ms. */
const SESSION_TIMEOUT_NOTE = " (6000 is the broker's default group.min.session.timeout.ms; a lower timeout is refused when joining a group)";

/** `note`: why the bounds are what they are, said in the error. */
function integer(env: Env, name: string, fallback: number, min: number, max: number, note = ''): number {
  return integerSetting(name, fallback, min, max, '', note).read(env);
}

function decimal(env: Env, name: string, fallback: number, min: number, max: number): number {
  return decimalSetting(name, fallback, min, max, '').read(env);
}

function boolean(env: Env, name: string): boolean | undefined {
  const raw = present(env, name);
  if (raw === undefined) return undefined;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError(`${name} must be true or false (got "${raw}")`);
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = present(env, name);
  if (raw === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(`${name} must be one of ${allowed.join(', ')} (got "${raw}")`);
  }
  return raw as T;
}

function subset<T extends string>(env: Env, name: string, allowed: readonly T[]): Set<T> {
  const raw = present(env, name);
  if (raw === undefined) return new Set(allowed);
  const items = raw.split(',').map((item) => item.trim());
  const unknown = items.filter((item) => !(allowed as readonly string[]).includes(item));
  if (items.length === 0 || unknown.length > 0 || items.some((item) => item === '')) {
    throw new ConfigError(
      `${name} must be a comma-separated list of ${allowed.join(', ')} (got "${raw}")`,
    );
  }
  return new Set(items as T[]);
}

function httpUrl(name: string, raw: string): string {
  try {
    const url = new URL(raw);
    if (url.protocol === 'http:' || url.protocol === 'https:') return raw.replace(/\/+$/, '');
  } catch {
    // falls through to the error below
  }
  throw new ConfigError(`${name} must be an http(s) URL (got "${raw}")`);
}

/** An OAuth 2.0 client of the provider, for the client-credentials grant (RFC 6749 §4.4). */
export interface ServiceClient {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
}

/** The issuer and audience of the local key's tokens when none are configured. */
export const LOCAL_TOKEN_AUDIENCE = 'payments-platform';

function authFrom(env: Env): Config['auth'] {
  const jwksUrl = present(env, 'AUTH_JWKS_URL');
  const issuer = present(env, 'AUTH_ISSUER');
  const audience = present(env, 'AUTH_AUDIENCE');
  if (jwksUrl === undefined) return { kind: 'local', issuer: issuer ?? LOCAL_TOKEN_AUDIENCE, audience: audience ?? LOCAL_TOKEN_AUDIENCE };
  // Without both, a token the provider issued for another application would be accepted here.
  for (const [name, value] of [['AUTH_ISSUER', issuer], ['AUTH_AUDIENCE', audience]] as const) {
    if (value === undefined) throw new ConfigError(`${name} must be set when AUTH_JWKS_URL is: the provider's issuer URL and this API's audience`);
  }
  return { kind: 'jwks', jwksUrl: httpUrl('AUTH_JWKS_URL', jwksUrl), issuer: issuer!, audience: audience!, serviceClient: serviceClientFrom(env) };
}

function serviceClientFrom(env: Env): ServiceClient | undefined {
  const names = ['AUTH_TOKEN_URL', 'AUTH_CLIENT_ID', 'AUTH_CLIENT_SECRET'] as const;
  const [tokenUrl, clientId, clientSecret] = names.map((name) => present(env, name));
  if (tokenUrl === undefined && clientId === undefined && clientSecret === undefined) return undefined;
  const missing = names.filter((name) => present(env, name) === undefined);
  if (missing.length > 0) throw new ConfigError(`${missing.join(' and ')} must be set with ${names.filter((name) => !missing.includes(name)).join(' and ')}: the provider's token endpoint and this process's client credentials`);
  return { tokenUrl: httpUrl('AUTH_TOKEN_URL', tokenUrl!), clientId: clientId!, clientSecret: clientSecret! };
}

function postgresUrl(name: string, raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  try {
    const url = new URL(raw);
    if (url.protocol === 'postgres:' || url.protocol === 'postgresql:') return raw;
  } catch {
    // falls through to the error below
  }
  throw new ConfigError(`${name} must be a postgres:// or postgresql:// URL (got "${raw}")`);
}

function brokerList(name: string, raw: string): string[] {
  const brokers = raw.split(',').map((broker) => broker.trim());
  if (brokers.some((broker) => !/^[\w.-]+:\d{1,5}$/.test(broker))) {
    throw new ConfigError(`${name} must be a comma-separated list of host:port (got "${raw}")`);
  }
  return brokers;
}

function transportFrom(env: Env): Config['transport'] {
  const enabled = boolean(env, 'KAFKA_ENABLED');
  const raw = present(env, 'KAFKA_BROKERS');
  if (enabled === true && raw === undefined) {
    throw new ConfigError('KAFKA_BROKERS must be set (host:port,...) when KAFKA_ENABLED=true');
  }
  if (raw === undefined || enabled === false) return { kind: 'local' };
  return { kind: 'kafka', brokers: brokerList('KAFKA_BROKERS', raw) };
}

function moduleUrlsFrom(env: Env): Config['moduleUrls'] {
  const urls: Config['moduleUrls'] = {};
  for (const name of MODULE_NAMES) {
    const variable = `MODULE_URL_${name.toUpperCase()}`;
    const raw = present(env, variable);
    if (raw !== undefined) urls[name] = httpUrl(variable, raw);
  }
  return urls;
}

/**
 * Reads and validates the whole configuration once. Throws {@link ConfigError} on the first wrong value.
 */
export function loadConfig(env: Env = process.env): Config {
  const roles = subset(env, 'ROLE', ROLES);
  const modules = subset(env, 'MODULES', MODULE_NAMES);
  const transport = transportFrom(env);
  const sessionTimeoutMs = integer(env, 'KAFKA_SESSION_TIMEOUT_MS', 30_000, 6000, 300_000, SESSION_TIMEOUT_NOTE);
  const heartbeatIntervalMs = integer(env, 'KAFKA_HEARTBEAT_INTERVAL_MS', 3000, 100, 60_000);
  // Kafka's own rule: a member that misses about three heartbeats in a row is evicted.
  if (heartbeatIntervalMs * 3 >= sessionTimeoutMs) {
    throw new ConfigError(
      `KAFKA_HEARTBEAT_INTERVAL_MS must be below a third of KAFKA_SESSION_TIMEOUT_MS (${sessionTimeoutMs}), so less than ${Math.ceil(sessionTimeoutMs / 3)} (got "${heartbeatIntervalMs}")`,
    );
  }
  const config: Config = {
    http: {
      port: integer(env, 'PORT', 3000, 0, 65535),
      host: present(env, 'HOST') ?? '127.0.0.1',
    },
    database: {
      url: postgresUrl('DATABASE_URL', present(env, 'DATABASE_URL')),
      dataDir: resolve(present(env, 'DATA_DIR') ?? './.data'),
      embeddedPort: integer(env, 'EMBEDDED_PG_PORT', 54329, 1024, 65535),
      poolSize: integer(env, 'DATABASE_POOL_SIZE', 10, 2, 200),
    },
    transport,
    kafka: {
      clientId: present(env, 'KAFKA_CLIENT_ID') ?? 'payments-platform',
      groupPrefix: present(env, 'KAFKA_GROUP_PREFIX') ?? 'payments',
      sessionTimeoutMs,
      heartbeatIntervalMs,
      fetchMaxWaitMs: integer(env, 'KAFKA_FETCH_MAX_WAIT_MS', 500, 0, 10_000),
      topicPartitions: integer(env, 'KAFKA_TOPIC_PARTITIONS', 12, 1, 10_000),
      replicationFactor: integer(env, 'KAFKA_REPLICATION_FACTOR', 3, 1, 32),
    },
    topicPrefix: present(env, 'TOPIC_PREFIX') ?? '',
    roles,
    modules,
    relay: {
      batchSize: integer(env, 'RELAY_BATCH_SIZE', 500, 1, 10_000),
      workers: integer(env, 'RELAY_WORKERS', 2, 1, 64),
      synchronousCommit: boolean(env, 'RELAY_SYNCHRONOUS_COMMIT') ?? false,
      pollIntervalMs: integer(env, 'RELAY_POLL_INTERVAL_MS', 1000, 10, 60_000),
      // Fractions of an hour let a soak test see pruning reach its steady state within minutes.
      retentionHours: decimal(env, 'OUTBOX_RETENTION_HOURS', 24, 0, 24 * 365),
      inboxRetentionHours: decimal(env, 'INBOX_RETENTION_HOURS', 168, 0.01, 24 * 365),
      backoffBaseMs: integer(env, 'RELAY_BACKOFF_BASE_MS', 100, 1, 60_000),
      backoffMaxMs: integer(env, 'RELAY_BACKOFF_MAX_MS', 30_000, 1, 600_000),
      maxAttempts: integer(env, 'RELAY_MAX_ATTEMPTS', 10, 1, 1000),
    },
    consumer: {
      maxAttempts: integer(env, 'CONSUMER_MAX_ATTEMPTS', 5, 1, 100),
      retryBaseMs: integer(env, 'CONSUMER_RETRY_BASE_MS', 200, 1, 60_000),
      concurrency: integer(env, 'CONSUMER_CONCURRENCY', 8, 1, 256),
      batchSize: integer(env, 'CONSUMER_BATCH_SIZE', 50, 1, 1000),
    },
    idempotencyKeyTtlHours: integer(env, 'IDEMPOTENCY_KEY_TTL_HOURS', 24, 1, 24 * 365),
    money: {
      maxAmount: decimal(env, 'MONEY_MAX_AMOUNT', 1_000_000_000, 0.001, MONEY_CEILING),
      maxBalance: decimal(env, 'MONEY_MAX_BALANCE', 1_000_000_000_000, 0.001, MONEY_CEILING),
    },
    moneyRequestsPerMinute: integer(env, 'RATE_LIMIT_MONEY_PER_MINUTE', 120, 1, 1_000_000),
    auth: authFrom(env),
    logLevel: oneOf(env, 'LOG_LEVEL', LOG_LEVELS, 'info'),
    moduleUrls: moduleUrlsFrom(env),
    environment: { ...env },
  };
  assertDeployable(config);
  return config;
}

function runsEverything(config: Config): boolean {
  return config.roles.size === ROLES.length && config.modules.size === MODULE_NAMES.length;
}

/** The local transport delivers only inside one process, so a partial process needs Kafka. */
function assertDeployable(config: Config): void {
  if (config.transport.kind === 'local' && !runsEverything(config)) {
    throw new ConfigError(
      'ROLE/MODULES select part of the platform, which needs KAFKA_BROKERS: the local transport delivers events only inside one process that runs every role and module',
    );
  }
  const callsOthers = Object.keys(config.moduleUrls).length > 0;
  if (callsOthers && config.auth.kind === 'jwks' && config.auth.serviceClient === undefined) {
    throw new ConfigError('AUTH_TOKEN_URL, AUTH_CLIENT_ID and AUTH_CLIENT_SECRET must be set when MODULE_URL_* is set with AUTH_JWKS_URL: this process needs a service token from the provider to call the other module');
  }
}
