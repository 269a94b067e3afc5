import t from 'tap';
import { decideOutcome, PROCESSOR_DECLINED, processingDelayMs } from './processing-decision.ts';
import { PaymentProcessing } from './payment-processing.ts';

const draws = [0, 0.25, 0.5, 0.999_999];

t.test('processingDelayMs › stays within [min, max], both ends reachable', async (t) => {
  const rules = { delayMinMs: 500, delayMaxMs: 5000 };
  t.equal(processingDelayMs(rules, () => 0), 500, 'the lowest draw gives the minimum');
  t.equal(processingDelayMs(rules, () => 0.999_999_9), 5000, 'the highest draw gives the maximum');
  for (const draw of draws) {
    const delay = processingDelayMs(rules, () => draw);
    t.ok(Number.isInteger(delay) && delay >= 500 && delay <= 5000, `draw ${draw} → ${delay} ms`);
  }
  t.equal(processingDelayMs({ delayMinMs: 0, delayMaxMs: 0 }, () => 0.7), 0, 'a zero range gives no delay');
});

t.test('decideOutcome › failure rate 0 never fails, 1 always fails, in between the draw decides', async (t) => {
  for (const draw of draws) {
    t.same(decideOutcome({ failureRate: 0 }, () => draw), { outcome: 'SUCCEEDED', failureReason: null }, `rate 0, draw ${draw}: succeeds`);
    t.same(decideOutcome({ failureRate: 1 }, () => draw), { outcome: 'FAILED', failureReason: PROCESSOR_DECLINED }, `rate 1, draw ${draw}: fails`);
  }
  t.equal(decideOutcome({ failureRate: 0.3 }, () => 0.29).outcome, 'FAILED', 'a draw below the rate fails');
  t.equal(decideOutcome({ failureRate: 0.3 }, () => 0.3).outcome, 'SUCCEEDED', 'a draw at or above the rate succeeds');
});

t.test('PaymentProcessing › scheduled for now + delay, processed once and only when due', async (t) => {
  const now = new Date('2026-01-01T10:00:00.000Z');
  const processing = PaymentProcessing.schedule({ paymentId: 1, accountId: 2, amount: 4250, currency: 'EUR', transactionType: 'STANDARD' }, now, 1500);
  t.equal(processing.status, 'SCHEDULED');
  t.equal(processing.dueAt.toISOString(), '2026-01-01T10:00:01.500Z', 'due after the delay');
  const early = new Date('2026-01-01T10:00:01.499Z');
  t.notOk(processing.process({ outcome: 'SUCCEEDED', failureReason: null }, early), 'not processed a millisecond early');
  t.equal(processing.status, 'SCHEDULED');
  const due = new Date('2026-01-01T10:00:01.500Z');
  t.ok(processing.process({ outcome: 'FAILED', failureReason: PROCESSOR_DECLINED }, due), 'processed when due');
  t.match(processing, { status: 'PROCESSED', outcome: 'FAILED', failureReason: PROCESSOR_DECLINED, processedAt: due });
  t.notOk(processing.process({ outcome: 'SUCCEEDED', failureReason: null }, new Date('2026-01-01T10:00:02Z')), 'never processed twice');
  t.equal(processing.outcome, 'FAILED', 'the first outcome stays');
});
