import t from 'tap';
import {
  accountClosed, accountOpened, accountStatusChanged, accountSuspended, balanceChanged, fraudDetected,
  orderNotPaid, orderPaid, paymentCompleted, paymentFailed, paymentReversed,
} from './notification-content.ts';

t.test('account opened › names the account, its type and currency', async (t) => {
  t.same(accountOpened({ accountId: 67890, accountType: 'CHECKING', currency: 'EUR' }), {
    kind: 'ACCOUNT_CREATED', text: 'Your checking account 67890 in EUR is open.',
  });
});

t.test('balance changed › says credited or debited with the absolute amount and the new balance', async (t) => {
  t.equal(balanceChanged({ accountId: 7, changeAmount: 150.75, newBalance: 150.75, currency: 'EUR' }).text,
    '150.75 EUR was credited to your account 7. New balance: 150.75 EUR.');
  t.equal(balanceChanged({ accountId: 7, changeAmount: -150, newBalance: 850, currency: 'EUR' }).text,
    '150.00 EUR was debited from your account 7. New balance: 850.00 EUR.');
  t.equal(balanceChanged({ accountId: 7, changeAmount: 0, newBalance: 5.5, currency: 'USD' }).text,
    'The balance of your account 7 was updated. New balance: 5.50 USD.');
});

t.test('payment outcomes › completed, failed with a readable reason, reversed', async (t) => {
  t.same(paymentCompleted({ paymentId: 12345, amount: 150.75, currency: 'EUR' }), {
    kind: 'PAYMENT_COMPLETED', text: 'Your payment 12345 of 150.75 EUR is completed.',
  });
  t.same(paymentFailed({ paymentId: 12345, amount: 150.75, currency: 'EUR', failureReason: 'INSUFFICIENT_FUNDS' }), {
    kind: 'PAYMENT_FAILED', text: 'Your payment 12345 of 150.75 EUR failed: insufficient funds.',
  });
  t.match(paymentFailed({ paymentId: 1, amount: 1, currency: 'EUR', failureReason: 'FRAUD_SUSPECTED' }).text, /failed: suspected fraud\.$/);
  t.match(paymentFailed({ paymentId: 1, amount: 1, currency: 'EUR', failureReason: 'SOMETHING_NEW' }).text, /failed: something new\.$/,
    'an unknown reason code is still readable');
  t.same(paymentReversed({ paymentId: 12345, amount: 150.75, currency: 'EUR', reversalReason: 'CUSTOMER_REQUEST' }), {
    kind: 'PAYMENT_REVERSED',
    text: 'Your payment 12345 of 150.75 EUR was reversed (customer request); the amount is credited back to your account.',
  });
});

t.test('fraud detected › lists the reasons and the severity', async (t) => {
  t.same(fraudDetected({ paymentId: 12345, amount: 5000, currency: 'EUR', fraudReasons: ['AMOUNT_TOO_HIGH', 'UNUSUAL_LOCATION'], severity: 'HIGH' }), {
    kind: 'FRAUD_DETECTED',
    text: 'Security alert: your payment 12345 of 5000.00 EUR looks suspicious (amount too high, unusual location). Severity: HIGH.',
  });
  t.equal(fraudDetected({ paymentId: 1, amount: 1, currency: 'EUR', fraudReasons: [], severity: 'LOW' }).text,
    'Security alert: your payment 1 of 1.00 EUR looks suspicious. Severity: LOW.');
});

t.test('account status › suspended (with or without an end), reactivated, closed', async (t) => {
  t.same(accountSuspended({ accountId: 67890, reason: 'FRAUD_SUSPECTED', expiresAt: '2024-01-16T10:00:00Z' }), {
    kind: 'ACCOUNT_SUSPENDED', text: 'Your account 67890 is suspended until 2024-01-16T10:00:00Z (fraud suspected).',
  });
  t.equal(accountSuspended({ accountId: 1, reason: 'SECURITY' }).text, 'Your account 1 is suspended (security).');
  t.same(accountStatusChanged({ accountId: 1, changes: { previousStatus: 'SUSPENDED', newStatus: 'ACTIVE' } }), {
    kind: 'ACCOUNT_REACTIVATED', text: 'Your account 1 is active again.',
  });
  t.equal(accountStatusChanged({ accountId: 1, changes: { previousStatus: 'ACTIVE', newStatus: 'SUSPENDED' } }), undefined,
    'a suspension is told by account.suspended, not twice');
  t.equal(accountStatusChanged({ accountId: 1, changes: { previousStatus: 'ACTIVE', newStatus: 'CLOSED' } }), undefined,
    'a closure is told by account.closed, not twice');
  t.same(accountClosed({ accountId: 1, reason: 'CUSTOMER_REQUEST' }), { kind: 'ACCOUNT_CLOSED', text: 'Your account 1 is closed (customer request).' });
});

t.test('orders › paid, and not paid with the "insufficient funds" wording', async (t) => {
  t.same(orderPaid({ orderId: 501, amount: 40, currency: 'EUR' }), {
    kind: 'ORDER_PAID', text: 'Your order 501 is paid: 40.00 EUR was debited from your account.',
  });
  t.same(orderNotPaid({ orderId: 502, amount: 500, currency: 'EUR', reason: 'INSUFFICIENT_FUNDS' }), {
    kind: 'ORDER_NOT_PAID', text: 'Your order 502 of 500.00 EUR is not paid: insufficient funds.',
  });
});
