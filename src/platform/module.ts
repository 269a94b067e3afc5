import type { EntitySchema } from '@mikro-orm/postgresql';
import type { AwilixContainer } from 'awilix';
import type { ModuleName } from '../config.ts';
import type { HttpApp } from './http/app.ts';
import type { Cradle } from './container.ts';
import type { EventContract } from './messaging/contract.ts';
import type { EventHandler } from './messaging/event-handler.ts';

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
   * Every event contract its handlers consume, declared so that tools (AsyncAPI) can list
   * consumers without building handlers, which need a running container. When declared, the
   * platform refuses to start if it differs from what handlers() returns.
   */
  consumes?: EventContract[];
  /** Registers the module's services, including any query API it offers other modules. */
  register?(container: AwilixContainer<Cradle>): void;
  /** Registers the module's routes on an encapsulated fastify context (role `api`). */
  routes?(app: HttpApp, container: AwilixContainer<Cradle>): Promise<void>;
  /** The module's event handlers (role `worker`), consumed with group `<prefix>.<module>`. */
  handlers?(container: AwilixContainer<Cradle>): EventHandler[];
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

/** Throws when a module's declared `consumes` does not match the contracts its handlers handle. */
export function assertConsumesMatchHandlers(module: ModuleDefinition, handlers: EventHandler[]): void {
  if (module.consumes === undefined) return;
  const key = (contract: EventContract) => `${contract.type}@${contract.version}`;
  const declared = [...new Set(module.consumes.map(key))].sort();
  const handled = [...new Set(handlers.map((handler) => key(handler.contract)))].sort();
  if (declared.join(',') !== handled.join(',')) {
    throw new Error(
      `module "${module.name}" declares consumes [${declared.join(', ')}] but its handlers handle [${handled.join(', ')}]`,
    );
  }
}
