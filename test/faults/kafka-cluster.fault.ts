import { setTimeout as sleep } from 'node:timers/promises';
import kafkajs, { type Admin } from 'kafkajs';
import t, { type Test } from 'tap';
import { eventually } from '../harness/eventually.ts';
import { startTestKafkaBroker, type TestKafkaBroker } from '../harness/kafka-broker.ts';
import { FaultRun } from './harness/fault-run.ts';
import { assertInvariants, recoveryAfter, waitForEvents, waitUntilCaughtUp } from './harness/invariants.ts';

const { ConfigResourceTypes, Kafka, logLevel } = kafkajs;

/**
 * A three-broker cluster (three JVMs on 127.0.0.1): the platform creates its topics with three
 * replicas and `min.insync.replicas=2`, so losing any one broker must cost nothing but a leader
 * election — the relay keeps publishing with acks=all and the consumer groups keep handling.
 */
const NODES = 3;
const EVENTS_BEFORE_FAULT = 3_000;
const LEADER_DOWN_MS = 10_000;
const TRAFFIC_AFTER_FAULT_MS = 10_000;

if (process.env['KAFKA_BROKERS']) {
  t.fail('the cluster scenarios start their own three local brokers; unset KAFKA_BROKERS to run them');
} else {
  const cluster = await startTestKafkaBroker({ kind: 'local', nodes: NODES });
  t.teardown(() => cluster.stop());
  t.comment(`Apache Kafka ${cluster.version}: ${NODES} brokers at ${cluster.brokers.join(',')}`);

  t.test('the leader of the busiest partitions kill -9\'d mid-run on a three-broker cluster, restarted 10 s later: publishing and handling go on, nothing lost or applied twice', async (t) => {
    await clusterScenario(t, cluster, 'cluster-leader-kill', async (run, busiest) => {
      const victim = await busiestLeader(cluster, busiest, run.kafkaTopicPartitions);
      t.comment(`killing node ${victim}, which leads the most partitions of ${busiest}`);
      await cluster.kill(victim);
      await sleep(LEADER_DOWN_MS);
      await cluster.restart(victim);
      return { victim };
    });
  });

  t.test('a rolling restart of all three brokers (controlled shutdown, start, in-sync again, next) while traffic flows: nothing lost or applied twice', async (t) => {
    await clusterScenario(t, cluster, 'cluster-rolling-restart', async (run) => {
      const admin = await connectedAdmin(cluster.brokers);
      try {
        const topics = await platformTopics(admin, run.namespace);
        const steps: Array<{ node: number; downMs: number; backInSyncMs: number }> = [];
        for (let node = 1; node <= NODES; node++) {
          const down = performance.now();
          await cluster.shutdown(node);
          await cluster.restart(node);
          const back = performance.now();
          // An operator waits for every replica to be in sync before taking the next broker down.
          await waitForFullIsr(admin, topics);
          steps.push({ node, downMs: Math.round(back - down), backInSyncMs: Math.round(performance.now() - back) });
        }
        return { steps };
      } finally {
        await admin.disconnect();
      }
    });
  });
}

/**
 * The run both scenarios share: the split deployment under traffic, the fault once enough events
 * flowed, traffic after it, the drain, then every invariant and the figures.
 */
async function clusterScenario(
  t: Test,
  cluster: TestKafkaBroker,
  name: string,
  fault: (run: FaultRun, busiestTopic: string) => Promise<Record<string, unknown>>,
): Promise<void> {
  const run = await FaultRun.create(t, { brokers: cluster.brokers });
  const { api } = await run.startSplitDeployment();
  await assertReplicated(t, cluster.brokers, run.namespace);
  const workload = run.workload(api);
  await workload.onboard(2000);
  workload.start();
  await waitForEvents(run, EVENTS_BEFORE_FAULT);

  const busiest = await busiestTopic(run);
  const faultAt = new Date();
  const details = await fault(run, busiest);
  const endedAt = new Date();
  const publishedDuringFault = await publishedBetween(run, faultAt, endedAt);
  await sleep(TRAFFIC_AFTER_FAULT_MS);
  await workload.stop();
  const drainMs = await waitUntilCaughtUp(run);

  t.ok(publishedDuringFault > 0, `the relay kept publishing while a broker was away (${publishedDuringFault} events)`);
  const { delivery, money } = await assertInvariants(t, run);
  t.same(workload.unexpectedAnswers(), {}, 'the API answered every request as when healthy');
  t.equal(money.deposits, workload.depositedMinor, 'the ledger holds exactly the deposits the API confirmed');
  t.equal(money.withdrawals, workload.withdrawnMinor, 'and exactly the confirmed withdrawals');
  const recovery = await recoveryAfter(run.pool, run.deliveries, endedAt);
  await run.report(t, name, {
    broker: `Apache Kafka ${cluster.version} (${cluster.kind}, ${cluster.nodeCount} nodes, replication factor 3, min.insync.replicas 2)`,
    events: delivery.events,
    lost: delivery.unpublished + delivery.undelivered,
    busiestTopic: busiest,
    ...details,
    faultMs: endedAt.getTime() - faultAt.getTime(),
    publishedDuringFault,
    duplicatesAbsorbed: run.duplicatesAbsorbed(),
    requests: workload.requests(),
    recoveryAfterFaultMs: recovery,
    drainAfterLoadMs: drainMs,
  });
}

/** Every topic of the run has three replicas and `min.insync.replicas=2`, as the platform created it. */
async function assertReplicated(t: Test, brokers: string[], namespace: string): Promise<void> {
  const admin = await connectedAdmin(brokers);
  try {
    const topics = await platformTopics(admin, namespace);
    const { topics: described } = await admin.fetchTopicMetadata({ topics });
    t.ok(topics.length > 0 && described.every((topic) => topic.partitions.every((p) => p.replicas.length === 3)), `the platform's ${topics.length} topics have three replicas per partition`);
    const configs = await admin.describeConfigs({
      includeSynonyms: false,
      resources: topics.map((topic) => ({ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['min.insync.replicas'] })),
    });
    const minIsr = new Set(configs.resources.map((resource) => resource.configEntries[0]?.configValue));
    t.same([...minIsr], ['2'], 'and min.insync.replicas=2');
  } finally {
    await admin.disconnect();
  }
}

async function connectedAdmin(brokers: string[]): Promise<Admin> {
  const admin = new Kafka({ clientId: 'fault-cluster-probe', brokers, logLevel: logLevel.NOTHING, retry: { retries: 10 } }).admin();
  await admin.connect();
  return admin;
}

async function platformTopics(admin: Admin, namespace: string): Promise<string[]> {
  return (await admin.listTopics()).filter((topic) => topic.startsWith(`${namespace}.`));
}

/** Replicas return to the ISR some seconds after their broker is back. */
async function waitForFullIsr(admin: Admin, topics: string[]): Promise<void> {
  await eventually(async () => {
    const { topics: described } = await admin.fetchTopicMetadata({ topics });
    const short = described.flatMap((topic) => topic.partitions.filter((p) => p.isr.length < p.replicas.length).map((p) => `${topic.name}/${p.partitionId}`));
    if (short.length > 0) throw new Error(`partitions not fully in sync: ${short.slice(0, 5).join(', ')}`);
    return true;
  }, { timeoutMs: 120_000, intervalMs: 500, what: 'every replica back in sync' });
}

async function busiestTopic(run: FaultRun): Promise<string> {
  const { rows } = await run.pool.query<{ topic: string }>('select topic from messaging.outbox group by topic order by count(*) desc limit 1');
  return rows[0]!.topic;
}

/** The node leading the most partitions of `topic`. */
async function busiestLeader(cluster: TestKafkaBroker, topic: string, partitions: number): Promise<number> {
  const leads = new Map<number, number>();
  for (let partition = 0; partition < partitions; partition++) {
    const leader = await cluster.leaderOf(topic, partition);
    leads.set(leader, (leads.get(leader) ?? 0) + 1);
  }
  return [...leads.entries()].sort((a, b) => b[1] - a[1])[0]![0];
}

async function publishedBetween(run: FaultRun, from: Date, to: Date): Promise<number> {
  const { rows } = await run.pool.query<{ n: number }>('select count(*)::int as n from messaging.outbox where published_at between $1 and $2', [from, to]);
  return rows[0]!.n;
}
