import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import { runInTrace, traceFrom } from '../observability/trace-context.ts';
import { isDatabaseUnavailable } from '../db/database-unavailable.ts';
import { backoffDelay, pause } from './backoff.ts';
import { validatorOf, type TopicNames } from './contract.ts';
import type { DeadLetters } from './dead-letters.ts';
import { decodeEnvelope, HEADERS, type EventEnvelope } from './envelope.ts';
import type { EventHandler } from './event-handler.ts';
import type { OutboxWriter } from './outbox-writer.ts';
import type { ReceivedMessage, Transport } from './transports/transport.ts';

export interface ConsumerSettings {
  maxAttempts: number;
  retryBaseMs: number;
}

export interface ModuleConsumerDeps {
  group: string;
  handlers: EventHandler[];
  orm: MikroORM;
  outbox: OutboxWriter;
  topics: TopicNames;
  transport: Transport;
  deadLetters: DeadLetters;
  settings: ConsumerSettings;
  metrics: Metrics;
  logger: Logger;
}

type Outcome = 'processed' | 'duplicate';

const RETRY_MAX_MS = 10_000;
const DATABASE_WAIT_MAX_MS = 5_000;

/**
 * One module's consumer group. Each message: decode and check its schema (a poison message goes
 * straight to the dead-letter queue), then run the handler and the inbox insert in one transaction
 * (a redelivered event finds its inbox row and has no second effect), retrying failures with
 * backoff and dead-lettering after `maxAttempts`. The transport commits the offset only after this
 * resolves, i.e. after the transaction committed.
 */
export class ModuleConsumer {
  private readonly handlers = new Map<string, EventHandler>();
  private readonly stopping = new AbortController();

  constructor(private readonly deps: ModuleConsumerDeps) {
    for (const handler of deps.handlers) {
      this.handlers.set(handlerKey(handler.contract.type, handler.contract.version), handler);
    }
  }

  get group(): string {
    return this.deps.group;
  }

  topics(): string[] {
    return [...new Set(this.deps.handlers.map((handler) => this.deps.topics.of(handler.contract)))];
  }

  async start(): Promise<void> {
    await this.deps.transport.subscribe({
      group: this.deps.group,
      topics: this.topics(),
      handle: (message) => this.process(message),
    });
  }

  /** Makes in-flight retries give up so the transport can stop; their messages are redelivered later. */
  stop(): void {
    this.stopping.abort();
  }

  async process(message: ReceivedMessage): Promise<void> {
    const decoded = decodeEnvelope(message.value, message.headers);
    if (!decoded.ok) return this.deadLetter(message, `poison message: ${decoded.reason}`, 0);
    const { envelope } = decoded;
    const redriveTarget = message.headers[HEADERS.redriveConsumer];
    if (redriveTarget !== undefined && redriveTarget !== this.deps.group) {
      return this.count(message.topic, 'skipped');
    }
    const handler = this.handlers.get(handlerKey(envelope.type, envelope.dataversion));
    if (handler === undefined) {
      return this.deadLetter(message, `no handler for ${envelope.type} version ${envelope.dataversion}`, 0);
    }
    const validator = validatorOf(handler.contract);
    if (!validator.Check(envelope.data)) {
      const problems = validator
        .Errors(envelope.data)
        .slice(0, 5)
        .map((error) => `${error.instancePath || '/'} ${error.message}`);
      return this.deadLetter(message, `schema violation: ${problems.join('; ')}`, 0);
    }
    await this.handleWithRetries(handler, envelope, message);
  }

  private async handleWithRetries(handler: EventHandler, envelope: EventEnvelope, message: ReceivedMessage): Promise<void> {
    const { maxAttempts, retryBaseMs } = this.deps.settings;
    let attempt = 1;
    let databaseWaits = 0;
    for (;;) {
      this.throwIfStopping();
      const started = performance.now();
      try {
        const outcome = await this.handleOnce(handler, envelope, message.topic);
        this.deps.metrics.handlerDuration.observe(
          { consumer: this.deps.group, topic: message.topic },
          (performance.now() - started) / 1000,
        );
        // Redeliveries follow crashes and rebalances: worth a line when reading what a fault did.
        if (outcome === 'duplicate') {
          this.deps.logger.info({ consumer: this.deps.group, eventId: envelope.id, topic: message.topic }, 'duplicate delivery absorbed');
        }
        return this.count(message.topic, outcome);
      } catch (error) {
        if (isDatabaseUnavailable(error)) {
          this.deps.logger.warn({ err: error, consumer: this.deps.group }, 'database unavailable; waiting');
          await pause(backoffDelay(databaseWaits++, retryBaseMs, DATABASE_WAIT_MAX_MS), this.stopping.signal);
          continue;
        }
        if (attempt >= maxAttempts) return this.deadLetter(message, describe(error), attempt);
        this.count(message.topic, 'retried');
        this.deps.logger.warn(
          { err: error, consumer: this.deps.group, eventId: envelope.id, attempt },
          'handler failed; retrying',
        );
        await pause(backoffDelay(attempt, retryBaseMs, RETRY_MAX_MS), this.stopping.signal);
        attempt++;
      }
    }
  }

  private handleOnce(handler: EventHandler, envelope: EventEnvelope, topic: string): Promise<Outcome> {
    const em = this.deps.orm.em.fork();
    return runInTrace(traceFrom(envelope.traceparent), () =>
      em.transactional(async (tx): Promise<Outcome> => {
        const claimed = await tx.execute<Array<{ claimed: number }>>(
          'insert into messaging.inbox (consumer, event_id, topic) values (?, ?, ?) on conflict do nothing returning 1 as claimed',
          [this.deps.group, envelope.id, topic],
        );
        if (claimed.length === 0) return 'duplicate';
        await handler.handle(envelope, {
          em: tx,
          publish: (contract, data) => this.deps.outbox.add(tx, contract, data),
        });
        return 'processed';
      }),
    );
  }

  private async deadLetter(message: ReceivedMessage, error: string, attempts: number): Promise<void> {
    this.deps.logger.error(
      { consumer: this.deps.group, topic: message.topic, key: message.key, error, attempts },
      'message dead-lettered',
    );
    for (let wait = 0; ; wait++) {
      this.throwIfStopping();
      try {
        await this.deps.deadLetters.record(this.deps.group, message, error, attempts);
        return this.count(message.topic, 'dead_lettered');
      } catch (failure) {
        this.deps.logger.warn({ err: failure, consumer: this.deps.group }, 'could not record dead letter; waiting');
        await pause(backoffDelay(wait, this.deps.settings.retryBaseMs, DATABASE_WAIT_MAX_MS), this.stopping.signal);
      }
    }
  }

  private throwIfStopping(): void {
    if (this.stopping.signal.aborted) throw new Error(`consumer ${this.deps.group} is stopping`);
  }

  private count(topic: string, outcome: Outcome | 'retried' | 'dead_lettered' | 'skipped'): void {
    this.deps.metrics.consumerMessages.inc({ consumer: this.deps.group, topic, outcome });
  }
}

function handlerKey(type: string, version: number): string {
  return `${type}@${version}`;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
