import t from 'tap';
import { OutboxRelay } from '../../relay/outbox-relay.ts';
import type { WireMessage } from '../../src/platform/messaging/envelope.ts';
import type { Transport } from '../../src/platform/messaging/transports/transport.ts';
import { eventually } from '../harness/eventually.ts';
import { effects, handledOrderByKey, Sequenced, startRecordingConsumer, writeSequencedEvents } from '../harness/recording-consumer.ts';
import { PassThroughTransport, RefuseKey } from '../harness/refusing-transport.ts';
import { platformFor, testBroker, TRANSPORTS } from '../harness/suite.ts';
import { type TestPlatform } from '../harness/platform.ts';
import { OPERATOR_AUTHORIZATION } from '../harness/tokens.ts';

/** Publishes for real, then fails once as if the relay died before marking the rows published. */
class CrashAfterPublish extends PassThroughTransport {
  crashes = 0;
  constructor(inner: Transport, private readonly topicSuffix: string) {
    super(inner);
  }
  override async publish(messages: WireMessage[]): Promise<void> {
    await this.inner.publish(messages);
    if (this.crashes === 0 && messages.some((message) => message.topic.endsWith(this.topicSuffix))) {
      this.crashes++;
      throw new Error('simulated crash between publish and mark');
    }
  }
}

/**
 * Refuses the first batch holding `key`'s seq 0, after the key's next event was committed: the
 * moment where the failed row must not be overtaken by the next one.
 */
class RefuseFirstOfKey extends PassThroughTransport {
  refused = 0;
  writeNext: (() => Promise<void>) | undefined;
  constructor(inner: Transport, private readonly key: string) {
    super(inner);
  }
  override async publish(messages: WireMessage[]): Promise<void> {
    if (this.refused === 0 && messages.some((message) => message.key === this.key)) {
      this.refused++;
      await this.writeNext?.();
      throw new Error('simulated refusal of the batch');
    }
    await this.inner.publish(messages);
  }
}

async function outboxRows(app: TestPlatform): Promise<Array<{ attempts: number; published: boolean; last_error: string | null }>> {
  return app.container.cradle.orm.em.fork().execute(
    `select attempts, published_at is not null as published, last_error from messaging.outbox where event_type = 'test.sequenced'`,
  );
}

for (const transport of TRANSPORTS) {
  t.test(`relay [${transport}]`, async (t) => {
    t.test('a crash between publish and marking published redelivers, and the inbox absorbs the duplicate', async (t) => {
      let crashing: CrashAfterPublish | undefined;
      const app = await platformFor(t, transport, {
        overrides: { wrapTransport: (inner) => (crashing = new CrashAfterPublish(inner, 'test.sequenced')) },
      });
      await startRecordingConsumer(app);
      const total = await writeSequencedEvents(app, 3, 5);
      const rows = await eventually(async () => {
        const done = await outboxRows(app);
        return done.length === total && done.every((row) => row.published) ? done : undefined;
      }, { what: 'all rows published', timeoutMs: 30_000 });
      t.equal(crashing?.crashes, 1, 'the transport crashed once after publishing');
      // The crashed batch goes out again (key by key in the same cycle): the inbox must absorb the copies.
      t.equal(rows.length, total, 'every row published');
      const handled = await eventually(async () => {
        const all = await effects(app);
        return all.length >= total ? all : undefined;
      }, { what: 'every event handled' });
      t.equal(handled.length, total, 'every event had exactly one effect');
      t.equal(new Set(handled.map((row) => row.event_id)).size, total, 'no event id was applied twice');
      const absorbed = await eventually(async () => {
        const counted = await app.container.cradle.metrics.consumerMessages.get();
        const duplicates = counted.values
          .filter((value) => value.labels['outcome'] === 'duplicate' && value.labels['consumer'] === 'test.recorder')
          .reduce((sum, value) => sum + value.value, 0);
        return duplicates >= 1 ? duplicates : undefined;
      }, { what: 'the redelivered events to reach the consumer', timeoutMs: 30_000 });
      t.ok(absorbed >= 1, `the inbox absorbed ${absorbed} redelivered event(s)`);
      t.equal((await effects(app)).length, total, 'and the redelivery had no second effect');
    });

    t.test('a refused batch keeps its place: a second relay does not publish the key\'s next event first', async (t) => {
      let refusing: RefuseFirstOfKey | undefined;
      const app = await platformFor(t, transport, { overrides: { wrapTransport: (inner) => (refusing = new RefuseFirstOfKey(inner, 'ordered')) } });
      await startRecordingConsumer(app);
      const { orm, outbox, config, metrics, logger } = app.container.cradle;
      const second = new OutboxRelay(app.databaseUrl, app.container.cradle.transport, config.relay, metrics, logger);
      second.start();
      t.teardown(() => second.stop());
      // A slow write of the failure (a busy database): the window in which the rows are locked by it.
      await orm.em.fork().execute(`
        create function public.slow_failure_note() returns trigger language plpgsql as $$
        begin
          if new.last_error is distinct from old.last_error then perform pg_sleep(1); end if;
          return new;
        end $$`);
      await orm.em.fork().execute(`create trigger slow_failure_note before update on messaging.outbox for each row execute function public.slow_failure_note()`);
      refusing!.writeNext = async () => {
        await orm.em.fork().transactional(async (em) => void outbox.add(em, Sequenced, { key: 'ordered', seq: 1 }));
      };
      await orm.em.fork().transactional(async (em) => void outbox.add(em, Sequenced, { key: 'ordered', seq: 0 }));
      const handled = await eventually(async () => {
        const all = (await effects(app)).filter((row) => row.key === 'ordered');
        return all.length >= 2 ? all : undefined;
      }, { what: 'both events of the key handled', timeoutMs: 30_000 });
      t.equal(refusing!.refused, 1, 'the first batch was refused once');
      t.same(handled.map((row) => row.seq), [0, 1], 'handled in commit order, the refused one first');
    });

    t.test('a key the transport keeps refusing is held, then parked; every other key flows; an operator releases it in order', async (t) => {
      let refusing: RefuseKey | undefined;
      const app = await platformFor(t, transport, {
        env: { RELAY_MAX_ATTEMPTS: '3', RELAY_BACKOFF_BASE_MS: '20' },
        overrides: { wrapTransport: (inner) => (refusing = new RefuseKey(inner, 'refused')) },
      });
      await startRecordingConsumer(app);
      const { orm, outbox } = app.container.cradle;
      const write = (events: Array<{ key: string; seq: number }>) =>
        orm.em.fork().transactional(async (em) => void events.forEach((data) => outbox.add(em, Sequenced, data)));
      await write([{ key: 'refused', seq: 0 }, ...Array.from({ length: 20 }, (_, n) => ({ key: `good-${n}`, seq: 0 })), { key: 'refused', seq: 1 }]);
      await eventually(async () => (await effects(app)).length === 20 ? true : undefined, { what: 'every other key handled', timeoutMs: 30_000 });
      const auth = { authorization: OPERATOR_AUTHORIZATION };
      const held = await eventually(async () => {
        const { items } = (await app.request({ method: 'GET', url: '/admin/outbox/held-keys', headers: auth })).json<{ items: Array<{ key: string; parked: boolean; refusals: number; waitingRows: number; error: string }> }>();
        return items.find((item) => item.key === 'refused' && item.parked);
      }, { what: 'the refused key parked', timeoutMs: 30_000 });
      t.match(held, { refusals: 3, waitingRows: 2, error: /record of refused refused/ }, 'parked after RELAY_MAX_ATTEMPTS refusals, both its rows waiting');
      await write([{ key: 'good-0', seq: 1 }, { key: 'refused', seq: 2 }]);
      await eventually(async () => (await effects(app)).some((row) => row.key === 'good-0' && row.seq === 1), { what: 'a later event of another key', timeoutMs: 30_000 });
      t.notOk((await effects(app)).some((row) => row.key === 'refused'), "nothing of the parked key's went out");

      refusing!.refusing = false;
      const retried = await app.request({ method: 'POST', url: '/admin/outbox/held-keys/retry', headers: auth, payload: { key: 'refused', reason: 'broker limit raised' } });
      t.same(retried.json(), { released: ['refused'] }, 'POST /admin/outbox/held-keys/retry › released');
      const handled = await eventually(async () => {
        const rows = (await effects(app)).filter((row) => row.key === 'refused');
        return rows.length === 3 ? rows : undefined;
      }, { what: "the released key's events", timeoutMs: 30_000 });
      t.same(handled.map((row) => row.seq), [0, 1, 2], 'published in order once released');
      const audit = (await app.request({ method: 'GET', url: '/admin/audit', headers: auth })).json<{ items: Array<{ action: string }> }>();
      t.equal(audit.items[0]?.action, 'outbox.held-key.retry', 'the release is audited');
    });

    t.test('two relays side by side keep per-key order and publish each event once', async (t) => {
      const app = await platformFor(t, transport);
      await startRecordingConsumer(app);
      const { config, metrics, logger } = app.container.cradle;
      const second = new OutboxRelay(app.databaseUrl, app.container.cradle.transport, { ...config.relay, batchSize: 37 }, metrics, logger);
      second.start();
      t.teardown(() => second.stop());
      const total = await writeSequencedEvents(app, 20, 40, 25);
      const handled = await eventually(async () => {
        const all = await effects(app);
        return all.length >= total ? all : undefined;
      }, { what: `${total} events handled`, timeoutMs: 60_000 });
      t.equal(handled.length, total, 'every event handled once');
      const disordered = [...handledOrderByKey(handled)].filter(([, seqs]) => seqs.some((seq, i) => i > 0 && seq <= seqs[i - 1]!));
      t.same(disordered, [], 'for every key the events were handled in commit order');
      const rows = await outboxRows(app);
      t.ok(rows.every((row) => row.published && row.attempts === 1), 'every outbox row was published exactly once');
    });
  });
}

t.test('relay [kafka] · broker killed (-9): backs off, loses nothing, resumes when the broker is back', async (t) => {
  const broker = await testBroker();
  if (!broker.canInjectFaults) {
    t.plan(0, `skipped: the ${broker.kind} broker cannot be taken down from a test`);
    return;
  }
  const app = await platformFor(t, 'kafka');
  await startRecordingConsumer(app);
  await writeSequencedEvents(app, 2, 2);
  await eventually(async () => (await effects(app)).length === 4, { what: 'warm-up events handled', timeoutMs: 30_000 });

  await broker.kill();
  const total = 4 + (await writeSequencedEvents(app, 5, 10));
  const failed = await eventually(async () => {
    const rows = await outboxRows(app);
    return rows.some((row) => !row.published && row.last_error !== null) ? rows : undefined;
  }, { what: 'a failed publish attempt recorded', timeoutMs: 60_000 });
  t.ok(failed.some((row) => row.attempts >= 1 && !row.published), 'while the broker is down rows stay unpublished with their error');
  const failures = (await app.container.cradle.metrics.relayFailures.get()).values[0]?.value ?? 0;
  t.ok(failures >= 1, `the relay counted ${failures} failed cycle(s) and backed off`);

  await broker.restart();
  const handled = await eventually(async () => {
    const all = await effects(app);
    return all.length >= total ? all : undefined;
  }, { what: 'every event handled after recovery', timeoutMs: 90_000 });
  t.equal(new Set(handled.map((row) => row.event_id)).size, total, 'nothing was lost and nothing applied twice');
});

t.test('relay [local] · pruning: published outbox rows and inbox rows older than their retention (fractions of an hour) go, newer and unpublished ones stay', async (t) => {
  // 0.5 h: a row that aged 40 minutes is pruned, one of 20 minutes is kept.
  const app = await platformFor(t, 'local', { env: { OUTBOX_RETENTION_HOURS: '0.5', INBOX_RETENTION_HOURS: '0.5' } });
  await startRecordingConsumer(app);
  const { orm, config, metrics, logger, transport } = app.container.cradle;
  const total = await writeSequencedEvents(app, 4, 5, 20);
  await eventually(async () => (await effects(app)).length >= total, { what: `${total} events handled`, timeoutMs: 30_000 });
  // Stopped so that it neither publishes the unpublished row below nor prunes; this one is never started.
  await app.relay!.stop();
  const relay = new OutboxRelay(app.databaseUrl, transport, config.relay, metrics, logger);
  t.teardown(() => relay.stop());
  const em = orm.em.fork();
  await em.execute(`update messaging.outbox set published_at = now() - interval '40 minutes' where id in (select id from messaging.outbox order by id limit 8)`);
  await em.execute(`update messaging.outbox set published_at = now() - interval '20 minutes' where id in (select id from messaging.outbox order by id offset 8 limit 4)`);
  await em.execute(`insert into messaging.outbox (event_id, topic, message_key, event_type, event_version, source, payload, published_at)
                    values (gen_random_uuid(), 'never.published', 'k', 't', 1, 'test', '{}', null)`);
  await em.execute(`update messaging.inbox set handled_at = now() - interval '40 minutes' where event_id in (select event_id from messaging.inbox order by event_id limit 5)`);
  const before = await tableCounts(app);

  t.equal(await relay.pruneRound(), false, 'one round prunes everything due (no chunk was full)');
  const after = await tableCounts(app);
  t.equal(after.outbox, before.outbox - 8, 'the 8 outbox rows published 40 minutes ago are gone; 20 minutes ago and newer stay');
  t.equal(after.unpublished, 1, 'an unpublished row is never pruned, however old');
  t.equal(after.inbox, before.inbox - 5, 'the 5 inbox rows handled 40 minutes ago are gone');
});

async function tableCounts(app: TestPlatform): Promise<{ outbox: number; unpublished: number; inbox: number }> {
  const [row] = await app.container.cradle.orm.em.fork().execute<Array<{ outbox: string; unpublished: string; inbox: string }>>(
    `select (select count(*) from messaging.outbox) as outbox,
            (select count(*) from messaging.outbox where published_at is null) as unpublished,
            (select count(*) from messaging.inbox) as inbox`);
  return { outbox: Number(row!.outbox), unpublished: Number(row!.unpublished), inbox: Number(row!.inbox) };
}
