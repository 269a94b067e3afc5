import t from 'tap';
import { RuleViolationError } from '../../../src/platform/errors.ts';
import { Payment, PAYMENT_STATUSES, type PaymentStatus, type StatusChange } from './payment.ts';
import { IllegalPaymentTransitionError } from './payment.errors.ts';

const T0 = new Date('2024-01-15T10:00:00Z');
const T1 = new Date('2024-01-15T10:00:05Z');

function requested(): Payment {
  return Payment.request(
    { accountId: 7, userId: 3, userName: 'alice', amount: 15_075, currency: 'EUR', transactionType: 'STANDARD', description: null },
    T0,
  ).payment;
}

/** Drives a fresh payment to `status` along legal moves. */
function paymentIn(status: PaymentStatus): Payment {
  const payment = requested();
  const path: Record<PaymentStatus, Array<(p: Payment) => StatusChange>> = {
    CREATED: [],
    PROCESSING: [(p) => p.startProcessing(T1)],
    COMPLETED: [(p) => p.startProcessing(T1), (p) => p.complete(T1)],
    REJECTED: [(p) => p.reject('INSUFFICIENT_FUNDS', T1)],
    FAILED: [(p) => p.startProcessing(T1), (p) => p.fail('PROCESSING_FAILED', T1)],
    REVERSED: [(p) => p.startProcessing(T1), (p) => p.complete(T1), (p) => p.reverse('CUSTOMER_REQUEST', T1)],
  };
  for (const step of path[status]) step(payment);
  return payment;
}

const moves: Record<PaymentStatus, (p: Payment) => StatusChange> = {
  CREATED: () => { throw new Error('nothing moves back to CREATED'); },
  PROCESSING: (p) => p.startProcessing(T1),
  COMPLETED: (p) => p.complete(T1),
  REJECTED: (p) => p.reject('ACCOUNT_SUSPENDED', T1),
  FAILED: (p) => p.fail('PROCESSING_FAILED', T1),
  REVERSED: (p) => p.reverse('CUSTOMER_REQUEST', T1),
};

const LEGAL = new Set(['CREATED>PROCESSING', 'CREATED>REJECTED', 'PROCESSING>COMPLETED', 'PROCESSING>REJECTED', 'PROCESSING>FAILED', 'COMPLETED>REVERSED']);

t.test('Payment.request › starts CREATED with a first change from null', async (t) => {
  const { payment, change } = Payment.request(
    { accountId: 7, userId: 3, userName: null, amount: 1, currency: 'EUR', transactionType: 'QR_CODE', description: 'coffee' },
    T0,
  );
  t.equal(payment.status, 'CREATED');
  t.same(change, { from: null, to: 'CREATED', reason: null, at: T0 });
  t.equal(payment.reason, null);
  t.equal(payment.createdAt, T0);
});

t.test('Payment.request › refuses a zero, negative or fractional minor amount', async (t) => {
  for (const amount of [0, -100, 1.5, Number.MAX_SAFE_INTEGER + 2]) {
    t.throws(() => Payment.request({ accountId: 1, userId: 1, userName: null, amount, currency: 'EUR', transactionType: 'STANDARD', description: null }, T0), RangeError, `amount ${amount}`);
  }
});

t.test('Payment › allows exactly the moves of the status machine', async (t) => {
  for (const from of PAYMENT_STATUSES) {
    for (const to of PAYMENT_STATUSES.filter((status) => status !== 'CREATED')) {
      const payment = paymentIn(from);
      const key = `${from}>${to}`;
      if (LEGAL.has(key)) {
        const change = moves[to](payment);
        t.equal(payment.status, to, `${key} is allowed`);
        t.equal(change.from, from);
        t.equal(change.to, to);
        t.equal(payment.updatedAt, T1);
      } else {
        t.throws(() => moves[to](payment), IllegalPaymentTransitionError, `${key} throws`);
        t.equal(payment.status, from, `${key} leaves the payment ${from}`);
      }
    }
  }
});

t.test('Payment › the illegal-transition error is a rule violation naming both statuses', async (t) => {
  const payment = paymentIn('PROCESSING');
  const error = t.throws(() => payment.reverse('CUSTOMER_REQUEST', T1)) as IllegalPaymentTransitionError;
  t.ok(error instanceof RuleViolationError, 'a rule violation (the HTTP edge answers 422)');
  t.equal(error.code, 'illegal-payment-transition');
  t.match(error.message, /PROCESSING payment cannot become REVERSED/);
});

t.test('Payment › records reasons and the completion time', async (t) => {
  const rejected = paymentIn('CREATED');
  t.same(rejected.reject('FRAUD_SUSPECTED', T1), { from: 'CREATED', to: 'REJECTED', reason: 'FRAUD_SUSPECTED', at: T1 });
  t.equal(rejected.reason, 'FRAUD_SUSPECTED');
  const completed = paymentIn('PROCESSING');
  t.equal(completed.completedAt, null);
  completed.complete(T1);
  t.equal(completed.completedAt, T1);
  t.equal(completed.reason, null);
  t.same(completed.reverse('ERROR', T1), { from: 'COMPLETED', to: 'REVERSED', reason: 'ERROR', at: T1 });
});

t.test('Payment.awaits › an outcome applies only in the stage that waits for it', async (t) => {
  t.ok(paymentIn('CREATED').awaits('booking'));
  t.notOk(paymentIn('CREATED').awaits('processing'));
  t.ok(paymentIn('PROCESSING').awaits('processing'));
  t.notOk(paymentIn('PROCESSING').awaits('booking'), 'a second funds.reserved is ignored');
  for (const status of ['COMPLETED', 'REJECTED', 'FAILED', 'REVERSED'] as const) {
    t.notOk(paymentIn(status).awaits('booking'), `${status} ignores booking outcomes`);
    t.notOk(paymentIn(status).awaits('processing'), `${status} ignores processing outcomes (e.g. after a cancel)`);
  }
});

t.test('Payment.isFinal › only REJECTED, FAILED and REVERSED are final', async (t) => {
  t.same(PAYMENT_STATUSES.filter((status) => paymentIn(status).isFinal()), ['REJECTED', 'FAILED', 'REVERSED']);
});
