import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { OpenAPIBackend, ValidationContext, type AjvCustomizer, type Document, type Operation } from 'openapi-backend';
import t from 'tap';
import { Format } from 'typebox/format';
import { eventually } from '../harness/eventually.ts';
import type { TestPlatform } from '../harness/platform.ts';
import { platformFor } from '../harness/suite.ts';
import { customerAuthorization } from '../harness/tokens.ts';
import { openAccount } from '../../modules/account/testing/account.kit.ts';
import { notificationTypes } from '../../modules/notification/testing/notification.kit.ts';
import { paymentStatus } from '../../modules/payment/testing/payment.kit.ts';

interface Exchange { request: InjectOptions; response: LightMyRequestResponse }
interface Content { content?: Record<string, { schema?: object }> }
type Errors = Array<{ instancePath: string; message?: string }> | null | undefined;

/** The platform with every `request` kept, so each exchange of a flow is checked against the document after it. */
function recording(platform: TestPlatform): { app: TestPlatform; exchanges: Exchange[] } {
  const exchanges: Exchange[] = [];
  const request = async (options: InjectOptions): Promise<LightMyRequestResponse> => {
    const response = await platform.request(options);
    exchanges.push({ request: options, response });
    return response;
  };
  return { app: { ...platform, request }, exchanges };
}

/**
 * OpenAPI 3.1 schemas are JSON Schema 2020-12, while openapi-backend compiles with Ajv's draft-07
 * class, which (not strict) silently skips 2020-only keywords: the customizer swaps in the 2020
 * class of the very Ajv openapi-backend depends on, with the platform's own format checks
 * (TypeBox's registry, which registerAjvFormats fills), so date-time, email and uuid are checked.
 */
const Ajv2020 = createRequire(createRequire(import.meta.url).resolve('openapi-backend'))('ajv/dist/2020').default as new (options: object) => ReturnType<AjvCustomizer>;
const dialect2020: AjvCustomizer = (_draft07, options) => {
  const ajv = new Ajv2020({ ...options, logger: false });
  for (const [name, check] of Format.Entries()) ajv.addFormat(name, check);
  return ajv;
};

/**
 * Checks one exchange against the served document: the request (route, path, query, headers,
 * body and its media type) and the response (a declared status, a declared media type, a body of
 * its schema). `quick`: openapi-backend's init() checks a document against the OpenAPI 3.0
 * meta-schema only, which a 3.1 document fails (and is then left unloaded); quick skips that check
 * (the lint test checks the document) and compiles validators lazily.
 */
async function conformanceOf(document: Document): Promise<(exchange: Exchange) => { operation: string; problems: string[] }> {
  const api = new OpenAPIBackend({ definition: structuredClone(document), quick: true, strict: true, ignoreTrailingSlashes: false, customizeAjv: dialect2020 });
  await api.init();
  // openapi-backend's validateResponse reads application/json only, and errors are application/problem+json:
  // bodies are checked against the schema of the media type answered, compiled by the same Ajv.
  const responseAjv = api.validator.getAjv(ValidationContext.Response);
  const compiled = new Map<object, (body: unknown) => Errors>();
  const bodyErrors = (schema: object, body: unknown): Errors => {
    let validate = compiled.get(schema);
    if (validate === undefined) {
      const check = responseAjv.compile(schema);
      validate = (value) => (check(value) ? null : check.errors);
      compiled.set(schema, validate);
    }
    return validate(body);
  };

  return ({ request, response }) => {
    const sent = response.raw.req;
    const call = { method: sent.method ?? 'GET', path: sent.url ?? '/', headers: sent.headers as Record<string, string>, body: request.payload };
    const operation = api.matchOperation(call);
    if (operation === undefined) return { operation: `${call.method} ${call.path}`, problems: ['no operation of the document matches this request'] };
    const status = response.statusCode;
    const answered = mediaTypeOf(response.headers['content-type']);
    const body = isJson(answered) && response.body !== '' ? response.json<unknown>() : undefined;

    const requestProblems = [
      ...messages(api.validateRequest(call, operation).errors),
      ...mediaTypeProblems('request', call.body === undefined ? undefined : sentAs(call.headers['content-type']), (operation.requestBody as Content | undefined)?.content),
    ];
    // A request the platform refuses as invalid must be one the document calls invalid too.
    const refusedAsInvalid = status === 400 && (body as { code?: unknown } | undefined)?.code === 'validation-error';
    const problems = refusedAsInvalid
      ? (requestProblems.length === 0 ? ['answered 400 validation-error to a request the document accepts'] : [])
      : requestProblems.map((problem) => `request: ${problem}`);

    const declared = declaredResponse(operation, status);
    if (declared === undefined) {
      problems.push(`status ${status} is not declared (declared: ${Object.keys(operation.responses ?? {}).join(', ')})`);
    } else {
      problems.push(...mediaTypeProblems('response', response.body === '' ? undefined : sentAs(response.headers['content-type']), declared.content));
      const schema = answered === undefined ? undefined : declared.content?.[answered]?.schema;
      if (schema !== undefined && isJson(answered)) problems.push(...messages(bodyErrors(schema, body)).map((error) => `response body: ${error}`));
    }
    return { operation: `${operation.operationId} › ${status}`, problems };
  };
}

function messages(errors: Errors): string[] {
  return (errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? 'is invalid'}`);
}

function declaredResponse(operation: Operation, status: number): Content | undefined {
  const responses = (operation.responses ?? {}) as Record<string, Content>;
  return responses[String(status)] ?? responses[`${Math.floor(status / 100)}XX`] ?? responses['default'];
}

/**
 * A body's media type (undefined: no body) must be one the document declares. A missing request
 * body is validateRequest's to judge (it may be optional); a missing response body is a problem.
 */
function mediaTypeProblems(part: 'request' | 'response', mediaType: string | undefined, declared: Record<string, unknown> | undefined): string[] {
  const listed = Object.keys(declared ?? {}).join(', ');
  if (mediaType === undefined) return declared === undefined || part === 'request' ? [] : [`no ${part} body where ${listed} is declared`];
  if (declared === undefined) return [`a ${part} body (${mediaType}) where none is declared`];
  return mediaType in declared ? [] : [`${part} ${mediaType} is not declared (declared: ${listed})`];
}

function mediaTypeOf(header: string | string[] | number | undefined): string | undefined {
  return header === undefined ? undefined : String(header).split(';')[0]!.trim().toLowerCase();
}

function sentAs(header: string | string[] | number | undefined): string {
  return mediaTypeOf(header) ?? '(no content type)';
}

function isJson(mediaType: string | undefined): boolean {
  return mediaType === 'application/json' || (mediaType?.endsWith('+json') ?? false);
}

/** Each exchange's problems, grouped by operation and status (`getPaymentsId › 404`) so a failure names both. */
function problemsBy(conforms: (exchange: Exchange) => { operation: string; problems: string[] }, exchanges: Exchange[]): Map<string, { count: number; problems: Set<string> }> {
  const outcomes = new Map<string, { count: number; problems: Set<string> }>();
  for (const exchange of exchanges) {
    const { operation, problems } = conforms(exchange);
    const outcome = outcomes.get(operation) ?? { count: 0, problems: new Set<string>() };
    outcome.count += 1;
    for (const problem of problems) outcome.problems.add(`${exchange.request.method} ${String(exchange.request.url)}: ${problem}`);
    outcomes.set(operation, outcome);
  }
  return new Map([...outcomes].sort(([a], [b]) => a.localeCompare(b)));
}

// One platform for the file: both tests read its document, the first drives the flows.
const platform = await platformFor(t, 'local');
const served = await platform.request({ method: 'GET', url: '/docs/json', headers: { authorization: undefined } });
const document = served.json<Document>();

t.test('the main flows\' requests and responses conform to the served OpenAPI document', async (t) => {
  t.equal(served.statusCode, 200, 'GET /docs/json › 200 without a token');
  const { app, exchanges } = recording(platform);
  const answered = async <T = Record<string, unknown>>(request: InjectOptions, status: number): Promise<T> => {
    const response = await app.request(request);
    t.equal(response.statusCode, status, `${request.method} ${String(request.url)} › ${status}`);
    return response.json<T>();
  };

  // Onboarding and top-up (GET /account is polled until the account exists: 404s, then 200).
  const alice = await openAccount(app, 'alice', { deposit: 200 });
  await openAccount(app, 'bob');

  // A payment, then its reversal.
  const payment = await answered<{ id: number }>({ method: 'POST', url: '/payments', payload: { userName: 'alice', amount: 50, currency: 'EUR' } }, 201);
  await answered({ method: 'GET', url: `/payments/${payment.id}`, headers: { authorization: await customerAuthorization('alice') } }, 200);
  await paymentStatus(app, payment.id, (status) => status === 'COMPLETED');
  await eventually(async () => (await answered<{ reserved: number }>({ method: 'GET', url: '/account?login=alice' }, 200)).reserved === 0, { what: 'capture' });
  await answered({ method: 'POST', url: `/payments/${payment.id}/reversal`, payload: { reason: 'CUSTOMER_REQUEST' } }, 200);

  // An order, its charge and the notifications.
  const order = await answered<{ orderId: number }>({ method: 'POST', url: '/orders', payload: { login: 'alice', amount: 20 } }, 200);
  await answered({ method: 'GET', url: `/orders/${order.orderId}` }, 200);
  await answered({ method: 'GET', url: '/orders?login=alice' }, 200);
  await eventually(async () => (await answered<{ items: unknown[] }>({ method: 'GET', url: '/billing/charges?login=alice' }, 200)).items.length > 0, { what: 'a charge of alice' });
  await notificationTypes(app, 'alice', ['ACCOUNT_CREATED', 'PAYMENT_COMPLETED']);

  // Profiles and accounts, as an operator.
  await answered({ method: 'GET', url: '/profiles' }, 200);
  const profile = await answered<{ id: number }>({ method: 'GET', url: '/profiles/check?login=bob' }, 200);
  await answered({ method: 'GET', url: `/profiles/${profile.id}` }, 200);
  await answered({ method: 'GET', url: `/accounts/${alice.accountId}` }, 200);

  // Refusals.
  await answered({ method: 'GET', url: '/payments/999999' }, 404);
  await answered({ method: 'POST', url: '/payments', payload: { userName: 'alice', amount: 'ten', currency: 'EUR' } }, 400);
  await answered({ method: 'GET', url: '/profiles', headers: { authorization: undefined } }, 401);
  await answered({ method: 'GET', url: '/admin/outbox', headers: { authorization: await customerAuthorization('alice') } }, 403);

  // Operator routes.
  for (const url of ['/admin/outbox', '/admin/dead-letters', '/admin/parked-keys?consumer=payments.account', '/admin/audit']) {
    await answered({ method: 'GET', url }, 200);
  }

  for (const [operation, { count, problems }] of problemsBy(await conformanceOf(document), exchanges)) {
    t.ok(problems.size === 0, problems.size === 0 ? `${operation} conforms (${count} exchanges)` : `${operation} does not conform: ${[...problems].join(' | ')}`);
  }
  const statuses = new Set(exchanges.map((exchange) => exchange.response.statusCode));
  t.ok([200, 201, 400, 401, 403, 404].every((status) => statuses.has(status)), 'the exchanges cover success, validation, authentication, authorisation and not-found answers');

  // The check bites: the same exchanges against a document that drops a status, declares errors as
  // application/json (as it did before this test), retypes a field and the problem body, and
  // drops a query parameter.
  const doctored = structuredClone(document) as unknown as Doctorable;
  delete doctored.paths['/payments/{id}']!.get!.responses['404'];
  const accountNotFound = doctored.paths['/account']!.get!.responses['404']!;
  accountNotFound.content = { 'application/json': accountNotFound.content!['application/problem+json']! };
  doctored.paths['/payments/{id}/status']!.get!.responses['200']!.content!['application/json']!.schema.properties!['status'] = { type: 'integer' };
  doctored.components.schemas['Problem']!.properties!['code'] = { type: 'integer' };
  const listOrders = doctored.paths['/orders']!.get!;
  listOrders.parameters = listOrders.parameters!.filter((parameter) => parameter.name !== 'login');
  const caught = problemsBy(await conformanceOf(doctored as unknown as Document), exchanges);
  const expected: Array<[operation: string, reported: RegExp, what: string]> = [
    ['getPaymentsId › 404', /status 404 is not declared/, 'an undeclared status'],
    ['getAccount › 404', /response application\/problem\+json is not declared/, 'an undeclared media type'],
    ['getPaymentsIdStatus › 200', /response body: \/status must be integer/, 'a body off its schema'],
    ['getProfiles › 401', /response body: \/code must be integer/, 'a problem+json body off its schema'],
    ['getOrders › 200', /request: \/query must NOT have additional properties/, 'an undeclared query parameter'],
  ];
  for (const [operation, reported, what] of expected) {
    t.match([...(caught.get(operation)?.problems ?? [])].join(' | '), reported, `${operation}: ${what} is reported`);
  }
});

interface DoctorableSchema { type?: string; properties?: Record<string, DoctorableSchema> }
interface Doctorable {
  components: { schemas: Record<string, DoctorableSchema> };
  paths: Record<string, Record<string, { parameters?: Array<{ name: string }>; responses: Record<string, { content?: Record<string, { schema: DoctorableSchema }> }> }>>;
}

/** Redocly CLI's lint of one file, offline and without a terminal: its JSON report. */
async function redoclyLint(file: string): Promise<{ problems: Array<{ ruleId: string; message: string }> }> {
  const resolver = createRequire(import.meta.url);
  const manifest = resolver('@redocly/cli/package.json') as { bin: Record<string, string> };
  const cli = join(dirname(resolver.resolve('@redocly/cli/package.json')), manifest.bin['redocly']!);
  // Exit status 1 means "problems found": the report on stdout is what counts.
  const { stdout } = await new Promise<{ stdout: string }>((resolve, reject) => {
    execFile(process.execPath, [cli, 'lint', '--format=json', '--extends=recommended', file], {
      cwd: dirname(file),
      env: { ...process.env, CI: 'true', REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
      maxBuffer: 64 * 1024 * 1024,
    }, (error, stdout, stderr) => (stdout.trim().startsWith('{') ? resolve({ stdout }) : reject(error ?? new Error(stderr))));
  });
  return JSON.parse(stdout) as { problems: Array<{ ruleId: string; message: string }> };
}

const GUARDED_RULES = ['security-defined', 'operation-operationId'];

t.test('Redocly CLI lint of /docs/json › no security-defined or operation-operationId problem', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'openapi-lint-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const servedFile = join(dir, 'openapi.json');
  const fixtureFile = join(dir, 'unsecured.json');
  await writeFile(servedFile, JSON.stringify(document));
  // An operation with neither security nor operationId: proves both rules are on in this configuration.
  await writeFile(fixtureFile, JSON.stringify({ openapi: '3.1.0', info: { title: 'fixture', version: '1' }, paths: { '/x': { get: { responses: { 200: { description: 'ok' } } } } } }));
  const [report, fixture] = await Promise.all([redoclyLint(servedFile), redoclyLint(fixtureFile)]);

  t.same(GUARDED_RULES.filter((rule) => !fixture.problems.some((problem) => problem.ruleId === rule)), [], 'the fixture trips both rules');
  const guarded = report.problems.filter((problem) => GUARDED_RULES.includes(problem.ruleId));
  t.same(guarded.map((problem) => `${problem.ruleId}: ${problem.message}`), [], 'the served document has no security-defined or operation-operationId problem');
  const others = new Map<string, number>();
  for (const problem of report.problems.filter((found) => !GUARDED_RULES.includes(found.ruleId))) others.set(problem.ruleId, (others.get(problem.ruleId) ?? 0) + 1);
  t.comment(`other Redocly problems by rule: ${[...others].map(([rule, count]) => `${rule} ${count}`).join(', ') || 'none'}`);
});
