import type { MikroORM } from '@mikro-orm/postgresql';
import { isoOf } from '../db/raw-time.ts';
import type { EventCatalog } from './event-catalog.ts';
import type { Parking } from './parking.ts';
import { readOutboxStatus, type OutboxStatus } from './outbox-status.ts';
import type { PartitionLag, Transport } from './transports/transport.ts';

/** Rates are events per second over this window. */
const RATE_WINDOW_SECONDS = 60;
/** The history's points are this far apart. */
export const HISTORY_BUCKET_SECONDS = 5;
/** A broker that does not answer within this leaves the lag unknown rather than the page waiting. */
const LAG_TIMEOUT_MS = 2000;

export interface ConsumerFlow {
  consumer: string;
  handledPerSecond: number;
  /** Null when the transport could not say (the broker did not answer). */
  lag: number | null;
  partitions: PartitionLag[];
  /** Keys held for a background retry of their failed message (`consumer_held_keys`). */
  retrying: number;
  /** Unsettled dead letters. */
  deadLetters: number;
  /** As the metrics count them: keys parked behind a dead letter, and the messages waiting behind those keys. */
  parkedKeys: number;
  parkedMessages: number;
}

export interface FlowNow {
  at: string;
  transport: Transport['kind'];
  relay: { publishedPerSecond: number };
  outbox: OutboxStatus;
  consumers: ConsumerFlow[];
}

export interface FlowHistory {
  bucketSeconds: number;
  series: Array<{ name: string; points: Array<{ at: string; perSecond: number }> }>;
}

/**
 * What moves through the platform, read from the database (published outbox rows, inbox rows,
 * dead letters, parked keys) and the transport (lag): the same figures whichever process asks,
 * since every process writes them there.
 */
export class Flow {
  constructor(
    private readonly orm: MikroORM,
    private readonly transport: Transport,
    private readonly catalog: EventCatalog,
    private readonly parking: Parking,
  ) {}

  async now(): Promise<FlowNow> {
    const em = this.orm.em.fork();
    const [outbox, [clock], published, handled, parked, unsettled] = await Promise.all([
      readOutboxStatus(em),
      em.execute<Array<{ now: string | Date }>>('select now()'),
      em.execute<Array<{ n: number }>>(
        `select count(*)::int as n from messaging.outbox where published_at > now() - make_interval(secs => ?)`, [RATE_WINDOW_SECONDS],
      ),
      em.execute<Array<{ consumer: string; n: number }>>(
        `select consumer, count(*)::int as n from messaging.inbox where handled_at > now() - make_interval(secs => ?) group by consumer`,
        [RATE_WINDOW_SECONDS],
      ),
      this.parking.status(em),
      em.execute<Array<{ consumer: string; n: number }>>(
        'select consumer, count(*)::int as n from messaging.dead_letter where redriven_at is null and skipped_at is null group by consumer',
      ),
    ]);
    const groups = new Map(this.catalog.groups.map(({ group, topics }) => [group, topics]));
    for (const row of [...handled, ...parked, ...unsettled]) if (!groups.has(row.consumer)) groups.set(row.consumer, []);
    const consumers = await Promise.all([...groups].sort(([a], [b]) => a.localeCompare(b)).map(async ([consumer, topics]): Promise<ConsumerFlow> => {
      const lag = await this.lagOf(consumer, topics);
      const parking = parked.find((row) => row.consumer === consumer);
      return {
        consumer,
        handledPerSecond: (handled.find((row) => row.consumer === consumer)?.n ?? 0) / RATE_WINDOW_SECONDS,
        lag: lag?.total ?? null,
        partitions: lag?.partitions ?? [],
        retrying: parking?.heldKeys ?? 0,
        deadLetters: unsettled.find((row) => row.consumer === consumer)?.n ?? 0,
        parkedKeys: parking?.keys ?? 0,
        parkedMessages: parking?.messages ?? 0,
      };
    }));
    return {
      at: isoOf(clock!.now),
      transport: this.transport.kind,
      relay: { publishedPerSecond: (published[0]?.n ?? 0) / RATE_WINDOW_SECONDS },
      outbox,
      consumers,
    };
  }

  /** Events per second in buckets over the last `minutes`: the relay's publishing and each group's handling. */
  async history(minutes: number): Promise<FlowHistory> {
    const em = this.orm.em.fork();
    const bucket = `date_bin(make_interval(secs => ${HISTORY_BUCKET_SECONDS}), %s, timestamptz '2000-01-01')`;
    const [[latest], published, handled] = await Promise.all([
      em.execute<Array<{ at: string | Date }>>(`select ${bucket.replace('%s', 'now()')} as at`),
      em.execute<Array<{ at: string | Date; n: number }>>(
        `select ${bucket.replace('%s', 'published_at')} as at, count(*)::int as n from messaging.outbox
          where published_at > now() - make_interval(mins => ?) group by 1`, [minutes],
      ),
      em.execute<Array<{ consumer: string; at: string | Date; n: number }>>(
        `select consumer, ${bucket.replace('%s', 'handled_at')} as at, count(*)::int as n from messaging.inbox
          where handled_at > now() - make_interval(mins => ?) group by 1, 2`, [minutes],
      ),
    ]);
    const end = Date.parse(isoOf(latest!.at));
    const starts = Array.from({ length: (minutes * 60) / HISTORY_BUCKET_SECONDS }, (_, i) => end - (minutes * 60 - (i + 1) * HISTORY_BUCKET_SECONDS) * 1000);
    const seriesOf = (rows: Array<{ at: string | Date; n: number }>) => {
      const counts = new Map(rows.map((row) => [Date.parse(isoOf(row.at)), row.n]));
      return starts.map((start) => ({ at: new Date(start).toISOString(), perSecond: (counts.get(start) ?? 0) / HISTORY_BUCKET_SECONDS }));
    };
    const consumers = [...new Set([...this.catalog.groups.map(({ group }) => group), ...handled.map((row) => row.consumer)])].sort();
    return {
      bucketSeconds: HISTORY_BUCKET_SECONDS,
      series: [
        { name: 'relay', points: seriesOf(published) },
        ...consumers.map((consumer) => ({ name: consumer, points: seriesOf(handled.filter((row) => row.consumer === consumer)) })),
      ],
    };
  }

  private async lagOf(group: string, topics: string[]) {
    // A group known only from its rows (a module removed since) has no topics to ask the broker about.
    if (topics.length === 0 && this.transport.kind === 'kafka') return undefined;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => { timer = setTimeout(() => resolve(undefined), LAG_TIMEOUT_MS); });
    try {
      return await Promise.race([this.transport.lag(group, topics).catch(() => undefined), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
