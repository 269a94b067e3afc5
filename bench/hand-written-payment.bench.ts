import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { assessFraud, VELOCITY_WINDOW_MS, type FraudRulesConfig } from '../modules/payment/domain/fraud-rules.ts';
import { benchConfig } from './support/bench-config.ts';
import { runClosedLoop } from './support/closed-loop.ts';

export interface HandWrittenBaseline {
  paymentsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  concurrency: number;
  poolSize: number;
  durationSec: number;
  payments: number;
  rejectedByFraud: number;
  roundTrips: number;
}

export interface PayingAccount {
  accountId: number;
  login: string;
}

/**
 * The platform's defaults (modules/payment/payment.settings.ts) but the velocity limit: right after
 * the API's run, its thousands of payments from the same accounts would make the rule refuse most
 * of these, and a refused payment writes other rows than the accepted ones the API run measured.
 * The count it reads is the same either way.
 */
const FRAUD_RULES: FraudRulesConfig = { amountThreshold: 10_000, maxPaymentsPerMinute: 1_000_000, rejectScore: 0.7 };
const ROUND_TRIPS = 5;

interface AccountRow {
  user_id: string;
  login: string | null;
  currency: string | null;
  status: string;
}

/**
 * The work of one `POST /payments` with `pg` alone, against the platform's own tables after its
 * set-up, in the fewest round trips the rules allow: (1) begin; (2) lock the payer's account cache
 * row; (3) after the lock, count its payments of the last minute (and the same amount's) and draw
 * the payment id — a separate statement, because one statement would read with the snapshot taken
 * before it waited for the lock; the checks in between (known, ACTIVE, its currency, the caller's
 * own, the fraud rules); (4) the payment row and its two outbox rows (payment.status and
 * payment.requested, the same headers and payloads) in one statement; (5) commit. What it leaves
 * out is what the platform adds: HTTP, the token, validation, the ORM, the unit of work.
 */
export async function measureHandWrittenPayments(
  databaseUrl: string,
  accounts: readonly PayingAccount[],
  concurrency: number,
  durationSec: number,
): Promise<HandWrittenBaseline> {
  const poolSize = benchConfig().database.poolSize;
  const pool = new pg.Pool({ connectionString: databaseUrl, max: poolSize });
  let rejectedByFraud = 0;
  try {
    const run = await runClosedLoop(`hand-written payment transactions at concurrency ${concurrency}, pool ${poolSize}`, 'payments', concurrency, durationSec, async (n) => {
      const payer = accounts[n % accounts.length]!;
      // Each round a new amount, as the API run pays, so the repeated-amount rule stays quiet.
      const amount = 101 + (Math.floor(n / accounts.length) % 500);
      if (await pay(pool, payer, amount)) rejectedByFraud++;
    });
    return { paymentsPerSec: run.perSec, p50Ms: run.p50Ms, p99Ms: run.p99Ms, concurrency, poolSize, durationSec: run.durationSec, payments: run.count, rejectedByFraud, roundTrips: ROUND_TRIPS };
  } finally {
    await pool.end();
  }
}

/** One payment; true when the fraud rules refused it (recorded as REJECTED, like the API does). */
async function pay(pool: pg.Pool, payer: PayingAccount, amount: number): Promise<boolean> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    const { rows: [account] } = await client.query<AccountRow>({
      name: 'hw-lock-account',
      text: 'select user_id, login, currency, status from payment.account_cache where account_id = $1 for update',
      values: [payer.accountId],
    });
    if (account === undefined || account.login !== payer.login || account.status !== 'ACTIVE' || account.currency !== 'EUR') {
      throw new Error(`hand-written baseline: account ${payer.accountId} cannot pay (${JSON.stringify(account)})`);
    }
    const now = new Date();
    const { rows: [recent] } = await client.query<{ count: number; same_amount: number; payment_id: string }>({
      name: 'hw-check-payment',
      text: `select count(*)::int as count, count(*) filter (where amount = $2)::int as same_amount,
                    nextval(pg_get_serial_sequence('payment.payment', 'id')) as payment_id
               from payment.payment where account_id = $1 and created_at > $3`,
      values: [payer.accountId, amount, new Date(now.getTime() - VELOCITY_WINDOW_MS)],
    });
    const { rejected } = assessFraud({ amount, currency: 'EUR', recent: { count: recent!.count, sameAmount: recent!.same_amount } }, FRAUD_RULES);
    const paymentId = Number(recent!.payment_id);
    const status = rejected ? 'REJECTED' : 'CREATED';
    const at = now.toISOString();
    const requested = { paymentId, accountId: payer.accountId, amount: amount / 100, currency: 'EUR', transactionType: 'STANDARD', requestedAt: at };
    const changed = { paymentId, accountId: payer.accountId, status, previousStatus: null, reason: rejected ? 'FRAUD_SUSPECTED' : null, changedAt: at };
    const statusEvent = outboxRow('payment.status', String(paymentId), changed, at);
    const requestedEvent = outboxRow('payment.requested', String(payer.accountId), requested, at, statusEvent.eventId);
    await client.query({
      name: 'hw-insert-payment',
      text: `with payment as (
               insert into payment.payment (id, account_id, user_id, user_name, amount, currency, transaction_type, description, status, reason, created_at, updated_at)
               values ($1, $2, $3, $4, $5, 'EUR', 'STANDARD', $6, $7, $8, $9, $9))
             insert into messaging.outbox (event_id, topic, message_key, event_type, event_version, source, headers, correlation_id, payload, created_at)
             values ($10, 'payment.status', $11, 'payment.status', 1, 'payment', $12, $13, $14, $9),
                    ($15, 'payment.requested', $16, 'payment.requested', 1, 'payment', $17, $13, $18, $9)`,
      values: [
        paymentId, payer.accountId, account.user_id, account.login, amount, `bench payment ${paymentId}`, status, rejected ? 'FRAUD_SUSPECTED' : null, now,
        statusEvent.eventId, statusEvent.key, statusEvent.headers, statusEvent.eventId, changed,
        requestedEvent.eventId, requestedEvent.key, requestedEvent.headers, requested,
      ],
    });
    await client.query('commit');
    return rejected;
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** The CloudEvents headers the platform writes beside each payload (src/platform/messaging/envelope.ts). */
function outboxRow(type: string, key: string, data: unknown, time: string, correlationId?: string) {
  const eventId = randomUUID();
  const headers = {
    ce_specversion: '1.0',
    ce_id: eventId,
    ce_type: type,
    ce_source: 'payment',
    ce_time: time,
    ce_subject: key,
    traceparent: `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`,
    ce_dataversion: '1',
    'content-type': 'application/json',
    ce_correlationid: correlationId ?? eventId,
  };
  return { eventId, key, headers, data };
}
