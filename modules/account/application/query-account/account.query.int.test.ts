import t from 'tap';
import { queryApiOf } from '../../../../src/platform/module-api.ts';
import { platformFor } from '../../../../test/harness/suite.ts';
import { PaymentRequested } from '../../../payment/index.ts';
import { ACCOUNT_QUERY_API, accountQueryApiOverHttp, type AccountQueryApi } from '../../index.ts';
import { openAccount } from '../../testing/account.kit.ts';
import { AccountFundsReserved } from '../../index.ts';
import { operatorHeaders } from '../../../../test/harness/tokens.ts';

t.test('AccountQueryApi › in-process and over HTTP answer the same snapshot', async (t) => {
  const app = await platformFor(t, 'local');
  const alice = await openAccount(app, 'alice', { deposit: 250.5 });
  await app.scenario.commit(PaymentRequested, { paymentId: 1, accountId: alice.accountId, amount: 100.25, currency: 'EUR', transactionType: 'STANDARD', requestedAt: new Date().toISOString() });
  await app.scenario.waitForEvent(AccountFundsReserved, { paymentId: 1 });
  const bob = await openAccount(app, 'bob', { currency: 'USD' });
  t.equal((await app.request({ method: 'POST', url: `/accounts/${bob.accountId}/suspend`, headers: operatorHeaders, payload: { reason: 'REVIEW' } })).statusCode, 200);

  const inProcess = queryApiOf<AccountQueryApi>(app.container, ACCOUNT_QUERY_API, 'account', accountQueryApiOverHttp);
  t.equal(inProcess, app.container.resolve(ACCOUNT_QUERY_API), 'queryApiOf picks the registered in-process API when the account module runs here');
  t.ok(app.url, 'the platform listens');
  const overHttp = accountQueryApiOverHttp(app.url!, app.container.cradle.serviceAuthorization);

  const expectedAlice = {
    accountId: alice.accountId, userId: alice.userId, login: 'alice', balance: 250.5, reserved: 100.25, available: 150.25, currency: 'EUR', status: 'ACTIVE',
  };
  t.same(await inProcess.byId(alice.accountId), expectedAlice, 'byId in-process: balance, reserved and available in major units');
  t.same(await overHttp.byId(alice.accountId), expectedAlice, 'byId over HTTP: the same');
  t.same(await inProcess.byLogin('alice'), expectedAlice, 'byLogin in-process');
  t.same(await overHttp.byLogin('alice'), expectedAlice, 'byLogin over HTTP');

  const bobInProcess = await inProcess.byLogin('bob');
  t.match(bobInProcess, { accountId: bob.accountId, currency: 'USD', status: 'SUSPENDED', balance: 0 });
  t.same(await overHttp.byLogin('bob'), bobInProcess, 'a suspended account reads the same both ways');
  t.same(await overHttp.byId(bob.accountId), await inProcess.byId(bob.accountId));

  t.equal(await inProcess.byId(999_999), null, 'unknown id › null in-process');
  t.equal(await overHttp.byId(999_999), null, 'unknown id › null over HTTP');
  t.equal(await inProcess.byLogin('nobody'), null, 'unknown login › null in-process');
  t.equal(await overHttp.byLogin('nobody'), null, 'unknown login › null over HTTP');
});
