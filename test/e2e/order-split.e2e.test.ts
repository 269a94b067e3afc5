import { randomBytes } from 'node:crypto';
import t from 'tap';
import { createTestDatabase } from '../harness/database.ts';
import { platformFor } from '../harness/suite.ts';
import { answerCharge, chargeRequested } from '../../modules/billing/testing/billing.kit.ts';

t.test('POST /orders answered by a process that runs neither billing nor the order consumer [kafka]', async (t) => {
  const database = await createTestDatabase();
  t.teardown(() => database.drop());
  const namespace = `s${randomBytes(4).toString('hex')}`;
  // Serves only the order API: it saves the order and waits; it consumes and relays nothing.
  const front = await platformFor(t, 'kafka', { databaseUrl: database.url, namespace, env: { ROLE: 'api', MODULES: 'order' } });
  // Runs billing and the order module's consumers, and relays every outbox row. Not the account
  // module: the test answers the charge as it would, and a real one would race it (and refuse dora).
  const back = await platformFor(t, 'kafka', { databaseUrl: database.url, namespace, env: { MODULES: 'billing,order' } });
  t.same(front.consumers, [], 'the front process consumes nothing');
  t.equal(front.relay, undefined, 'and relays nothing');

  const placing = front.request({ method: 'POST', url: '/orders', payload: { login: 'dora', items: [{ name: 'Tea', quantity: 2, unitPrice: 4.25 }] } });
  const request = await chargeRequested(back, 'dora', { nth: 0 });
  t.match(request, { amount: 8.5, currency: 'EUR' }, 'the other process charged the order');
  await answerCharge(back, request, { debit: { accountId: 5 } });
  const paid = await placing;
  t.equal(paid.statusCode, 200, 'POST /orders › 200: the waiting request learned the outcome another process recorded');
  t.same(paid.json(), { orderId: request.orderId, status: 'PAID', isPaid: true, failureReason: null });
  t.match((await front.request({ method: 'GET', url: `/orders/${request.orderId}` })).json(), { status: 'PAID', chargeId: request.chargeId });
});
