import { createRequire } from 'node:module';
import { cruise, type IViolation } from 'dependency-cruiser';
import t from 'tap';

const ROOT = new URL('../', import.meta.url).pathname;
const require = createRequire(import.meta.url);
const { forbidden, options } = require(`${ROOT}.dependency-cruiser.cjs`) as { forbidden: unknown[]; options: Record<string, unknown> };

async function cruiseTree(paths: string[], baseDir: string) {
  const result = await cruise(paths, { ...options, baseDir, validate: true, ruleSet: { forbidden } } as Parameters<typeof cruise>[1]);
  if (typeof result.output === 'string') throw new Error(result.output);
  return result.output;
}

async function violations(paths: string[], baseDir: string): Promise<IViolation[]> {
  return (await cruiseTree(paths, baseDir)).summary.violations;
}

t.test('architecture › module boundaries hold (dependency-cruiser)', async (t) => {
  const output = await cruiseTree(['src', 'modules', 'relay', 'migrations'], ROOT);
  const handler = output.modules.find((module) => module.source === 'modules/account/application/open-account/on-profile-registered.listener.ts');
  t.ok(handler?.dependencies.some((dependency) => dependency.resolved === 'modules/profile/index.ts'), 'imports are resolved (a cross-module contract import is seen)');
  t.same(output.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`), [], 'no rule is broken');
});

t.test('architecture › the check catches a module importing another module\'s internals, running code importing a test kit, the platform importing a module, and a domain importing plumbing', async (t) => {
  const found = await violations(['modules', 'src'], `${ROOT}test/fixtures/boundary-violation`);
  const names = found.map((v) => v.rule.name).sort();
  t.same(names, ['domain-imports-domain-and-value-types', 'no-module-internals', 'platform-knows-no-module', 'test-kits-for-tests']);
});
