import t from 'tap';
import { createTestDatabase } from '../harness/database.ts';
import { eventually } from '../harness/eventually.ts';
import { startTestPlatform } from '../harness/platform.ts';
import { testBroker } from '../harness/suite.ts';
import { accountOf, openAccount } from '../../modules/account/testing/account.kit.ts';
import { notificationTypes } from '../../modules/notification/testing/notification.kit.ts';
import { paymentStatus } from '../../modules/payment/testing/payment.kit.ts';

t.test('flow 8 · two processes with disjoint MODULES over Kafka run onboarding, a payment and an order', async (t) => {
  const database = await createTestDatabase();
  t.teardown(() => database.drop());
  const { brokers } = await testBroker();
  const namespace = `split${Date.now().toString(36)}`;
  const common = { databaseUrl: database.url, transport: 'kafka' as const, brokers, namespace };
  const env = { PROCESSING_DELAY_MIN_MS: '10', PROCESSING_DELAY_MAX_MS: '50' };
  const people = await startTestPlatform({ ...common, env: { ...env, MODULES: 'profile,account' } });
  t.teardown(() => people.stop());
  const money = await startTestPlatform({ ...common, env: { ...env, MODULES: 'payment,billing,order,notification', MODULE_URL_ACCOUNT: people.url! } });
  t.teardown(() => money.stop());

  t.equal((await money.request({ method: 'POST', url: '/profiles', payload: {} })).statusCode, 404, 'the payments process does not serve the profile module');
  t.equal((await people.request({ method: 'GET', url: '/payments' })).statusCode, 404, 'the people process does not serve the payment module');

  await openAccount(people, 'gus', { deposit: 120 });
  t.match((await people.request({ method: 'GET', url: '/profiles/check?login=gus' })).json(), { id: Number }, 'flow 1 on the people process');

  const payment = await money.request({ method: 'POST', url: '/payments', payload: { userName: 'gus', amount: 20, currency: 'EUR' } });
  t.equal(payment.statusCode, 201, 'POST /payments on the payments process checks the account over HTTP');
  const { id } = payment.json<{ id: number }>();
  t.equal(await paymentStatus(money, id, (s) => s === 'COMPLETED', 60_000), 'COMPLETED', 'flow 3 across processes');
  await eventually(async () => (await accountOf(people, 'gus')).balance === 100 || undefined, { what: 'capture', timeoutMs: 30_000 });

  const order = await money.request({ method: 'POST', url: '/orders', payload: { login: 'gus', amount: 60 } });
  t.match(order.json(), { isPaid: true }, 'flow 7 across processes: order paid');
  t.match(await accountOf(people, 'gus'), { balance: 40 }, 'and debited by the account module in the other process');
  await notificationTypes(money, 'gus', ['ACCOUNT_CREATED', 'PAYMENT_COMPLETED', 'ORDER_PAID'], 60_000);
  t.pass('the notification module in the payments process saw events of both processes');
});
