import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import t from 'tap';
import { KafkaTransport } from '../../src/platform/messaging/transports/kafka.transport.ts';
import type { ReceivedMessage } from '../../src/platform/messaging/transports/transport.ts';
import { eventually } from '../harness/eventually.ts';
import { fastKafkaTestSettings } from '../harness/kafka-broker.ts';
import { testBroker } from '../harness/suite.ts';

const MESSAGES = 40;

/**
 * Batch consumers commit offsets once a second rather than after every record batch; what they
 * handled in the last second must still be committed when they stop, or every graceful restart
 * would redeliver it.
 */
t.test('a batch-consuming group that stops commits what it handled: the next member of the group starts after it', async (t) => {
  const broker = await testBroker();
  const topic = `offsets-${randomBytes(4).toString('hex')}`;
  const group = `${topic}.group`;
  await broker.createTopic(topic, 2);
  const transport = (): KafkaTransport => {
    const settings = fastKafkaTestSettings().consumer;
    return new KafkaTransport({
      clientId: 'offsets-test', brokers: broker.brokers, logger: pino({ level: 'silent' }),
      partitionsConsumedConcurrently: 2, batchSize: 10,
      sessionTimeoutMs: settings.sessionTimeout!, heartbeatIntervalMs: settings.heartbeatInterval!, fetchMaxWaitMs: settings.maxWaitTimeInMs!,
    });
  };
  const consume = async (into: ReceivedMessage[]): Promise<KafkaTransport> => {
    const consumer = transport();
    await consumer.subscribe({
      group, topics: [topic],
      handle: async (message) => void into.push(message),
      handleBatch: async (messages) => void into.push(...messages),
    });
    return consumer;
  };
  const producer = transport();
  t.teardown(() => producer.close());
  const message = (n: number) => ({ topic, key: `k${n % 5}`, value: JSON.stringify({ n }), headers: {} });

  const first: ReceivedMessage[] = [];
  const firstMember = await consume(first);
  await producer.publish(Array.from({ length: MESSAGES }, (_, n) => message(n)));
  await eventually(() => first.length >= MESSAGES, { what: `the first member handling ${MESSAGES} messages`, timeoutMs: 60_000 });
  await firstMember.close();

  const second: ReceivedMessage[] = [];
  const secondMember = await consume(second);
  t.teardown(() => secondMember.close());
  await producer.publish([message(MESSAGES)]);
  await eventually(() => second.some((received) => received.value === JSON.stringify({ n: MESSAGES })), { what: 'the new message', timeoutMs: 60_000 });
  t.equal(first.length, MESSAGES, 'the first member handled each message once');
  t.same(second.map((received) => received.value), [JSON.stringify({ n: MESSAGES })], 'the second member got only the new message: nothing handled before was redelivered');
});
