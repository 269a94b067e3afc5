import t from 'tap';
import { AccountBalanceChanged } from '../../modules/account/index.ts';
import { eventually } from '../harness/eventually.ts';
import { type TestPlatform } from '../harness/platform.ts';
import { platformFor, TRANSPORTS } from '../harness/suite.ts';
import { customerAuthorization, operatorHeaders } from '../harness/tokens.ts';
import { openAccount } from '../../modules/account/testing/account.kit.ts';
import { paymentStatus } from '../../modules/payment/testing/payment.kit.ts';

/**
 * The JSON API behind the operator console: flow, history, dead letters grouped by fingerprint
 * with their contract, a fixed payload checked before a redrive, journeys and the session. Every
 * console action is one of these calls.
 */

interface FlowBody {
  transport: string;
  relay: { publishedPerSecond: number };
  outbox: { backlog: number; byTopic: Array<{ topic: string; unpublished: number }> };
  consumers: Array<{ consumer: string; handledPerSecond: number; lag: number | null; partitions: Array<{ topic: string; partition: number; committed: string | null; highWatermark: string; lag: number }>; deadLetters: number; parkedKeys: number }>;
}
interface GroupBody { consumer: string; topic: string; fingerprint: string; count: number; parkedKeys: number; sampleId: number; sampleError: string }
interface JourneyEvent {
  eventId: string; type: string; source: string; publishedAt: string | null; traceId: string | null; causationId: string | null; correlationId: string | null;
  handledBy: Array<{ consumer: string }>; caused: Array<{ eventId: string; type: string }>; deadLetters: Array<{ id: number; redrivenAt: string | null }>;
}

const headers = operatorHeaders;

async function get<T>(app: TestPlatform, url: string): Promise<T> {
  const response = await app.request({ method: 'GET', url, headers });
  if (response.statusCode !== 200) throw new Error(`GET ${url} answered ${response.statusCode}: ${response.body}`);
  return response.json<T>();
}

/** A balance change whose payload breaks its contract (`changeAmount` is a string): every group consuming the topic dead-letters it. */
async function commitPoison(app: TestPlatform, accountId: number) {
  const { orm, outbox } = app.container.cradle;
  const bad = { accountId, previousBalance: 10, newBalance: 5, changeAmount: 'five', currency: 'EUR', changeReason: 'DEBIT', timestamp: '2026-01-01T00:00:00Z' };
  return orm.em.fork().transactional(async (em) => outbox.add(em, AccountBalanceChanged, bad as never));
}

for (const transport of TRANSPORTS) {
  t.test(`operator console API [${transport}]`, async (t) => {
    const app = await platformFor(t, transport);
    const notification = `${app.config.kafka.groupPrefix}.notification`;
    const ann = await openAccount(app, 'console-ann', { deposit: 100 });
    const bob = await openAccount(app, 'console-bob', { deposit: 100 });

    t.test('GET /admin/session names the operator; a customer is refused', async (t) => {
      t.match(await get(app, '/admin/session'), { subject: String, role: 'operator' });
      const refused = await app.request({ method: 'GET', url: '/admin/session', headers: { authorization: await customerAuthorization('console-ann') } });
      t.equal(refused.statusCode, 403);
    });

    t.test('a payment\'s journey: every event it caused, linked by causation id, one correlation id, handled by each group', async (t) => {
      const created = await app.request({ method: 'POST', url: '/payments', payload: { userName: 'console-ann', amount: 10, currency: 'EUR' } });
      t.equal(created.statusCode, 201, created.body);
      const paymentId = created.json<{ id: number }>().id;
      await paymentStatus(app, paymentId, (status) => status === 'COMPLETED');
      const byKey = await eventually(async () => {
        const { events } = await get<{ events: JourneyEvent[] }>(app, `/admin/journey?key=${ann.accountId}`);
        return events.some((event) => event.type === 'payment.completed' && event.handledBy.length > 0) ? events : undefined;
      }, { what: 'the payment\'s events handled', timeoutMs: 30_000 });
      const requested = byKey.find((event) => event.type === 'payment.requested');
      t.ok(requested, 'GET /admin/journey?key= lists the account\'s events, the payment\'s among them');
      t.match(requested, { source: 'payment', causationId: null, publishedAt: String, traceId: /^[0-9a-f]{32}$/ });

      const { events } = await eventually(async () => {
        const journey = await get<{ events: JourneyEvent[] }>(app, `/admin/journey?eventId=${requested!.eventId}`);
        return journey.events.some((event) => event.type === 'payment.completed') ? journey : undefined;
      }, { what: 'the journey down to payment.completed', timeoutMs: 30_000 });
      const ids = new Set(events.map((event) => event.eventId));
      t.ok(ids.has(requested!.eventId), 'GET /admin/journey?eventId= holds the event');
      const roots = events.filter((event) => event.causationId === null);
      t.ok(roots.some((root) => root.eventId === requested!.correlationId), 'the chain correlates on the first event its request wrote');
      t.ok(roots.every((root) => root.source === 'payment'), 'only the request\'s own events have no cause');
      for (const event of events) {
        t.equal(event.correlationId, requested!.correlationId, `${event.type} shares the chain's correlation id`);
        if (event.causationId !== null) t.ok(ids.has(event.causationId), `${event.type} names the event that caused it, in the chain`);
      }
      const outside = events.flatMap((event) => event.caused.filter((next) => !ids.has(next.eventId)).map((next) => `${event.type} → ${next.type}`));
      t.same(outside, [], 'each caused event is in the chain');
      t.ok(requested!.handledBy.length > 0 && events.find((event) => event.eventId === requested!.eventId)!.caused.length > 0,
        'payment.requested was handled and lists what its handling wrote');
    });

    t.test('a dead letter: grouped by fingerprint, read with its contract, a bad fix refused by field, a good fix redriven and handled', async (t) => {
      const poison = await commitPoison(app, ann.accountId);
      const group = await eventually(async () => (await get<{ items: GroupBody[] }>(app, '/admin/dead-letters/groups')).items
        .find((candidate) => candidate.consumer === notification && candidate.topic.endsWith('account.balance.changed')), { what: 'the dead letter group', timeoutMs: 30_000 });
      t.match(group, { count: 1, parkedKeys: 1 });
      t.notMatch(group!.fingerprint, /[0-9]/, 'the fingerprint keeps no number');

      const letter = await get<{ id: number; eventId: string; payloadJson: { changeAmount: unknown }; contract: { type: string; version: number; schema: { properties: object } } }>(
        app, `/admin/dead-letters/${group!.sampleId}`);
      t.match(letter, { eventId: poison.id, payloadJson: { changeAmount: 'five' }, contract: { type: 'account.balance.changed', version: 1, schema: { properties: Object } } },
        'GET /admin/dead-letters/{id} › the parsed payload and its contract');
      const listed = await get<{ total: number; items: Array<{ id: number }> }>(app, `/admin/dead-letters?consumer=${notification}&fingerprint=${encodeURIComponent(group!.fingerprint)}&unsettled=true`);
      t.same(listed.items.map((item) => item.id), [letter.id], 'GET /admin/dead-letters filters by group and fingerprint');

      const broken = { ...letter.payloadJson, changeAmount: 'still five' } as Record<string, unknown>;
      delete broken['currency'];
      const validation = await app.request({ method: 'POST', url: `/admin/dead-letters/${letter.id}/validate`, headers, payload: { payload: broken } });
      t.equal(validation.statusCode, 200);
      const checked = validation.json<{ valid: boolean; errors: Array<{ path: string; message: string }> }>();
      t.equal(checked.valid, false, 'POST /validate › not valid');
      t.ok(checked.errors.some((error) => error.path === '/changeAmount'), 'the wrong field is named');
      t.ok(checked.errors.some((error) => error.path === '/currency'), 'and so is the missing one');

      const refused = await app.request({ method: 'POST', url: `/admin/dead-letters/${letter.id}/redrive`, headers, payload: { payload: broken, reason: 'try' } });
      t.equal(refused.statusCode, 422, 'a redrive with a payload that breaks the contract is refused');
      t.match(refused.json(), { code: 'invalid-payload', errors: [{ in: 'body', field: String }] });
      t.ok(refused.json<{ errors: Array<{ field: string }> }>().errors.some((error) => error.field === '/payload/changeAmount'));
      t.equal((await get<{ total: number }>(app, `/admin/dead-letters?consumer=${notification}&unsettled=true`)).total, 1, 'and the letter is still unsettled');

      const fixed = { ...letter.payloadJson, changeAmount: -5 };
      const valid = await app.request({ method: 'POST', url: `/admin/dead-letters/${letter.id}/validate`, headers, payload: { payload: fixed } });
      t.same(valid.json(), { valid: true, errors: [] });
      const redriven = await app.request({ method: 'POST', url: `/admin/dead-letters/${letter.id}/redrive`, headers, payload: { payload: fixed, reason: 'changeAmount was text' } });
      t.equal(redriven.statusCode, 200, redriven.body);

      const journey = await eventually(async () => {
        const { events } = await get<{ events: JourneyEvent[] }>(app, `/admin/journey?eventId=${poison.id}`);
        return events[0]!.handledBy.some((step) => step.consumer === notification) ? events[0]! : undefined;
      }, { what: 'the fixed message handled', timeoutMs: 30_000 });
      t.match(journey.deadLetters.find((step) => step.id === letter.id), { redrivenAt: String }, 'the journey shows the dead letter, redriven, and the group that then handled it');
      const audit = await get<{ items: Array<{ action: string; target: { deadLetterId: number }; reason: string }> }>(app, '/admin/audit');
      t.match(audit.items[0], { action: 'dead-letter.redrive', target: { deadLetterId: letter.id, fixedPayload: true }, reason: 'changeAmount was text' });
    });

    t.test('letters failing alike are redriven, then skipped, as one group', async (t) => {
      await commitPoison(app, ann.accountId);
      await commitPoison(app, bob.accountId);
      const groupOf = (except: number[]) => eventually(async () => (await get<{ items: GroupBody[] }>(app, '/admin/dead-letters/groups')).items
        .find((candidate) => candidate.consumer === notification && candidate.count === 2 && !except.includes(candidate.sampleId)),
      { what: 'two letters in one group', timeoutMs: 30_000 });
      const first = await groupOf([]);
      const redriven = await app.request({ method: 'POST', url: '/admin/dead-letters/redrive', headers, payload: { consumer: notification, fingerprint: first!.fingerprint, reason: 'retry after the fix' } });
      t.equal(redriven.statusCode, 200, redriven.body);
      const settled = redriven.json<{ settled: Array<{ id: number; redrivenAt: string | null }> }>().settled;
      t.equal(settled.length, 2, 'POST /admin/dead-letters/redrive settles the whole group');
      t.ok(settled.every((letter) => letter.redrivenAt !== null), 'each letter redriven');
      const audit = await get<{ items: Array<{ action: string; target: { deadLetterId: number }; reason: string }> }>(app, '/admin/audit?limit=2');
      t.same(audit.items.map((item) => item.target.deadLetterId).sort(), settled.map((letter) => letter.id).sort(), 'each audited');
      // Unchanged, the payloads break their contract again: the same group, with two new letters.
      const group = await groupOf(settled.map((letter) => letter.id));
      t.equal(group!.fingerprint, first!.fingerprint, 'the redriven messages failed alike again');
      const skipped = await app.request({ method: 'POST', url: '/admin/dead-letters/skip', headers, payload: { consumer: notification, fingerprint: group!.fingerprint, reason: 'test traffic' } });
      t.equal(skipped.statusCode, 200, skipped.body);
      t.equal(skipped.json<{ settled: unknown[] }>().settled.length, 2, 'POST /admin/dead-letters/skip settles the whole group');
      t.notOk((await get<{ items: GroupBody[] }>(app, '/admin/dead-letters/groups')).items.some((candidate) => candidate.consumer === notification),
        'and the group is gone');
      const noReason = await app.request({ method: 'POST', url: '/admin/dead-letters/skip', headers, payload: { consumer: notification, fingerprint: group!.fingerprint } });
      t.equal(noReason.statusCode, 400, 'a skip needs a reason');
    });

    t.test('GET /admin/flow and /admin/flow/history: rates, lag and what is stuck, per group', async (t) => {
      let seen: unknown;
      const flow = await eventually(async () => {
        const now = await get<FlowBody>(app, '/admin/flow');
        seen = now.consumers.find((candidate) => candidate.consumer === notification);
        const group = now.consumers.find((candidate) => candidate.consumer === notification);
        // The skipped letters' keys are released once the group handles their release messages.
        return group?.lag === 0 && group.parkedKeys === 0 ? now : undefined;
      }, { what: 'notification caught up, its keys released', timeoutMs: 30_000 }).catch((error: Error) => { throw new Error(`${error.message}: ${JSON.stringify(seen)}`); });
      t.equal(flow.transport, transport);
      t.ok(flow.relay.publishedPerSecond > 0, 'the relay published in the last minute');
      const group = flow.consumers.find((candidate) => candidate.consumer === notification)!;
      t.ok(group.handledPerSecond > 0, 'the group handled in the last minute');
      t.match(group, { deadLetters: 0, parkedKeys: 0 });
      if (transport === 'kafka') {
        t.ok(group.partitions.length > 0, 'lag per partition on Kafka');
        t.ok(group.partitions.every((partition) => partition.lag === Number(partition.highWatermark) - Number(partition.committed ?? 0) || partition.committed === null));
      }
      const history = await get<{ bucketSeconds: number; series: Array<{ name: string; points: Array<{ perSecond: number }> }> }>(app, '/admin/flow/history?minutes=2');
      t.equal(history.bucketSeconds, 5);
      const relay = history.series.find((series) => series.name === 'relay')!;
      t.equal(relay.points.length, 24, 'two minutes of 5-second points');
      t.ok(relay.points.some((point) => point.perSecond > 0), 'with the publishing in them');
      t.ok(history.series.some((series) => series.name === notification && series.points.some((point) => point.perSecond > 0)));
    });

    t.test('bad journey queries', async (t) => {
      t.equal((await app.request({ method: 'GET', url: '/admin/journey', headers })).statusCode, 400, 'neither id nor key');
      t.equal((await app.request({ method: 'GET', url: `/admin/journey?eventId=${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}&key=1`, headers })).statusCode, 400, 'both');
      t.equal((await app.request({ method: 'GET', url: '/admin/journey?eventId=nope', headers })).statusCode, 400, 'an id that is not a UUID');
      const missing = await app.request({ method: 'GET', url: `/admin/journey?eventId=${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}`, headers });
      t.equal(missing.statusCode, 404);
      t.equal((await app.request({ method: 'GET', url: '/admin/dead-letters/999999', headers })).statusCode, 404);
      t.equal((await app.request({ method: 'GET', url: '/admin/flow/history?minutes=31', headers })).statusCode, 400);
    });
  });
}
