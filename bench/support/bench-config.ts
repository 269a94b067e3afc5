import { loadConfig, type Config } from '../../src/config.ts';

/** Platform settings a bench run may tune from its environment; everything else stays at the defaults. */
const TUNABLE = /^(RELAY_|CONSUMER_|DATABASE_POOL_SIZE$|KAFKA_FETCH_MAX_WAIT_MS$)/;

export function tunableEnv(): Record<string, string> {
  return Object.fromEntries(Object.entries(process.env).filter((entry): entry is [string, string] => TUNABLE.test(entry[0]) && entry[1] !== undefined));
}

/** The platform's configuration as `npm start` would see it (defaults), plus the tunable variables. */
export function benchConfig(): Config {
  return loadConfig({ LOG_LEVEL: 'silent', ...tunableEnv() });
}

/** A positive integer setting of the bench itself (BENCH_*), or `fallback` when unset. */
export function positiveEnv(name: string, fallback: number): number {
  const raw = process.env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer (got "${raw}")`);
  return value;
}
