import type { AwilixContainer } from 'awilix';
import { migrations } from '../../migrations/index.ts';
import { OutboxRelay } from '../../relay/outbox-relay.ts';
import type { Config } from '../config.ts';
import { randomIds, systemClock, type Clock, type IdGenerator } from './clock.ts';
import { processAuth } from './auth/service-tokens.ts';
import { createPlatformContainer, type Cradle } from './container.ts';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './db/embedded-postgres.ts';
import { createOrm, migrate } from './db/orm.ts';
import { onTransactionConflict } from './db/transaction.ts';
import { createHttpApp, type HttpApp } from './http/app.ts';
import { IdempotencyKeys } from './http/idempotency.ts';
import { MoneyLimits } from './money.ts';
import { Parking } from './messaging/parking.ts';
import { platformRoutes } from './http/platform.routes.ts';
import { consoleRoutes } from './http/console.routes.ts';
import { ModuleConsumer } from './messaging/module-consumer.ts';
import { TopicNames } from './messaging/contract.ts';
import { DeadLetters } from './messaging/dead-letters.ts';
import { assertInboxOutlivesRedelivery } from './messaging/inbox-retention.ts';
import { OutboxMessageEntity } from './messaging/outbox.entity.ts';
import { readOutboxStatus } from './messaging/outbox-status.ts';
import { OutboxWriter } from './messaging/outbox-writer.ts';
import { UnitsOfWork } from './db/unit-of-work.ts';
import { KafkaTransport } from './messaging/transports/kafka.transport.ts';
import { LocalTransport } from './messaging/transports/local.transport.ts';
import type { ReceivedMessage, Transport } from './messaging/transports/transport.ts';
import { bindHandlers } from './messaging/event-handler.ts';
import type { ModuleDefinition } from './module.ts';
import { loadEventCatalog, loadModules } from './module-loader.ts';
import { LoadedSettings } from './settings.ts';
import { createLogger, type Logger } from './observability/logger.ts';
import { Metrics } from './observability/metrics.ts';

export interface PlatformOverrides {
  logger?: Logger;
  clock?: Clock;
  ids?: IdGenerator;
  /** Decorates the transport; tests use it to inject faults such as a crash right after publishing. */
  wrapTransport?: (transport: Transport) => Transport;
}

export interface RunningPlatform {
  config: Config;
  container: AwilixContainer<Cradle>;
  /** Present when the process has the `api` role. */
  http: HttpApp | undefined;
  /** Where the HTTP API listens, when it does. */
  url: string | undefined;
  databaseUrl: string;
  relay: OutboxRelay | undefined;
  consumers: ModuleConsumer[];
  /** Starts a consumer group beside the modules' own (a test's or a benchmark's), stopped with the platform. */
  addConsumer(consumer: ModuleConsumer, afterHandling?: (messages: ReceivedMessage[]) => void): Promise<void>;
  stop(): Promise<void>;
}

/** Starts what `ROLE` and `MODULES` ask for: migrations always, then consumers, relay and HTTP API. */
export async function startPlatform(config: Config, overrides: PlatformOverrides = {}): Promise<RunningPlatform> {
  const logger = overrides.logger ?? createLogger(config.logLevel);
  // Module settings are configuration too: a wrong one stops the start before anything runs.
  const modules = await loadModules(config.modules);
  const settings = new LoadedSettings(modules.flatMap((module) => (module.settings === undefined ? [] : [module.settings])), config.environment);
  const embedded: EmbeddedDatabase | undefined =
    config.database.url === undefined
      ? await startEmbeddedPostgres(config.database.dataDir, config.database.embeddedPort, logger)
      : undefined;
  const databaseUrl = config.database.url ?? embedded!.url;
  const stoppers: Array<() => Promise<void>> = [async () => embedded?.stop()];
  try {
    return await startOn(databaseUrl, config, modules, settings, logger, overrides, stoppers);
  } catch (error) {
    await stopAll(stoppers, logger);
    throw error;
  }
}

async function startOn(
  databaseUrl: string,
  config: Config,
  modules: ModuleDefinition[],
  settings: LoadedSettings,
  logger: Logger,
  overrides: PlatformOverrides,
  stoppers: Array<() => Promise<void>>,
): Promise<RunningPlatform> {
  const orm = await createOrm({
    url: databaseUrl,
    poolSize: config.database.poolSize,
    entities: [OutboxMessageEntity, ...modules.flatMap((module) => module.entities)],
    migrations,
    logger,
  });
  stoppers.unshift(() => orm.close());
  const applied = await migrate(databaseUrl, orm);
  if (applied.length > 0) logger.info({ applied }, 'migrations applied');

  const clock = overrides.clock ?? systemClock;
  const ids = overrides.ids ?? randomIds;
  const metrics = new Metrics();
  const stopCountingConflicts = onTransactionConflict((outcome) => metrics.transactionConflicts.inc({ outcome }));
  stoppers.unshift(async () => void stopCountingConflicts());
  const topics = new TopicNames(config.topicPrefix);
  const outbox = new OutboxWriter(topics, clock, ids, config.transport.kind);
  const transport = (overrides.wrapTransport ?? ((real: Transport) => real))(createTransport(config, logger));
  stoppers.unshift(() => transport.close());
  const units = new UnitsOfWork(orm, outbox);
  const { verifier: tokenVerifier, serviceAuthorization } = await processAuth(config);
  const container = createPlatformContainer({
    config, logger, clock, ids, orm, topics, outbox, units, transport, metrics,
    deadLetters: new DeadLetters(orm, outbox, topics, ids),
    events: await loadEventCatalog(config.kafka.groupPrefix, topics),
    parking: new Parking(orm),
    idempotency: new IdempotencyKeys(units, config.idempotencyKeyTtlHours),
    moneyLimits: new MoneyLimits(config.money),
    tokenVerifier,
    serviceAuthorization,
    settings,
  });
  for (const module of modules) module.register?.(container);
  metrics.onScrape(async () => {
    const status = await readOutboxStatus(orm.em.fork());
    metrics.outboxBacklog.set(status.backlog);
    metrics.outboxOldestAge.set(status.oldestUnpublishedAgeSeconds ?? 0);
    // A group whose keys were all released drops out instead of showing its last figures.
    metrics.parkedKeys.reset();
    metrics.parkedMessages.reset();
    metrics.parkedOldestAge.reset();
    metrics.heldKeys.reset();
    for (const group of await container.cradle.parking.status(orm.em.fork())) {
      metrics.parkedKeys.set({ consumer: group.consumer }, group.keys);
      metrics.parkedMessages.set({ consumer: group.consumer }, group.messages);
      metrics.parkedOldestAge.set({ consumer: group.consumer }, group.oldestAgeSeconds);
      metrics.heldKeys.set({ consumer: group.consumer }, group.heldKeys);
    }
  });

  const consumers = config.roles.has('worker') ? createConsumers(modules, container) : [];
  await transport.ensureTopics(topicsOf(modules, consumers, topics));
  if (consumers.length > 0) {
    const consumed = [...new Set(consumers.flatMap((consumer) => consumer.topics()))];
    assertInboxOutlivesRedelivery(config.relay.inboxRetentionHours, await transport.redeliveryHorizon(consumed));
  }
  for (const consumer of consumers) await consumer.start();
  // Reads the list when stopping: consumers added later stop with the others.
  stoppers.unshift(async () => {
    await Promise.all(consumers.map((consumer) => consumer.stop()));
  });

  let relay: OutboxRelay | undefined;
  if (config.roles.has('relay')) {
    relay = new OutboxRelay(databaseUrl, transport, config.relay, metrics, logger);
    relay.start();
    // Consumers stop first (ending their retry waits) so an in-process delivery can finish.
    const stopRelay = relay;
    stoppers.splice(1, 0, () => stopRelay.stop());
  }
  for (const module of modules) {
    if (module.start !== undefined) stoppers.unshift(await module.start(container));
  }

  let http: HttpApp | undefined;
  let url: string | undefined;
  if (config.roles.has('api')) {
    http = await createHttp(modules, container, logger, metrics);
    url = await http.listen({ port: config.http.port, host: config.http.host });
    const server = http;
    stoppers.unshift(() => server.close());
  }
  logger.info(
    { roles: [...config.roles], modules: [...config.modules], transport: transport.kind, url },
    'platform started',
  );
  return {
    config, container, http, url, databaseUrl, relay, consumers,
    addConsumer: async (consumer, afterHandling) => {
      await consumer.start(afterHandling);
      consumers.push(consumer);
    },
    stop: async () => {
      await stopAll(stoppers, logger);
      logger.info('platform stopped');
    },
  };
}

function createTransport(config: Config, logger: Logger): Transport {
  if (config.transport.kind === 'local') return new LocalTransport(config.consumer.concurrency, config.consumer.batchSize);
  return new KafkaTransport({
    clientId: config.kafka.clientId,
    brokers: config.transport.brokers,
    partitionsConsumedConcurrently: config.consumer.concurrency,
    sessionTimeoutMs: config.kafka.sessionTimeoutMs,
    heartbeatIntervalMs: config.kafka.heartbeatIntervalMs,
    fetchMaxWaitMs: config.kafka.fetchMaxWaitMs,
    batchSize: config.consumer.batchSize,
    topicPartitions: config.kafka.topicPartitions,
    replicationFactor: config.kafka.replicationFactor,
    logger,
  });
}

function createConsumers(modules: ModuleDefinition[], container: AwilixContainer<Cradle>): ModuleConsumer[] {
  const { config, orm, units, topics, transport, deadLetters, parking, metrics, logger } = container.cradle;
  return modules
    .map((module) => ({ module, handlers: bindHandlers(module.handlers ?? [], container.cradle) }))
    .filter(({ handlers }) => handlers.length > 0)
    .map(({ module, handlers }) => new ModuleConsumer({
      group: `${config.kafka.groupPrefix}.${module.name}`,
      handlers, orm, units, topics, transport, deadLetters, parking, metrics, logger,
      settings: config.consumer,
    }));
}

function topicsOf(modules: ModuleDefinition[], consumers: ModuleConsumer[], topics: TopicNames): string[] {
  const produced = modules.flatMap((module) => module.produces.map((contract) => topics.of(contract)));
  const consumed = consumers.flatMap((consumer) => consumer.topics());
  return [...new Set([...produced, ...consumed])].sort();
}

async function createHttp(
  modules: ModuleDefinition[],
  container: AwilixContainer<Cradle>,
  logger: Logger,
  metrics: Metrics,
): Promise<HttpApp> {
  const app = await createHttpApp({
    logger,
    metrics,
    verifier: container.cradle.tokenVerifier,
    moneyRequestsPerMinute: container.cradle.config.moneyRequestsPerMinute,
    tags: [
      ...modules.map((module) => ({ name: module.name, description: module.description })),
      { name: 'operations', description: 'Health and metrics' },
      { name: 'admin', description: 'Operator routes (an operator token)' },
    ],
  });
  await platformRoutes(app, container);
  await consoleRoutes(app, logger);
  for (const module of modules) {
    if (module.routes === undefined) continue;
    const routes = module.routes;
    // Fastify names a plugin by this symbol, else by its source text: spans and errors say "payment module".
    await app.register(Object.assign(async (scope: Parameters<typeof routes>[0]) => routes(scope, container), { [Symbol.for('fastify.display-name')]: `${module.name} module` }));
  }
  await app.ready();
  return app;
}

async function stopAll(stoppers: Array<() => Promise<void>>, logger: Logger): Promise<void> {
  for (const stop of stoppers.splice(0)) {
    await stop().catch((error: unknown) => logger.error({ err: error }, 'error while stopping'));
  }
}
