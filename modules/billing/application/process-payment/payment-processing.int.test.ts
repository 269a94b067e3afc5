import { randomBytes } from 'node:crypto';
import pg from 'pg';
import t from 'tap';
import { PaymentSubmitted } from '../../../payment/index.ts';
import type { EventData } from '../../../../src/platform/messaging/contract.ts';
import { createTestDatabase } from '../../../../test/harness/database.ts';
import { eventually } from '../../../../test/harness/eventually.ts';
import type { TestPlatform } from '../../../../test/harness/platform.ts';
import { platformFor, TRANSPORTS } from '../../../../test/harness/suite.ts';
import { BillingPaymentProcessed } from '../../index.ts';
import { PaymentProcessingScheduler } from './payment-processing.scheduler.ts';

interface ProcessingBody {
  paymentId: number; accountId: number; amount: number; currency: string; status: string;
  outcome: string | null; failureReason: string | null; receivedAt: string; dueAt: string; processedAt: string | null;
}
type ProcessedEvent = EventData<typeof BillingPaymentProcessed>;

/** Acts as the payment module: commits `payment.submitted` as it would once funds are reserved. */
async function submit(app: TestPlatform, paymentId: number, accountId = 7): Promise<void> {
  const { orm, outbox } = app.container.cradle;
  await orm.em.fork().transactional(async (em) => {
    outbox.add(em, PaymentSubmitted, { paymentId, accountId, amount: 42.5, currency: 'EUR', transactionType: 'STANDARD', submittedAt: new Date().toISOString() });
  });
}

async function processing(app: TestPlatform, paymentId: number): Promise<ProcessingBody | undefined> {
  const response = await app.request({ method: 'GET', url: `/billing/payments/${paymentId}` });
  return response.statusCode === 200 ? response.json<ProcessingBody>() : undefined;
}

async function processed(app: TestPlatform, paymentId: number): Promise<ProcessingBody> {
  return eventually(async () => {
    const body = await processing(app, paymentId);
    return body?.status === 'PROCESSED' ? body : undefined;
  }, { what: `payment ${paymentId} processed`, timeoutMs: 30_000 });
}

function processedEvents(app: TestPlatform, paymentId?: number): Promise<ProcessedEvent[]> {
  return app.scenario.events(BillingPaymentProcessed, paymentId === undefined ? {} : { paymentId });
}

const ms = (iso: string) => new Date(iso).getTime();

for (const transport of TRANSPORTS) {
  t.test(`billing payment processing [${transport}]`, async (t) => {
    t.test('payment.submitted › processed SUCCEEDED after a delay within the configured bounds (failure rate 0)', async (t) => {
      const app = await platformFor(t, transport, { isolate: ['billing'], env: { PROCESSING_DELAY_MIN_MS: '300', PROCESSING_DELAY_MAX_MS: '700', PROCESSING_FAILURE_RATE: '0' } });
      for (const paymentId of [101, 102, 103]) await submit(app, paymentId, paymentId + 1000);
      for (const paymentId of [101, 102, 103]) {
        const body = await processed(app, paymentId);
        const delay = ms(body.dueAt) - ms(body.receivedAt);
        t.ok(delay >= 300 && delay <= 700, `payment ${paymentId}: due ${delay} ms after it arrived, within [300, 700]`);
        t.ok(ms(body.processedAt!) >= ms(body.dueAt), `payment ${paymentId}: processed no earlier than due`);
        t.match(body, { accountId: paymentId + 1000, amount: 42.5, currency: 'EUR', outcome: 'SUCCEEDED', failureReason: null });
        const events = await processedEvents(app, paymentId);
        t.same(events, [{ paymentId, accountId: paymentId + 1000, outcome: 'SUCCEEDED', failureReason: null, processedAt: body.processedAt }], `payment ${paymentId}: one billing.payment.processed SUCCEEDED`);
      }

      // The payment module submitting the same payment again (a new event) has no second effect.
      const before = await processing(app, 101);
      await submit(app, 101, 1101);
      await eventually(async () => {
        const [row] = await app.container.cradle.orm.em.fork().execute<Array<{ n: number }>>(
          `select count(*)::int as n from messaging.inbox where consumer like '%billing' and topic like '%payment.submitted'`,
        );
        return row!.n === 4 ? true : undefined;
      }, { what: 'the second submission handled' });
      t.same(await processing(app, 101), before, 'a second payment.submitted for the same payment changes nothing');
      t.equal((await processedEvents(app, 101)).length, 1, 'and is not processed twice');
      t.equal((await app.request({ method: 'GET', url: '/billing/payments/999' })).statusCode, 404, 'GET /billing/payments/{id} › unknown payment is 404');
    });

    t.test('payment.submitted › processed FAILED with a reason (failure rate 1)', async (t) => {
      const app = await platformFor(t, transport, { isolate: ['billing'], env: { PROCESSING_FAILURE_RATE: '1' } });
      for (const paymentId of [201, 202]) await submit(app, paymentId);
      for (const paymentId of [201, 202]) {
        const body = await processed(app, paymentId);
        t.match(body, { outcome: 'FAILED', failureReason: 'PROCESSOR_DECLINED' }, `payment ${paymentId}: FAILED`);
        t.match(await processedEvents(app, paymentId), [{ paymentId, outcome: 'FAILED', failureReason: 'PROCESSOR_DECLINED' }], `payment ${paymentId}: billing.payment.processed FAILED with the reason`);
      }
    });

    t.test('a scheduled payment survives a restart: the next platform on the same database processes it', async (t) => {
      const database = await createTestDatabase();
      t.teardown(() => database.drop());
      const namespace = `r${randomBytes(4).toString('hex')}`;
      const env = { PROCESSING_DELAY_MIN_MS: '5000', PROCESSING_DELAY_MAX_MS: '5000' };
      const first = await platformFor(t, transport, { isolate: ['billing'], databaseUrl: database.url, namespace, env });
      await submit(first, 301);
      const scheduled = await eventually(() => processing(first, 301), { what: 'payment 301 scheduled', timeoutMs: 30_000 });
      t.equal(scheduled.status, 'SCHEDULED', 'the payment is scheduled, not processed, before its delay ends');
      await first.stop();
      t.ok(Date.now() < ms(scheduled.dueAt), 'the first platform stopped before the payment was due');

      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      const { rows } = await client.query<{ status: string }>('select status from billing.payment_processing where payment_id = 301');
      await client.end();
      t.same(rows, [{ status: 'SCHEDULED' }], 'the stopped platform left the payment scheduled');

      const second = await platformFor(t, transport, { isolate: ['billing'], databaseUrl: database.url, namespace, env });
      const body = await processed(second, 301);
      t.match(body, { outcome: 'SUCCEEDED' }, 'the restarted platform processed the due payment');
      t.ok(ms(body.processedAt!) >= ms(scheduled.dueAt), 'no earlier than it was due');
      t.equal((await processedEvents(second, 301)).length, 1, 'exactly once');
    });
  });
}

t.test('PaymentProcessingScheduler › decides with the injected random source at the injected time, and two schedulers never process a row twice', async (t) => {
  // Delays of 10 minutes keep the platform's own scheduler away from these rows.
  const app = await platformFor(t, 'local', { isolate: ['billing'], env: { PROCESSING_DELAY_MIN_MS: '600000', PROCESSING_DELAY_MAX_MS: '600000' } });
  const paymentIds = Array.from({ length: 10 }, (_, i) => 401 + i);
  for (const paymentId of paymentIds) await submit(app, paymentId);
  await eventually(async () => {
    const [row] = await app.container.cradle.orm.em.fork().execute<Array<{ n: number }>>(`select count(*)::int as n from billing.payment_processing where status = 'SCHEDULED'`);
    return row!.n === paymentIds.length ? true : undefined;
  }, { what: 'ten scheduled payments' });

  const { orm, units, logger } = app.container.cradle;
  const rules = { delayMinMs: 0, delayMaxMs: 0, failureRate: 0.5 };
  const scheduler = (now: Date, random: () => number) =>
    new PaymentProcessingScheduler({ orm, units, logger, rules, random, clock: { now: () => now }, batchSize: 3 });

  t.equal(await scheduler(new Date(), () => 0).processDue(), 0, 'nothing is processed before it is due');
  const later = new Date(Date.now() + 11 * 60_000);
  const failing = scheduler(later, () => 0);
  const succeeding = scheduler(later, () => 0.999);
  const drain = async (s: PaymentProcessingScheduler) => {
    let total = 0;
    for (let n = await s.processDue(); n > 0; n = await s.processDue()) total += n;
    return total;
  };
  const [failed, succeeded] = await Promise.all([drain(failing), drain(succeeding)]);
  t.equal(failed + succeeded, paymentIds.length, `the two schedulers shared the ten rows (${failed} + ${succeeded})`);

  const events = await processedEvents(app);
  t.equal(events.length, paymentIds.length, 'one billing.payment.processed per payment');
  t.same(events.map((event) => event.paymentId).sort(), paymentIds, 'no payment was processed twice');
  t.equal(events.filter((event) => event.outcome === 'FAILED').length, failed, 'a random draw below the failure rate fails the payment');
  t.equal(events.filter((event) => event.outcome === 'SUCCEEDED').length, succeeded, 'a draw above it succeeds');
  t.ok(events.every((event) => event.processedAt === later.toISOString()), 'processed at the injected clock time');
  for (const paymentId of [401, 410]) {
    const body = (await processing(app, paymentId))!;
    const event = events.find((candidate) => candidate.paymentId === paymentId)!;
    t.match(body, { status: 'PROCESSED', outcome: event.outcome, processedAt: later.toISOString() }, `payment ${paymentId}: the row agrees with its event`);
  }
});
