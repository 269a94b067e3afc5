import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import t from 'tap';
import { KafkaTransport } from '../../src/platform/messaging/transports/kafka.transport.ts';
import type { ReceivedMessage } from '../../src/platform/messaging/transports/transport.ts';
import { eventually } from '../harness/eventually.ts';
import { testBroker } from '../harness/suite.ts';

// The broker's lowest session timeout; the handler blocks half as long again.
const SESSION_TIMEOUT_MS = 6000;
const BLOCK_MS = 9000;

/**
 * kafkajs heartbeats only when eachBatch/eachMessage asks it to: a handler retrying or waiting for
 * the database longer than the session timeout used to get its member evicted, its message
 * redelivered once the handler returned.
 */
for (const path of ['eachMessage', 'eachBatch'] as const) {
  t.test(`${path}: a handler that blocks longer than the session timeout keeps its member in the group`, async (t) => {
    const broker = await testBroker();
    const topic = `heartbeat-${randomBytes(4).toString('hex')}`;
    await broker.createTopic(topic, 1);
    const transport = (): KafkaTransport => new KafkaTransport({
      clientId: 'heartbeat-test', brokers: broker.brokers, logger: pino({ level: 'silent' }),
      partitionsConsumedConcurrently: 1, batchSize: path === 'eachBatch' ? 10 : 1,
      sessionTimeoutMs: SESSION_TIMEOUT_MS, heartbeatIntervalMs: 500, fetchMaxWaitMs: 100,
    });
    const producer = transport();
    t.teardown(() => producer.close());
    const handled: ReceivedMessage[] = [];
    const handle = async (messages: ReceivedMessage[]): Promise<void> => {
      if (messages.some((message) => message.value === 'slow')) await sleep(BLOCK_MS);
      handled.push(...messages);
    };
    const member = transport();
    t.teardown(() => member.close());
    await member.subscribe({
      group: `${topic}.group`, topics: [topic],
      handle: (message) => handle([message]),
      ...(path === 'eachBatch' ? { handleBatch: handle } : {}),
    });
    await producer.publish([{ topic, key: 'k', value: 'slow', headers: {} }]);
    await eventually(() => handled.length >= 1, { what: 'the slow message handled', timeoutMs: 60_000 });
    await producer.publish([{ topic, key: 'k', value: 'next', headers: {} }]);
    await eventually(() => handled.some((message) => message.value === 'next'), { what: 'the next message', timeoutMs: 60_000 });
    // An evicted member would rejoin and get the slow message again, BLOCK_MS later.
    await sleep(BLOCK_MS + 2000);
    t.same(handled.map((message) => message.value), ['slow', 'next'], 'each message handled once: the slow one was not redelivered');
  });
}
