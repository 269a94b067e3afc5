import { spansOfTrace } from '../harness/tracing.ts';
import { randomBytes } from 'node:crypto';
import { SpanKind } from '@opentelemetry/api';
import t from 'tap';
import { PlatformProcess } from '../faults/harness/platform-process.ts';
import { createTestDatabase } from '../harness/database.ts';
import { eventually } from '../harness/eventually.ts';
import { OtlpReceiver } from '../harness/otlp-receiver.ts';
import { startTestPlatform } from '../harness/platform.ts';
import { testBroker } from '../harness/suite.ts';
import { openAccount } from '../../modules/account/testing/account.kit.ts';
import { paymentStatus } from '../../modules/payment/testing/payment.kit.ts';

/**
 * A split deployment: this process runs every module but notification (spans to the in-memory
 * exporter), a second `node src/main.ts` runs notification and exports over OTLP/HTTP to a
 * stand-in collector. The second process's spans join the request's trace: the context crossed
 * in the Kafka message's `traceparent` header.
 */
t.test('flow 8 traced · the notification process\'s spans join the trace of the request made to the other', async (t) => {
  const database = await createTestDatabase();
  t.teardown(() => database.drop());
  const { brokers } = await testBroker();
  const receiver = await OtlpReceiver.start();
  t.teardown(() => receiver.stop());
  const namespace = `trace${randomBytes(3).toString('hex')}`;
  const common = { databaseUrl: database.url, transport: 'kafka' as const, brokers, namespace };
  const main = await startTestPlatform({ ...common, env: { MODULES: 'profile,account,payment,billing,order' } });
  t.teardown(() => main.stop());

  const notifier = new PlatformProcess({
    name: 'notification', port: 0,
    onCrash: (report) => t.fail(`the notification process crashed:\n${report}`),
    env: {
      DATABASE_URL: database.url, ROLE: 'worker', MODULES: 'notification',
      KAFKA_BROKERS: brokers.join(','), TOPIC_PREFIX: `${namespace}.`, KAFKA_GROUP_PREFIX: namespace,
      KAFKA_SESSION_TIMEOUT_MS: '6000', KAFKA_HEARTBEAT_INTERVAL_MS: '500', KAFKA_FETCH_MAX_WAIT_MS: '100', KAFKA_TOPIC_PARTITIONS: '4',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_SERVICE_NAME: 'payments-notification', OTEL_BSP_SCHEDULE_DELAY: '100', OTEL_METRIC_EXPORT_INTERVAL: '1000',
    },
  });
  await notifier.start();
  t.teardown(() => notifier.stop());

  await openAccount(main, 'spl', { deposit: 80 });
  const traceId = randomBytes(16).toString('hex');
  const payment = await main.request({ method: 'POST', url: '/payments', headers: { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` }, payload: { userName: 'spl', amount: 25, currency: 'EUR' } });
  t.equal(payment.statusCode, 201, 'POST /payments on the first process');
  t.equal(await paymentStatus(main, payment.json<{ id: number }>().id, (status) => status === 'COMPLETED', 60_000), 'COMPLETED', 'completes across both');

  const created = await eventually(() => spansOfTrace(traceId).find((span) => span.attributes['messaging.operation.type'] === 'create'
    && span.attributes['cloudevents.event_type'] === 'payment.completed'), { what: 'the create span of payment.completed', timeoutMs: 30_000 });
  const remote = await eventually(() => receiver.spans.find((span) => span.traceId === traceId && span.attributes['messaging.operation.type'] === 'process'
    && span.attributes['cloudevents.event_type'] === 'payment.completed'), { what: 'the notification process\'s span of payment.completed, over OTLP', timeoutMs: 30_000 });

  t.equal(remote.service, 'payments-notification', 'exported by the second process under its OTEL_SERVICE_NAME');
  t.equal(remote.kind, SpanKind.CONSUMER, 'a CONSUMER span');
  t.equal(remote.parentSpanId, created.spanId, 'a child of the create span recorded in the first process: one trace across processes');
  t.match(remote.attributes, { 'messaging.system.name': 'kafka', 'messaging.consumer.group.name': `${namespace}.notification`, 'messaging.process.attempt': 1 }, 'with the group and the attempt');
  t.ok(/^\d+$/.test(String(remote.attributes['messaging.destination.partition.id'])) && Number.isInteger(remote.attributes['kafka.offset']), 'and the partition and offset it was read at');
  t.ok(receiver.spans.some((span) => span.traceId === traceId && span.name.startsWith('pg.') && span.service === 'payments-notification'),
    'its statements are pg spans of the same trace');
  await eventually(() => receiver.metricExports > 0 || undefined, { what: 'a metrics export over OTLP', timeoutMs: 15_000 });
  t.pass('metrics go out over OTLP too');
});
