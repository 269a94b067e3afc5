import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import { runInTrace, traceFrom } from '../observability/trace-context.ts';
import { isDatabaseUnavailable } from '../db/database-unavailable.ts';
import { isTransactionConflict, transactionally } from '../db/transaction.ts';
import type { UnitsOfWork } from '../db/unit-of-work.ts';
import { backoffDelay, pause } from './backoff.ts';
import { validatorOf, type TopicNames } from './contract.ts';
import type { DeadLetters } from './dead-letters.ts';
import type { EntityManager } from '@mikro-orm/postgresql';
import { decodeEnvelope, HEADERS, type EventEnvelope } from './envelope.ts';
import type { EventHandler } from './event-handler.ts';
import type { ReceivedMessage, Transport } from './transports/transport.ts';

export interface ConsumerSettings {
  maxAttempts: number;
  retryBaseMs: number;
}

export interface ModuleConsumerDeps {
  group: string;
  handlers: EventHandler[];
  orm: MikroORM;
  units: UnitsOfWork;
  topics: TopicNames;
  transport: Transport;
  deadLetters: DeadLetters;
  settings: ConsumerSettings;
  metrics: Metrics;
  logger: Logger;
}

type Outcome = 'processed' | 'duplicate';

/** A decoded message whose schema checked out and that this group has a handler for. */
interface Handleable {
  handler: EventHandler;
  envelope: EventEnvelope;
  message: ReceivedMessage;
}

/** What process() does with a message that is not handled: dead-letter it or skip it. */
type Triage = { handleable: Handleable } | { settle: () => Promise<void> };

const CLAIM_INBOX_BATCH_SQL = `
  insert into messaging.inbox (consumer, event_id, topic)
  select ?, m.id::uuid, m.topic from jsonb_to_recordset(?::jsonb) as m(id text, topic text)
  on conflict do nothing
  returning event_id::text as event_id`;

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
      handleBatch: (messages) => this.processBatch(messages),
    });
  }

  /** Makes in-flight retries give up so the transport can stop; their messages are redelivered later. */
  stop(): void {
    this.stopping.abort();
  }

  async process(message: ReceivedMessage): Promise<void> {
    const triage = this.triage(message);
    if ('settle' in triage) return triage.settle();
    await this.handleWithRetries(triage.handleable);
  }

  /**
   * Messages of one partition, or whole per-key sequences, in order. The handleable ones share one
   * transaction: one inbox insert claims them all, then each handler runs on its own EntityManager
   * (a fresh identity map, flushed before the next handler) inside that transaction, so a batch
   * costs a few round trips instead of four per message, with the same all-or-nothing effect per
   * message. The others (poison, unknown type, schema violation, redrive for another group) take
   * process()'s path at their place in the order. If anything in the transaction fails, it rolls
   * back and the run is handled message by message as process() would, a handler's failure
   * counting as that message's first attempt.
   */
  async processBatch(messages: ReceivedMessage[]): Promise<void> {
    let run: Handleable[] = [];
    for (const message of messages) {
      const triage = this.triage(message);
      if ('handleable' in triage) {
        run.push(triage.handleable);
        continue;
      }
      await this.handleRun(run);
      run = [];
      await triage.settle();
    }
    await this.handleRun(run);
  }

  private triage(message: ReceivedMessage): Triage {
    const decoded = decodeEnvelope(message.value, message.headers);
    if (!decoded.ok) return { settle: () => this.deadLetter(message, `poison message: ${decoded.reason}`, 0) };
    const { envelope } = decoded;
    const redriveTarget = message.headers[HEADERS.redriveConsumer];
    if (redriveTarget !== undefined && redriveTarget !== this.deps.group) {
      return { settle: async () => this.count(message.topic, 'skipped') };
    }
    const handler = this.handlers.get(handlerKey(envelope.type, envelope.dataversion));
    if (handler === undefined) {
      return { settle: () => this.deadLetter(message, `no handler for ${envelope.type} version ${envelope.dataversion}`, 0) };
    }
    const validator = validatorOf(handler.contract);
    if (!validator.Check(envelope.data)) {
      const problems = validator
        .Errors(envelope.data)
        .slice(0, 5)
        .map((error) => `${error.instancePath || '/'} ${error.message}`);
      return { settle: () => this.deadLetter(message, `schema violation: ${problems.join('; ')}`, 0) };
    }
    return { handleable: { handler, envelope, message } };
  }

  private async handleRun(run: Handleable[]): Promise<void> {
    if (run.length === 0) return;
    if (run.length === 1) return this.handleWithRetries(run[0]!);
    this.throwIfStopping();
    const started = performance.now();
    let failing: number | undefined;
    let outcomes: Outcome[];
    try {
      outcomes = await this.deps.orm.em.fork().transactional(async (tx): Promise<Outcome[]> => {
        const entries = run.map(({ envelope, message }) => ({ id: envelope.id, topic: message.topic }));
        const claimed = await tx.execute<Array<{ event_id: string }>>(CLAIM_INBOX_BATCH_SQL, [this.deps.group, JSON.stringify(entries)]);
        const unclaimed = new Set(claimed.map((row) => row.event_id));
        const results: Outcome[] = [];
        for (const [index, item] of run.entries()) {
          // An event twice in one batch (republished) is claimed once: the second is a duplicate.
          if (!unclaimed.delete(item.envelope.id.toLowerCase())) {
            results.push('duplicate');
            continue;
          }
          failing = index;
          const em = tx.fork({ clear: true, keepTransactionContext: true });
          await this.runHandler(em, item);
          await em.flush();
          failing = undefined;
          results.push('processed');
        }
        return results;
      });
    } catch (error) {
      // A deadlock is no fault of the handler that hit it: one by one, it gets all its attempts.
      const blame = (index: number): unknown => (index === failing && !isTransactionConflict(error) ? error : undefined);
      for (const [index, item] of run.entries()) await this.handleWithRetries(item, blame(index));
      return;
    }
    const perMessage = (performance.now() - started) / 1000 / run.length;
    for (const [index, { envelope, message }] of run.entries()) {
      this.deps.metrics.handlerDuration.observe({ consumer: this.deps.group, topic: message.topic }, perMessage);
      this.noteOutcome(outcomes[index]!, envelope, message.topic);
    }
  }

  /** `firstFailure`: attempt 1 already failed with it (in a batch's transaction). */
  private async handleWithRetries({ handler, envelope, message }: Handleable, firstFailure?: unknown): Promise<void> {
    const { maxAttempts, retryBaseMs } = this.deps.settings;
    let attempt = 1;
    let databaseWaits = 0;
    let failure = firstFailure;
    for (;;) {
      if (failure !== undefined) {
        const error = failure;
        failure = undefined;
        if (isDatabaseUnavailable(error)) {
          this.deps.logger.warn({ err: error, consumer: this.deps.group }, 'database unavailable; waiting');
          await pause(backoffDelay(databaseWaits++, retryBaseMs, DATABASE_WAIT_MAX_MS), this.stopping.signal);
        } else {
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
      this.throwIfStopping();
      const started = performance.now();
      try {
        const outcome = await this.handleOnce(handler, envelope, message.topic);
        this.deps.metrics.handlerDuration.observe(
          { consumer: this.deps.group, topic: message.topic },
          (performance.now() - started) / 1000,
        );
        return this.noteOutcome(outcome, envelope, message.topic);
      } catch (error) {
        failure = error;
      }
    }
  }

  private noteOutcome(outcome: Outcome, envelope: EventEnvelope, topic: string): void {
    // Redeliveries follow crashes and rebalances: worth a line when reading what a fault did.
    if (outcome === 'duplicate') {
      this.deps.logger.info({ consumer: this.deps.group, eventId: envelope.id, topic }, 'duplicate delivery absorbed');
    }
    this.count(topic, outcome);
  }

  private handleOnce(handler: EventHandler, envelope: EventEnvelope, topic: string): Promise<Outcome> {
    return transactionally(this.deps.orm.em, async (tx): Promise<Outcome> => {
      const claimed = await tx.execute<Array<{ claimed: number }>>(
        'insert into messaging.inbox (consumer, event_id, topic) values (?, ?, ?) on conflict do nothing returning 1 as claimed',
        [this.deps.group, envelope.id, topic],
      );
      if (claimed.length === 0) return 'duplicate';
      await this.runHandler(tx, { handler, envelope });
      return 'processed';
    });
  }

  private runHandler(em: EntityManager, { handler, envelope }: Pick<Handleable, 'handler' | 'envelope'>): Promise<void> {
    return runInTrace(traceFrom(envelope.traceparent), () =>
      handler.handle(envelope, this.deps.units.bind(em)),
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
