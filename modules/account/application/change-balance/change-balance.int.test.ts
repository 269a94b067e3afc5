import t from 'tap';
import { platformFor } from '../../../../test/harness/suite.ts';
import { eventually } from '../../../../test/harness/eventually.ts';
import { accountOf, ledgerOf, openAccount } from '../../testing/account.kit.ts';

/** Money at the edge: each currency's own exponent, and the configured ceilings as 422 problems. */
t.test('PUT /account/operation › amounts in the currency of the account, under MONEY_MAX_AMOUNT and MONEY_MAX_BALANCE [local]', async (t) => {
  const app = await platformFor(t, 'local', { env: { MONEY_MAX_AMOUNT: '1000', MONEY_MAX_BALANCE: '1500' } });
  const operate = (login: string, operation: 'DEPOSIT' | 'WITHDRAW', sum: number) =>
    app.request({ method: 'PUT', url: '/account/operation', payload: { login, operation, sum } });

  const yen = await openAccount(app, 'kenji', { currency: 'JPY' });
  const yenDeposit = await operate('kenji', 'DEPOSIT', 500);
  t.match(yenDeposit.json(), { balance: 500, currency: 'JPY' }, 'JPY has no minor digits: 500 is 500');
  t.match(await ledgerOf(app, yen.accountId), [{ kind: 'DEPOSIT', amount: 500 }], 'and is stored as 500 minor units, not 50,000');
  const fraction = await operate('kenji', 'DEPOSIT', 1.5);
  t.equal(fraction.statusCode, 400, 'a fraction of a yen is refused');
  t.match(fraction.json(), { code: 'invalid-amount', errors: [{ field: '/sum', message: /0 fraction digits in JPY/ }] });

  const paid = await app.request({ method: 'POST', url: '/payments', payload: { userName: 'kenji', amount: 300, currency: 'JPY' } });
  t.equal(paid.statusCode, 201, 'a payment of 300 JPY');
  await eventually(async () => (await app.request({ method: 'GET', url: `/payments/${paid.json<{ id: number }>().id}/status` })).json<{ status: string }>().status === 'COMPLETED', { what: 'the JPY payment completed' });
  // The account module captures on payment.completed, after the payment module marked it so.
  const captured = await eventually(async () => {
    const account = await accountOf(app, 'kenji');
    return account.reserved === 0 ? account : undefined;
  }, { what: 'the JPY payment captured' });
  t.match(captured, { balance: 200, reserved: 0 }, 'every module took 300 JPY as 300: reserved, processed and captured exactly');

  const dinar = await openAccount(app, 'fahad', { currency: 'KWD' });
  t.match((await operate('fahad', 'DEPOSIT', 1.005)).json(), { balance: 1.005, currency: 'KWD' }, 'KWD has three: 1.005 is exact');
  t.match(await ledgerOf(app, dinar.accountId), [{ amount: 1005 }], 'stored as 1005 minor units');
  t.equal((await operate('fahad', 'DEPOSIT', 1.0005)).statusCode, 400, 'a fourth digit is refused');

  await openAccount(app, 'erin');
  t.equal((await operate('erin', 'DEPOSIT', 1.005)).statusCode, 400, 'EUR has two digits');
  const tooMuch = await operate('erin', 'DEPOSIT', 1000.01);
  t.equal(tooMuch.statusCode, 422, 'one cent above MONEY_MAX_AMOUNT is refused');
  t.match(tooMuch.json(), { code: 'amount-over-limit', detail: /1000\.00 EUR/, errors: [{ field: '/sum' }] });
  t.equal((await operate('erin', 'DEPOSIT', 1000)).statusCode, 200, 'the limit itself is accepted');
  const overBalance = await operate('erin', 'DEPOSIT', 500.01);
  t.equal(overBalance.statusCode, 422, 'a deposit taking the balance past MONEY_MAX_BALANCE is refused');
  t.match(overBalance.json(), { code: 'balance-over-limit', detail: /1500\.00 EUR/ });
  t.match((await operate('erin', 'DEPOSIT', 500)).json(), { balance: 1500 }, 'up to the ceiling itself');
  t.equal((await operate('erin', 'WITHDRAW', 1000.01)).statusCode, 422, 'a withdrawal is one amount as well');

  const schemaCeiling = await operate('erin', 'DEPOSIT', 1e12 + 1);
  t.equal(schemaCeiling.statusCode, 400, 'past the platform ceiling (1e12) the schema refuses, whatever is configured');

  const em = app.container.cradle.orm.em.fork();
  await t.rejects(em.execute('select 9007199254740993::int8 as n'), /beyond 2\^53/, 'an int8 past 2^53 fails its query instead of being rounded');
  t.same(await em.execute('select 9007199254740991::int8 as n'), [{ n: Number.MAX_SAFE_INTEGER }], 'and the connection still answers');
});
