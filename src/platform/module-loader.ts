import type { ModuleName } from '../config.ts';
import type { ModuleDefinition } from './module.ts';

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
