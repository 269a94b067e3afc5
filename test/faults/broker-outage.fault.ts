import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import type { TestKafkaBroker } from '../harness/kafka-broker.ts';
import { testBroker } from '../harness/suite.ts';
import { FaultRun } from './harness/fault-run.ts';
import { assertInvariants, recoveryAfter, waitForEvents, waitUntilCaughtUp } from './harness/invariants.ts';

/** Events committed before the broker goes away, and how long traffic goes on after it is back. */
const EVENTS_BEFORE_OUTAGE = 3_000;
const TRAFFIC_AFTER_OUTAGE_MS = 10_000;

interface Outage {
  name: string;
  title: string;
  durationMs: number;
  takeAway(broker: TestKafkaBroker): Promise<void>;
  bringBack(broker: TestKafkaBroker): Promise<void>;
}

const OUTAGES: Outage[] = [
  {
    name: 'broker-kill',
    title: 'the broker kill -9\'d mid-run and restarted 10 s later',
    durationMs: 10_000,
    takeAway: (broker) => broker.kill(),
    bringBack: (broker) => broker.restart(),
  },
  {
    name: 'broker-freeze',
    title: 'the broker frozen (SIGSTOP) for 20 s mid-run, then thawed',
    durationMs: 20_000,
    takeAway: (broker) => broker.freeze(),
    bringBack: (broker) => broker.thaw(),
  },
];

for (const outage of OUTAGES) {
t.test(`${outage.title}: the API keeps answering, work resumes by itself, nothing lost or applied twice`, async (t) => {
  const broker = await testBroker();
  if (!broker.canInjectFaults) {
    t.fail(`the ${broker.kind} broker cannot be killed from the test; run the fault suite on the local broker (unset KAFKA_BROKERS)`);
    return;
  }
  const run = await FaultRun.create(t, { brokers: broker.brokers });
  const { api } = await run.startSplitDeployment();
  const workload = run.workload(api);
  await workload.onboard(2000);
  workload.start();
  await waitForEvents(run, EVENTS_BEFORE_OUTAGE);

  await outage.takeAway(broker);
  const downAt = new Date();
  await sleep(outage.durationMs);
  const committedDuringOutage = await outboxBacklog(run);
  await outage.bringBack(broker);
  const upAt = new Date();
  await sleep(TRAFFIC_AFTER_OUTAGE_MS);
  await workload.stop();
  const drainMs = await waitUntilCaughtUp(run);

  t.ok(committedDuringOutage > 0, `the API kept committing while the broker was down (${committedDuringOutage} events waiting at the end of the outage)`);
  const { delivery, money } = await assertInvariants(t, run);
  t.same(workload.unexpectedAnswers(), {}, 'the API answered every request as when healthy: the outbox decouples it from the broker');
  t.equal(money.deposits, workload.depositedMinor, 'the ledger holds exactly the deposits the API confirmed');
  t.equal(money.withdrawals, workload.withdrawnMinor, 'and exactly the confirmed withdrawals');

  const recovery = await recoveryAfter(run.pool, run.deliveries, upAt);
  const failures = await run.pool.query<{ n: number }>(`select count(*)::int as n from messaging.outbox where last_error is not null`);
  await run.report(t, outage.name, {
    events: delivery.events,
    lost: delivery.unpublished + delivery.undelivered,
    outage: outage.name,
    broker: `Apache Kafka ${broker.version} (${broker.kind})`,
    outageMs: upAt.getTime() - downAt.getTime(),
    eventsWaitingAtEndOfOutage: committedDuringOutage,
    rowsWithARecordedPublishFailure: failures.rows[0]!.n,
    duplicatesAbsorbed: run.duplicatesAbsorbed(),
    requests: workload.requests(),
    recoveryAfterBrokerBackMs: recovery,
    drainAfterLoadMs: drainMs,
  });
});
}

async function outboxBacklog(run: FaultRun): Promise<number> {
  const { rows } = await run.pool.query<{ n: number }>('select count(*)::int as n from messaging.outbox where published_at is null');
  return rows[0]!.n;
}
