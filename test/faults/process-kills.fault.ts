import t, { type Test } from 'tap';
import { testBroker } from '../harness/suite.ts';
import { FaultRun } from './harness/fault-run.ts';
import { assertInvariants, recoveryAfter, spread, waitForEvents, waitUntilCaughtUp } from './harness/invariants.ts';
import { killRepeatedly, type PlatformProcess } from './harness/platform-process.ts';

const KILLS = 20;
const MIN_EVENTS = 20_000;

/**
 * Three processes on Kafka — api, worker, relay — under business traffic; one of them is killed
 * with SIGKILL 20 times at random moments and started again each time, while at least 20,000
 * events flow. Afterwards every invariant must hold.
 */
async function killScenario(t: Test, victim: 'relay' | 'worker'): Promise<void> {
  const run = await FaultRun.create(t, { brokers: (await testBroker()).brokers });
  const { api, worker, relay } = await run.startSplitDeployment();
  const target: PlatformProcess = victim === 'relay' ? relay : worker;

  const workload = run.workload(api);
  await workload.onboard(2000);
  const started = performance.now();
  workload.start();
  const restartedAt = await killRepeatedly(target, { times: KILLS, minGapMs: 500, maxGapMs: 2500, random: run.random() });
  await waitForEvents(run, MIN_EVENTS);
  await workload.stop();
  const loadSeconds = (performance.now() - started) / 1000;
  const drainMs = await waitUntilCaughtUp(run);

  t.equal(target.kills, KILLS, `${victim} killed ${KILLS} times and restarted each time`);
  const { delivery, money } = await assertInvariants(t, run);
  t.ok(delivery.events >= MIN_EVENTS, `at least ${MIN_EVENTS} events (${delivery.events})`);
  if (!t.same(workload.unexpectedAnswers(), {}, 'the API answered every request as when healthy (no 5xx, no refused connection)')) {
    t.comment(`the api process logged:\n${api.recentWarnings().join('\n')}`);
  }
  t.equal(money.deposits, workload.depositedMinor, 'the ledger holds exactly the deposits the API confirmed');
  t.equal(money.withdrawals, workload.withdrawnMinor, 'and exactly the confirmed withdrawals');

  const recoveries = await Promise.all(restartedAt.map((at) => recoveryAfter(run.pool, run.deliveries, at)));
  await run.report(t, `kill-${victim}`, {
    events: delivery.events,
    lost: delivery.unpublished + delivery.undelivered,
    kills: target.kills,
    requests: workload.requests(),
    loadSeconds: Math.round(loadSeconds),
    duplicatesAbsorbed: run.duplicatesAbsorbed(),
    restartToReadyMs: spread(target.startTimesMs.slice(1)),
    recoveryAfterRestartMs: {
      published: spread(recoveries.map((recovery) => recovery.publishedMs)),
      handled: spread(recoveries.map((recovery) => recovery.handledMs)),
    },
    drainAfterLoadMs: drainMs,
    money: { balances: money.balances, deposits: money.deposits, withdrawals: money.withdrawals, completedPayments: money.completedPayments, paidOrders: money.paidOrders, reversedPayments: money.reversedPayments },
  });
}

t.test('kill -9 of the relay process 20 times during ≥ 20,000 events: nothing lost, nothing applied twice, money conserved', (t) => killScenario(t, 'relay'));
t.test('kill -9 of the worker process 20 times during ≥ 20,000 events: nothing lost, nothing applied twice, money conserved', (t) => killScenario(t, 'worker'));
