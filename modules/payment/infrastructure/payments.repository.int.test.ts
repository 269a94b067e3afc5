import t from 'tap';
import { platformFor } from '../../../test/harness/suite.ts';
import { checkPayment } from './payments.repository.ts';

const NOW = new Date('2024-01-15T10:00:00Z');
const ACCOUNT = 990_001;

function secondsAgo(seconds: number): Date {
  return new Date(NOW.getTime() - seconds * 1000);
}

t.test('checkPayment › counts the window after `since`, start excluded, later stamps included, any status', async (t) => {
  const app = await platformFor(t, 'local', { isolate: ['payment'], env: { MODULE_URL_ACCOUNT: 'http://127.0.0.1:9' } });
  const em = app.container.cradle.orm.em.fork();
  const rows: Array<[number, number, string, Date]> = [
    [ACCOUNT, 4_200, 'CREATED', secondsAgo(5)],
    [ACCOUNT, 4_200, 'REJECTED', secondsAgo(59)],
    [ACCOUNT, 100, 'COMPLETED', secondsAgo(30)],
    [ACCOUNT, 100, 'CREATED', new Date(NOW.getTime() + 1000)], // another process's clock, slightly ahead
    [ACCOUNT, 4_200, 'CREATED', secondsAgo(60)], // the window's start: out
    [ACCOUNT, 4_200, 'CREATED', secondsAgo(3600)],
    [ACCOUNT + 1, 4_200, 'CREATED', secondsAgo(1)], // another account
  ];
  for (const [accountId, amount, status, at] of rows) {
    await em.execute(
      `insert into payment.payment (account_id, user_id, amount, currency, transaction_type, status, created_at, updated_at)
       values (?, 1, ?, 'EUR', 'STANDARD', ?, ?, ?)`,
      [accountId, amount, status, at, at],
    );
  }
  const check = await checkPayment(em, ACCOUNT, 4_200, secondsAgo(60));
  t.same(check.recent, { count: 4, sameAmount: 2 });
  t.same((await checkPayment(em, ACCOUNT, 777, secondsAgo(60))).recent, { count: 4, sameAmount: 0 }, 'an amount not paid before');
  t.same((await checkPayment(em, 12_345, 4_200, secondsAgo(60))).recent, { count: 0, sameAmount: 0 }, 'an account without payments');
});

t.test('checkPayment › hands out ids the payment table has not used', async (t) => {
  const app = await platformFor(t, 'local', { isolate: ['payment'], env: { MODULE_URL_ACCOUNT: 'http://127.0.0.1:9' } });
  const em = app.container.cradle.orm.em.fork();
  const [{ id }] = await em.execute<[{ id: number }]>(
    `insert into payment.payment (account_id, user_id, amount, currency, transaction_type, status, created_at, updated_at)
     values (?, 1, 1, 'EUR', 'STANDARD', 'CREATED', now(), now()) returning id`,
    [ACCOUNT],
  );
  const first = await checkPayment(em, ACCOUNT, 1, secondsAgo(60));
  const second = await checkPayment(em, ACCOUNT, 1, secondsAgo(60));
  t.ok(first.paymentId > id, 'after the identity default');
  t.ok(second.paymentId > first.paymentId, 'a new one each time');
});
