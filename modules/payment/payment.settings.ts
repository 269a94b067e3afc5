import { decimalSetting, defineSettings, integerSetting } from '../../src/platform/settings.ts';
import type { FraudRulesConfig } from './domain/fraud-rules.ts';

/** The fraud rules' thresholds. */
export const PaymentSettings = defineSettings<FraudRulesConfig>({
  amountThreshold: decimalSetting('FRAUD_AMOUNT_THRESHOLD', 10_000, 0, 1e12, "fraud rule: amounts above it (major units of the payment's currency) are suspicious"),
  maxPaymentsPerMinute: integerSetting('FRAUD_MAX_PAYMENTS_PER_MINUTE', 10, 1, 1_000_000, 'fraud rule: payments of one account in a minute before it is suspicious'),
  rejectScore: decimalSetting('FRAUD_REJECT_SCORE', 0.7, 0.01, 1, 'a payment whose fraud score reaches this is REJECTED'),
});
