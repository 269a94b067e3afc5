import { Type } from 'typebox';
import { ModuleConsumer, type ConsumerSettings } from '../../src/platform/messaging/module-consumer.ts';
import { defineEvent } from '../../src/platform/messaging/contract.ts';
import { bindHandlers, handles } from '../../src/platform/messaging/event-handler.ts';
import type { RunningPlatform } from '../../src/platform/runtime.ts';

/** A test-only event: `seq` numbers the events of one `key`. */
export const Sequenced = defineEvent({
  type: 'test.sequenced',
  version: 1,
  source: 'test',
  description: 'Test event',
  keyOf: (data) => data.key,
  schema: Type.Object({
    key: Type.String(),
    seq: Type.Integer({ minimum: 0 }),
    /** The handler throws on every attempt, with `error` as its message when given. */
    fail: Type.Optional(Type.Boolean()),
    error: Type.Optional(Type.String()),
    /** The handler throws on this many attempts, then succeeds: a transient failure. */
    failTimes: Type.Optional(Type.Integer({ minimum: 1 })),
  }),
});

export interface Effect {
  n: number;
  event_id: string;
  key: string;
  seq: number;
}

/**
 * A consumer group whose handler inserts one row per handled event into `public.test_effect`, with
 * no uniqueness of its own: any event applied twice shows up as two rows. `fail: true` events
 * throw, and so does every event of a key in `failingKeys` until the test removes it (a bug fixed).
 */
export async function startRecordingConsumer(
  platform: RunningPlatform,
  group = 'test.recorder',
  failingKeys: ReadonlySet<string> = new Set(),
  settings: Partial<ConsumerSettings> = {},
): Promise<ModuleConsumer> {
  const { orm, units, topics, transport, deadLetters, parking, metrics, logger, config } = platform.container.cradle;
  await orm.em.fork().execute(
    'create table if not exists public.test_effect (n bigserial primary key, consumer text not null, event_id uuid not null, key text not null, seq int not null)',
  );
  // Brokers create no topic on first use (auto.create.topics.enable=false): the test's is created as a module's would be.
  await transport.ensureTopics([topics.of(Sequenced)]);
  const attemptsFailed = new Map<string, number>();
  const consumer = new ModuleConsumer({
    group, orm, units, topics, transport, deadLetters, parking, metrics, logger, settings: { ...config.consumer, ...settings },
    handlers: bindHandlers([
      handles(Sequenced, () => async (event, { em }) => {
        if (event.data.fail === true) throw new Error(event.data.error ?? `refusing ${event.data.key}/${event.data.seq}`);
        if (failingKeys.has(event.data.key)) throw new Error('the handler has a bug for this key');
        const failed = attemptsFailed.get(event.id) ?? 0;
        if (failed < (event.data.failTimes ?? 0)) {
          attemptsFailed.set(event.id, failed + 1);
          throw new Error(`transient failure ${failed + 1} of ${event.data.key}/${event.data.seq}`);
        }
        await em.execute('insert into public.test_effect (consumer, event_id, key, seq) values (?, ?, ?, ?)', [group, event.id, event.data.key, event.data.seq]);
      }),
    ], platform.container.cradle),
  });
  await platform.addConsumer(consumer);
  return consumer;
}

/** The rows the recording consumers wrote, in order; only `consumer`'s when given. */
export async function effects(platform: RunningPlatform, consumer?: string): Promise<Effect[]> {
  return platform.container.cradle.orm.em.fork().execute<Effect[]>(
    'select n, event_id, key, seq from public.test_effect where ?::text is null or consumer = ? order by n', [consumer ?? null, consumer ?? null],
  );
}

/** Commits `perKey` events for each of `keys` keys, `batch` events per transaction, interleaving keys. */
export async function writeSequencedEvents(platform: RunningPlatform, keys: number, perKey: number, batch = 50): Promise<number> {
  const { orm, outbox } = platform.container.cradle;
  const all: Array<{ key: string; seq: number }> = [];
  for (let seq = 0; seq < perKey; seq++) for (let k = 0; k < keys; k++) all.push({ key: `key-${k}`, seq });
  for (let i = 0; i < all.length; i += batch) {
    await orm.em.fork().transactional(async (em) => {
      for (const data of all.slice(i, i + batch)) outbox.add(em, Sequenced, data);
    });
  }
  return all.length;
}

/** Per key, the sequence numbers in the order they were handled. */
export function handledOrderByKey(rows: Effect[]): Map<string, number[]> {
  const byKey = new Map<string, number[]>();
  for (const row of rows) byKey.set(row.key, [...(byKey.get(row.key) ?? []), row.seq]);
  return byKey;
}
