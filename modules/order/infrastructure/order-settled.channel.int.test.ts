import t from 'tap';
import { eventually } from '../../../test/harness/eventually.ts';
import { platformFor } from '../../../test/harness/suite.ts';
import { announceOrderSettled, listenForSettledOrders } from './order-settled.channel.ts';

t.test('order settlement notices › delivered to listeners only when the settling transaction commits', async (t) => {
  const app = await platformFor(t, 'local');
  const { orm, logger } = app.container.cradle;
  const received: number[] = [];
  const listener = listenForSettledOrders(app.databaseUrl, (orderId) => received.push(orderId), logger);
  listener.start();
  t.teardown(() => listener.stop());

  const announce = (orderId: number) => orm.em.fork().transactional((em) => announceOrderSettled(em, orderId));
  await eventually(async () => {
    await announce(1);
    return received.includes(1);
  }, { what: 'the listener to hear a committed notice' });
  t.ok(received.includes(1), 'a committed settlement is heard');

  await t.rejects(orm.em.fork().transactional(async (em) => {
    await announceOrderSettled(em, 2);
    throw new Error('the settling transaction fails');
  }));
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const open = orm.em.fork().transactional(async (em) => {
    await announceOrderSettled(em, 3);
    await held;
  });
  await new Promise((resolve) => setTimeout(resolve, 200));
  t.notOk(received.includes(3), 'nothing is heard while the transaction is open');
  release();
  await open;
  await eventually(() => received.includes(3), { what: 'notice 3' });
  t.ok(received.includes(3), 'heard once it commits');
  t.notOk(received.includes(2), 'a rolled-back settlement is never heard');
});
