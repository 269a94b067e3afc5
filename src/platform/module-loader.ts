import { MODULE_NAMES, type ModuleName } from '../config.ts';
import type { TopicNames } from './messaging/contract.ts';
import { EventCatalog } from './messaging/event-catalog.ts';
import { consumesOf, type ModuleDefinition } from './module.ts';

const MODULES_DIR = new URL('../../modules/', import.meta.url);

/**
 * Loads the configured modules by name. The platform has no compile-time dependency on any
 * module: configuration alone decides which modules a process runs (and so which code it loads).
 */
export async function loadModules(names: Iterable<ModuleName>): Promise<ModuleDefinition[]> {
  const definitions: ModuleDefinition[] = [];
  for (const name of names) {
    const entry = new URL(`${name}/${name}.module.ts`, MODULES_DIR);
    const loaded = (await import(entry.href)) as { default?: ModuleDefinition };
    if (loaded.default?.name !== name) {
      throw new Error(`${entry.pathname} must default-export the definition of module "${name}"`);
    }
    definitions.push(loaded.default);
  }
  return definitions;
}

/** The contracts and consumer groups of every module, loaded whether or not this process runs them. */
export async function loadEventCatalog(groupPrefix: string, topics: TopicNames): Promise<EventCatalog> {
  const modules = await loadModules(MODULE_NAMES);
  const groups = modules
    .map((module) => ({ group: `${groupPrefix}.${module.name}`, topics: [...new Set(consumesOf(module).map((contract) => topics.of(contract)))].sort() }))
    .filter((group) => group.topics.length > 0);
  return new EventCatalog(modules.flatMap((module) => module.produces), groups);
}
