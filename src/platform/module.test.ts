import t from 'tap';
import { Type } from 'typebox';
import { defineEvent } from './messaging/contract.ts';
import { handles } from './messaging/event-handler.ts';
import { consumesOf, defineModule } from './module.ts';

const event = (type: string, version = 1) =>
  defineEvent({ type, version, source: 'test', description: '', keyOf: (data) => data.id, schema: Type.Object({ id: Type.Integer() }) });
const Opened = event('test.opened');
const Closed = event('test.closed');
const ClosedV2 = event('test.closed', 2);
const ignore = () => async () => undefined;

t.test('consumesOf › lists the contracts of the module\'s listener declarations, each version once', async (t) => {
  const module = defineModule({
    name: 'profile', description: '', entities: [], produces: [],
    handlers: [handles(Opened, ignore), handles(Closed, ignore), handles(ClosedV2, ignore), handles(Opened, ignore)],
  });
  t.same(consumesOf(module).map((contract) => `${contract.type}@${contract.version}`), ['test.opened@1', 'test.closed@1', 'test.closed@2']);
});

t.test('consumesOf › a module without listeners consumes nothing', async (t) => {
  t.same(consumesOf(defineModule({ name: 'profile', description: '', entities: [], produces: [] })), []);
});
