/**
 * The one layout every module follows, as rules a test checks (the dependency check does the same
 * for imports). A module is:
 *
 *   index.ts, <name>.module.ts, <name>.settings.ts?   its entry, wiring and settings
 *   *.int.test.ts                                     tests across the module's use cases
 *   contracts/<name>.api.ts, contracts/events/*.event.ts   what other modules may use
 *   application/<use-case>/                           one folder per use case
 *   application/<name>.view.ts, *.publisher.ts        shared by the module's use cases
 *   domain/                                           the model: plain names, *.errors.ts, tests
 *   infrastructure/                                   *.entity.ts, *.repository.ts, *.channel.ts
 *   testing/<name>.kit.ts                             helpers other tests use to drive the module
 *
 * Each role suffix means one thing, and the content rules below hold each file to it.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';

/** What a file in a use-case folder may be. */
export const USE_CASE_ROLES: Record<string, string> = {
  route: 'HTTP routes of the use case (schemas, security, status codes); no database access',
  command: 'a change of state in one unit of work, called by a route or a listener',
  query: 'a read for a route, from the module\'s own tables',
  listener: 'the module\'s reaction to an integration event (`handles(Contract, …)`)',
  schema: 'TypeBox schemas of HTTP requests',
  view: 'the shape of an HTTP response and the mapping of domain objects to it',
  scheduler: 'a timer that starts commands when their time comes',
  waiter: 'in-process waiting for an outcome another process may produce',
  test: 'unit tests',
  'int.test': 'integration tests on real PostgreSQL',
};

const KEBAB = '[a-z0-9]+(?:-[a-z0-9]+)*';
/** A file with one of `roles`, or a test of one (`order-outcome.waiter.test.ts`). */
const fileNamed = (roles: string[]) => {
  const named = roles.filter((name) => !name.includes('test'));
  const role = named.length === 0 ? '(?!)' : `(?:${named.join('|')})`;
  const tests = roles.filter((name) => name.includes('test')).map((name) => name.replace('.', '\\.'));
  const test = tests.length === 0 ? '(?!)' : `(?:\\.${role})?\\.(?:${tests.join('|')})`;
  return new RegExp(`^${KEBAB}(?:\\.${role}|${test})\\.ts$`);
};
const USE_CASE_FILE = fileNamed(Object.keys(USE_CASE_ROLES));
const ENTRY_POINT = /\.(?:route|listener|scheduler)\.ts$/;
const DOMAIN_FILE = new RegExp(`^${KEBAB}(?:\\.errors|\\.test)?\\.ts$`);
const INFRASTRUCTURE_FILE = fileNamed(['entity', 'repository', 'channel', 'int.test']);
const EVENT_FILE = fileNamed(['event']);
const MODULE_TEST = fileNamed(['int.test']);

/** Code that belongs to one role only: where it appears, the file must have that role. */
const CONTENT_RULES: { pattern: RegExp; role: RegExp; says: string }[] = [
  { pattern: /\bhandles\(/, role: /\.listener\.ts$/, says: 'declares an event listener (handles(…)): only a .listener.ts does' },
  { pattern: /\bapp\.(?:get|post|put|patch|delete)\(/, role: /\.route\.ts$/, says: 'registers an HTTP route: only a .route.ts does' },
  { pattern: /new EntitySchema\b/, role: /\.entity\.ts$/, says: 'defines a MikroORM entity: only an .entity.ts does' },
  { pattern: /extends Migration\b/, role: /\.migration\.ts$/, says: 'is a migration: only a .migration.ts is' },
];
/** A route reads through a query and writes through a command. */
const ROUTE_DATABASE_ACCESS = /\b(?:em\.|\.em\b|readInSnapshot|transactional\(|\.execute\()/;

async function entries(directory: string): Promise<{ files: string[]; folders: string[] }> {
  const found = await readdir(directory, { withFileTypes: true }).catch(() => []);
  return {
    files: found.filter((entry) => entry.isFile()).map((entry) => entry.name).sort(),
    folders: found.filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort(),
  };
}

/** Every file under `directory`, as paths relative to it. */
async function filesUnder(directory: string): Promise<string[]> {
  const found = await readdir(directory, { recursive: true, withFileTypes: true }).catch(() => []);
  return found.filter((entry) => entry.isFile()).map((entry) => relative(directory, join(entry.parentPath, entry.name))).sort();
}

/** What breaks the layout under `root/modules`, one line per problem, as `path: problem`. */
export async function layoutViolations(root: string): Promise<string[]> {
  const problems: string[] = [];
  const modulesDirectory = join(root, 'modules');
  for (const name of (await entries(modulesDirectory)).folders) {
    problems.push(...(await moduleProblems(join(modulesDirectory, name), name)));
  }
  problems.push(...(await contentProblems(root, 'modules')), ...(await contentProblems(root, 'migrations')));
  return problems;
}

async function moduleProblems(directory: string, name: string): Promise<string[]> {
  const problems: string[] = [];
  const at = (path: string, problem: string) => problems.push(`modules/${name}/${path}: ${problem}`);
  const { files, folders } = await entries(directory);
  const rootFiles = new Set(['index.ts', `${name}.module.ts`, `${name}.settings.ts`]);
  for (const file of files) if (!rootFiles.has(file) && !MODULE_TEST.test(file)) at(file, `a module's root holds index.ts, ${name}.module.ts, ${name}.settings.ts and *.int.test.ts only`);
  for (const required of ['index.ts', `${name}.module.ts`]) if (!files.includes(required)) at(required, 'missing');
  const known = new Set(['application', 'contracts', 'domain', 'infrastructure', 'testing']);
  for (const folder of folders) if (!known.has(folder)) at(`${folder}/`, `a module holds only ${[...known].join(', ')}`);
  for (const required of ['application', 'domain', 'infrastructure']) if (!folders.includes(required)) at(`${required}/`, 'missing');

  const application = await entries(join(directory, 'application'));
  for (const file of application.files) {
    if (file !== `${name}.view.ts` && !fileNamed(['publisher']).test(file)) {
      at(`application/${file}`, `application/ holds use-case folders, ${name}.view.ts and *.publisher.ts only`);
    }
  }
  for (const useCase of application.folders) problems.push(...(await useCaseProblems(join(directory, 'application', useCase), `modules/${name}/application/${useCase}`)));

  for (const file of await filesUnder(join(directory, 'domain'))) {
    if (!DOMAIN_FILE.test(file)) at(`domain/${file}`, 'domain/ holds plain kebab-case names, *.errors.ts and *.test.ts, no folders');
  }
  for (const file of await filesUnder(join(directory, 'infrastructure'))) {
    if (!INFRASTRUCTURE_FILE.test(file)) at(`infrastructure/${file}`, 'infrastructure/ holds *.entity.ts, *.repository.ts, *.channel.ts and *.int.test.ts only');
  }
  for (const file of await filesUnder(join(directory, 'contracts'))) {
    const allowed = file === `${name}.api.ts` || (file.startsWith('events/') && EVENT_FILE.test(file.slice('events/'.length)));
    if (!allowed) at(`contracts/${file}`, `contracts/ holds ${name}.api.ts and events/*.event.ts only`);
  }
  for (const file of await filesUnder(join(directory, 'testing'))) {
    if (file !== `${name}.kit.ts`) at(`testing/${file}`, `testing/ holds ${name}.kit.ts only`);
  }
  return problems;
}

async function useCaseProblems(directory: string, path: string): Promise<string[]> {
  const problems: string[] = [];
  const { files, folders } = await entries(directory);
  if (!new RegExp(`^${KEBAB}$`).test(path.split('/').at(-1)!)) problems.push(`${path}/: a use-case folder is named in kebab-case`);
  for (const folder of folders) problems.push(`${path}/${folder}/: a use-case folder has no sub-folders`);
  for (const file of files) {
    if (!USE_CASE_FILE.test(file)) problems.push(`${path}/${file}: a use-case file is kebab-case with one of the roles ${Object.keys(USE_CASE_ROLES).map((role) => `.${role}.ts`).join(', ')}`);
  }
  if (!files.some((file) => ENTRY_POINT.test(file))) problems.push(`${path}/: a use case starts somewhere: a .route.ts, a .listener.ts or a .scheduler.ts`);
  return problems;
}

async function contentProblems(root: string, folder: string): Promise<string[]> {
  const problems: string[] = [];
  for (const file of await filesUnder(join(root, folder))) {
    if (!file.endsWith('.ts') || /\.test\.ts$/.test(file)) continue;
    const path = `${folder}/${file}`;
    const text = await readFile(join(root, path), 'utf8');
    for (const rule of CONTENT_RULES) if (rule.pattern.test(text) && !rule.role.test(file)) problems.push(`${path}: ${rule.says}`);
    if (file.endsWith('.route.ts') && ROUTE_DATABASE_ACCESS.test(text)) problems.push(`${path}: a route reaches the database itself; it reads through a .query.ts and writes through a .command.ts`);
  }
  return problems;
}
