import pg from 'pg';
import t from 'tap';
import { eventually } from '../../test/harness/eventually.ts';
import { platformFor } from '../../test/harness/suite.ts';
import { accountOf, openAccount } from './testing/account.kit.ts';

/**
 * The deadlock the kill -9 fault run found: two batched consumer transactions lock two accounts in
 * opposite orders while a request waits on one of them. The waiting request holds the row's tuple
 * lock, so the cycle runs through it, and PostgreSQL (whose deadlock check fires first in the
 * transaction that waited longest) aborts the request. It must be run again, not answered with 500.
 */
t.test('a PUT /account/operation aborted in a deadlock with other transactions is run again and answers 200', async (t) => {
  const app = await platformFor(t, 'local', { isolate: ['profile', 'account'] });
  const first = await openAccount(app, 'lock-a', { deposit: 100 });
  const second = await openAccount(app, 'lock-b', { deposit: 100 });
  const url = app.config.database.url!;
  const rivals = [new pg.Client({ connectionString: url }), new pg.Client({ connectionString: url })] as const;
  await Promise.all(rivals.map((client) => client.connect()));
  t.teardown(() => Promise.all(rivals.map((client) => client.end())));
  const [one, two] = rivals;
  const lock = (client: pg.Client, accountId: number) => client.query('select 1 from account.account where id = $1 for update', [accountId]);
  const waitingOnLocks = async (count: number): Promise<void> => {
    await eventually(async () => {
      const { rows } = await one.query<{ waiting: number }>(
        `select count(*)::int as waiting from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
      );
      return rows[0]!.waiting >= count;
    }, { what: `${count} transactions waiting on locks`, timeoutMs: 10_000, intervalMs: 10 });
  };

  await one.query('begin');
  await lock(one, first.accountId);
  await two.query('begin');
  await lock(two, second.accountId);
  const deposit = app.request({ method: 'PUT', url: '/account/operation', payload: { login: 'lock-a', operation: 'DEPOSIT', sum: 5 } });
  await waitingOnLocks(1);
  const twoLocksFirst = lock(two, first.accountId);
  await waitingOnLocks(2);
  const oneLocksSecond = lock(one, second.accountId);

  const rivalsOutcome = await Promise.allSettled([twoLocksFirst, oneLocksSecond]);
  await Promise.all(rivals.map((client) => client.query('rollback')));
  const response = await deposit;
  t.equal(response.statusCode, 200, `the deposit answers 200 after the deadlock (${response.body})`);
  t.equal((await accountOf(app, 'lock-a')).balance, 105, 'deposited once');
  const metrics = (await app.request({ method: 'GET', url: '/metrics' })).body;
  t.match(metrics, /^db_transaction_conflicts_total\{outcome="retried"\} [1-9]/m, 'GET /metrics counts the retried conflict');
  t.ok(rivalsOutcome.some((outcome) => outcome.status === 'rejected' && /deadlock/.test(String(outcome.reason))),
    'PostgreSQL also broke the rivals\' own cycle: a deadlock really formed');
});
