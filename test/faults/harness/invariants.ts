import type pg from 'pg';
import type { Test } from 'tap';
import { eventually } from '../../harness/eventually.ts';
import type { Delivery, FaultRun } from './fault-run.ts';

export interface DeliveryStatus {
  /** Events committed to the outbox. */
  events: number;
  unpublished: number;
  /** (event, consumer group) pairs a module declared it consumes but whose inbox has no row. */
  undelivered: number;
  deadLetters: number;
}

export async function deliveryStatus(pool: pg.Pool, deliveries: Delivery[]): Promise<DeliveryStatus> {
  const { rows } = await pool.query<{ events: number; unpublished: number; undelivered: number; dead_letters: number }>(
    `select (select count(*)::int from messaging.outbox) as events,
            (select count(*)::int from messaging.outbox where published_at is null) as unpublished,
            (select count(*)::int
               from messaging.outbox o
               join (select distinct * from unnest($1::text[], $2::text[])) as d(topic, consumer) on d.topic = o.topic
              where not exists (select 1 from messaging.inbox i where i.consumer = d.consumer and i.event_id = o.event_id)) as undelivered,
            (select count(*)::int from messaging.dead_letter) as dead_letters`,
    [deliveries.map((delivery) => delivery.topic), deliveries.map((delivery) => delivery.consumer)],
  );
  const row = rows[0]!;
  return { events: row.events, unpublished: row.unpublished, undelivered: row.undelivered, deadLetters: row.dead_letters };
}

/** Resolves once at least `count` events were committed to the outbox (a point "mid-run"). */
export async function waitForEvents(run: FaultRun, count: number, timeoutMs = 600_000): Promise<number> {
  return eventually(async () => {
    run.assertNoCrash();
    const { events } = await deliveryStatus(run.pool, run.deliveries);
    return events >= count ? events : undefined;
  }, { timeoutMs, intervalMs: 250, what: `${count} events committed` });
}

/**
 * Waits until every committed event is published and handled by every group that consumes it,
 * and no payment or order is still in flight. Resolves with how long that took. Generous: a
 * 20-kill run leaves a backlog of tens of thousands of messages on a 2-core machine.
 */
export async function waitUntilCaughtUp(run: FaultRun, timeoutMs = 600_000): Promise<number> {
  const started = performance.now();
  const outcome = await eventually(async () => {
    if (run.crashReport() !== undefined) return 'crashed';
    // In-flight work first: a payment completing between the two reads then shows as an unpublished
    // event in the second. Read the other way round, it slipped through as "caught up" (its
    // payment.completed committed after the delivery check, with its capture still to come).
    const inFlight = await businessInFlight(run.pool);
    const status = await deliveryStatus(run.pool, run.deliveries);
    if (status.unpublished === 0 && status.undelivered === 0 && inFlight === 0) return status;
    // Shown if the wait times out: what is still missing, and why dead letters died.
    throw new Error(JSON.stringify({ ...status, inFlight, deadLetterErrors: await deadLetterErrors(run.pool) }));
  }, { timeoutMs, intervalMs: 200, what: 'every event published and handled, no payment or order in flight' });
  if (outcome === 'crashed') run.assertNoCrash();
  return Math.round(performance.now() - started);
}

async function deadLetterErrors(pool: pg.Pool): Promise<string[]> {
  const { rows } = await pool.query<{ line: string }>(
    `select consumer || ' ' || topic || ': ' || left(error, 300) as line from messaging.dead_letter order by id limit 5`);
  return rows.map((row) => row.line);
}

async function businessInFlight(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(
    `select (select count(*) from payment.payment where status in ('CREATED', 'PROCESSING'))
          + (select count(*) from ordering.orders where status = 'PENDING') as n`,
  );
  return Number(rows[0]!.n);
}

export interface MoneyFigures {
  /** All amounts in minor units. */
  balances: number;
  reserved: number;
  deposits: number;
  withdrawals: number;
  completedPayments: number;
  paidOrders: number;
  reversedPayments: number;
  accounts: number;
  negativeBalances: number;
  reservedAboveBalance: number;
  /** Accounts whose balance differs from the sum of their ledger entries. */
  ledgerMismatches: number;
  /** Accounts whose reserved amount differs from the sum of their held reservations. */
  holdMismatches: number;
  captures: number;
  recredits: number;
  orderCharges: number;
  completedOrReversedCount: number;
  reversedCount: number;
  paidOrderCount: number;
}

export async function moneyFigures(pool: pg.Pool): Promise<MoneyFigures> {
  const { rows } = await pool.query<Record<keyof MoneyFigures, string>>(`
    with ledger as (select account_id, sum(amount) as total from account.ledger_entry group by account_id),
         held as (select account_id, sum(amount) as total from account.hold where status = 'HELD' group by account_id)
    select
      (select coalesce(sum(balance), 0) from account.account) as balances,
      (select coalesce(sum(reserved), 0) from account.account) as reserved,
      (select count(*) from account.account) as accounts,
      (select count(*) from account.account where balance < 0) as "negativeBalances",
      (select count(*) from account.account where reserved > balance) as "reservedAboveBalance",
      (select count(*) from account.account a left join ledger l on l.account_id = a.id where a.balance <> coalesce(l.total, 0)) as "ledgerMismatches",
      (select count(*) from account.account a left join held h on h.account_id = a.id where a.reserved <> coalesce(h.total, 0)) as "holdMismatches",
      (select coalesce(sum(abs(amount)), 0) from account.ledger_entry where kind = 'DEPOSIT') as deposits,
      (select coalesce(sum(abs(amount)), 0) from account.ledger_entry where kind = 'WITHDRAWAL') as withdrawals,
      (select count(*) from account.ledger_entry where kind = 'PAYMENT_CAPTURE') as captures,
      (select count(*) from account.ledger_entry where kind = 'PAYMENT_RECREDIT') as recredits,
      (select count(*) from account.ledger_entry where kind = 'ORDER_CHARGE') as "orderCharges",
      (select coalesce(sum(amount), 0) from payment.payment where status in ('COMPLETED', 'REVERSED')) as "completedPayments",
      (select count(*) from payment.payment where status in ('COMPLETED', 'REVERSED')) as "completedOrReversedCount",
      (select coalesce(sum(amount), 0) from payment.payment where status = 'REVERSED') as "reversedPayments",
      (select count(*) from payment.payment where status = 'REVERSED') as "reversedCount",
      (select coalesce(sum(amount), 0) from ordering.orders where status = 'PAID') as "paidOrders",
      (select count(*) from ordering.orders where status = 'PAID') as "paidOrderCount"`);
  const row = rows[0]!;
  return Object.fromEntries(Object.entries(row).map(([key, value]) => [key, Number(value)])) as unknown as MoneyFigures;
}

/**
 * The invariants every scenario ends with, once caught up: every committed event delivered to
 * every consumer group, no effect applied twice, money conserved, reserved never above balance,
 * no balance below zero. Returns the figures for the report.
 */
export async function assertInvariants(t: Test, run: FaultRun, expectedDeadLetters = 0): Promise<{ delivery: DeliveryStatus; money: MoneyFigures }> {
  t.notOk(run.crashReport(), 'no platform process died by itself');
  const delivery = await deliveryStatus(run.pool, run.deliveries);
  const money = await moneyFigures(run.pool);
  t.equal(delivery.unpublished, 0, 'every committed event was published');
  t.equal(delivery.undelivered, 0, 'every published event reached every consumer group that consumes it');
  t.equal(delivery.deadLetters, expectedDeadLetters, 'dead letters: only the injected ones');
  t.equal(money.captures, money.completedOrReversedCount, 'one capture per completed payment: none missing, none twice');
  t.equal(money.recredits, money.reversedCount, 'one re-credit per reversed payment');
  t.equal(money.orderCharges, money.paidOrderCount, 'one charge per paid order');
  t.equal(money.ledgerMismatches, 0, 'every balance equals the sum of its ledger entries');
  t.equal(money.holdMismatches, 0, 'every reserved amount equals its open holds');
  t.equal(
    money.balances,
    money.deposits - money.withdrawals - money.completedPayments - money.paidOrders + money.reversedPayments,
    'money conserved: balances = deposits − withdrawals − completed payments − paid orders + reversed payments',
  );
  t.equal(money.negativeBalances, 0, 'no balance below zero');
  t.equal(money.reservedAboveBalance, 0, 'reserved never above balance');
  t.equal(money.reserved, 0, 'nothing left reserved once every payment settled');
  return { delivery, money };
}

export interface Recovery {
  /** Milliseconds after `at` until the last event committed before `at` was published. */
  publishedMs: number;
  /** … and until its last consumer group had handled it. */
  handledMs: number;
}

/**
 * How long the system took, after a fault ended at `at`, to publish and handle everything that
 * was committed before it: read from the outbox's and inboxes' timestamps once the run is over.
 */
export async function recoveryAfter(pool: pg.Pool, deliveries: Delivery[], at: Date): Promise<Recovery> {
  const { rows } = await pool.query<{ published_ms: number | null; handled_ms: number | null }>(
    `with before as (select event_id, topic, published_at from messaging.outbox where created_at < $1)
     select extract(epoch from (select max(published_at) from before) - $1) * 1000 as published_ms,
            extract(epoch from (select max(i.handled_at)
                                  from before b
                                  join (select distinct * from unnest($2::text[], $3::text[])) as d(topic, consumer) on d.topic = b.topic
                                  join messaging.inbox i on i.consumer = d.consumer and i.event_id = b.event_id) - $1) * 1000 as handled_ms`,
    [at, deliveries.map((delivery) => delivery.topic), deliveries.map((delivery) => delivery.consumer)],
  );
  const clip = (value: number | null): number => Math.max(0, Math.round(Number(value ?? 0)));
  return { publishedMs: clip(rows[0]!.published_ms), handledMs: clip(rows[0]!.handled_ms) };
}

/** Median and maximum, for the figures. */
export function spread(values: number[]): { median: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)] ?? 0, max: sorted.at(-1) ?? 0 };
}
