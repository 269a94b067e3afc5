import { randomUUID } from 'node:crypto';
import t from 'tap';
import { envelopeHeaders, type WireMessage } from '../../src/platform/messaging/envelope.ts';
import { eventually } from '../harness/eventually.ts';
import { effects, handledOrderByKey, Sequenced, startRecordingConsumer } from '../harness/recording-consumer.ts';
import { platformFor, TRANSPORTS } from '../harness/suite.ts';

const KEYS = ['a', 'b', 'c', 'd'];
const PER_KEY = 6;

for (const transport of TRANSPORTS) {
  t.test(`a batch whose handler fails midway applies every other key's events once, in key order, dead-letters the failing one after CONSUMER_MAX_ATTEMPTS and parks the rest of its key [${transport}]`, async (t) => {
    const app = await platformFor(t, transport);
    await startRecordingConsumer(app);
    const topic = app.container.cradle.topics.of(Sequenced);
    const messages: WireMessage[] = [];
    for (let seq = 0; seq < PER_KEY; seq++) {
      for (const key of KEYS) {
        const message = wireMessage(topic, key, seq, key === 'b' && seq === 3);
        messages.push(message);
        // Republished at once (at-least-once), so the same event sits twice in one batch.
        if (key === 'c' && seq === 2) messages.push(message);
      }
    }
    // One publish: one record batch per partition (Kafka), one delivery (local) — the consumer gets them as batches.
    await app.container.cradle.transport.publish(messages);

    const rows = await eventually(async () => {
      const handled = await effects(app);
      // b's events after the failing one (seq 3) wait behind it, parked.
      return handled.length === KEYS.length * PER_KEY - (PER_KEY - 3) ? handled : undefined;
    }, { what: "every event but the failing one and b's after it handled", timeoutMs: 60_000 });
    t.equal(new Set(rows.map((row) => row.event_id)).size, rows.length, 'no event applied twice, though the batch that failed had applied some before rolling back');
    const order = handledOrderByKey(rows);
    for (const key of KEYS) {
      const expected = [...Array(PER_KEY).keys()].filter((seq) => !(key === 'b' && seq >= 3));
      t.same(order.get(key), expected, `key ${key}: handled in order${key === 'b' ? ', up to the failing event' : ''}`);
    }
    const dead = await eventually(async () => {
      const found = await app.container.cradle.orm.em.fork().execute<Array<{ attempts: number; error: string }>>('select attempts, error from messaging.dead_letter');
      return found.length > 0 ? found : undefined;
    }, { what: 'the dead letter' });
    t.equal(dead.length, 1, 'one dead letter');
    t.equal(dead[0]?.attempts, app.config.consumer.maxAttempts, 'after CONSUMER_MAX_ATTEMPTS attempts, the one in the batch counted');
    t.match(dead[0]?.error, /refusing b\/3/);
    const parked = await eventually(async () => {
      const [row] = await app.container.cradle.orm.em.fork().execute<Array<{ n: number }>>(
        `select count(*)::int as n from messaging.parked_message where message_key = 'b'`,
      );
      return row!.n === PER_KEY - 4 ? row!.n : undefined;
    }, { what: "b's later events parked" });
    t.equal(parked, PER_KEY - 4, "b's later events are parked, in order, for the operator");
  });
}

function wireMessage(topic: string, key: string, seq: number, fail: boolean): WireMessage {
  const headers = envelopeHeaders({
    specversion: '1.0', id: randomUUID(), type: Sequenced.type, source: 'test', time: new Date().toISOString(),
    subject: key, datacontenttype: 'application/json', dataversion: 1,
  });
  return { topic, key, value: JSON.stringify(fail ? { key, seq, fail } : { key, seq }), headers };
}
