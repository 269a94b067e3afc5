/**
 * Module boundaries (STYLE.md habit 9), checked by test/architecture.test.ts and `npm run lint:deps`.
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: 'no-module-internals',
      comment: "A module may import another module only through its public entry, modules/<name>/index.ts (tests also through its test kit)",
      severity: 'error',
      from: { path: '^modules/([^/]+)/' },
      to: { path: '^modules/[^/]+/', pathNot: ['^modules/$1/', '^modules/[^/]+/index\\.ts$', '^modules/[^/]+/testing/[^/]+\\.kit\\.ts$'] },
    },
    {
      name: 'test-kits-for-tests',
      comment: "A module's test kit (testing/<name>.kit.ts) drives it from tests; running code never imports one",
      severity: 'error',
      from: { pathNot: ['\\.test\\.ts$', '^modules/[^/]+/testing/', '^test/', '^bench/'] },
      to: { path: '^modules/[^/]+/testing/' },
    },
    {
      name: 'platform-knows-no-module',
      comment: 'src/ is the platform: it never imports modules/ (modules are loaded by name from configuration)',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^modules/' },
    },
    {
      name: 'relay-knows-no-module',
      comment: 'The relay moves rows; it imports only src/ (and at most module contracts)',
      severity: 'error',
      from: { path: '^relay/' },
      to: { path: '^modules/', pathNot: ['^modules/[^/]+/index\\.ts$'] },
    },
    {
      name: 'domain-is-framework-free',
      comment: 'domain/ holds entities and rules only: no fastify, kafkajs, MikroORM, pg, awilix or platform plumbing',
      severity: 'error',
      from: { path: '^modules/[^/]+/domain/' },
      to: { path: ['node_modules/(fastify|@fastify|kafkajs|@mikro-orm|pg|awilix)/', '^src/platform/(http|messaging|db)/', '^modules/[^/]+/(application|infrastructure)/'] },
    },
    {
      name: 'domain-imports-domain-and-value-types',
      comment: "domain/ imports its own module's domain and the platform's value types only (money, clock, errors, and caller: who acts); the HTTP edge maps its errors to statuses",
      severity: 'error',
      from: { path: '^modules/([^/]+)/domain/', pathNot: '\\.test\\.ts$' },
      to: { pathNot: ['^modules/$1/domain/', '^src/platform/(money|clock|errors)\\.ts$', '^src/platform/auth/caller\\.ts$'] },
    },
    {
      name: 'no-kafka-in-modules',
      comment: 'Plumbing lives once in src/platform/messaging; modules never talk to Kafka directly',
      severity: 'error',
      from: { path: '^modules/' },
      to: { path: 'node_modules/kafkajs/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|\\.tap|coverage|dist)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'] },
  },
};
