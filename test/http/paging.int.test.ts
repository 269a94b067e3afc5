import t from 'tap';
import { platformFor } from '../harness/suite.ts';

/**
 * A list route's page and its total are read in one snapshot: with rows arriving between two
 * separate statements, a page could say `total: 3` and hold 2 items.
 */
t.test('GET /profiles › a page and its total agree while profiles are being added', async (t) => {
  const app = await platformFor(t, 'local');
  const { orm } = app.container.cradle;
  // Registrations arriving as fast as the database takes them, on a connection of their own.
  let arriving = true;
  const writer = (async () => {
    const em = orm.em.fork();
    for (let n = 0; arriving; n++) {
      await em.execute(
        `insert into profile.profile (login, full_name, email, currency, status, created_at, updated_at)
         values (?, 'Racer', ?, 'USD', 'ACTIVE', now(), now())`,
        [`racer-${n}`, `racer-${n}@example.org`],
      );
    }
  })();
  const disagreements: Array<{ items: number; total: number }> = [];
  try {
    for (let read = 0; read < 300; read++) {
      const page = (await app.request({ method: 'GET', url: '/profiles?limit=500' })).json<{ items: unknown[]; total: number }>();
      if (page.items.length !== Math.min(page.total, 500)) disagreements.push({ items: page.items.length, total: page.total });
    }
  } finally {
    arriving = false;
    await writer;
  }
  t.same(disagreements, [], 'every page holds as many profiles as its total says (up to the limit)');
});
