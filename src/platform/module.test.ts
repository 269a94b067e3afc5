import t from 'tap';
import { Type } from 'typebox';
import { defineEvent } from './messaging/contract.ts';
import { on } from './messaging/event-handler.ts';
import { assertConsumesMatchHandlers, defineModule } from './module.ts';

const Opened = defineEvent({ type: 'test.opened', version: 1, source: 'test', description: '', keyOf: (data) => data.id, schema: Type.Object({ id: Type.Integer() }) });
const Closed = defineEvent({ type: 'test.closed', version: 1, source: 'test', description: '', keyOf: (data) => data.id, schema: Type.Object({ id: Type.Integer() }) });
const handlers = [on(Opened, async () => undefined), on(Closed, async () => undefined)];
const module = (consumes?: Array<typeof Opened>) =>
  defineModule({ name: 'profile', description: '', entities: [], produces: [], ...(consumes === undefined ? {} : { consumes }) });

t.test('assertConsumesMatchHandlers › accepts a declaration that matches the handlers, in any order', async (t) => {
  t.doesNotThrow(() => assertConsumesMatchHandlers(module([Closed, Opened]), handlers));
});

t.test('assertConsumesMatchHandlers › refuses a declaration that misses or adds a contract, naming both lists', async (t) => {
  t.throws(() => assertConsumesMatchHandlers(module([Opened]), handlers), /module "profile" declares consumes \[test\.opened@1\] but its handlers handle \[test\.closed@1, test\.opened@1\]/);
  t.throws(() => assertConsumesMatchHandlers(module([Opened, Closed]), [handlers[0]!]), /declares consumes/);
});

t.test('assertConsumesMatchHandlers › a module that declares nothing is not checked', async (t) => {
  t.doesNotThrow(() => assertConsumesMatchHandlers(module(), handlers));
});
