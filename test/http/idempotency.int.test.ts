import type { LightMyRequestResponse } from 'fastify';
import pg from 'pg';
import t, { type Test } from 'tap';
import { OutboxRelay } from '../../relay/outbox-relay.ts';
import { createTestDatabase } from '../harness/database.ts';
import { eventually } from '../harness/eventually.ts';
import { startPgFaultProxy, type PgFaultProxy } from '../harness/pg-fault-proxy.ts';
import type { TestPlatform } from '../harness/platform.ts';
import { platformFor, TRANSPORTS } from '../harness/suite.ts';
import { openAccount } from '../../modules/account/testing/account.kit.ts';

/**
 * Idempotency-Key at the API edge, with the database connection broken at the moments that used
 * to pay twice: the key, the effect and the stored response now commit together or not at all.
 */

interface Harness {
  app: TestPlatform;
  proxy: PgFaultProxy;
  /** Straight to PostgreSQL, past the proxy: for locks and counts of the test's own. */
  direct: pg.Pool;
}

async function harness(t: Test, transport: (typeof TRANSPORTS)[number]): Promise<Harness> {
  const database = await createTestDatabase();
  t.teardown(() => database.drop());
  const proxy = await startPgFaultProxy(database.url);
  t.teardown(() => proxy.close());
  const direct = new pg.Pool({ connectionString: database.url, max: 3 });
  // Dropping the database at teardown ends its idle connections; that is not a failure of the test.
  direct.on('error', () => {});
  t.teardown(() => direct.end());
  // Registered last, so torn down first: the platform stops before its database goes.
  const app = await platformFor(t, transport, { databaseUrl: proxy.url });
  return { app, proxy, direct };
}

function pay(app: TestPlatform, body: Record<string, unknown>, key?: string): Promise<LightMyRequestResponse> {
  return app.request({ method: 'POST', url: '/payments', payload: body, headers: key === undefined ? {} : { 'idempotency-key': key } });
}

function operate(app: TestPlatform, body: Record<string, unknown>, key?: string): Promise<LightMyRequestResponse> {
  return app.request({ method: 'PUT', url: '/account/operation', payload: body, headers: key === undefined ? {} : { 'idempotency-key': key } });
}

/** What a client does after a timeout or a 5xx: send the same request with the same key until a final answer. */
async function retryUntilFinal(send: () => Promise<LightMyRequestResponse>): Promise<LightMyRequestResponse> {
  return eventually(async () => {
    const response = await send();
    return response.statusCode < 500 && response.statusCode !== 409 ? response : undefined;
  }, { what: 'a final answer', intervalMs: 50 });
}

async function paymentsOf(direct: pg.Pool, login: string): Promise<number[]> {
  const { rows } = await direct.query<{ id: number }>('select id from payment.payment where user_name = $1 order by id', [login]);
  return rows.map((row) => Number(row.id));
}

async function ledgerEntries(direct: pg.Pool, login: string, kind: string): Promise<number> {
  const { rows } = await direct.query<{ n: number }>(
    `select count(*)::int as n from account.ledger_entry e join account.account a on a.id = e.account_id where a.login = $1 and e.kind = $2`,
    [login, kind],
  );
  return rows[0]!.n;
}

for (const transport of TRANSPORTS) {
  t.test(`Idempotency-Key [${transport}]`, async (t) => {
    const { app, proxy, direct } = await harness(t, transport);

    t.test('the connection dies after the payment is written, before its response is stored › nothing committed; the retry pays once', async (t) => {
      await openAccount(app, 'cara', { deposit: 100 });
      const body = { userName: 'cara', amount: 12.5, currency: 'EUR' };
      const cut = proxy.cutBefore(['update messaging.idempotency_key set status_code', 'cara-pay-1']);
      const first = await pay(app, body, 'cara-pay-1');
      await cut;
      t.equal(first.statusCode, 503, 'the client learns nothing but that it failed');
      t.same(await paymentsOf(direct, 'cara'), [], 'the payment went with the response: nothing committed');
      const retry = await retryUntilFinal(() => pay(app, body, 'cara-pay-1'));
      t.equal(retry.statusCode, 201, 'the retry runs the request');
      t.notOk(retry.headers['idempotent-replayed'], 'as a first execution, not a replay');
      t.same(await paymentsOf(direct, 'cara'), [retry.json<{ id: number }>().id], 'exactly one payment');
    });

    t.test('the commit succeeds and its acknowledgement is lost › the retry replays the stored response', async (t) => {
      await openAccount(app, 'dan', { deposit: 100 });
      const body = { userName: 'dan', amount: 7, currency: 'EUR' };
      const lost = proxy.loseCommitAck('dan-pay-1');
      const first = await pay(app, body, 'dan-pay-1');
      await lost;
      t.equal(first.statusCode, 503, 'the client saw a failure');
      const [committed] = await paymentsOf(direct, 'dan');
      t.ok(committed, 'yet the payment committed');
      const retry = await retryUntilFinal(() => pay(app, body, 'dan-pay-1'));
      t.equal(retry.statusCode, 201);
      t.equal(retry.headers['idempotent-replayed'], 'true', 'the stored response is replayed');
      t.equal(retry.json<{ id: number }>().id, committed, 'naming the payment that committed');
      t.same(await paymentsOf(direct, 'dan'), [committed], 'and no second payment');
    });

    t.test('PUT /account/operation whose acknowledgement is lost › the retry books nothing more', async (t) => {
      await openAccount(app, 'eve');
      const body = { login: 'eve', operation: 'DEPOSIT', sum: 40 };
      const lost = proxy.loseCommitAck('eve-deposit-1');
      t.equal((await operate(app, body, 'eve-deposit-1')).statusCode, 503);
      await lost;
      const retry = await retryUntilFinal(() => operate(app, body, 'eve-deposit-1'));
      t.match(retry.json(), { balance: 40 }, 'the retry answers the balance after the one deposit');
      t.equal(await ledgerEntries(direct, 'eve', 'DEPOSIT'), 1, 'one deposit booked');
    });

    t.test('PUT /account/operation sent twice with one key books once; without a key each PUT is an operation', async (t) => {
      await openAccount(app, 'fay');
      const body = { login: 'fay', operation: 'DEPOSIT', sum: 25 };
      const first = await operate(app, body, 'fay-deposit-1');
      const again = await operate(app, body, 'fay-deposit-1');
      t.same(again.json(), first.json(), 'the resend answers as the first');
      t.equal(again.headers['idempotent-replayed'], 'true');
      t.equal(await ledgerEntries(direct, 'fay', 'DEPOSIT'), 1, 'booked once');
      const other = await operate(app, { ...body, sum: 26 }, 'fay-deposit-1');
      t.equal(other.statusCode, 422, 'the key with another body is refused');
      t.match(other.json(), { code: 'idempotency-key-reused' });
      await operate(app, body);
      await operate(app, body);
      t.equal(await ledgerEntries(direct, 'fay', 'DEPOSIT'), 3, 'two PUTs without a key are two deposits');
    });

    t.test('a request with the key of one still running › 409 at once, however long the first takes; then the first answer', async (t) => {
      const gus = await openAccount(app, 'gus', { deposit: 100 });
      const body = { userName: 'gus', amount: 3, currency: 'EUR' };
      t.equal((await pay(app, body)).statusCode, 201, 'a first payment puts the payer in the payment cache');
      // Holding the payer's cache row keeps the next request inside its transaction.
      const blocker = await direct.connect();
      let first: Promise<LightMyRequestResponse> | undefined;
      let otherKey: Promise<LightMyRequestResponse> | undefined;
      try {
        await blocker.query('begin');
        const { rowCount } = await blocker.query('select 1 from payment.account_cache where account_id = $1 for update', [gus.accountId]);
        t.equal(rowCount, 1, 'the cache row is held');
        first = pay(app, body, 'gus-pay-1');
        await eventually(async () => {
          const { rows } = await direct.query(`select 1 from pg_stat_activity where wait_event_type = 'Lock' and query like '%account_cache%'`);
          return rows.length > 0;
        }, { what: 'the keyed request waiting on the lock' });
        const concurrent = await pay(app, body, 'gus-pay-1');
        t.equal(concurrent.statusCode, 409, 'the concurrent request is refused while the first runs');
        t.match(concurrent.json(), { code: 'idempotency-key-in-progress' });
        otherKey = pay(app, body, 'gus-pay-2');
      } finally {
        await blocker.query('commit');
        blocker.release();
      }
      const answered = (await first)!;
      t.equal(answered.statusCode, 201, 'the first completes');
      t.equal((await otherKey)?.statusCode, 201, 'another key was never held up by the key');
      const later = await pay(app, body, 'gus-pay-1');
      t.equal(later.json<{ id: number }>().id, answered.json<{ id: number }>().id, 'a later retry gets the first answer');
      t.equal((await paymentsOf(direct, 'gus')).length, 3, 'one payment per key (and the unkeyed one)');
    });

    t.test('keys are scoped per caller and per route', async (t) => {
      await openAccount(app, 'hal', { deposit: 100 });
      await openAccount(app, 'ida', { deposit: 100 });
      const hal = await pay(app, { userName: 'hal', amount: 2, currency: 'EUR' }, 'shared-key');
      const ida = await pay(app, { userName: 'ida', amount: 2, currency: 'EUR' }, 'shared-key');
      t.equal(hal.statusCode, 201);
      t.equal(ida.statusCode, 201, "another caller's key of the same name is another key");
      t.not(ida.json<{ id: number }>().id, hal.json<{ id: number }>().id, 'and another payment');
      const deposit = await operate(app, { login: 'hal', operation: 'DEPOSIT', sum: 1 }, 'shared-key');
      t.equal(deposit.statusCode, 200, 'the same caller and key on another route is another key');
    });

    t.test('an expired key is a new key; the relay prunes expired keys', async (t) => {
      await openAccount(app, 'jon', { deposit: 100 });
      const body = { userName: 'jon', amount: 4, currency: 'EUR' };
      const first = await pay(app, body, 'jon-pay-1');
      await direct.query(`update messaging.idempotency_key set expires_at = now() - interval '1 second' where key = 'jon-pay-1'`);
      const afterExpiry = await pay(app, { ...body, amount: 5 }, 'jon-pay-1');
      t.equal(afterExpiry.statusCode, 201, 'past IDEMPOTENCY_KEY_TTL_HOURS the key runs a new request, whatever its body');
      t.not(afterExpiry.json<{ id: number }>().id, first.json<{ id: number }>().id);

      await pay(app, body, 'jon-pay-2');
      await direct.query(`update messaging.idempotency_key set expires_at = now() - interval '1 second' where key = 'jon-pay-2'`);
      const { config, metrics, logger } = app.container.cradle;
      const relay = new OutboxRelay(app.databaseUrl, app.container.cradle.transport, config.relay, metrics, logger);
      relay.start();
      t.teardown(() => relay.stop());
      await eventually(async () => {
        const { rows } = await direct.query(`select 1 from messaging.idempotency_key where key = 'jon-pay-2'`);
        return rows.length === 0;
      }, { what: 'the expired key pruned' });
      const { rows } = await direct.query(`select 1 from messaging.idempotency_key where key = 'jon-pay-1'`);
      t.equal(rows.length, 1, 'a live key stays');
    });
  });
}
