import { ConfigError, decimalSetting, defineSettings, integerSetting } from '../../src/platform/settings.ts';
/**
 * Billing's variables. Its own shape, not a domain type's: a knob that is not a processing rule
 * (a batch size, a timeout) is one more field here. The processing rules are read from it as they are.
 */
export interface BillingSettingValues {
  delayMinMs: number;
  delayMaxMs: number;
  failureRate: number;
}

/** Billing's simulated payment processing: how long it takes and how often it fails. */
export const BillingSettings = defineSettings<BillingSettingValues>({
  delayMinMs: integerSetting('PROCESSING_DELAY_MIN_MS', 500, 0, 600_000, "billing's simulated processing time, shortest (ms)"),
  delayMaxMs: integerSetting('PROCESSING_DELAY_MAX_MS', 5000, 0, 600_000, "billing's simulated processing time, longest (ms)"),
  failureRate: decimalSetting('PROCESSING_FAILURE_RATE', 0, 0, 1, 'share of processed payments that fail'),
}, ({ delayMinMs, delayMaxMs }) => {
  if (delayMaxMs < delayMinMs) throw new ConfigError(`PROCESSING_DELAY_MAX_MS must be >= PROCESSING_DELAY_MIN_MS (${delayMinMs}) (got "${delayMaxMs}")`);
});
