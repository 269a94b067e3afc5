import t from 'tap';
import { Type } from 'typebox';
import { ModuleConsumer, type ModuleConsumerDeps } from './module-consumer.ts';
import { defineEvent } from './contract.ts';
import { handles, bindHandlers } from './event-handler.ts';
import type { Cradle } from '../container.ts';

const Opened = defineEvent({ type: 'test.opened', version: 1, source: 'test', description: '', keyOf: (data) => data.id, schema: Type.Object({ id: Type.Integer() }) });
const ignore = () => async () => undefined;

t.test('ModuleConsumer › refuses two listeners for one contract version, which would silently drop one', async (t) => {
  const handlers = bindHandlers([handles(Opened, ignore), handles(Opened, ignore)], {} as Cradle);
  // Only the group and the handlers are read before start(); the rest of the services are not needed.
  const deps = { group: 'payments.profile', handlers } as unknown as ModuleConsumerDeps;
  t.throws(() => new ModuleConsumer(deps), /consumer group "payments\.profile" has two listeners for test\.opened@1/);
});
