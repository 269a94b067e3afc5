import t from 'tap';
import { eventually } from '../harness/eventually.ts';
import { type TestPlatform } from '../harness/platform.ts';
import { customerAuthorization, OPERATOR_AUTHORIZATION } from '../harness/tokens.ts';
import { effects, handledOrderByKey, Sequenced, startRecordingConsumer } from '../harness/recording-consumer.ts';
import { platformFor, TRANSPORTS } from '../harness/suite.ts';

/**
 * A key whose message is dead-lettered parks for that consumer group: its later messages wait in
 * order while other keys flow; redriving or skipping the letter releases them, in order, once.
 */

const auth = { authorization: OPERATOR_AUTHORIZATION };
const GROUP = 'test.recorder';

interface ParkedKeyBody { consumer: string; key: string; deadLetterId: number; error: string; parkedMessages: number }

async function write(app: TestPlatform, events: Array<{ key: string; seq: number; fail?: boolean; error?: string; failTimes?: number }>): Promise<void> {
  const { orm, outbox } = app.container.cradle;
  await orm.em.fork().transactional(async (em) => {
    for (const data of events) outbox.add(em, Sequenced, data);
  });
}

async function parkedKeys(app: TestPlatform, query = '', group = GROUP): Promise<ParkedKeyBody[]> {
  const response = await app.request({ method: 'GET', url: `/admin/parked-keys?consumer=${group}${query}`, headers: auth });
  return response.json<{ items: ParkedKeyBody[] }>().items;
}

async function seqsOf(app: TestPlatform, key: string): Promise<number[]> {
  return handledOrderByKey(await effects(app, GROUP)).get(key) ?? [];
}

async function parkedWith(app: TestPlatform, key: string, messages: number): Promise<ParkedKeyBody> {
  return eventually(async () => (await parkedKeys(app)).find((parked) => parked.key === key && parked.parkedMessages === messages), {
    what: `${key} parked with ${messages} waiting`, timeoutMs: 30_000,
  });
}

for (const transport of TRANSPORTS) {
  t.test(`parking [${transport}]`, async (t) => {
    const app = await platformFor(t, transport);
    await startRecordingConsumer(app, GROUP);

    t.test('a group holding no key has no retry due (its loop idles instead of spinning)', async (t) => {
      t.equal(await app.container.cradle.parking.nextDueInMs('test.holds-nothing'), undefined);
    });

    t.test('a dead-lettered message parks its key: later messages wait, other keys flow; a redrive releases them in order', async (t) => {
      await write(app, [{ key: 'a', seq: 0, fail: true }, { key: 'a', seq: 1 }, { key: 'b', seq: 0 }, { key: 'a', seq: 2 }, { key: 'b', seq: 1 }]);
      await eventually(async () => (await seqsOf(app, 'b')).length === 2, { what: "b's messages", timeoutMs: 30_000 });
      t.same(await seqsOf(app, 'b'), [0, 1], 'another key flows past the parked one, in order');
      const parked = await parkedWith(app, 'a', 2);
      t.match(parked, { consumer: GROUP, error: /refusing a\/0/ }, 'the parked key names its dead letter and error');
      t.same(await seqsOf(app, 'a'), [], "nothing of a's was handled out of order");
      await write(app, [{ key: 'a', seq: 3 }]);
      await parkedWith(app, 'a', 3);

      const metrics = (await app.request({ method: 'GET', url: '/metrics' })).body;
      t.match(metrics, new RegExp(`consumer_parked_keys\\{consumer="${GROUP}"\\} 1`), 'GET /metrics › parked keys per group');
      t.match(metrics, new RegExp(`consumer_parked_messages\\{consumer="${GROUP}"\\} 3`), 'and parked messages');

      const redrive = await app.request({
        method: 'POST', url: '/admin/parked-keys/redrive', headers: auth,
        payload: { consumer: GROUP, key: 'a', payload: { key: 'a', seq: 0 }, reason: 'fixed the payload' },
      });
      t.equal(redrive.statusCode, 200, 'POST /admin/parked-keys/redrive › 200');
      t.match(redrive.json(), { settled: [{ id: parked.deadLetterId, key: 'a', redrivenAt: String }] });
      await eventually(async () => (await seqsOf(app, 'a')).length === 4, { what: "a's messages released", timeoutMs: 30_000 });
      t.same(await seqsOf(app, 'a'), [0, 1, 2, 3], 'the redriven message first, then the parked ones in arrival order, once each');
      await eventually(async () => (await parkedKeys(app)).length === 0, { what: 'the key unparked' });
      await write(app, [{ key: 'a', seq: 4 }]);
      await eventually(async () => (await seqsOf(app, 'a')).length === 5, { what: "a's next message", timeoutMs: 30_000 });
      t.same(await seqsOf(app, 'a'), [0, 1, 2, 3, 4], 'and the key flows again');

      const audit = (await app.request({ method: 'GET', url: '/admin/audit', headers: auth })).json<{ items: Array<{ actor: string; action: string; target: { deadLetterId: number }; reason: string }> }>();
      t.match(audit.items[0], { action: 'dead-letter.redrive', actor: String, target: { deadLetterId: parked.deadLetterId, key: 'a', fixedPayload: true }, reason: 'fixed the payload' }, 'the redrive is audited');
    });

    t.test('a skipped dead letter releases its key without it', async (t) => {
      await write(app, [{ key: 'c', seq: 0, fail: true }, { key: 'c', seq: 1 }, { key: 'c', seq: 2 }]);
      const parked = await parkedWith(app, 'c', 2);
      for (const [what, authorization, status] of [['no token', undefined, 401], ['a bad token', 'Bearer wrong', 401], ["a customer's token", await customerAuthorization('c'), 403]] as const) {
        const denied = await app.request({ method: 'POST', url: '/admin/parked-keys/skip', headers: { authorization }, payload: { consumer: GROUP, key: 'c', reason: 'x' } });
        t.equal(denied.statusCode, status, `with ${what} › ${status}`);
      }
      t.match(await parkedWith(app, 'c', 2), { deadLetterId: parked.deadLetterId }, 'and nothing was released');
      const refused = await app.request({ method: 'POST', url: `/admin/dead-letters/${parked.deadLetterId}/skip`, headers: auth, payload: {} });
      t.equal(refused.statusCode, 400, 'a skip needs a reason');
      const skipped = await app.request({ method: 'POST', url: `/admin/dead-letters/${parked.deadLetterId}/skip`, headers: auth, payload: { reason: 'duplicate of an applied order' } });
      t.equal(skipped.statusCode, 200, 'POST /admin/dead-letters/{id}/skip › 200');
      await eventually(async () => (await seqsOf(app, 'c')).length === 2, { what: "c's parked messages", timeoutMs: 30_000 });
      t.same(await seqsOf(app, 'c'), [1, 2], 'the parked messages are handled in order, the skipped one never');
      const again = await app.request({ method: 'POST', url: `/admin/dead-letters/${parked.deadLetterId}/redrive`, headers: auth, payload: {} });
      t.equal(again.statusCode, 409, 'a skipped dead letter cannot be redriven');
      t.match(again.json(), { code: 'dead-letter-already-skipped' });
    });

    t.test('a parked message that fails again parks the key behind itself; the rest keep waiting', async (t) => {
      await write(app, [{ key: 'd', seq: 0, fail: true }, { key: 'd', seq: 1, fail: true, error: 'still broken' }, { key: 'd', seq: 2 }]);
      const first = await parkedWith(app, 'd', 2);
      await app.request({ method: 'POST', url: `/admin/dead-letters/${first.deadLetterId}/skip`, headers: auth, payload: { reason: 'test' } });
      const second = await eventually(async () => (await parkedKeys(app)).find((parked) => parked.key === 'd' && parked.deadLetterId !== first.deadLetterId), {
        what: 'd parked again', timeoutMs: 30_000,
      });
      t.match(second, { error: /still broken/, parkedMessages: 1 }, 'parked behind the message that failed, with the one after it waiting');
      t.same(await seqsOf(app, 'd'), [], 'nothing after the failure ran');
    });

    t.test('keys sharing an error are released in bulk', async (t) => {
      await write(app, [
        { key: 'e1', seq: 0, fail: true, error: 'ledger offline' }, { key: 'e1', seq: 1 },
        { key: 'e2', seq: 0, fail: true, error: 'ledger offline' }, { key: 'e2', seq: 1 },
      ]);
      await parkedWith(app, 'e1', 1);
      await parkedWith(app, 'e2', 1);
      t.equal((await parkedKeys(app, '&error=Error%3A%20ledger%20offline')).length, 2, 'GET /admin/parked-keys?error= finds both');
      const skipped = await app.request({ method: 'POST', url: '/admin/parked-keys/skip', headers: auth, payload: { consumer: GROUP, error: 'Error: ledger offline', reason: 'ledger fixed; replayed by hand' } });
      t.equal(skipped.json<{ settled: unknown[] }>().settled.length, 2, 'both dead letters skipped in one call');
      await eventually(async () => (await seqsOf(app, 'e1')).length === 1 && (await seqsOf(app, 'e2')).length === 1, { what: 'e1 and e2 released', timeoutMs: 30_000 });
      t.pass('each key handled its waiting message');
    });

    t.test('a failing key is retried off the stream: the keys behind it flow meanwhile, then it catches up in order', async (t) => {
      const retrying = 'test.retrying';
      const failing = new Set(['g']);
      // Attempts enough that g never dead-letters here: it stays held until its bug is fixed.
      await startRecordingConsumer(app, retrying, failing, { maxAttempts: 1000, retryBaseMs: 50 });
      const others = Array.from({ length: 30 }, (_, i) => ({ key: `g${i}`, seq: 0 }));
      await write(app, [{ key: 'g', seq: 0 }, { key: 'g', seq: 1 }, ...others]);
      const handledBy = async () => handledOrderByKey(await effects(app, retrying));
      await eventually(async () => {
        const handled = await handledBy();
        return others.every(({ key }) => handled.has(key));
      }, { what: 'the 30 other keys', timeoutMs: 30_000 });
      t.notOk((await handledBy()).has('g'), 'every other key was handled while g was being retried');
      // On Kafka the new group also reads the earlier tests' failing messages: their keys are held too.
      const heldKeys = async () => Number(/consumer_held_keys\{consumer="test\.retrying"\} (\d+)/.exec((await app.request({ method: 'GET', url: '/metrics' })).body)?.[1] ?? 0);
      const heldWithG = await heldKeys();
      t.ok(heldWithG >= 1, `GET /metrics › held keys, g among them (${heldWithG})`);
      t.notOk((await parkedKeys(app, '', retrying)).some((parked) => parked.key === 'g'), 'a held key is not parked: no operator is needed yet');
      failing.delete('g');
      await eventually(async () => (await handledBy()).get('g')?.length === 2, { what: "g's messages after the fix", timeoutMs: 30_000 });
      t.same((await handledBy()).get('g'), [0, 1], 'the failed message first, then the one held behind it, once each');
      await eventually(async () => (await heldKeys()) === heldWithG - 1, { what: 'g no longer held' });
    });

    t.test('a failure that a retry absorbs parks nothing', async (t) => {
      await write(app, [{ key: 'f', seq: 0, failTimes: 1 }, { key: 'f', seq: 1 }]);
      await eventually(async () => (await seqsOf(app, 'f')).length === 2, { what: "f's messages", timeoutMs: 30_000 });
      t.same(await seqsOf(app, 'f'), [0, 1]);
      t.notOk((await parkedKeys(app)).some((parked) => parked.key === 'f'), 'f was never parked');
    });
  });
}
