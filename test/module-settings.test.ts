import { readFile } from 'node:fs/promises';
import t from 'tap';
import { MODULE_NAMES } from '../src/config.ts';
import { loadModules } from '../src/platform/module-loader.ts';
import { ConfigError, LoadedSettings, variablesOf, type ModuleSettings } from '../src/platform/settings.ts';
import { BillingSettings } from '../modules/billing/billing.settings.ts';
import { OrderSettings } from '../modules/order/order.settings.ts';
import { PaymentSettings } from '../modules/payment/payment.settings.ts';

/** Each module declares the variables it reads in its definition; the platform reads them at load. */

const modules = await loadModules(MODULE_NAMES);
const declared = modules.flatMap((module) => (module.settings === undefined ? [] : [module.settings as ModuleSettings<unknown>]));

t.test('module settings › defaults, read from the definitions the platform loads', async (t) => {
  const settings = new LoadedSettings(declared, {});
  // The documented defaults of these variables (a module may add more; the README test below covers them).
  t.match(settings.of(BillingSettings), { delayMinMs: 500, delayMaxMs: 5000, failureRate: 0 });
  t.match(settings.of(PaymentSettings), { amountThreshold: 10_000, maxPaymentsPerMinute: 10, rejectScore: 0.7 });
  t.match(settings.of(OrderSettings), { waitMs: 5000 });
  t.match(new LoadedSettings(declared, { ORDER_WAIT_MS: '250', FRAUD_REJECT_SCORE: '0.9' }).of(OrderSettings), { waitMs: 250 }, 'a value from the environment');
  t.throws(() => new LoadedSettings([BillingSettings as ModuleSettings<unknown>], {}).of(OrderSettings), /did not load/, 'a module not loaded has no settings here');
});

const badValues: Array<[Record<string, string>, RegExp]> = [
  [{ PROCESSING_DELAY_MIN_MS: '10', PROCESSING_DELAY_MAX_MS: '5' }, /^PROCESSING_DELAY_MAX_MS must be >= PROCESSING_DELAY_MIN_MS \(10\) \(got "5"\)$/],
  [{ PROCESSING_FAILURE_RATE: '1.5' }, /^PROCESSING_FAILURE_RATE must be a number from 0 to 1 \(got "1.5"\)$/],
  [{ FRAUD_MAX_PAYMENTS_PER_MINUTE: '0' }, /^FRAUD_MAX_PAYMENTS_PER_MINUTE must be an integer from 1 to 1000000 \(got "0"\)$/],
  [{ ORDER_WAIT_MS: 'soon' }, /^ORDER_WAIT_MS must be an integer from 0 to 60000 \(got "soon"\)$/],
];

t.test('module settings › a wrong value is a one-line configuration error naming the variable', async (t) => {
  for (const [env, message] of badValues) {
    t.throws(() => new LoadedSettings(declared, env), { name: 'ConfigError', message }, Object.keys(env).join(', '));
  }
  t.ok(new ConfigError('x') instanceof Error);
});

t.test('module settings › every module variable is in the README\'s configuration table with its default', async (t) => {
  const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
  const rows = readme.split('\n').filter((line) => line.startsWith('| `'));
  for (const variable of declared.flatMap(variablesOf)) {
    const row = rows.find((line) => line.includes(`\`${variable.variable}\``));
    t.ok(row !== undefined && row.includes(`\`${variable.fallback}\``), `${variable.variable} (default ${String(variable.fallback)})`);
  }
});
