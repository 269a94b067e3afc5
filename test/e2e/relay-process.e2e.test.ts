import t from 'tap';
import { createTestDatabase } from '../harness/database.ts';
import { eventually } from '../harness/eventually.ts';
import { startTestPlatform } from '../harness/platform.ts';
import { testBroker } from '../harness/suite.ts';

t.test('ROLE=relay runs the relay alone: an api+worker process and a relay process complete onboarding over Kafka', async (t) => {
  const database = await createTestDatabase();
  t.teardown(() => database.drop());
  const { brokers } = await testBroker();
  const namespace = `relay${Date.now().toString(36)}`;
  const app = await startTestPlatform({ databaseUrl: database.url, transport: 'kafka', brokers, namespace, env: { ROLE: 'api,worker' } });
  t.teardown(() => app.stop());
  t.equal(app.relay, undefined, 'the api+worker process runs no relay');

  const registered = await app.request({ method: 'POST', url: '/profiles', payload: { login: 'hana', fullName: 'Hana', email: 'hana@example.org' } });
  t.equal(registered.statusCode, 201);
  const { id } = registered.json<{ id: number }>();
  const [pending] = await app.container.cradle.orm.em.fork().execute<Array<{ n: number }>>('select count(*)::int as n from messaging.outbox where published_at is null');
  t.equal(pending?.n, 1, 'without a relay the event waits in the outbox');

  const relay = await startTestPlatform({ databaseUrl: database.url, transport: 'kafka', brokers, namespace, env: { ROLE: 'relay' } });
  t.teardown(() => relay.stop());
  t.equal(relay.http, undefined, 'the relay process serves no HTTP');
  t.same(relay.consumers, [], 'the relay process runs no consumers');
  await eventually(async () => (await app.request({ method: 'GET', url: `/profiles/${id}` })).json<{ status: string }>().status === 'ACTIVE', { what: 'profile ACTIVE', timeoutMs: 30_000 });
  t.pass('the relay process published the events and the worker completed onboarding');
});
