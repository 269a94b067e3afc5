import t from 'tap';
import { isDatabaseUnavailable } from './database-unavailable.ts';

function coded(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

t.test('connection failures and a restarting server are "database unavailable"; errors of the work itself are not', async (t) => {
  t.ok(isDatabaseUnavailable(coded('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432')));
  t.ok(isDatabaseUnavailable(coded('57P01', 'terminating connection due to administrator command')));
  t.ok(isDatabaseUnavailable(coded('08006', 'connection failure')));
  t.ok(isDatabaseUnavailable(new Error('the database system is starting up')));
  t.ok(isDatabaseUnavailable(new Error('wrapped', { cause: new Error('Connection terminated unexpectedly') })), 'found through cause');
  // knex's answer to a query on a transaction the lost connection already ended (seen in the
  // database-restart fault run as a 500).
  t.ok(isDatabaseUnavailable(new Error('Transaction query already complete, run with DEBUG=knex:tx for more info')));
  // MikroORM 7 (kysely over pg.Pool): a query on a transaction whose connection was lost, and a
  // wait for a pooled connection that ran out.
  t.ok(isDatabaseUnavailable(new Error('Client has encountered a connection error and is not queryable')));
  t.ok(isDatabaseUnavailable(new Error('timeout exceeded when trying to connect')));
  t.notOk(isDatabaseUnavailable(coded('23505', 'duplicate key value violates unique constraint')));
  t.notOk(isDatabaseUnavailable(coded('40P01', 'deadlock detected')));
});
