import t from 'tap';
import { assertAllRejected, json, oversizedBody, type BadRequestCase } from '../../../../test/harness/bad-input.ts';
import { platformFor, TRANSPORTS } from '../../../../test/harness/suite.ts';
import { chargeRequested } from '../../../billing/testing/billing.kit.ts';

type Body = Record<string, unknown>;
const item = (overrides: Body = {}): Body => ({ name: 'Coffee', quantity: 2, unitPrice: 3.5, ...overrides });

function casesFor(url: string): BadRequestCase[] {
  const post = (payload: unknown) => json('POST', url, payload);
  const withAmount = (amount: unknown, extra: Body = {}) => post({ login: 'alice', amount, ...extra });
  const withItem = (overrides: Body) => post({ login: 'alice', items: [item(overrides)] });
  return [
    { name: 'malformed JSON', request: post('{"login": "alice",'), status: 400 },
    { name: 'empty body', request: { method: 'POST', url, headers: { 'content-type': 'application/json' } }, status: 400 },
    { name: 'not an object', request: post('[1,2]'), status: 400 },
    { name: 'NaN literal', request: post('{"login":"alice","amount":NaN}'), status: 400 },
    { name: 'wrong content type', request: { method: 'POST', url, payload: 'login=alice&amount=5', headers: { 'content-type': 'application/x-www-form-urlencoded' } }, status: 415 },
    { name: 'oversized body', request: post(oversizedBody()), status: 413 },
    { name: 'login of wrong type', request: post({ login: 42, amount: 5 }), status: 400 },
    { name: 'missing login', request: post({ amount: 5 }), status: 400 },
    { name: 'login with bad characters', request: post({ login: 'a b', amount: 5 }), status: 400 },
    { name: 'amount as string', request: withAmount('10.00'), status: 400 },
    { name: 'items not an array', request: post({ login: 'alice', items: item() }), status: 400 },
    { name: 'unknown field', request: withAmount(5, { coupon: 'FREE' }), status: 400 },
    { name: 'unknown field in an item', request: withItem({ discount: 1 }), status: 400 },
    { name: 'negative amount', request: withAmount(-5), status: 400 },
    { name: 'zero amount', request: withAmount(0), status: 400 },
    { name: 'three-decimal amount', request: withAmount(1.005), status: 400 },
    { name: 'huge amount', request: withAmount(1e15), status: 400 },
    { name: 'negative unit price', request: withItem({ unitPrice: -1 }), status: 400 },
    { name: 'zero unit price', request: withItem({ unitPrice: 0 }), status: 400 },
    { name: 'three-decimal unit price', request: withItem({ unitPrice: 0.125 }), status: 400 },
    { name: 'huge unit price', request: withItem({ unitPrice: 1e13 }), status: 400 },
    { name: 'unit price as string', request: withItem({ unitPrice: '3.50' }), status: 400 },
    { name: 'zero quantity', request: withItem({ quantity: 0 }), status: 400 },
    { name: 'negative quantity', request: withItem({ quantity: -1 }), status: 400 },
    { name: 'fractional quantity', request: withItem({ quantity: 1.5 }), status: 400 },
    { name: 'empty item name', request: withItem({ name: '' }), status: 400 },
    { name: 'empty items', request: post({ login: 'alice', items: [] }), status: 400 },
    { name: 'too many items', request: post({ login: 'alice', items: Array.from({ length: 101 }, () => item()) }), status: 400 },
    { name: 'both items and amount', request: post({ login: 'alice', items: [item()], amount: 7 }), status: 400 },
    { name: 'neither items nor amount', request: post({ login: 'alice' }), status: 400 },
    { name: 'total of the items too large', request: post({ login: 'alice', items: [item({ quantity: 1_000_000, unitPrice: 1e12 })] }), status: 400 },
    { name: 'total just past MONEY_MAX_AMOUNT', request: post({ login: 'alice', items: [item({ quantity: 1000, unitPrice: 1_000_000 }), item({ quantity: 1, unitPrice: 0.01 })] }), status: 422 },
    { name: 'amount past MONEY_MAX_AMOUNT', request: post({ login: 'alice', amount: 1_000_000_000.01 }), status: 422 },
    { name: 'a fraction of a yen', request: post({ login: 'alice', amount: 10.5, currency: 'JPY' }), status: 400 },
    { name: 'unknown currency', request: withAmount(5, { currency: 'XYZ' }), status: 400 },
    { name: 'lower-case currency', request: withAmount(5, { currency: 'eur' }), status: 400 },
    { name: 'Idempotency-Key too long', request: { ...withAmount(5), headers: { 'content-type': 'application/json', 'idempotency-key': 'k'.repeat(256) } }, status: 400 },
  ];
}

for (const transport of TRANSPORTS) {
  t.test(`POST /orders and POST /order/createOrder › refuse bad input with a 4xx problem and write nothing [${transport}]`, async (t) => {
    const app = await platformFor(t, transport, { isolate: ['billing', 'order'], env: { ORDER_WAIT_MS: '0' } });
    const written = async () => {
      const [row] = await app.container.cradle.orm.em.fork().execute<Array<{ n: number }>>(
        `select (select count(*) from ordering.orders) + (select count(*) from ordering.order_item)
              + (select count(*) from messaging.outbox) + (select count(*) from messaging.idempotency_key) as n`,
      );
      return Number(row?.n);
    };
    await assertAllRejected(t, app, [...casesFor('/orders'), ...casesFor('/order/createOrder')], written);

    const field = async (payload: unknown) =>
      (await app.request(json('POST', '/orders', payload))).json<{ code: string; errors: Array<{ field: string }> }>();
    t.match(await field({ login: 'alice', items: [item({ unitPrice: 0.125 })] }), { code: 'invalid-amount', errors: [{ field: '/items/0/unitPrice' }] }, 'the over-precise unit price is named');
    t.match(await field({ login: 'alice', items: [item()], amount: 7 }), { code: 'items-or-amount', errors: [{ field: '/amount' }] }, 'both items and amount: named');
    t.match(await field({ login: 'alice' }), { code: 'items-or-amount', errors: [{ field: '/items' }] }, 'neither: named');
    t.match(await field({ login: 'alice', items: [item({ quantity: 1_000_000, unitPrice: 1e12 })] }), { code: 'order-amount-too-large' });
    t.match(await field({ login: 'alice', amount: 1_000_000_000.01 }), { code: 'amount-over-limit', errors: [{ field: '/amount' }] }, 'the configured limit is named');
    t.match(await field({ login: 'alice', amount: 5, currency: 'XYZ' }), { code: 'unknown-currency', errors: [{ field: '/currency' }] });

    // The same check sees a valid order: the assertion above could have failed.
    const before = await written();
    const accepted = await app.request(json('POST', '/orders', { login: 'alice', items: [item({ quantity: 1000, unitPrice: 1_000_000 })] }));
    t.equal(accepted.statusCode, 202, 'a valid order at the total limit is accepted (202 with ORDER_WAIT_MS=0)');
    t.ok(await written() > before, 'and written');
    const { orderId } = accepted.json<{ orderId: number }>();
    t.match((await app.request({ method: 'GET', url: `/orders/${orderId}` })).json(), { amount: 1e9, items: [{ quantity: 1000, unitPrice: 1_000_000 }] }, 'the total is exact at MONEY_MAX_AMOUNT');

    // Billing reacts to the accepted order in the background; let it finish before counting again.
    await chargeRequested(app, 'alice', { orderId });

    const queries: BadRequestCase[] = [
      { name: 'non-numeric id', request: { method: 'GET', url: '/orders/abc' }, status: 400 },
      { name: 'zero id', request: { method: 'GET', url: '/orders/0' }, status: 400 },
      { name: 'orders without login', request: { method: 'GET', url: '/orders' }, status: 400 },
      { name: 'orders with unknown parameter', request: { method: 'GET', url: '/orders?login=alice&sort=evil' }, status: 400 },
      { name: 'orders limit out of range', request: { method: 'GET', url: '/orders?login=alice&limit=0' }, status: 400 },
      { name: 'charges without login', request: { method: 'GET', url: '/billing/charges' }, status: 400 },
      { name: 'charges with empty login', request: { method: 'GET', url: '/billing/charges?login=' }, status: 400 },
      { name: 'processing of a non-numeric payment', request: { method: 'GET', url: '/billing/payments/x' }, status: 400 },
    ];
    await assertAllRejected(t, app, queries, written);

    const openapi = (await app.request({ method: 'GET', url: '/docs/json' })).json<{ paths: Record<string, Record<string, { responses: Record<string, unknown>; parameters?: Array<{ in: string; name: string }> }>> }>();
    for (const path of ['/orders', '/order/createOrder']) {
      t.same(Object.keys(openapi.paths[path]?.['post']?.responses ?? {}).sort(), ['200', '202', '400', '401', '403', '404', '409', '413', '415', '422', '429'], `the OpenAPI document describes POST ${path} and its answers`);
      t.ok(openapi.paths[path]?.['post']?.parameters?.some((parameter) => parameter.in === 'header' && parameter.name === 'idempotency-key'), `and its Idempotency-Key header`);
    }
    for (const path of ['/orders/{id}', '/billing/charges', '/billing/payments/{paymentId}']) t.ok(openapi.paths[path]?.['get'], `the OpenAPI document describes GET ${path}`);
  });
}
