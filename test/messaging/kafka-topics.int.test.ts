import { randomBytes } from 'node:crypto';
import kafkajs, { type Admin } from 'kafkajs';
import { pino } from 'pino';

const { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ConfigResourceTypes, Kafka, logLevel, ResourcePatternTypes } = kafkajs;
import t, { type Test } from 'tap';
import type { Logger } from '../../src/platform/observability/logger.ts';
import { HandledOffsets, KafkaTransport, withDeadLetterTopics } from '../../src/platform/messaging/transports/kafka.transport.ts';
import { startTestKafkaBroker } from '../harness/kafka-broker.ts';
import { platformFor, testBroker } from '../harness/suite.ts';

interface LogLine { level: number; msg: string; [field: string]: unknown }

function recordingLogger(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) });
  return { logger, lines };
}

/** An admin client of the test's own, disconnected when the test ends. */
async function connectedAdmin(t: Test, brokers: string[], clientId = 'topics-test'): Promise<Admin> {
  const admin = new Kafka({ clientId, brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  return admin;
}

/** A transport for topic creation only: these tests never consume. */
function topicsTransport(brokers: string[], logger: Logger, topics: { topicPartitions: number; replicationFactor: number }): KafkaTransport {
  return new KafkaTransport({
    clientId: 'topics-test', brokers, logger,
    partitionsConsumedConcurrently: 1, sessionTimeoutMs: 6000, heartbeatIntervalMs: 500, fetchMaxWaitMs: 100,
    ...topics,
  });
}

t.test('HandledOffsets › a new generation drops every offset noted before the join (no broker)', async (t) => {
  const handled = new HandledOffsets();
  handled.startGeneration();
  handled.note('a', 0, '4');
  handled.note('a', 1, '9');
  t.same(handled.offsets(), [{ topic: 'a', partition: 0, offset: '5' }, { topic: 'a', partition: 1, offset: '10' }]);
  handled.startGeneration();
  t.same(handled.offsets(), [], 'even partitions assigned again after the join are dropped');
  const commits: unknown[] = [];
  await handled.commit({ commitOffsets: async (offsets) => void commits.push(offsets) });
  t.same(commits, [], 'nothing is committed on close');
  handled.note('a', 1, '12');
  await handled.commit({ commitOffsets: async (offsets) => void commits.push(offsets) });
  t.same(commits, [[{ topic: 'a', partition: 1, offset: '13' }]], 'only what this generation handled');
});

t.test('withDeadLetterTopics › every topic and its .dlq, once', async (t) => {
  t.same(withDeadLetterTopics(['b', 'a', 'a']), ['a', 'a.dlq', 'b', 'b.dlq']);
  t.same(withDeadLetterTopics(['a', 'a.dlq']), ['a', 'a.dlq'], 'no .dlq.dlq');
});

t.test('ensureTopics › creates each topic and its dead-letter topic with the configured partitions, capped replicas and min.insync.replicas', async (t) => {
  const broker = await testBroker();
  const prefix = `topics-${randomBytes(4).toString('hex')}`;
  const admin = await connectedAdmin(t, broker.brokers);
  const brokerCount = (await admin.describeCluster()).brokers.length;
  const small = `${prefix}.small`;
  await broker.createTopic(small, 1);

  const { logger, lines } = recordingLogger();
  const transport = topicsTransport(broker.brokers, logger, { topicPartitions: 3, replicationFactor: 32 });
  t.teardown(() => transport.close());
  const wanted = [`${prefix}.a`, `${prefix}.b`, small];
  await transport.ensureTopics(wanted);

  const all = new Set(await admin.listTopics());
  for (const topic of withDeadLetterTopics(wanted)) t.ok(all.has(topic), `${topic} exists`);
  const { topics } = await admin.fetchTopicMetadata({ topics: [`${prefix}.a`, `${prefix}.a.dlq`] });
  for (const topic of topics) {
    t.equal(topic.partitions.length, 3, `${topic.name} has KAFKA_TOPIC_PARTITIONS partitions`);
    t.equal(topic.partitions[0]!.replicas.length, Math.min(32, brokerCount), `${topic.name}: replicas capped at the broker count`);
  }
  const described = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: `${prefix}.a`, configNames: ['min.insync.replicas'] }] });
  t.equal(described.resources[0]!.configEntries[0]!.configValue, String(Math.max(1, Math.min(32, brokerCount) - 1)), 'min.insync.replicas = replicas - 1, at least 1');

  const capped = lines.filter((line) => /capped/.test(line.msg));
  t.equal(capped.length, 1, 'one warning that the replication factor was capped');
  const smallWarnings = lines.filter((line) => line['topic'] === small);
  t.equal(smallWarnings.length, 1, 'one warning about the existing topic with too few partitions');
  t.match(smallWarnings[0], { has: { partitions: 1 }, wants: { partitions: 3 } });
  t.notOk(lines.some((line) => line['topic'] === `${prefix}.a`), 'none about topics as configured');

  // Already there: a second call creates nothing and still succeeds.
  await transport.ensureTopics(wanted);
});

t.test('ensureTopics › processes starting at once, one of them finding some topics just created by another, all start without a warning, every partition led', async (t) => {
  const broker = await testBroker();
  const prefix = `race-${randomBytes(4).toString('hex')}`;
  const { logger, lines } = recordingLogger();
  const transports = Array.from({ length: 3 }, () => topicsTransport(broker.brokers, logger, { topicPartitions: 12, replicationFactor: 1 }));
  t.teardown(() => Promise.all(transports.map((transport) => transport.close())));
  const topics = Array.from({ length: 20 }, (_, n) => `${prefix}.t${n}`);
  // Each asks for the topics in another order, so their creations interleave.
  await Promise.all(transports.map((transport, n) => transport.ensureTopics(n % 2 === 0 ? topics : [...topics].reverse())));
  t.same(lines.map((line) => line.msg), [], 'no warning: "already exists" from a racing process is not a refusal');
  const admin = await connectedAdmin(t, broker.brokers);
  const { topics: described } = await admin.fetchTopicMetadata({ topics: withDeadLetterTopics(topics) });
  t.equal(described.length, 40, 'every topic and its .dlq exists');
  t.ok(described.every((topic) => topic.partitions.length === 12 && topic.partitions.every((partition) => partition.leader >= 0)), 'with 12 partitions, each led');
});

t.test('ensureTopics › a topic that cannot be created fails the start, naming it', async (t) => {
  const broker = await testBroker();
  const transport = topicsTransport(broker.brokers, pino({ level: 'silent' }), { topicPartitions: 1, replicationFactor: 1 });
  t.teardown(() => transport.close());
  // An illegal name: the broker refuses to create it (INVALID_TOPIC_EXCEPTION), and it does not exist.
  const bad = `bad topic ${randomBytes(3).toString('hex')}`;
  await t.rejects(transport.ensureTopics([bad]), { message: new RegExp(`missing and could not be created: .*${bad}`) });
});

t.test('ensureTopics › a process the cluster\'s ACLs do not let create topics starts when its topics exist, and names the missing ones when they do not', async (t) => {
  // Every client of this broker is User:ANONYMOUS (plaintext); an ACL denies it CREATE on topics
  // once the topics the "operator" created are there.
  const broker = await startTestKafkaBroker({
    kind: 'local',
    properties: { 'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer', 'allow.everyone.if.no.acl.found': 'true' },
  });
  t.teardown(() => broker.stop());
  const prefix = `acl-${randomBytes(4).toString('hex')}`;
  const wanted = [`${prefix}.a`, `${prefix}.b`];
  for (const topic of withDeadLetterTopics(wanted)) await broker.createTopic(topic, 2);
  const admin = await connectedAdmin(t, broker.brokers, 'acl-operator');
  // Once a topic ACL exists, only what it allows is allowed: everything, then CREATE denied (a deny wins).
  const onEveryTopic = { resourceType: AclResourceTypes.TOPIC, resourceName: '*', resourcePatternType: ResourcePatternTypes.LITERAL, principal: 'User:ANONYMOUS', host: '*' };
  const onTheCluster = { ...onEveryTopic, resourceType: AclResourceTypes.CLUSTER, resourceName: 'kafka-cluster' };
  await admin.createAcls({
    acl: [
      { ...onEveryTopic, operation: AclOperationTypes.ALL, permissionType: AclPermissionTypes.ALLOW },
      { ...onEveryTopic, operation: AclOperationTypes.CREATE, permissionType: AclPermissionTypes.DENY },
      // CreateTopics is also allowed by CREATE on the cluster.
      { ...onTheCluster, operation: AclOperationTypes.ALL, permissionType: AclPermissionTypes.ALLOW },
      { ...onTheCluster, operation: AclOperationTypes.CREATE, permissionType: AclPermissionTypes.DENY },
    ],
  });

  const { logger, lines } = recordingLogger();
  const transport = topicsTransport(broker.brokers, logger, { topicPartitions: 2, replicationFactor: 1 });
  t.teardown(() => transport.close());
  // The ACLs reach the broker's authorizer through the metadata log: wait until it answers with them.
  for (let attempt = 0; attempt < 50; attempt++) {
    const { resources } = await admin.describeAcls({ resourceType: AclResourceTypes.ANY, resourcePatternType: ResourcePatternTypes.ANY, operation: AclOperationTypes.ANY, permissionType: AclPermissionTypes.ANY });
    if (resources.reduce((sum, resource) => sum + resource.acls.length, 0) >= 4) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const missing = `${prefix}.missing`;
  await t.rejects(transport.ensureTopics([missing]), { message: new RegExp(`missing and could not be created: .*${missing}.*(authoriz|Authoriz)`) }, 'a topic that does not exist and may not be created fails the start, naming it');

  await transport.ensureTopics(wanted);
  t.ok(lines.some((line) => /not authorized to create topics \(ACLs\); every topic exists already, starting/.test(line.msg)), 'the existing topics: one warning that creation was refused, and the start goes on');
});

t.test('redeliveryHorizon › the longest retention.ms of the topics asked about; -1 keeps forever', async (t) => {
  const broker = await testBroker();
  const prefix = `retention-${randomBytes(4).toString('hex')}`;
  const admin = await connectedAdmin(t, broker.brokers);
  const kept = { hour: `${prefix}.hour`, twoHours: `${prefix}.two-hours`, forever: `${prefix}.forever` };
  await admin.createTopics({
    topics: [
      { topic: kept.hour, numPartitions: 1, replicationFactor: 1, configEntries: [{ name: 'retention.ms', value: '3600000' }] },
      { topic: kept.twoHours, numPartitions: 1, replicationFactor: 1, configEntries: [{ name: 'retention.ms', value: '7200000' }] },
      { topic: kept.forever, numPartitions: 1, replicationFactor: 1, configEntries: [{ name: 'retention.ms', value: '-1' }] },
    ],
  });
  const transport = topicsTransport(broker.brokers, pino({ level: 'silent' }), { topicPartitions: 1, replicationFactor: 1 });
  t.teardown(() => transport.close());
  t.same(await transport.redeliveryHorizon([kept.hour, kept.twoHours]), { ms: 7_200_000, topic: kept.twoHours });
  t.same(await transport.redeliveryHorizon([kept.hour, kept.forever]), { ms: Infinity, topic: kept.forever });
});

t.test('start-up › a worker whose inbox forgets events before the topics let go of them does not start, and says which variable and topic', async (t) => {
  // The broker keeps messages 168 h by default (log.retention.hours); the inbox here only 1 h.
  await t.rejects(platformFor(t, 'kafka', { env: { INBOX_RETENTION_HOURS: '1' } }), {
    name: 'ConfigError',
    message: /^INBOX_RETENTION_HOURS must be at least 168 \(got 1\): topic t[0-9a-f]+\.[a-z.]+ keeps messages 168 h/,
  });
  const started = await platformFor(t, 'kafka', { env: { INBOX_RETENTION_HOURS: '168' } });
  t.ok(started.consumers.length > 0, 'an inbox kept as long as the topics start');
});
