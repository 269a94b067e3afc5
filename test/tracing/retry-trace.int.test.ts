import { spansOfTrace, type SpanRecord } from '../harness/tracing.ts';
import { Writable } from 'node:stream';
import { SpanKind } from '@opentelemetry/api';
import { createLogger } from '../../src/platform/observability/logger.ts';
import { tracer } from '../../src/platform/observability/trace-context.ts';
import t from 'tap';
import { eventually } from '../harness/eventually.ts';
import type { TestPlatform } from '../harness/platform.ts';
import { Sequenced, startRecordingConsumer } from '../harness/recording-consumer.ts';
import { platformFor, TRANSPORTS } from '../harness/suite.ts';
import { OPERATOR_AUTHORIZATION } from '../harness/tokens.ts';

/**
 * Retries, dead-lettering and redrive keep the message's trace: every attempt is a process span
 * under the event's create span, the dead letter's publication to `<topic>.dlq` is sent in the
 * same trace, and a redriven message's process span links to its first attempt.
 */

const GROUP = 'test.recorder';

/** Commits one test event outside any request: its create span starts a trace of its own. */
async function write(app: TestPlatform, data: { key: string; seq: number; fail?: boolean; failTimes?: number }): Promise<{ eventId: string; traceId: string; createSpanId: string }> {
  const { orm, outbox } = app.container.cradle;
  const envelope = await orm.em.fork().transactional(async (em) => outbox.add(em, Sequenced, data));
  const [, traceId, spanId] = envelope.traceparent!.split('-');
  return { eventId: envelope.id, traceId: traceId!, createSpanId: spanId! };
}

function processSpans(spans: SpanRecord[], eventId: string): SpanRecord[] {
  return spans
    .filter((span) => span.attributes['messaging.operation.type'] === 'process' && span.attributes['messaging.message.id'] === eventId)
    .sort((a, b) => a.startMs - b.startMs);
}

for (const transport of TRANSPORTS) {
  t.test(`retries and redrive stay in the message's trace [${transport}]`, async (t) => {
    const logLines: Array<Record<string, unknown>> = [];
    const logStream = new Writable({ write: (chunk: Buffer, _encoding, done) => { logLines.push(JSON.parse(chunk.toString()) as Record<string, unknown>); done(); } });
    const logger = createLogger('info', logStream);
    const app = await platformFor(t, transport, { overrides: { logger } });
    await startRecordingConsumer(app, GROUP);

    t.test('a log line written in a span carries its trace_id and span_id', async (t) => {
      const span = tracer().startActiveSpan('logging', (active) => {
        logger.info('inside a span');
        active.end();
        return active.spanContext();
      });
      await eventually(() => logLines.find((line) => line['msg'] === 'inside a span'), { what: 'the log line', timeoutMs: 5_000 });
      t.match(logLines.find((line) => line['msg'] === 'inside a span'), { trace_id: span.traceId, span_id: span.spanId });
    });

    t.test('a handler that fails twice, then succeeds, shows three process attempts under one trace', async (t) => {
      const event = await write(app, { key: 'flaky', seq: 0, failTimes: 2 });
      const attempts = await eventually(() => {
        const found = processSpans(spansOfTrace(event.traceId), event.eventId);
        return found.length === 3 && found[2]!.status !== 2 ? found : undefined;
      }, { what: 'three process spans of the flaky event', timeoutMs: 30_000 });
      t.same(attempts.map((span) => span.attributes['messaging.process.attempt']), [1, 2, 3], 'attempts 1, 2 and 3');
      t.same(attempts.map((span) => span.status), [2, 2, 0], 'the first two failed (error status), the third did not');
      t.ok(attempts.every((span) => span.kind === SpanKind.CONSUMER && span.parentSpanId === event.createSpanId), 'each a child of the event\'s create span');
      t.ok(attempts.every((span) => span.attributes['messaging.consumer.group.name'] === GROUP), 'of the consumer group');
      t.match(attempts[0], { name: `process ${String(attempts[0]!.attributes['messaging.destination.name'])}` }, 'named "process <topic>"');
    });

    t.test('a dead letter is sent in the trace, and its redrive\'s process span links to the first attempt', async (t) => {
      const event = await write(app, { key: 'broken', seq: 0, fail: true });
      const failed = await eventually(() => {
        const spans = spansOfTrace(event.traceId);
        const attempts = processSpans(spans, event.eventId);
        const dlqSent = spans.some((span) => span.attributes['messaging.operation.type'] === 'send'
          && String(span.attributes['messaging.destination.name']).endsWith('.dlq') && span.links.some((link) => link.spanId === event.createSpanId));
        return attempts.length === 3 && dlqSent ? attempts : undefined;
      }, { what: 'three failed attempts and the dead letter sent to the .dlq topic in the trace', timeoutMs: 30_000 });
      t.ok(failed.every((span) => span.status === 2), 'three failed attempts');
      t.pass('the dead letter\'s copy on <topic>.dlq is sent in the event\'s trace, linked to its create span');
      const logged = logLines.find((line) => line['msg'] === 'message dead-lettered' && line['key'] === 'broken');
      t.match(logged, { trace_id: event.traceId, span_id: event.createSpanId }, 'the "message dead-lettered" log line leads to the trace');

      const letters = await app.request({ method: 'GET', url: `/admin/dead-letters?consumer=${GROUP}`, headers: { authorization: OPERATOR_AUTHORIZATION } });
      const letter = letters.json<{ items: Array<{ id: number; eventId: string | null }> }>().items.find((item) => item.eventId === event.eventId)!;
      const redriven = await app.request({
        method: 'POST', url: `/admin/dead-letters/${letter.id}/redrive`,
        headers: { authorization: OPERATOR_AUTHORIZATION, 'idempotency-key': `trace-redrive-${letter.id}` },
        payload: { payload: { key: 'broken', seq: 0 } },
      });
      t.equal(redriven.statusCode, 200, 'the fixed letter is redriven');

      const redrive = await eventually(() => processSpans(spansOfTrace(event.traceId), event.eventId).find((span) => span.status !== 2),
        { what: 'the redriven message\'s process span in the trace', timeoutMs: 30_000 });
      t.equal(redrive.parentSpanId, event.createSpanId, 'the redriven message is processed under the event\'s create span, in its original trace');
      t.same(redrive.links.map((link) => [link.spanId, link.attributes['messaging.link.role']]), [[failed[0]!.spanId, 'first_attempt']], 'and links to the first attempt');
    });
  });
}
