import { spansOfTrace, type SpanRecord } from '../harness/tracing.ts';
import { randomBytes } from 'node:crypto';
import { SpanKind } from '@opentelemetry/api';
import t, { type Test } from 'tap';
import { eventually } from '../harness/eventually.ts';
import type { TestPlatform } from '../harness/platform.ts';
import { platformFor, TRANSPORTS } from '../harness/suite.ts';
import { customerAuthorization } from '../harness/tokens.ts';
import { writeWaterfall } from '../harness/waterfall.ts';
import { openAccount } from '../../modules/account/testing/account.kit.ts';
import { notificationTypes } from '../../modules/notification/testing/notification.kit.ts';
import { paymentStatus } from '../../modules/payment/testing/payment.kit.ts';

/**
 * One POST /payments, one trace: the HTTP request, every event written to the outbox (create),
 * its publication by the relay (send) and its handling in every consumer group (process), through
 * to COMPLETED, with the attributes of OpenTelemetry's messaging conventions.
 */

const MODULE_GROUPS = ['account', 'billing', 'payment', 'notification'];

/** The caller's span: the request continues its trace, as it would a client's or a gateway's. */
const CALLER = { spanId: randomBytes(8).toString('hex') };

async function pay(app: TestPlatform, login: string, amount: number, traceId: string): Promise<number> {
  const response = await fetch(`${app.url!}/payments`, {
    method: 'POST',
    headers: {
      authorization: await customerAuthorization(login), 'content-type': 'application/json', 'idempotency-key': `trace-${login}`,
      traceparent: `00-${traceId}-${CALLER.spanId}-01`,
    },
    body: JSON.stringify({ userName: login, amount, currency: 'EUR' }),
  });
  if (response.status !== 201) throw new Error(`POST /payments answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { id: number }).id;
}

function ofOperation(spans: SpanRecord[], operation: string): SpanRecord[] {
  return spans.filter((span) => span.attributes['messaging.operation.type'] === operation);
}

function groupOf(span: SpanRecord): string {
  return String(span.attributes['messaging.consumer.group.name']).split('.').at(-1)!;
}

function checkMessagingSpans(t: Test, spans: SpanRecord[], transport: string): void {
  const creates = ofOperation(spans, 'create');
  const sends = ofOperation(spans, 'send');
  const processes = ofOperation(spans, 'process');
  const system = transport === 'kafka' ? 'kafka' : 'local';
  const byId = new Map(spans.map((span) => [span.spanId, span]));

  t.ok(creates.every((span) => span.kind === SpanKind.PRODUCER && span.name === `create ${String(span.attributes['messaging.destination.name'])}`), 'create spans are PRODUCER spans named "create <topic>"');
  t.ok(creates.every((span) => span.attributes['messaging.system.name'] === system && typeof span.attributes['messaging.message.id'] === 'string'
    && typeof span.attributes['cloudevents.event_type'] === 'string' && typeof span.attributes['kafka.message.key'] === 'string'), 'create spans carry system, topic, key, event id and type');
  t.ok(creates.every((span) => span.parentSpanId !== undefined && byId.has(span.parentSpanId)), 'every create span is a child of a span of the trace (the request\'s or a handler\'s)');

  const linked = new Set(sends.flatMap((span) => span.links.map((link) => link.spanId)));
  t.same(creates.filter((span) => !linked.has(span.spanId)).map((span) => span.name), [], 'every create span is linked from a send span of the relay');
  t.ok(sends.every((span) => span.kind === SpanKind.CLIENT && span.links.every((link) => link.traceId === span.traceId && byId.get(link.spanId)?.attributes['messaging.operation.type'] === 'create')),
    'send spans are CLIENT spans linked to the create spans they published');
  t.ok(sends.every((span) => span.parentSpanId !== undefined && span.links.some((link) => link.spanId === span.parentSpanId)), 'and children of the first of them');

  t.ok(processes.length > 0 && processes.every((span) => span.kind === SpanKind.CONSUMER && span.status !== 2), 'process spans are CONSUMER spans that succeeded');
  for (const span of processes) {
    const parent = byId.get(span.parentSpanId ?? '');
    if (parent?.attributes['messaging.message.id'] !== span.attributes['messaging.message.id'] || parent?.attributes['messaging.operation.type'] !== 'create') {
      t.fail(`${span.name} in ${groupOf(span)} is not a child of its message's create span`);
    }
  }
  t.ok(processes.every((span) => span.attributes['messaging.process.attempt'] === 1 && typeof span.attributes['messaging.consumer.group.name'] === 'string'), 'each process span names its consumer group and attempt 1');
  if (transport === 'kafka') {
    t.ok(processes.every((span) => /^\d+$/.test(String(span.attributes['messaging.destination.partition.id'])) && Number.isInteger(span.attributes['kafka.offset'])),
      'on Kafka, process spans carry the partition and the offset');
  }
}

for (const transport of TRANSPORTS) {
  t.test(`one payment, one trace [${transport}]`, async (t) => {
    const app = await platformFor(t, transport, { env: { PROCESSING_DELAY_MIN_MS: '50', PROCESSING_DELAY_MAX_MS: '100' } });
    await openAccount(app, 'tracy', { deposit: 100 });
    const traceId = randomBytes(16).toString('hex');
    const id = await pay(app, 'tracy', 30, traceId);
    t.equal(await paymentStatus(app, id, (status) => status === 'COMPLETED'), 'COMPLETED', 'the payment completes');
    await notificationTypes(app, 'tracy', ['PAYMENT_COMPLETED']);

    const spans = await eventually(() => {
      const found = spansOfTrace(traceId);
      const groups = new Set(ofOperation(found, 'process').map(groupOf));
      const completedHandled = ofOperation(found, 'process').some((span) => span.attributes['cloudevents.event_type'] === 'payment.completed' && groupOf(span) === 'notification');
      const sent = new Set(ofOperation(found, 'send').flatMap((span) => span.links.map((link) => link.spanId)));
      const allSent = ofOperation(found, 'create').every((span) => sent.has(span.spanId));
      return MODULE_GROUPS.every((group) => groups.has(group)) && completedHandled && allSent ? found : undefined;
    }, { what: 'process spans of every module in the trace, and every event sent', timeoutMs: 30_000 });

    const server = spans.find((span) => span.kind === SpanKind.SERVER)!;
    t.equal(server.parentSpanId, CALLER.spanId, 'the trace starts at the HTTP request, continuing the caller\'s traceparent');
    t.match(server.attributes, { 'http.route': '/payments', 'http.response.status_code': 201 }, 'whose server span names the route and status');
    t.ok(spans.some((span) => span.name.startsWith('pg.query') || String(span.attributes['db.system.name'] ?? span.attributes['db.system']) === 'postgresql'), 'the request\'s statements are pg spans of the trace');

    const requested = ofOperation(spans, 'create').filter((span) => span.attributes['cloudevents.event_type'] === 'payment.requested');
    t.equal(requested.length, 1, 'the payment module\'s outbox write of payment.requested is a create span of the request\'s trace');
    const types = new Set(ofOperation(spans, 'create').map((span) => span.attributes['cloudevents.event_type']));
    for (const type of ['payment.requested', 'account.funds.reserved', 'payment.submitted', 'billing.payment.processed', 'payment.completed']) {
      t.ok(types.has(type), `${type} was written in the trace`);
    }
    t.ok(spans.some((span) => span.name === 'billing process payment' && span.kind === SpanKind.INTERNAL), 'billing\'s scheduled processing resumes the trace in a span of its own');
    checkMessagingSpans(t, spans, transport);
    await writeWaterfall(spans, `payment-trace-${transport}`);
  });
}
