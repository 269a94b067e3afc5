import t from 'tap';
import { assessFraud, combinedScore, severityOf, withinLastMinute, type FraudRulesConfig, type PastPayment } from './fraud-rules.ts';

const NOW = new Date('2024-01-15T10:00:00Z');
const config: FraudRulesConfig = { amountThreshold: 1_000_000, maxPaymentsPerMinute: 3, rejectScore: 0.7 };

function secondsAgo(seconds: number, amount = 100): PastPayment {
  return { amount, createdAt: new Date(NOW.getTime() - seconds * 1000) };
}

t.test('assessFraud › an ordinary payment scores 0, LOW, accepted', async (t) => {
  t.same(assessFraud({ amount: 5_000, history: [] }, config, NOW), { score: 0, reasons: [], severity: 'LOW', rejected: false });
});

t.test('assessFraud › an amount at the threshold is fine, one minor unit above is AMOUNT_TOO_HIGH, HIGH, rejected', async (t) => {
  t.equal(assessFraud({ amount: 1_000_000, history: [] }, config, NOW).score, 0);
  t.same(assessFraud({ amount: 1_000_001, history: [] }, config, NOW), { score: 0.75, reasons: ['AMOUNT_TOO_HIGH'], severity: 'HIGH', rejected: true });
});

t.test('assessFraud › an amount above 10x the threshold is always CRITICAL', async (t) => {
  t.same(assessFraud({ amount: 10_000_001, history: [] }, config, NOW), { score: 0.95, reasons: ['AMOUNT_TOO_HIGH'], severity: 'CRITICAL', rejected: true });
  t.equal(assessFraud({ amount: 10_000_000, history: [] }, config, NOW).severity, 'HIGH', 'exactly 10x is still only HIGH');
});

t.test('assessFraud › more payments in the last minute than allowed is TOO_MANY_PAYMENTS', async (t) => {
  const two = [secondsAgo(10, 1), secondsAgo(20, 2)];
  t.equal(assessFraud({ amount: 3, history: two }, config, NOW).score, 0, 'the 3rd payment of a minute is allowed at 3 per minute');
  const three = [...two, secondsAgo(30, 3)];
  t.same(assessFraud({ amount: 4, history: three }, config, NOW), { score: 0.75, reasons: ['TOO_MANY_PAYMENTS'], severity: 'HIGH', rejected: true });
});

t.test('assessFraud › payments older than a minute do not count', async (t) => {
  const old = [secondsAgo(60, 1), secondsAgo(61, 2), secondsAgo(3600, 3)];
  t.equal(assessFraud({ amount: 4, history: old }, config, NOW).score, 0);
  t.equal(withinLastMinute([...old, secondsAgo(59)], NOW).length, 1, 'the window is the 60 s before now, start excluded');
  t.equal(withinLastMinute([{ amount: 1, createdAt: new Date(NOW.getTime() + 1000) }], NOW).length, 1, 'a time slightly ahead (another clock) counts');
});

t.test('assessFraud › both rules firing is CRITICAL', async (t) => {
  const busy = [secondsAgo(1, 1), secondsAgo(2, 2), secondsAgo(3, 3)];
  t.same(assessFraud({ amount: 2_000_000, history: busy }, config, NOW), {
    score: 0.9375, reasons: ['AMOUNT_TOO_HIGH', 'TOO_MANY_PAYMENTS'], severity: 'CRITICAL', rejected: true,
  });
});

t.test('assessFraud › the same amount twice before within a minute is REPEATED_AMOUNT, MEDIUM, accepted', async (t) => {
  const repeats = [secondsAgo(5, 4_200), secondsAgo(15, 4_200)];
  t.same(assessFraud({ amount: 4_200, history: repeats }, config, NOW), { score: 0.3, reasons: ['REPEATED_AMOUNT'], severity: 'MEDIUM', rejected: false });
  t.equal(assessFraud({ amount: 4_200, history: [secondsAgo(5, 4_200)] }, config, NOW).score, 0, 'one earlier repeat is not enough');
  t.same(assessFraud({ amount: 1_500_000, history: [secondsAgo(5, 1_500_000), secondsAgo(6, 1_500_000)] }, config, NOW), {
    score: 0.825, reasons: ['AMOUNT_TOO_HIGH', 'REPEATED_AMOUNT'], severity: 'HIGH', rejected: true,
  });
});

t.test('assessFraud › the reject score is configurable', async (t) => {
  const lenient = { ...config, rejectScore: 0.9 };
  t.equal(assessFraud({ amount: 1_000_001, history: [] }, lenient, NOW).rejected, false, 'HIGH passes a 0.9 threshold');
  t.equal(assessFraud({ amount: 10_000_001, history: [] }, lenient, NOW).rejected, true, 'CRITICAL does not');
  t.equal(assessFraud({ amount: 4_200, history: [secondsAgo(1, 4_200), secondsAgo(2, 4_200)] }, { ...config, rejectScore: 0.3 }, NOW).rejected, true, 'the threshold itself rejects');
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
