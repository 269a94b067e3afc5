import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import { traceFieldsOf } from '../observability/logger.ts';
import { processing } from '../observability/messaging-spans.ts';
import { isDatabaseUnavailable } from '../db/database-unavailable.ts';
import { isTransactionConflict, transactionally } from '../db/transaction.ts';
import type { UnitsOfWork } from '../db/unit-of-work.ts';
import { backoffDelay, pause } from './backoff.ts';
import { contractKey, validatorOf, type TopicNames } from './contract.ts';
import type { DeadLetters } from './dead-letters.ts';
import type { EntityManager } from '@mikro-orm/postgresql';
import { decodeEnvelope, HEADERS, type EventEnvelope } from './envelope.ts';
import type { EventHandler } from './event-handler.ts';
import { CLAIM_BATCH_OR_PARKED_SQL, CLAIM_OR_PARKED_SQL, type DueKey, type ParkedMessageRow, type Parking } from './parking.ts';
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
  parking: Parking;
  settings: ConsumerSettings;
  metrics: Metrics;
  logger: Logger;
}

type Outcome = 'processed' | 'duplicate' | 'parked';

/** What became of a message that failed: held for the retry loop, or dead-lettered after its last attempt. */
type Failed = 'held' | 'dead_lettered';

/** A decoded message whose schema checked out and that this group has a handler for. */
interface Handleable {
  handler: EventHandler;
  envelope: EventEnvelope;
  message: ReceivedMessage;
  /** The `traceparent` of the message's first process span: kept with it when it is held or dead-lettered. */
  firstAttempt: string | undefined;
}

/** What process() does with a message that is not handled with the others: dead-letter it, skip it, or a redrive's own path. */
type Triage = { handleable: Handleable } | { settle: () => Promise<void> };

const CLAIM_INBOX_SQL = 'insert into messaging.inbox (consumer, event_id, topic) values (?, ?, ?) on conflict do nothing returning 1 as claimed';

const RETRY_MAX_MS = 10_000;
const DATABASE_WAIT_MAX_MS = 5_000;
/** How often the retry loop looks for keys held by the group's other members (its own wake it). */
const RETRY_POLL_MS = 1_000;
const RETRY_IDLE_MIN_MS = 20;

/**
 * One module's consumer group. Each message: decode and check its schema (a poison message goes
 * straight to the dead-letter queue), then run the handler and the inbox insert in one transaction
 * (a redelivered event finds its inbox row and has no second effect). The transport commits the
 * offset only after this resolves, i.e. after the transaction committed, or after a failed
 * message was queued behind its held key: the retry loop then retries it with backoff, off the
 * partition's path, so the key's failure costs the other keys one attempt, not all of them; the
 * last attempt dead-letters it and parks the key (parking.ts).
 */
export class ModuleConsumer {
  private readonly handlers = new Map<string, EventHandler>();
  private readonly stopping = new AbortController();
  private wake = new AbortController();
  private retries: Promise<void> | undefined;

  constructor(private readonly deps: ModuleConsumerDeps) {
    for (const handler of deps.handlers) {
      const key = contractKey(handler.contract.type, handler.contract.version);
      // A second listener would silently replace the first: one of them would never run.
      if (this.handlers.has(key)) throw new Error(`consumer group "${deps.group}" has two listeners for ${key}`);
      this.handlers.set(key, handler);
    }
  }

  get group(): string {
    return this.deps.group;
  }

  topics(): string[] {
    return [...new Set(this.deps.handlers.map((handler) => this.deps.topics.of(handler.contract)))];
  }

  /** `afterHandling` sees each delivery once its handling committed (benchmarks time deliveries with it). */
  async start(afterHandling: (messages: ReceivedMessage[]) => void = () => {}): Promise<void> {
    await this.deps.transport.subscribe({
      group: this.deps.group,
      topics: this.topics(),
      handle: async (message) => {
        await this.process(message);
        afterHandling([message]);
      },
      handleBatch: async (messages) => {
        await this.processBatch(messages);
        afterHandling(messages);
      },
    });
    this.retries = this.retryHeldKeys();
  }

  /** Makes in-flight work give up so the transport can stop (its messages are redelivered later), and ends the retry loop. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.retries;
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
   * process()'s path at their place in the order. If a handler fails, the transaction rolls back
   * and the run splits around it: the messages before it as a batch again, the failed one as
   * process() would after its first attempt, the rest as a batch. Any other failure (a deadlock,
   * an outage) hands the run to process()'s path message by message.
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

  /**
   * A redrive or skip for another group is not ours. One for this group bypasses parking (its key
   * is parked by the very letter it settles) and, once handled, releases the key: the parked
   * messages follow, in order, before anything newer of the key.
   */
  private triage(message: ReceivedMessage): Triage {
    const redriveTarget = message.headers[HEADERS.redriveConsumer];
    if (redriveTarget !== undefined && redriveTarget !== this.deps.group) {
      return { settle: async () => this.count(message.topic, 'skipped') };
    }
    const releasedBy = Number(message.headers[HEADERS.deadLetterId]);
    if (redriveTarget !== undefined && message.headers[HEADERS.parkRelease] === 'skip') {
      return { settle: () => this.release(message.key, releasedBy) };
    }
    const inspected = this.inspect(message);
    if ('rejected' in inspected) return { settle: () => this.deadLetter(message, inspected.rejected, 0).then(() => undefined) };
    if (redriveTarget === undefined) return inspected;
    return {
      settle: async () => {
        if ((await this.handleWithRetries(inspected.handleable, undefined, false)) !== 'dead_lettered') {
          await this.release(message.key, releasedBy);
        }
      },
    };
  }

  /** Decodes and checks a message: handleable, or why it goes to the dead-letter queue at once. */
  private inspect(message: ReceivedMessage): { handleable: Handleable } | { rejected: string } {
    const decoded = decodeEnvelope(message.value, message.headers);
    if (!decoded.ok) return { rejected: `poison message: ${decoded.reason}` };
    const { envelope } = decoded;
    const handler = this.handlers.get(contractKey(envelope.type, envelope.dataversion));
    if (handler === undefined) return { rejected: `no handler for ${envelope.type} version ${envelope.dataversion}` };
    const validator = validatorOf(handler.contract);
    if (!validator.Check(envelope.data)) {
      const problems = validator
        .Errors(envelope.data)
        .slice(0, 5)
        .map((error) => `${error.instancePath || '/'} ${error.message}`);
      return { rejected: `schema violation: ${problems.join('; ')}` };
    }
    return { handleable: { handler, envelope, message, firstAttempt: message.headers[HEADERS.firstAttempt] } };
  }

  /** Hands the key back to the retry loop once `releasedBy` (the dead letter that parked it) was redriven or skipped. */
  private async release(key: string | null, releasedBy: number): Promise<void> {
    if (key === null || key === '' || !Number.isSafeInteger(releasedBy)) return;
    if (!(await this.deps.parking.release(this.deps.group, key, releasedBy))) return;
    this.deps.logger.info({ consumer: this.deps.group, key, releasedBy }, 'parked key released');
    this.wakeRetries();
  }

  private async handleRun(run: Handleable[]): Promise<void> {
    if (run.length === 0) return;
    if (run.length === 1) {
      await this.handleWithRetries(run[0]!);
      return;
    }
    this.throwIfStopping();
    const started = performance.now();
    let failing: number | undefined;
    let outcomes: Outcome[];
    try {
      outcomes = await this.deps.orm.em.fork().transactional(async (tx): Promise<Outcome[]> => {
        const entries = run.map(({ envelope, message }) => ({ id: envelope.id, topic: message.topic, key: message.key ?? '' }));
        const rows = await tx.execute<Array<{ kind: 'claimed' | 'parked'; value: string }>>(
          CLAIM_BATCH_OR_PARKED_SQL, [JSON.stringify(entries), this.deps.group, this.deps.group],
        );
        const unclaimed = new Set(rows.filter((row) => row.kind === 'claimed').map((row) => row.value));
        const parkedKeys = new Set(rows.filter((row) => row.kind === 'parked').map((row) => row.value));
        const toPark: ReceivedMessage[] = [];
        const results: Outcome[] = [];
        for (const [index, item] of run.entries()) {
          if (parkedKeys.has(item.message.key ?? '')) {
            toPark.push(item.message);
            results.push('parked');
            continue;
          }
          // An event twice in one batch (republished) is claimed once: the second is a duplicate.
          if (!unclaimed.delete(item.envelope.id.toLowerCase())) {
            results.push('duplicate');
            continue;
          }
          failing = index;
          const em = tx.fork({ clear: true, keepTransactionContext: true });
          await this.runHandler(em, item, 1);
          await em.flush();
          failing = undefined;
          results.push('processed');
        }
        await this.deps.parking.park(tx, this.deps.group, toPark);
        return results;
      });
    } catch (error) {
      if (failing !== undefined && !isTransactionConflict(error) && !isDatabaseUnavailable(error)) {
        // One handler failed: the messages before it run again as a batch, it counts its first
        // attempt (and is held), the ones after it form the next batch (its key's park behind it).
        const failed = failing;
        await this.handleRun(run.slice(0, failed));
        await this.handleWithRetries(run[failed]!, error);
        await this.handleRun(run.slice(failed + 1));
        return;
      }
      // A deadlock is no fault of the handler that hit it, nor an outage: one by one, each gets all its attempts.
      for (const item of run) await this.handleWithRetries(item);
      return;
    }
    const perMessage = (performance.now() - started) / 1000 / run.length;
    for (const [index, { envelope, message }] of run.entries()) {
      this.deps.metrics.handlerDuration.observe({ consumer: this.deps.group, topic: message.topic }, perMessage);
      this.noteOutcome(outcomes[index]!, envelope, message.topic);
    }
  }

  /**
   * `firstFailure`: attempt 1 already failed with it (in a batch's transaction). With `parking`, a
   * failed keyed message is held for the retry loop; without it (a redrive, which its key's parking
   * lets through) and for a message without a key, the attempts run here.
   */
  private async handleWithRetries(item: Handleable, firstFailure?: unknown, parking = true): Promise<Outcome | Failed> {
    const { envelope, message } = item;
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
          if (attempt >= maxAttempts) return this.deadLetter(withFirstAttempt(item), describe(error), attempt);
          if (parking && message.key !== null && message.key !== '') return this.hold(withFirstAttempt(item), error, attempt);
          this.count(message.topic, 'retried');
          this.deps.logger.warn(
            { err: error, consumer: this.deps.group, eventId: envelope.id, attempt, ...traceFieldsOf(message) },
            'handler failed; retrying',
          );
          await pause(backoffDelay(attempt, retryBaseMs, RETRY_MAX_MS), this.stopping.signal);
          attempt++;
        }
      }
      this.throwIfStopping();
      const started = performance.now();
      try {
        const outcome = await this.handleOnce(item, parking, attempt);
        this.deps.metrics.handlerDuration.observe(
          { consumer: this.deps.group, topic: message.topic },
          (performance.now() - started) / 1000,
        );
        this.noteOutcome(outcome, envelope, message.topic);
        return outcome;
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

  /** One attempt: the inbox row and the handler in one transaction, unless the key is parked (then the message joins its queue). */
  private handleOnce(item: Handleable, parking: boolean, attempt: number): Promise<Outcome> {
    const { envelope, message } = item;
    return transactionally(this.deps.orm.em, async (tx): Promise<Outcome> => {
      if (parking) {
        const [row] = await tx.execute<Array<{ parked: boolean; claimed: boolean }>>(
          CLAIM_OR_PARKED_SQL, [this.deps.group, message.key ?? '', this.deps.group, envelope.id, message.topic],
        );
        if (row!.parked) {
          await this.deps.parking.park(tx, this.deps.group, [message]);
          return 'parked';
        }
        if (!row!.claimed) return 'duplicate';
        await this.runHandler(tx, item, attempt);
        return 'processed';
      }
      return this.claimAndHandle(tx, item, attempt);
    });
  }

  /** The inbox row, then the handler, in `tx`: a message whose event this group already handled is a duplicate. */
  private async claimAndHandle(tx: EntityManager, item: Handleable, attempt: number): Promise<Outcome> {
    if ((await tx.execute(CLAIM_INBOX_SQL, [this.deps.group, item.envelope.id, item.message.topic])).length === 0) return 'duplicate';
    await this.runHandler(tx, item, attempt);
    return 'processed';
  }

  /** The handler, in the message's trace (a process span when spans are recorded), with the message as the cause of what it writes. */
  private runHandler(em: EntityManager, item: Handleable, attempt: number): Promise<void> {
    const { handler, envelope, message } = item;
    const cause = { causationId: envelope.id, correlationId: envelope.correlationid ?? envelope.id };
    const processed = {
      system: this.deps.transport.kind,
      group: this.deps.group,
      topic: message.topic,
      key: message.key,
      eventId: envelope.id,
      eventType: envelope.type,
      partition: message.partition,
      offset: message.offset,
      attempt,
      traceparent: envelope.traceparent,
      firstAttempt: item.firstAttempt,
    };
    return processing(processed, cause, (traceparent) => (item.firstAttempt ??= traceparent), () =>
      handler.handle(envelope, this.deps.units.bind(em)),
    );
  }

  private async deadLetter(message: ReceivedMessage, error: string, attempts: number): Promise<'dead_lettered'> {
    await this.persistently('record dead letter', () => this.deps.deadLetters.record(this.deps.group, message, error, attempts));
    this.noteDeadLetter(message, error, attempts);
    return 'dead_lettered';
  }

  /** Queues the failed message behind its key, held for the retry loop; the partition moves on. */
  private async hold(message: ReceivedMessage, error: unknown, attempt: number): Promise<'held'> {
    const retryInMs = backoffDelay(attempt, this.deps.settings.retryBaseMs, RETRY_MAX_MS);
    this.deps.logger.warn(
      { err: error, consumer: this.deps.group, topic: message.topic, key: message.key, attempt, retryInMs, ...traceFieldsOf(message) },
      'handler failed; key held for retry',
    );
    await this.persistently('hold key', () => this.deps.parking.hold(this.deps.group, message, describe(error), retryInMs));
    this.count(message.topic, 'retried');
    this.wakeRetries();
    return 'held';
  }

  /** `write` again until the database takes it: the message must not be lost, nor the partition move past it unrecorded. */
  private async persistently(what: string, write: () => Promise<void>): Promise<void> {
    for (let wait = 0; ; wait++) {
      this.throwIfStopping();
      try {
        return await write();
      } catch (failure) {
        this.deps.logger.warn({ err: failure, consumer: this.deps.group }, `could not ${what}; waiting`);
        await pause(backoffDelay(wait, this.deps.settings.retryBaseMs, DATABASE_WAIT_MAX_MS), this.stopping.signal);
      }
    }
  }

  /**
   * The group's retry loop: takes held keys as their retries fall due (another member's loop skips
   * a key this one holds locked), until stop().
   */
  private async retryHeldKeys(): Promise<void> {
    for (let failures = 0; !this.stopping.signal.aborted;) {
      try {
        if (await this.retryStep()) continue;
        // A key due but locked by another member's step is not this loop's: it waits a little, not spins.
        const dueInMs = await this.deps.parking.nextDueInMs(this.deps.group);
        await this.idle(Math.max(RETRY_IDLE_MIN_MS, Math.min(dueInMs ?? RETRY_POLL_MS, RETRY_POLL_MS)));
        failures = 0;
      } catch (error) {
        if (this.stopping.signal.aborted) return;
        this.deps.logger.warn({ err: error, consumer: this.deps.group }, 'retrying held keys failed; waiting');
        await pause(backoffDelay(failures++, this.deps.settings.retryBaseMs, DATABASE_WAIT_MAX_MS), this.stopping.signal);
      }
    }
  }

  /**
   * One due key, one message, one transaction that holds the key: its queue's head is handled in a
   * savepoint with its inbox row, then taken off the queue. A failure rolls back to the savepoint
   * and is counted on the key (a deadlock does not count), dead-lettering the head after the last
   * attempt; a database outage rolls everything back for a later step. False when nothing is due.
   */
  private async retryStep(): Promise<boolean> {
    let report: (() => void) | undefined;
    const stepped = await transactionally(this.deps.orm.em, async (tx) => {
      report = undefined;
      const due = await this.deps.parking.takeDue(tx, this.deps.group);
      if (due === undefined) return false;
      if (due.head !== undefined) report = await this.retryHead(tx, due, due.head);
      else report = () => this.deps.logger.info({ consumer: this.deps.group, key: due.key }, 'held key drained; flowing again');
      return true;
    });
    report?.();
    return stepped;
  }

  /** retryStep() for the head of a due key; returns what to count and log once the step committed. */
  private async retryHead(tx: EntityManager, due: DueKey, head: ParkedMessageRow): Promise<() => void> {
    const group = this.deps.group;
    const headId = Number(head.id);
    const message = receivedFrom(head);
    const inspected = this.inspect(message);
    if ('rejected' in inspected) {
      await this.deps.deadLetters.recordIn(tx, group, message, inspected.rejected, 0, headId);
      return () => this.noteDeadLetter(message, inspected.rejected, 0);
    }
    const { envelope } = inspected.handleable;
    const started = performance.now();
    try {
      const outcome = await tx.transactional((savepoint) => this.claimAndHandle(savepoint, inspected.handleable, due.attempts + 1));
      await this.deps.parking.advance(tx, group, due.key, headId);
      return () => {
        this.deps.metrics.handlerDuration.observe({ consumer: group, topic: message.topic }, (performance.now() - started) / 1000);
        this.noteOutcome(outcome, envelope, message.topic);
      };
    } catch (error) {
      if (isDatabaseUnavailable(error)) throw error;
      const attempts = due.attempts + (isTransactionConflict(error) ? 0 : 1);
      if (attempts >= this.deps.settings.maxAttempts) {
        await this.deps.deadLetters.recordIn(tx, group, message, describe(error), attempts, headId);
        return () => this.noteDeadLetter(message, describe(error), attempts);
      }
      const retryInMs = backoffDelay(attempts, this.deps.settings.retryBaseMs, RETRY_MAX_MS);
      await this.deps.parking.retryLater(tx, group, due.key, attempts, describe(error), retryInMs);
      return () => {
        this.count(message.topic, 'retried');
        this.deps.logger.warn({ err: error, consumer: group, eventId: envelope.id, key: due.key, attempt: attempts, retryInMs, ...traceFieldsOf(message) }, 'held message failed again; retrying');
      };
    }
  }

  private noteDeadLetter(message: ReceivedMessage, error: string, attempts: number): void {
    this.deps.logger.error({ consumer: this.deps.group, topic: message.topic, key: message.key, error, attempts, ...traceFieldsOf(message) }, 'message dead-lettered');
    this.count(message.topic, 'dead_lettered');
  }

  private wakeRetries(): void {
    this.wake.abort();
  }

  /** Waits `ms`, or less when woken (a key was held or released here) or stopped. */
  private async idle(ms: number): Promise<void> {
    if (!this.wake.signal.aborted) await pause(ms, AbortSignal.any([this.wake.signal, this.stopping.signal]));
    this.wake = new AbortController();
  }

  private throwIfStopping(): void {
    if (this.stopping.signal.aborted) throw new Error(`consumer ${this.deps.group} is stopping`);
  }

  private count(topic: string, outcome: Outcome | 'retried' | 'dead_lettered' | 'skipped'): void {
    this.deps.metrics.consumerMessages.inc({ consumer: this.deps.group, topic, outcome });
  }
}

/** The message as it is kept when held or dead-lettered: with its first process span, so later attempts and a redrive link to it. */
function withFirstAttempt({ message, firstAttempt }: Handleable): ReceivedMessage {
  if (firstAttempt === undefined || message.headers[HEADERS.firstAttempt] === firstAttempt) return message;
  return { ...message, headers: { ...message.headers, [HEADERS.firstAttempt]: firstAttempt } };
}

function receivedFrom(row: ParkedMessageRow): ReceivedMessage {
  return { topic: row.topic, partition: row.partition, offset: row.message_offset, key: row.message_key, value: row.payload, headers: row.headers };
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
