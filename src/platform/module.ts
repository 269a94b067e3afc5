import type { EntitySchema } from '@mikro-orm/postgresql';
import type { AwilixContainer } from 'awilix';
import type { ModuleName } from '../config.ts';
import type { HttpApp } from './http/app.ts';
import type { Cradle } from './container.ts';
import { contractKey, type EventContract } from './messaging/contract.ts';
import type { HandlerDeclaration } from './messaging/event-handler.ts';
import type { ModuleSettings } from './settings.ts';

/**
 * What a module gives the platform. Exported as the default export of
 * `modules/<name>/<name>.module.ts`; the platform loads the modules that `MODULES` names.
 */
export interface ModuleDefinition {
  name: ModuleName;
  description: string;
  // MikroORM's EntitySchema is invariant in its entity type; the platform only hands the list to discovery.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  entities: Array<EntitySchema<any, any>>;
  /** Every event contract this module publishes (topics, AsyncAPI). */
  produces: EventContract[];
  /**
   * The environment variables the module reads, with defaults and checks (`defineSettings`): read
   * when the module is loaded, before anything starts; its code reads them with `settings.of(…)`.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  settings?: ModuleSettings<any>;
  /** Registers the module's services, including any query API it offers other modules. */
  register?(container: AwilixContainer<Cradle>): void;
  /** Registers the module's routes on an encapsulated fastify context (role `api`). */
  routes?(app: HttpApp, container: AwilixContainer<Cradle>): Promise<void>;
  /**
   * The module's event listeners (role `worker`), consumed with group `<prefix>.<module>`. What
   * the module consumes is read from them ({@link consumesOf}); it is written nowhere else.
   */
  handlers?: HandlerDeclaration[];
  /**
   * Background work the module runs in this process (a scheduler, a LISTEN connection), started
   * after consumers and relay, before the HTTP API. It reads `config.roles` to decide what to run
   * and resolves to the function that stops it (called before consumers and the database stop).
   */
  start?(container: AwilixContainer<Cradle>): Promise<() => Promise<void>>;
}

export function defineModule(definition: ModuleDefinition): ModuleDefinition {
  return definition;
}

/** The contracts a module's listeners consume, each once (subscriptions, AsyncAPI, tests). */
export function consumesOf(module: ModuleDefinition): EventContract[] {
  const byKey = new Map<string, EventContract>();
  for (const { contract } of module.handlers ?? []) byKey.set(contractKey(contract.type, contract.version), contract);
  return [...byKey.values()];
}
