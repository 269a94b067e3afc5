import { randomBytes } from 'node:crypto';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { pino } from 'pino';
import { loadConfig, type ModuleName } from '../../src/config.ts';
import { customerAuthorization, OPERATOR_AUTHORIZATION } from './tokens.ts';
import { Scenario } from './scenario.ts';
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
  /** Stimulate the platform, then wait for the events or handling it causes. */
  scenario: Scenario;
  request(options: InjectOptions): Promise<LightMyRequestResponse>;
  json<T = unknown>(response: LightMyRequestResponse): T;
}


/** Starts the real platform on a test database; Kafka runs get a fresh topic and group namespace. */
export async function startTestPlatform(options: TestPlatformOptions): Promise<TestPlatform> {
  const namespace = options.namespace ?? `t${randomBytes(4).toString('hex')}`;
  const env: Record<string, string> = {
    DATABASE_URL: options.databaseUrl,
    PORT: '0',
    LOG_LEVEL: process.env['TEST_LOG_LEVEL'] ?? 'silent',
    RELAY_POLL_INTERVAL_MS: '200',
    RELAY_BACKOFF_BASE_MS: '50',
    RELAY_BACKOFF_MAX_MS: '1000',
    CONSUMER_RETRY_BASE_MS: '10',
    CONSUMER_MAX_ATTEMPTS: '3',
    PROCESSING_DELAY_MIN_MS: '0',
    PROCESSING_DELAY_MAX_MS: '20',
    ORDER_WAIT_MS: '8000',
    // Flows pay many times from few logins; the rate-limit test sets its own low limit.
    RATE_LIMIT_MONEY_PER_MINUTE: '1000000',
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
  let routeRoles: Promise<RouteRoles> | undefined;
  const testPlatform: TestPlatform = {
    ...platform,
    namespace,
    get scenario() {
      return new Scenario(testPlatform);
    },
    request: async (request) => {
      const http = platform.http;
      if (http === undefined) throw new Error('this test platform has no api role');
      routeRoles ??= declaredRoles(http);
      return http.inject({ ...request, headers: await authenticated(request, await routeRoles) });
    },
    json: <T>(response: LightMyRequestResponse) => response.json<T>(),
  };
  return testPlatform;
}

/** Which roles each operation of the served document takes: `[matcher of method and path, roles]`. */
type RouteRoles = Array<[RegExp, string[]]>;

async function declaredRoles(http: NonNullable<RunningPlatform['http']>): Promise<RouteRoles> {
  const document = (await http.inject({ method: 'GET', url: '/docs/json' })).json<{ paths: Record<string, Record<string, { security?: Array<Record<string, string[]>> }>> }>();
  return Object.entries(document.paths).flatMap(([path, operations]) => Object.entries(operations).map(([method, operation]): [RegExp, string[]] => [
    new RegExp(`^${method.toUpperCase()} ${path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`),
    (operation.security ?? []).flatMap((requirement) => Object.values(requirement).flat()),
  ]));
}

/**
 * A request's headers with an `Authorization` header: as given when the test sets one (an
 * `authorization: undefined` sends none), else a customer token for the login the request names
 * (`login` or `userName` in its body or query) where the route takes customers, else an operator
 * token where it takes operators, else a customer token of a login of no one — so flows read as
 * the person they act for, and the tests of refusals say exactly what they send.
 */
async function authenticated(request: InjectOptions, routeRoles: RouteRoles): Promise<Record<string, string>> {
  const given = { ...(request.headers as Record<string, string | undefined> | undefined) };
  if ('authorization' in given) {
    if (given['authorization'] === undefined) delete given['authorization'];
    return given as Record<string, string>;
  }
  const url = new URL(typeof request.url === 'string' ? request.url : '/', 'http://test');
  const operation = `${(request.method ?? 'GET').toUpperCase()} ${url.pathname}`;
  const roles = routeRoles.find(([matcher]) => matcher.test(operation))?.[1] ?? [];
  const login = namedLogin(request, url);
  let authorization = OPERATOR_AUTHORIZATION;
  if (roles.includes('customer') && (login !== undefined || !roles.includes('operator'))) authorization = await customerAuthorization(login ?? 'nobody-in-particular');
  return { ...given, authorization } as Record<string, string>;
}

function namedLogin(request: InjectOptions, url: URL): string | undefined {
  const body = bodyFields(request.payload);
  const query = { ...Object.fromEntries(url.searchParams), ...(request.query as Record<string, unknown> | undefined) };
  for (const value of [body['login'], body['userName'], query['login'], query['userName']]) {
    if (typeof value === 'string' && value !== '') return value;
  }
  return undefined;
}

function bodyFields(payload: InjectOptions['payload']): Record<string, unknown> {
  if (typeof payload === 'string') {
    try {
      const parsed: unknown = JSON.parse(payload);
      return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
    } catch {
      return {}; // a malformed body of a bad-input test
    }
  }
  return typeof payload === 'object' && payload !== null && !Buffer.isBuffer(payload) ? (payload as Record<string, unknown>) : {};
}

function requireBrokers(brokers: string[] | undefined): string[] {
  if (brokers === undefined || brokers.length === 0) throw new Error('the Kafka transport needs brokers');
  return brokers;
}
