import type { MikroORM } from '@mikro-orm/postgresql';
import { asValue, createContainer, InjectionMode, type AwilixContainer } from 'awilix';
import type { Config } from '../config.ts';
import type { TokenVerifier } from './auth/bearer-tokens.ts';
import type { ServiceAuthorization } from './auth/service-tokens.ts';
import { type IdempotencyKeys } from './http/idempotency.ts';
import type { MoneyLimits } from './money.ts';
import type { Parking } from './messaging/parking.ts';
import type { Clock, IdGenerator } from './clock.ts';
import type { TopicNames } from './messaging/contract.ts';
import type { DeadLetters } from './messaging/dead-letters.ts';
import type { EventCatalog } from './messaging/event-catalog.ts';
import type { OutboxWriter } from './messaging/outbox-writer.ts';
import type { UnitsOfWork } from './db/unit-of-work.ts';
import type { Transport } from './messaging/transports/transport.ts';
import type { Logger } from './observability/logger.ts';
import type { Metrics } from './observability/metrics.ts';
import type { LoadedSettings } from './settings.ts';

/** Platform services every module may resolve. */
export interface PlatformServices {
  config: Config;
  logger: Logger;
  clock: Clock;
  ids: IdGenerator;
  orm: MikroORM;
  topics: TopicNames;
  outbox: OutboxWriter;
  /** How use cases persist: one transaction with the state change and its events. */
  units: UnitsOfWork;
  transport: Transport;
  deadLetters: DeadLetters;
  /** Every module's contracts and consumer groups, whichever modules this process runs. */
  events: EventCatalog;
  parking: Parking;
  metrics: Metrics;
  idempotency: IdempotencyKeys;
  /** MONEY_MAX_AMOUNT and MONEY_MAX_BALANCE in each currency's minor units. */
  moneyLimits: MoneyLimits;
  /** Checks the bearer tokens of this process's routes. */
  tokenVerifier: TokenVerifier;
  /** This process's service token, for another process's query API (`MODULE_URL_*`). */
  serviceAuthorization: ServiceAuthorization;
  /** The loaded modules' own settings: `settings.of(BillingSettings)`. */
  settings: LoadedSettings;
}

/** Modules add their own registrations (query APIs, services) beside the platform's. */
export type Cradle = PlatformServices & Record<string, unknown>;

export function createPlatformContainer(services: PlatformServices): AwilixContainer<Cradle> {
  const container = createContainer<Cradle>({ injectionMode: InjectionMode.PROXY, strict: true });
  for (const [name, value] of Object.entries(services)) container.register(name, asValue(value));
  return container;
}
