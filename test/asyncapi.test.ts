import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t, { type Test } from 'tap';
import { Compile } from 'typebox/compile';
import { MODULE_NAMES } from '../src/config.ts';
import { asyncApiDocument, type AsyncApiDocument, type JsonSchema } from '../src/platform/messaging/asyncapi-document.ts';
import { HEADERS } from '../src/platform/messaging/envelope.ts';
import { loadModules } from '../src/platform/module-loader.ts';
import { consumesOf } from '../src/platform/module.ts';

/** The topics of docs/requirements.md#events-and-topics, row by row: topic, producer, consumers. */
const REQUIRED_TOPICS: Array<{ topic: string; producer: string; consumers: string[] }> = [
  { topic: 'profile.registered', producer: 'profile', consumers: ['account'] },
  { topic: 'account.created', producer: 'account', consumers: ['profile', 'payment', 'notification'] },
  { topic: 'account.updated', producer: 'account', consumers: ['payment', 'notification'] },
  { topic: 'account.suspended', producer: 'account', consumers: ['payment', 'notification'] },
  { topic: 'account.closed', producer: 'account', consumers: ['payment', 'notification'] },
  { topic: 'account.balance.changed', producer: 'account', consumers: ['payment', 'notification'] },
  { topic: 'payment.requested', producer: 'payment', consumers: ['account'] },
  { topic: 'account.funds.reserved', producer: 'account', consumers: ['payment'] },
  { topic: 'account.funds.rejected', producer: 'account', consumers: ['payment'] },
  { topic: 'payment.submitted', producer: 'payment', consumers: ['billing'] },
  { topic: 'billing.payment.processed', producer: 'billing', consumers: ['payment'] },
  { topic: 'payment.completed', producer: 'payment', consumers: ['account', 'notification'] },
  { topic: 'payment.failed', producer: 'payment', consumers: ['account', 'notification'] },
  { topic: 'payment.reversed', producer: 'payment', consumers: ['account', 'notification'] },
  { topic: 'payment.status', producer: 'payment', consumers: [] },
  { topic: 'fraud.detected', producer: 'payment', consumers: ['account', 'notification'] },
  { topic: 'order.created', producer: 'order', consumers: ['billing'] },
  { topic: 'billing.charge.succeeded', producer: 'billing', consumers: ['order', 'notification'] },
  { topic: 'billing.charge.failed', producer: 'billing', consumers: ['order', 'notification'] },
];

const ALL_MODULES = ['profile', 'account', 'payment', 'billing', 'order', 'notification'];

/**
 * The payloads fixed for outside consumers (docs/requirements.md#fixed-payloads): the example
 * message and each field's JSON type. `optional` are the fields they may leave out.
 */
type FieldType = 'integer' | 'number' | 'string' | 'date-time' | 'string[]' | { object: Record<string, FieldType> };
const FIXED_PAYLOADS: Record<string, { example: string; fields: Record<string, FieldType>; optional?: string[] }> = {
  'payment.completed': {
    example: '{"paymentId": 12345, "accountId": 67890, "amount": 150.75, "currency": "EUR", "transactionType": "STANDARD", "status": "COMPLETED", "completedAt": "2024-01-15T10:30:00Z"}',
    fields: { paymentId: 'integer', accountId: 'integer', amount: 'number', currency: 'string', transactionType: 'string', status: 'string', completedAt: 'date-time' },
  },
  'payment.reversed': {
    example: '{"paymentId": 12345, "accountId": 67890, "amount": 150.75, "currency": "EUR", "reversalReason": "CUSTOMER_REQUEST", "originalPaymentDate": "2024-01-15T10:30:00Z", "reversedAt": "2024-01-16T14:20:00Z"}',
    fields: { paymentId: 'integer', accountId: 'integer', amount: 'number', currency: 'string', reversalReason: 'string', originalPaymentDate: 'date-time', reversedAt: 'date-time' },
  },
  'payment.failed': {
    example: '{"paymentId": 12345, "accountId": 67890, "amount": 150.75, "currency": "EUR", "failureReason": "INSUFFICIENT_FUNDS", "errorCode": "ERR_BALANCE_001", "failedAt": "2024-01-15T10:35:00Z"}',
    fields: { paymentId: 'integer', accountId: 'integer', amount: 'number', currency: 'string', failureReason: 'string', errorCode: 'string', failedAt: 'date-time' },
  },
  'fraud.detected': {
    example: '{"paymentId": 12345, "accountId": 67890, "userId": 111, "amount": 5000.00, "currency": "EUR", "fraudScore": 0.95, "fraudReasons": ["AMOUNT_TOO_HIGH", "UNUSUAL_LOCATION"], "detectedAt": "2024-01-15T10:40:00Z", "severity": "HIGH"}',
    fields: { paymentId: 'integer', accountId: 'integer', userId: 'integer', amount: 'number', currency: 'string', fraudScore: 'number', fraudReasons: 'string[]', detectedAt: 'date-time', severity: 'string' },
  },
  'account.created': {
    example: '{"accountId": 67890, "userId": 111, "accountType": "CHECKING", "currency": "EUR", "status": "ACTIVE", "createdAt": "2024-01-10T08:00:00Z"}',
    fields: { accountId: 'integer', userId: 'integer', accountType: 'string', currency: 'string', status: 'string', createdAt: 'date-time' },
  },
  'account.updated': {
    example: '{"accountId": 67890, "userId": 111, "status": "SUSPENDED", "updatedAt": "2024-01-15T09:00:00Z", "changes": {"previousStatus": "ACTIVE", "newStatus": "SUSPENDED"}}',
    fields: { accountId: 'integer', userId: 'integer', status: 'string', updatedAt: 'date-time', changes: { object: { previousStatus: 'string', newStatus: 'string' } } },
  },
  'account.suspended': {
    example: '{"accountId": 67890, "userId": 111, "reason": "FRAUD_SUSPECTED", "suspendedAt": "2024-01-15T10:00:00Z", "expiresAt": "2024-01-16T10:00:00Z"}',
    fields: { accountId: 'integer', userId: 'integer', reason: 'string', suspendedAt: 'date-time', expiresAt: 'date-time' },
    optional: ['expiresAt'],
  },
  'account.closed': {
    example: '{"accountId": 67890, "userId": 111, "closedAt": "2024-02-01T12:00:00Z", "reason": "CUSTOMER_REQUEST"}',
    fields: { accountId: 'integer', userId: 'integer', closedAt: 'date-time', reason: 'string' },
  },
  'account.balance.changed': {
    example: '{"accountId": 67890, "previousBalance": 1000.00, "newBalance": 850.00, "changeAmount": -150.00, "currency": "EUR", "changeReason": "DEBIT", "timestamp": "2024-01-15T10:30:00Z"}',
    fields: { accountId: 'integer', previousBalance: 'number', newBalance: 'number', changeAmount: 'number', currency: 'string', changeReason: 'string', timestamp: 'date-time' },
  },
};

const modules = await loadModules(MODULE_NAMES);
const document = asyncApiDocument(modules, { version: '0.0.0-test' });

function resolve(ref: string): unknown {
  if (!ref.startsWith('#/')) throw new Error(`not a local reference: ${ref}`);
  return ref.slice(2).split('/').reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part.replaceAll('~1', '/').replaceAll('~0', '~')], document);
}

function operationsOn(topic: string, action: 'send' | 'receive'): string[] {
  return Object.values(document.operations)
    .filter((operation) => operation.action === action && operation.channel.$ref === `#/channels/${topic}`)
    .map((operation) => operation.tags[0]!.name);
}

function payloadOf(topic: string): JsonSchema {
  const channel = document.channels[topic]!;
  const [message] = Object.values(channel.messages);
  return (resolve(message!.$ref) as AsyncApiDocument['components']['messages'][string]).payload;
}

function expectedSchemaOf(type: FieldType): Record<string, unknown> {
  if (typeof type === 'object') return { type: 'object' };
  switch (type) {
    case 'date-time': return { type: 'string', format: 'date-time' };
    case 'string[]': return { type: 'array', items: { type: 'string' } };
    default: return { type };
  }
}

/**
 * Every field of the fixed payload, with its JSON type, and the same required fields, recursively.
 * A contract may add optional fields (an additive change old consumers ignore), never required ones.
 */
function checkShape(t: Test, schema: JsonSchema, fields: Record<string, FieldType>, optional: string[], where: string): void {
  const properties = schema['properties'] as Record<string, JsonSchema>;
  t.equal(schema['type'], 'object', `${where} is an object`);
  t.same(Object.keys(fields).filter((field) => !(field in properties)), [], `${where} has every field of the fixed payload`);
  t.same([...(schema['required'] as string[])].sort(), Object.keys(fields).filter((field) => !optional.includes(field)).sort(),
    `${where} requires every field not marked optional`);
  for (const [field, type] of Object.entries(fields)) {
    const property = properties[field];
    if (property === undefined) continue;
    t.match(property, expectedSchemaOf(type), `${where}.${field} is ${JSON.stringify(expectedSchemaOf(type))}`);
    if (typeof type === 'object') checkShape(t, property, type.object, [], `${where}.${field}`);
  }
}

t.test('AsyncAPI › a 3.0 document whose references all resolve', async (t) => {
  t.equal(document.asyncapi, '3.0.0');
  t.ok(document.info.title.length > 0 && document.info.version === '0.0.0-test', 'info has a title and the given version');
  const componentKey = /^[a-zA-Z0-9.\-_]+$/;
  for (const [id, channel] of Object.entries(document.channels)) {
    t.equal(channel.address, id, `channel ${id} › its address is the default topic name`);
    for (const [messageId, reference] of Object.entries(channel.messages)) {
      t.match(messageId, componentKey, `channel ${id} › message id ${messageId} is a valid key`);
      t.ok(resolve(reference.$ref), `channel ${id} › ${reference.$ref} resolves`);
    }
  }
  for (const [id, operation] of Object.entries(document.operations)) {
    t.match(id, componentKey, `operation ${id} › valid key`);
    t.ok(resolve(operation.channel.$ref), `operation ${id} › its channel resolves`);
    for (const message of operation.messages) {
      t.ok(message.$ref.startsWith(`${operation.channel.$ref}/messages/`), `operation ${id} › its message belongs to its channel`);
      t.ok(resolve(message.$ref), `operation ${id} › ${message.$ref} resolves`);
    }
  }
});

t.test('AsyncAPI › every required topic has a channel and a send operation by its producer', async (t) => {
  t.same([...MODULE_NAMES].sort(), [...ALL_MODULES].sort(), 'every module is loaded');
  for (const { topic, producer } of REQUIRED_TOPICS) {
    t.ok(document.channels[topic], `${topic} › has a channel`);
    t.same(operationsOn(topic, 'send'), [producer], `${topic} › sent by ${producer} only`);
  }
});

t.test('AsyncAPI › lists all 19 required topics', async (t) => {
  const channels = Object.keys(document.channels);
  for (const { topic } of REQUIRED_TOPICS) t.ok(channels.includes(topic), `${topic} › listed`);
});

t.test('AsyncAPI › every loaded module\'s listeners are its receive operations, and the required consumers receive their topics', async (t) => {
  for (const module of modules) {
    const receives = Object.keys(document.operations).filter((id) => id.startsWith(`${module.name}.receives.`)).length;
    t.equal(receives, new Set(consumesOf(module).map((contract) => contract.topic)).size, `module ${module.name} › one receive operation per topic its listeners consume`);
  }
  for (const { topic, consumers } of REQUIRED_TOPICS) {
    const receivers = operationsOn(topic, 'receive');
    for (const consumer of consumers) {
      t.ok(receivers.includes(consumer), `${topic} › received by ${consumer}`);
    }
  }
});

t.test('AsyncAPI › every message carries the CloudEvents binary-mode headers of its contract', async (t) => {
  const binaryMode = [HEADERS.specversion, HEADERS.id, HEADERS.type, HEADERS.source, HEADERS.time, HEADERS.subject, HEADERS.dataversion, HEADERS.contentType];
  for (const [id, message] of Object.entries(document.components.messages)) {
    const properties = message.headers['properties'] as Record<string, JsonSchema>;
    t.same(Object.keys(properties).filter((name) => binaryMode.includes(name as never)).sort(), [...binaryMode].sort(), `${id} › all ce_* headers and content-type`);
    t.same(message.headers['required'], binaryMode, `${id} › the CloudEvents attributes are required`);
    t.ok(properties[HEADERS.traceparent], `${id} › traceparent is documented`);
    t.equal(properties[HEADERS.type]?.['const'], message.name, `${id} › ce_type is fixed to the event type`);
    t.equal(properties[HEADERS.dataversion]?.['const'], id.slice(id.lastIndexOf('.v') + 2), `${id} › ce_dataversion is fixed to the contract version`);
  }
  const accountCreated = document.components.messages['account.created.v1']!;
  t.equal((accountCreated.headers['properties'] as Record<string, JsonSchema>)[HEADERS.source]?.['const'], 'account', 'ce_source is the producing module');
  t.match(accountCreated.bindings.kafka.key['description'], /accountId/, 'the Kafka key names the field it comes from');
});

t.test('AsyncAPI › the fixed payloads keep exactly their original field names and JSON types', async (t) => {
  for (const [topic, fixed] of Object.entries(FIXED_PAYLOADS)) {
    const payload = payloadOf(topic);
    checkShape(t, payload, fixed.fields, fixed.optional ?? [], topic);
    t.ok(Compile(payload).Check(JSON.parse(fixed.example)), `${topic} › the original example message is valid`);
  }
});

t.test('npm run asyncapi › writes the same document to the path given', async (t) => {
  const directory = await mkdtemp(join(tmpdir(), 'asyncapi-'));
  t.teardown(() => rm(directory, { recursive: true, force: true }));
  const target = join(directory, 'nested', 'asyncapi.json');
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/asyncapi.ts', target], { cwd: new URL('..', import.meta.url) });
  t.match(stdout, /AsyncAPI 3\.0\.0: \d+ channels/);
  const written = JSON.parse(await readFile(target, 'utf8')) as AsyncApiDocument;
  const { version } = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  t.same(written, JSON.parse(JSON.stringify(asyncApiDocument(modules, { version }))), 'the script writes the document of every module in MODULE_NAMES');
});

