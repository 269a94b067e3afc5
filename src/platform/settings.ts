/** A wrong configuration value: the message names the variable and what is allowed. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

/** One environment variable a module reads: its name, default, what it means and how it is checked. */
export interface Setting<T> {
  variable: string;
  fallback: T;
  /** For the README's configuration table (the settings test checks it is there). */
  meaning: string;
  read(env: Env): T;
}

/** The variable's value, trimmed; undefined when unset or blank. */
export function present(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

/** A number from the environment; `allowed` says what `accepts` takes, in the error. */
function numberSetting(variable: string, fallback: number, meaning: string, accepts: (raw: string, value: number) => boolean, allowed: string): Setting<number> {
  return {
    variable, fallback, meaning,
    read(env) {
      const raw = present(env, variable);
      if (raw === undefined) return fallback;
      const value = Number(raw);
      if (!accepts(raw, value)) throw new ConfigError(`${variable} must be ${allowed} (got "${raw}")`);
      return value;
    },
  };
}

/** An integer within [min, max]; `note` says why the bounds are what they are. */
export function integerSetting(variable: string, fallback: number, min: number, max: number, meaning: string, note = ''): Setting<number> {
  const accepts = (raw: string, value: number) => /^-?\d+$/.test(raw) && Number.isSafeInteger(value) && value >= min && value <= max;
  return numberSetting(variable, fallback, meaning, accepts, `an integer from ${min} to ${max}${note}`);
}

/** A decimal number within [min, max]. */
export function decimalSetting(variable: string, fallback: number, min: number, max: number, meaning: string): Setting<number> {
  const accepts = (raw: string, value: number) => /^-?\d+(\.\d+)?$/.test(raw) && value >= min && value <= max;
  return numberSetting(variable, fallback, meaning, accepts, `a number from ${min} to ${max}`);
}

export type SettingsShape<T> = { [K in keyof T]: Setting<T[K]> };

/**
 * A module's settings: the variables it reads, with defaults and checks, declared in its
 * definition. The platform reads them when it loads the module, before anything starts, with the
 * same one-line {@link ConfigError}s as its own; `check` refuses combinations (naming the variable).
 */
export interface ModuleSettings<T> {
  readonly shape: SettingsShape<T>;
  readonly check: (settings: T) => void;
  read(env: Env): T;
}

export function defineSettings<T>(shape: SettingsShape<T>, check: (settings: T) => void = () => {}): ModuleSettings<T> {
  return {
    shape,
    check,
    read(env) {
      const settings = Object.fromEntries(Object.entries(shape).map(([key, setting]) => [key, (setting as Setting<unknown>).read(env)])) as T;
      check(settings);
      return settings;
    },
  };
}

export function variablesOf(settings: ModuleSettings<unknown>): Array<Setting<unknown>> {
  return Object.values(settings.shape) as Array<Setting<unknown>>;
}

/** The settings the loaded modules read, each once; a module reads its own with `of(ItsSettings)`. */
export class LoadedSettings {
  private readonly values = new Map<ModuleSettings<unknown>, unknown>();

  constructor(declared: Array<ModuleSettings<unknown>>, env: Env) {
    for (const settings of declared) this.values.set(settings, settings.read(env));
  }

  of<T>(settings: ModuleSettings<T>): T {
    if (!this.values.has(settings as ModuleSettings<unknown>)) throw new Error('these settings belong to a module this process did not load');
    return this.values.get(settings as ModuleSettings<unknown>) as T;
  }
}
