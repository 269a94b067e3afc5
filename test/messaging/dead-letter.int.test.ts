import { randomUUID } from 'node:crypto';
import t from 'tap';
import { envelopeHeaders } from '../../src/platform/messaging/envelope.ts';
import { eventually } from '../harness/eventually.ts';
import { type TestPlatform } from '../harness/platform.ts';
import { OPERATOR_AUTHORIZATION } from '../harness/tokens.ts';
import { effects, Sequenced, startRecordingConsumer } from '../harness/recording-consumer.ts';
import { platformFor, TRANSPORTS } from '../harness/suite.ts';

function headersFor(app: TestPlatform, key: string) {
  return envelopeHeaders({
    specversion: '1.0', id: randomUUID(), type: Sequenced.type, source: 'test', time: new Date().toISOString(),
    subject: key, datacontenttype: 'application/json', dataversion: 1,
  });
}

interface DeadLetterList { total: number; items: Array<{ id: number; consumer: string; topic: string; error: string; attempts: number; redrivenAt: string | null }> }

for (const transport of TRANSPORTS) {
  t.test(`dead letters [${transport}]`, async (t) => {
    const app = await platformFor(t, transport);
    await startRecordingConsumer(app);
    const topic = app.container.cradle.topics.of(Sequenced);
    const { transport: wire } = app.container.cradle;

    // Straight onto the wire, as a foreign or buggy producer would, bypassing the outbox's checks.
    await wire.publish([
      { topic, key: 'poison-1', value: '{not json', headers: headersFor(app, 'poison-1') },
      { topic, key: 'poison-2', value: JSON.stringify({ key: 'poison', seq: 'one' }), headers: headersFor(app, 'poison-2') },
      { topic, key: 'poison-3', value: JSON.stringify({ key: 'poison', seq: 1 }), headers: { 'ce_type': 'test.sequenced' } },
      { topic, key: 'healthy', value: JSON.stringify({ key: 'poison', seq: 2 }), headers: headersFor(app, 'healthy') },
    ]);
    const handled = await eventually(async () => {
      const rows = await effects(app);
      return rows.length === 1 ? rows : undefined;
    }, { what: 'the valid message after the poison ones', timeoutMs: 30_000 });
    t.match(handled[0], { key: 'poison', seq: 2 }, 'the consumer kept going past poison messages');

    const unauthorised = await app.request({ method: 'GET', url: '/admin/dead-letters', headers: { authorization: undefined } });
    t.equal(unauthorised.statusCode, 401, 'GET /admin/dead-letters › needs an operator token');
    const auth = { authorization: OPERATOR_AUTHORIZATION };
    const listed = await eventually(async () => {
      const body = (await app.request({ method: 'GET', url: '/admin/dead-letters', headers: auth })).json<DeadLetterList>();
      if (body.total !== 3) throw new Error(JSON.stringify(body).slice(0, 600));
      return body;
    }, { what: 'three dead letters' });
    const errors = listed.items.map((item) => item.error).sort();
    t.match(errors[0], /missing or invalid ce_id/, 'a message without an event id is dead-lettered');
    t.match(errors[1], /not valid JSON/, 'invalid JSON is dead-lettered at once');
    t.match(errors[2], /schema violation: \/seq/, 'a schema violation is dead-lettered at once, naming the field');
    t.ok(listed.items.every((item) => item.attempts === 0 && item.consumer === 'test.recorder'), 'poison is not retried');

    const dlq = await app.container.cradle.orm.em.fork().execute<Array<{ topic: string }>>(
      'select topic from messaging.outbox where topic = ?', [`${topic}.dlq`],
    );
    t.equal(dlq.length, 3, `each dead letter is also sent to ${topic}.dlq`);

    const schemaBroken = listed.items.find((item) => item.error.includes('schema violation'))!;
    const redrive = {
      method: 'POST' as const, url: `/admin/dead-letters/${schemaBroken.id}/redrive`,
      headers: { ...auth, 'idempotency-key': `redrive-${schemaBroken.id}` }, payload: { payload: { key: 'poison', seq: 1 } },
    };
    const redriven = await app.request(redrive);
    t.equal(redriven.statusCode, 200, 'POST /admin/dead-letters/{id}/redrive › 200');
    const resent = await app.request(redrive);
    t.equal(resent.statusCode, 200, 'the same redrive resent with its Idempotency-Key › the first answer again');
    t.equal(resent.headers['idempotent-replayed'], 'true');
    t.same(resent.json(), redriven.json());
    const redrives = await app.container.cradle.orm.em.fork().execute<Array<{ n: number }>>(
      `select count(*)::int as n from messaging.outbox where topic = ? and headers ->> 'x-redrive-consumer' is not null`, [topic],
    );
    t.equal(redrives[0]!.n, 1, 'and the message was sent back once');
    const afterRedrive = await eventually(async () => {
      const rows = await effects(app);
      return rows.length === 2 ? rows : undefined;
    }, { what: 'the fixed message handled', timeoutMs: 30_000 });
    t.match(afterRedrive[1], { key: 'poison', seq: 1 }, 'the redriven, fixed message is handled');
    const again = await app.request({ method: 'POST', url: `/admin/dead-letters/${schemaBroken.id}/redrive`, headers: auth, payload: {} });
    t.equal(again.statusCode, 409, 'a dead letter is redriven once');
    t.equal((await app.request({ method: 'POST', url: '/admin/dead-letters/999999/redrive', headers: auth, payload: {} })).statusCode, 404);
  });

  t.test(`a handler that keeps failing is retried, then dead-lettered; other keys still run [${transport}]`, async (t) => {
    const app = await platformFor(t, transport);
    await startRecordingConsumer(app);
    await app.container.cradle.orm.em.fork().transactional(async (em) => {
      app.container.cradle.outbox.add(em, Sequenced, { key: 'k', seq: 0, fail: true });
      app.container.cradle.outbox.add(em, Sequenced, { key: 'other', seq: 1 });
    });
    const handled = await eventually(async () => {
      const rows = await effects(app);
      return rows.length === 1 ? rows : undefined;
    }, { what: "another key's message after the failing one", timeoutMs: 30_000 });
    t.match(handled[0], { seq: 1 });
    // Keys run side by side: the other key's message does not wait for k's retries.
    const dead = await eventually(async () => {
      const [letter] = await app.container.cradle.orm.em.fork().execute<Array<{ attempts: number; error: string }>>('select attempts, error from messaging.dead_letter');
      return letter;
    }, { what: "k's dead letter", timeoutMs: 30_000 });
    t.equal(dead?.attempts, app.config.consumer.maxAttempts, `dead-lettered after CONSUMER_MAX_ATTEMPTS (${app.config.consumer.maxAttempts}) attempts`);
    t.match(dead?.error, /refusing k\/0/);

    const status = await app.request({ method: 'GET', url: '/admin/outbox', headers: { authorization: OPERATOR_AUTHORIZATION } });
    t.equal(status.statusCode, 200, 'GET /admin/outbox › 200');
    t.match(status.json(), { backlog: Number, byTopic: Array });
  });
}

t.test('GET /admin/dead-letters › a page and its total come from one snapshot, even while letters arrive [local]', async (t) => {
  const app = await platformFor(t, 'local');
  const { deadLetters, orm } = app.container.cradle;
  // Another consumer group dead-lettering as fast as it can, on connections of its own.
  let arriving = true;
  const writer = (async () => {
    const em = orm.em.fork();
    while (arriving) {
      await em.execute(`insert into messaging.dead_letter (consumer, topic, partition, message_offset, headers, error, attempts)
                        values ('elsewhere', 't', 0, '0', '{}', 'e', 1)`);
    }
  })();
  const disagreements: Array<{ items: number; total: number }> = [];
  try {
    for (let read = 0; read < 300; read++) {
      const page = await deadLetters.list({}, 500, 0);
      if (page.items.length !== Math.min(page.total, 500)) disagreements.push({ items: page.items.length, total: page.total });
    }
  } finally {
    arriving = false;
    await writer;
  }
  t.same(disagreements, [], 'every page holds as many letters as its total says (up to the limit)');
  const pastTheEnd = await deadLetters.list({}, 10, 1_000_000);
  t.same(pastTheEnd.items, [], 'a page past the end is empty');
  t.ok(pastTheEnd.total > 0, 'and still says how many there are');
});
