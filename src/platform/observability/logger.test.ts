import { Writable } from 'node:stream';
import t from 'tap';
import { createLogger, traceFieldsOf } from './logger.ts';
import { runInTrace } from './trace-context.ts';

function capturing(): { lines: Array<Record<string, unknown>>; stream: Writable } {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({ write: (chunk: Buffer, _encoding, done) => { lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>); done(); } });
  return { lines, stream };
}

t.test('a line logged in a request\'s or a handler\'s trace carries trace_id and span_id, without OpenTelemetry started', async (t) => {
  const { lines, stream } = capturing();
  const logger = createLogger('info', stream);
  runInTrace({ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16) }, () => logger.info('inside'));
  logger.info('outside');
  await new Promise((resolve) => setImmediate(resolve));
  t.match(lines[0], { msg: 'inside', trace_id: 'a'.repeat(32), span_id: 'b'.repeat(16) });
  t.notOk('trace_id' in lines[1]!, 'a line outside any trace has none');
});

t.test('a line about a message names the trace of its create span', async (t) => {
  t.same(traceFieldsOf({ headers: { traceparent: `00-${'c'.repeat(32)}-${'d'.repeat(16)}-01` } }), { trace_id: 'c'.repeat(32), span_id: 'd'.repeat(16) });
  t.same(traceFieldsOf({ headers: {} }), {}, 'none without a traceparent');
  t.same(traceFieldsOf({ headers: { traceparent: 'garbage' } }), {}, 'nor with a malformed one');
  t.same(traceFieldsOf({ headers: { traceparent: `00-${'0'.repeat(32)}-${'d'.repeat(16)}-01` } }), {}, 'nor with the invalid all-zero trace id');
});
