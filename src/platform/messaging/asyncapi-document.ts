import { consumesOf, type ModuleDefinition } from '../module.ts';
import type { EventContract } from './contract.ts';
import { HEADERS } from './envelope.ts';

/** A JSON Schema as it appears in the document (plain JSON, no TypeBox markers). */
export type JsonSchema = Record<string, unknown>;

interface Reference {
  $ref: string;
}

export interface AsyncApiChannel {
  address: string;
  title: string;
  description: string;
  messages: Record<string, Reference>;
}

export interface AsyncApiOperation {
  action: 'send' | 'receive';
  channel: Reference;
  messages: Reference[];
  summary: string;
  tags: Array<{ name: string }>;
  bindings?: { kafka: { groupId: JsonSchema; bindingVersion: string } };
}

export interface AsyncApiMessage {
  name: string;
  title: string;
  summary: string;
  contentType: 'application/json';
  headers: JsonSchema;
  payload: JsonSchema;
  correlationId: { description: string; location: string };
  bindings: { kafka: { key: JsonSchema; bindingVersion: string } };
}

export interface AsyncApiDocument {
  asyncapi: '3.0.0';
  info: { title: string; version: string; description: string };
  defaultContentType: 'application/json';
  servers: Record<string, { host: string; protocol: string; description: string }>;
  channels: Record<string, AsyncApiChannel>;
  operations: Record<string, AsyncApiOperation>;
  components: { messages: Record<string, AsyncApiMessage> };
}

export interface AsyncApiOptions {
  /** The version of the platform the document describes (package.json). */
  version: string;
  /** Consumer group prefix (`KAFKA_GROUP_PREFIX`); groups are `<prefix>.<module>`. */
  groupPrefix?: string;
}

const KAFKA_BINDING_VERSION = '0.5.0';

/**
 * The AsyncAPI 3.0 catalogue of the modules' events: one channel per topic (default names), one
 * message per contract version with its payload schema and CloudEvents binary-mode headers, a
 * `send` operation per producing module and a `receive` operation per consuming module (from
 * `produces` and the listeners' declared contracts, so no container or broker is needed).
 */
export function asyncApiDocument(modules: ModuleDefinition[], options: AsyncApiOptions): AsyncApiDocument {
  const groupPrefix = options.groupPrefix ?? 'payments';
  const contracts = contractsByTopic(modules);
  const channels: AsyncApiDocument['channels'] = {};
  const messages: AsyncApiDocument['components']['messages'] = {};
  for (const [topic, versions] of contracts) {
    channels[topic] = channelOf(topic, versions);
    for (const contract of versions) messages[messageIdOf(contract)] = messageOf(contract);
  }
  const operations: AsyncApiDocument['operations'] = {};
  for (const module of modules) {
    for (const [topic, produced] of groupByTopic(module.produces)) {
      operations[`${module.name}.sends.${topic}`] = operationOf('send', module, topic, produced);
    }
    for (const [topic, consumed] of groupByTopic(consumesOf(module))) {
      operations[`${module.name}.receives.${topic}`] = {
        ...operationOf('receive', module, topic, consumed),
        bindings: {
          kafka: {
            groupId: { type: 'string', enum: [`${groupPrefix}.${module.name}`], description: 'Consumer group <KAFKA_GROUP_PREFIX>.<module>' },
            bindingVersion: KAFKA_BINDING_VERSION,
          },
        },
      };
    }
  }
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Payments platform events',
      version: options.version,
      description: [
        'Integration events of the payments platform, generated from the modules\' event contracts (`npm run asyncapi`).',
        'Every event is written to the outbox in the same transaction as the state that caused it and published by the relay (at least once; consumers deduplicate by `ce_id`).',
        'Kafka messages are CloudEvents 1.0 in binary content mode: the value is the JSON payload, the attributes are `ce_*` headers.',
        `Topic names are the defaults; a deployment may prefix them (TOPIC_PREFIX). A message a consumer cannot handle goes to \`<topic>.dlq\` with \`${HEADERS.deadLetterError}\`, \`${HEADERS.deadLetterConsumer}\` and \`${HEADERS.deadLetterTopic}\` headers.`,
      ].join(' '),
    },
    defaultContentType: 'application/json',
    servers: {
      kafka: { host: 'localhost:9092', protocol: 'kafka', description: 'The brokers named by KAFKA_BROKERS' },
    },
    channels: sortedByKey(channels),
    operations: sortedByKey(operations),
    components: { messages: sortedByKey(messages) },
  };
}

function contractsByTopic(modules: ModuleDefinition[]): Map<string, EventContract[]> {
  const all = modules.flatMap((module) => [...module.produces, ...consumesOf(module)]);
  const byTopic = groupByTopic(all);
  return new Map([...byTopic].sort(([a], [b]) => a.localeCompare(b)));
}

/** Distinct contracts (type and version) per topic. */
function groupByTopic(contracts: EventContract[]): Map<string, EventContract[]> {
  const byTopic = new Map<string, Map<string, EventContract>>();
  for (const contract of contracts) {
    const versions = byTopic.get(contract.topic) ?? new Map<string, EventContract>();
    versions.set(messageIdOf(contract), contract);
    byTopic.set(contract.topic, versions);
  }
  return new Map([...byTopic].map(([topic, versions]) => [topic, [...versions.values()]]));
}

function messageIdOf(contract: EventContract): string {
  return `${contract.type}.v${contract.version}`;
}

function channelOf(topic: string, versions: EventContract[]): AsyncApiChannel {
  return {
    address: topic,
    title: topic,
    description: versions.map((contract) => `v${contract.version}: ${contract.description}`).join('\n'),
    messages: Object.fromEntries(versions.map((contract) => [messageIdOf(contract), { $ref: `#/components/messages/${messageIdOf(contract)}` }])),
  };
}

function operationOf(action: 'send' | 'receive', module: ModuleDefinition, topic: string, contracts: EventContract[]): AsyncApiOperation {
  return {
    action,
    channel: { $ref: `#/channels/${topic}` },
    messages: contracts.map((contract) => ({ $ref: `#/channels/${topic}/messages/${messageIdOf(contract)}` })),
    summary: action === 'send' ? `The ${module.name} module publishes ${topic}` : `The ${module.name} module consumes ${topic}`,
    tags: [{ name: module.name }],
  };
}

function messageOf(contract: EventContract): AsyncApiMessage {
  const key = keyFieldOf(contract);
  return {
    name: contract.type,
    title: `${contract.type} v${contract.version}`,
    summary: contract.description,
    contentType: 'application/json',
    headers: headersOf(contract),
    payload: plainJson(contract.schema),
    correlationId: { description: 'The event id (CloudEvents id)', location: `$message.header#/${HEADERS.id}` },
    bindings: {
      kafka: {
        key: {
          type: 'string',
          description: key === undefined
            ? 'The id that orders this stream, as a string'
            : `The payload's ${key}, as a string: events with the same ${key} are published and consumed in order`,
        },
        bindingVersion: KAFKA_BINDING_VERSION,
      },
    },
  };
}

/** CloudEvents 1.0 Kafka binary-mode attributes, fixed to this contract where they can be. */
function headersOf(contract: EventContract): JsonSchema {
  return {
    type: 'object',
    required: [HEADERS.specversion, HEADERS.id, HEADERS.type, HEADERS.source, HEADERS.time, HEADERS.subject, HEADERS.dataversion, HEADERS.contentType],
    properties: {
      [HEADERS.specversion]: { type: 'string', const: '1.0', description: 'CloudEvents specversion' },
      [HEADERS.id]: { type: 'string', format: 'uuid', description: 'CloudEvents id: unique per event; consumers skip an id they have handled' },
      [HEADERS.type]: { type: 'string', const: contract.type, description: 'CloudEvents type' },
      [HEADERS.source]: { type: 'string', const: contract.source, description: 'CloudEvents source: the producing module' },
      [HEADERS.time]: { type: 'string', format: 'date-time', description: 'CloudEvents time: when the event was written' },
      [HEADERS.subject]: { type: 'string', description: 'CloudEvents subject: the message key' },
      [HEADERS.dataversion]: { type: 'string', const: String(contract.version), description: 'Contract version (CloudEvents extension attribute)' },
      [HEADERS.contentType]: { type: 'string', const: 'application/json', description: 'CloudEvents datacontenttype' },
      [HEADERS.traceparent]: { type: 'string', pattern: '^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$', description: 'W3C trace context of the request that caused the event' },
      [HEADERS.redriveConsumer]: { type: 'string', description: 'Only on a redriven dead letter: the one consumer group that handles it' },
    },
  };
}

/**
 * Which payload field `keyOf` reads, found by handing it a recording stand-in for the payload.
 * Key functions are plain field reads (`(data) => data.accountId`); anything else is left unnamed.
 */
function keyFieldOf(contract: EventContract): string | undefined {
  const read: string[] = [];
  const recorder = new Proxy({}, { get: (_target, property) => (read.push(String(property)), 1) });
  try {
    contract.keyOf(recorder as never);
  } catch {
    return undefined;
  }
  return read.length === 1 ? read[0] : undefined;
}

/** TypeBox marks its schemas with non-enumerable properties; JSON keeps the JSON Schema only. */
function plainJson(schema: unknown): JsonSchema {
  return JSON.parse(JSON.stringify(schema)) as JsonSchema;
}

function sortedByKey<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}
