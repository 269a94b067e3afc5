import t from 'tap';
import { assessFraud, combinedScore, severityOf, type FraudRulesConfig, type RecentPayments } from './fraud-rules.ts';

const config: FraudRulesConfig = { amountThreshold: 10_000, maxPaymentsPerMinute: 3, rejectScore: 0.7 };
const quiet: RecentPayments = { count: 0, sameAmount: 0 };

/** `count` earlier payments in the window, `sameAmount` of them of the candidate's amount. */
function recent(count: number, sameAmount = 0): RecentPayments {
  return { count, sameAmount };
}

t.test('assessFraud › an ordinary payment scores 0, LOW, accepted', async (t) => {
  t.same(assessFraud({ currency: 'EUR', amount: 5_000, recent: quiet }, config), { score: 0, reasons: [], severity: 'LOW', rejected: false });
});

t.test('assessFraud › an amount at the threshold is fine, one minor unit above is AMOUNT_TOO_HIGH, HIGH, rejected', async (t) => {
  t.equal(assessFraud({ currency: 'EUR', amount: 1_000_000, recent: quiet }, config).score, 0);
  t.same(assessFraud({ currency: 'EUR', amount: 1_000_001, recent: quiet }, config), { score: 0.75, reasons: ['AMOUNT_TOO_HIGH'], severity: 'HIGH', rejected: true });
});

t.test('assessFraud › an amount above 10x the threshold is always CRITICAL', async (t) => {
  t.same(assessFraud({ currency: 'EUR', amount: 10_000_001, recent: quiet }, config), { score: 0.95, reasons: ['AMOUNT_TOO_HIGH'], severity: 'CRITICAL', rejected: true });
  t.equal(assessFraud({ currency: 'EUR', amount: 10_000_000, recent: quiet }, config).severity, 'HIGH', 'exactly 10x is still only HIGH');
});

t.test('assessFraud › more payments in the last minute than allowed is TOO_MANY_PAYMENTS', async (t) => {
  t.equal(assessFraud({ currency: 'EUR', amount: 3, recent: recent(2) }, config).score, 0, 'the 3rd payment of a minute is allowed at 3 per minute');
  t.same(assessFraud({ currency: 'EUR', amount: 4, recent: recent(3) }, config), { score: 0.75, reasons: ['TOO_MANY_PAYMENTS'], severity: 'HIGH', rejected: true });
});

t.test('assessFraud › both rules firing is CRITICAL', async (t) => {
  t.same(assessFraud({ currency: 'EUR', amount: 2_000_000, recent: recent(3) }, config), {
    score: 0.9375, reasons: ['AMOUNT_TOO_HIGH', 'TOO_MANY_PAYMENTS'], severity: 'CRITICAL', rejected: true,
  });
});

t.test('assessFraud › the same amount twice before within a minute is REPEATED_AMOUNT, MEDIUM, accepted', async (t) => {
  t.same(assessFraud({ currency: 'EUR', amount: 4_200, recent: recent(2, 2) }, config), { score: 0.3, reasons: ['REPEATED_AMOUNT'], severity: 'MEDIUM', rejected: false });
  t.equal(assessFraud({ currency: 'EUR', amount: 4_200, recent: recent(2, 1) }, config).score, 0, 'one earlier repeat is not enough');
  t.same(assessFraud({ currency: 'EUR', amount: 1_500_000, recent: recent(2, 2) }, config), {
    score: 0.825, reasons: ['AMOUNT_TOO_HIGH', 'REPEATED_AMOUNT'], severity: 'HIGH', rejected: true,
  });
});

t.test('assessFraud › the reject score is configurable', async (t) => {
  const lenient = { ...config, rejectScore: 0.9 };
  t.equal(assessFraud({ currency: 'EUR', amount: 1_000_001, recent: quiet }, lenient).rejected, false, 'HIGH passes a 0.9 threshold');
  t.equal(assessFraud({ currency: 'EUR', amount: 10_000_001, recent: quiet }, lenient).rejected, true, 'CRITICAL does not');
  t.equal(assessFraud({ currency: 'EUR', amount: 4_200, recent: recent(2, 2) }, { ...config, rejectScore: 0.3 }).rejected, true, 'the threshold itself rejects');
});

t.test('combinedScore › stays within [0, 1]', async (t) => {
  t.equal(combinedScore([]), 0);
  t.equal(combinedScore([1]), 1);
  t.equal(combinedScore([0.95, 0.75, 0.3]), 0.9913);
  t.ok(combinedScore([0.99, 0.99, 0.99, 0.99]) <= 1);
});

t.test('severityOf › bands', async (t) => {
  t.same([0, 0.29, 0.3, 0.69, 0.7, 0.89, 0.9, 1].map(severityOf), ['LOW', 'LOW', 'MEDIUM', 'MEDIUM', 'HIGH', 'HIGH', 'CRITICAL', 'CRITICAL']);
});

t.test('assessFraud › the threshold is in major units of the payment currency (JPY has no minor digits, KWD three)', async (t) => {
  t.equal(assessFraud({ currency: 'JPY', amount: 10_000, recent: quiet }, config).score, 0, '10,000 JPY is at the threshold');
  t.same(assessFraud({ currency: 'JPY', amount: 10_001, recent: quiet }, config).reasons, ['AMOUNT_TOO_HIGH'], '10,001 JPY is above it');
  t.equal(assessFraud({ currency: 'KWD', amount: 10_000_000, recent: quiet }, config).score, 0, '10,000.000 KWD is at the threshold');
  t.same(assessFraud({ currency: 'KWD', amount: 10_000_001, recent: quiet }, config).reasons, ['AMOUNT_TOO_HIGH'], '10,000.001 KWD is above it');
});
