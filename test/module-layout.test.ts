import t from 'tap';
import { layoutViolations } from './harness/module-layout.ts';

const ROOT = new URL('../', import.meta.url).pathname;

t.test('layout › every module has the same shape and every file the role its suffix says', async (t) => {
  t.same(await layoutViolations(ROOT), [], 'no file breaks the layout');
});

t.test('layout › the check catches loose files, unknown roles, nested domain folders and code in the wrong role', async (t) => {
  const found = await layoutViolations(`${ROOT}test/fixtures/layout-violation`);
  const problemsOf = (path: string) => found.filter((line) => line.startsWith(`modules/gamma/${path}`));
  t.match(problemsOf('helpers.ts'), [/root holds index.ts/], 'a loose file at the module root');
  t.match(problemsOf('application/shared.mapper.ts'), [/use-case folders, gamma.view.ts and \*.publisher.ts only/], 'a role that does not exist');
  t.match(problemsOf('application/handle-stuff/stuff.ts'), [/one of the roles/], 'a use-case file without a role');
  t.match(problemsOf('application/handle-stuff/:'), [/starts somewhere/], 'a use case nothing starts');
  t.match(problemsOf('application/pay/pay.command.ts'), [/declares an event listener/], 'a command that declares a listener');
  t.match(problemsOf('application/pay/pay.route.ts'), [/reaches the database itself/], 'a route that reads the database itself');
  t.match(problemsOf('domain/sub/nested.ts'), [/no folders/], 'a folder inside domain/');
  t.match(problemsOf('infrastructure/paid.notifier.ts'), [/entity.ts, \*.repository.ts/], 'an unknown infrastructure role');
  t.match(problemsOf('contracts/events/gamma-paid.ts'), [/events\/\*.event.ts only/], 'a contract without its suffix');
  t.same(found.filter((line) => line.startsWith('modules/delta/')), ['modules/delta/application/: missing', 'modules/delta/domain/: missing', 'modules/delta/infrastructure/: missing'], 'missing layers');
  t.equal(found.length, 12, `nothing else is reported: ${found.join('\n')}`);
});
