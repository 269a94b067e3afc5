import { setTimeout as sleep } from 'node:timers/promises';
import kafkajs from 'kafkajs';
import { pino } from 'pino';
import t from 'tap';
import { KafkaTransport } from '../../src/platform/messaging/transports/kafka.transport.ts';
import { startTestKafkaBroker } from '../harness/kafka-broker.ts';

const { Kafka, logLevel } = kafkajs;

/**
 * Leaders move while the relay publishes (a broker restarting, a rolling upgrade). kafkajs 2.2.4
 * retries a failed multi-broker send only towards brokers that have not answered yet: when the
 * partitions of the broker that failed moved to one that had already answered, their messages are
 * never sent again, and the send resolves as if they had been. Every message a publish
 * acknowledged must be on the cluster.
 */
t.test('every message a publish acknowledged is on the cluster, while partition leaders move', async (t) => {
  const cluster = await startTestKafkaBroker({ kind: 'local', nodes: 3 });
  t.teardown(() => cluster.stop());
  const transport = new KafkaTransport({
    clientId: 'leader-change', brokers: cluster.brokers, logger: pino({ level: 'silent' }),
    partitionsConsumedConcurrently: 1, sessionTimeoutMs: 6000, heartbeatIntervalMs: 500, fetchMaxWaitMs: 100,
    topicPartitions: 12, replicationFactor: 3,
  });
  t.teardown(() => transport.close());
  const topics = ['moves.a', 'moves.b'];
  await transport.ensureTopics(topics);

  const acknowledged = new Set<string>();
  let failedPublishes = 0;
  let publishing = true;
  const publisher = (async () => {
    for (let batch = 0; publishing; batch++) {
      const messages = topics.flatMap((topic) => Array.from({ length: 48 }, (_, n) => ({ topic, key: `k${n}`, value: `${topic}:${batch}:${n}`, headers: {} })));
      try {
        await transport.publish(messages);
        for (const message of messages) acknowledged.add(message.value);
      } catch {
        failedPublishes++; // the relay retries a failed batch; only acknowledged ones count
      }
    }
  })();
  // Controlled shutdowns move every partition a node leads to the others, one node after another.
  for (const node of [1, 2]) {
    await sleep(1500);
    await cluster.shutdown(node);
    await cluster.restart(node);
  }
  await sleep(1500);
  publishing = false;
  await publisher;

  const onCluster = await readAll(cluster.brokers, topics);
  const missing = [...acknowledged].filter((value) => !onCluster.has(value));
  t.ok(acknowledged.size > 0, `${acknowledged.size} messages acknowledged (${failedPublishes} publishes failed and would be retried)`);
  t.same(missing.slice(0, 10), [], `no acknowledged message is missing (${missing.length} missing)`);
});

async function readAll(brokers: string[], topics: string[]): Promise<Set<string>> {
  const kafka = new Kafka({ clientId: 'leader-change-reader', brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  let expected = 0;
  for (const topic of topics) expected += (await admin.fetchTopicOffsets(topic)).reduce((sum, partition) => sum + Number(partition.high), 0);
  await admin.disconnect();
  const values = new Set<string>();
  let read = 0;
  const consumer = kafka.consumer({ groupId: `reader-${Date.now()}` });
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  let done: () => void = () => {};
  const all = new Promise<void>((resolve) => (done = resolve));
  await consumer.run({
    eachMessage: async ({ message }) => {
      values.add(message.value!.toString());
      if (++read >= expected) done();
    },
  });
  await Promise.race([all, sleep(60_000, undefined, { ref: false })]);
  await consumer.disconnect();
  return values;
}
