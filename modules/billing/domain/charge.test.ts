import t from 'tap';
import { Charge } from './charge.ts';

const opened = new Date('2026-01-01T10:00:00Z');
const later = new Date('2026-01-01T10:00:05Z');
const open = () => Charge.open({ orderId: 9, login: 'alice', amount: 6007, currency: 'EUR' }, opened);

t.test('Charge › opens PENDING without an account', async (t) => {
  t.match(open(), { orderId: 9, login: 'alice', amount: 6007, status: 'PENDING', accountId: null, failureReason: null, createdAt: opened });
});

t.test('Charge › a debit makes it SUCCEEDED; the same answer again changes nothing', async (t) => {
  const charge = open();
  t.ok(charge.succeed(3, later));
  t.match(charge, { status: 'SUCCEEDED', accountId: 3, updatedAt: later });
  t.notOk(charge.succeed(3, new Date()), 'a repeated debit answer is ignored');
  t.throws(() => charge.fail('INSUFFICIENT_FUNDS', 3, new Date()), { name: 'ChargeAlreadySettledError' }, 'a contradicting answer is refused');
  t.equal(charge.status, 'SUCCEEDED');
});

t.test('Charge › a rejection makes it FAILED with the reason; a contradicting debit is refused', async (t) => {
  const charge = open();
  t.ok(charge.fail('INSUFFICIENT_FUNDS', 3, later));
  t.match(charge, { status: 'FAILED', failureReason: 'INSUFFICIENT_FUNDS', accountId: 3 });
  t.notOk(charge.fail('INSUFFICIENT_FUNDS', 3, later), 'a repeated rejection is ignored');
  t.throws(() => charge.succeed(3, later), { name: 'ChargeAlreadySettledError' });
});
