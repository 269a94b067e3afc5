import pg from 'pg';
import { pino } from 'pino';
import t from 'tap';
import { createTestDatabase } from '../../../test/harness/database.ts';
import { eventually } from '../../../test/harness/eventually.ts';
import { PgListener } from './pg-listener.ts';

const CHANNEL = 'test_pg_listener';

t.test('PgListener › hears committed notices, listens again after its connection is killed, and stops', async (t) => {
  const database = await createTestDatabase();
  t.teardown(() => database.drop());
  const pool = new pg.Pool({ connectionString: database.url, max: 2 });
  t.teardown(() => pool.end());
  const heard: string[] = [];
  let listening = 0;
  const listener = new PgListener({
    url: database.url, channel: CHANNEL, logger: pino({ level: 'silent' }),
    onNotification: (payload) => heard.push(payload),
    onListening: () => listening++,
  });
  listener.start();

  await eventually(() => listening === 1 || undefined, { what: 'listening' });
  await pool.query('select pg_notify($1, $2)', [CHANNEL, 'first']);
  await eventually(() => heard.includes('first') || undefined, { what: 'the first notice' });
  t.pass('a committed notice is heard');

  const { rowCount } = await pool.query(`select pg_terminate_backend(pid) from pg_stat_activity where query = $1 and datname = current_database()`, [`listen ${CHANNEL}`]);
  t.equal(rowCount, 1, 'its connection is killed (as a database restart would)');
  await eventually(() => listening === 2 || undefined, { what: 'listening again', timeoutMs: 10_000 });
  t.pass('it listens again, and says so (notices sent in between are lost: the caller looks for work then)');
  await pool.query('select pg_notify($1, $2)', [CHANNEL, 'second']);
  await eventually(() => heard.includes('second') || undefined, { what: 'the second notice' });
  t.pass('and hears what follows');

  await listener.stop();
  const { rows } = await pool.query(`select count(*)::int as n from pg_stat_activity where query = $1 and datname = current_database()`, [`listen ${CHANNEL}`]);
  t.equal(rows[0].n, 0, 'stopped, its connection is closed');
});

t.test('PgListener › a channel LISTEN cannot take unquoted is refused at construction', async (t) => {
  t.throws(() => new PgListener({ url: 'postgres://x', channel: 'bad; drop table x', logger: pino({ level: 'silent' }), onNotification: () => {} }), /not a channel name/);
});
