/**
 * Integration tests as Spring Modulith's `Scenario` writes them: stimulate the platform (commit
 * another module's event, or send a request), then wait — never sleep — for an event of a contract
 * matching a predicate, or for a module to have handled what was committed.
 *
 *   const scenario = new Scenario(app);
 *   await scenario.commit(AccountCreated, data).andWaitUntilHandledBy('payment');
 *   const completed = await scenario.request({ method: 'POST', url: '/payments', payload })
 *     .andWaitForEvent(PaymentCompleted, (event, response) => event.paymentId === response.json<{ id: number }>().id);
 *
 * Every event a scenario hands back has been checked against its contract (`conformsTo`), so a test
 * names the fields it cares about and the contract speaks for the rest.
 */
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import type { Test } from 'tap';
import { isDeepStrictEqual } from 'node:util';
import type { Static, TSchema } from 'typebox';
import { payloadErrors, type EventContract } from '../../src/platform/messaging/contract.ts';
import { eventually } from './eventually.ts';
import type { RunningPlatform } from '../../src/platform/runtime.ts';

export interface WaitOptions {
  timeoutMs?: number;
}

/** Which events count: those with these field values, or those a predicate accepts. */
export type Matching<S extends TSchema> = Partial<Static<S>> | ((event: Static<S>) => boolean);

function matcherOf<S extends TSchema>(matching: Matching<S>): (event: Static<S>) => boolean {
  if (typeof matching === 'function') return matching;
  return (event) => Object.entries(matching).every(([field, value]) => isDeepStrictEqual((event as Record<string, unknown>)[field], value));
}

function describe<S extends TSchema>(matching: Matching<S>): string {
  return typeof matching === 'function' ? matching.toString() : JSON.stringify(matching);
}

const DEFAULT_TIMEOUT_MS = 30_000;

/** What a scenario drives: the test platform (structurally, so the two files do not import each other). */
export interface ScenarioPlatform extends Pick<RunningPlatform, 'container' | 'config'> {
  request(options: InjectOptions): Promise<LightMyRequestResponse>;
}

export class Scenario {
  constructor(readonly app: ScenarioPlatform) {}

  /** Commits `data` as `contract`'s event through the outbox, as its module's use case would; the result is the event id. */
  commit<S extends TSchema>(contract: EventContract<S>, data: Static<S>): Stimulus<string> {
    const { orm, outbox } = this.app.container.cradle;
    const eventId = orm.em.fork().transactional(async (em) => outbox.add(em, contract, data).id);
    // What the event causes is written after it (its row's id is the mark), so nothing runs before
    // the commit: a burst of commits reaches the database as at once as the test sends it.
    return new Stimulus(this, () => eventId.then((id) => this.outboxIdOf(id)), eventId);
  }

  /** Sends an HTTP request (with the test platform's default token) and hands back the response. */
  request(options: InjectOptions): Stimulus<LightMyRequestResponse> {
    return this.stimulate(() => this.app.request(options));
  }

  /** Runs any action; events are looked for among those written after it started. */
  stimulate<T>(action: () => Promise<T>): Stimulus<T> {
    const since = this.lastOutboxId();
    return new Stimulus(this, () => since, since.then(action));
  }

  /** Waits for an event of `contract` written after `since` (an outbox id) whose payload matches. */
  async waitForEvent<S extends TSchema>(
    contract: EventContract<S>,
    matching: Matching<S>,
    { timeoutMs = DEFAULT_TIMEOUT_MS, since = 0 }: WaitOptions & { since?: number } = {},
  ): Promise<Static<S>> {
    const event = await eventually(async () => (await this.events(contract, matching, { since }))[0], {
      what: `a ${contract.type} event matching ${describe(matching)}`,
      timeoutMs,
    });
    const errors = payloadErrors(contract, event);
    if (errors.length > 0) throw new Error(`${contract.type} does not conform to its contract: ${JSON.stringify(errors)}`);
    return event;
  }

  /** The payloads of `contract`'s events in the outbox that match, oldest first (after `since`, an outbox id); no waiting. */
  async events<S extends TSchema>(contract: EventContract<S>, matching: Matching<S> = {}, { since = 0 }: { since?: number } = {}): Promise<Array<Static<S>>> {
    const rows = await this.app.container.cradle.orm.em.fork().execute<Array<{ payload: Static<S> }>>(
      'select payload from messaging.outbox where event_type = ? and id > ? order by id',
      [contract.type, since],
    );
    return rows.map((row) => row.payload).filter(matcherOf(matching));
  }

  /** Resolves once `module`'s consumer group has handled (committed) the event. */
  async handledBy(module: string, eventId: string, { timeoutMs = DEFAULT_TIMEOUT_MS }: WaitOptions = {}): Promise<void> {
    const consumer = `${this.app.config.kafka.groupPrefix}.${module}`;
    await eventually(async () => {
      const rows = await this.app.container.cradle.orm.em.fork().execute('select 1 from messaging.inbox where consumer = ? and event_id = ?', [consumer, eventId]);
      return rows.length === 1;
    }, { what: `event ${eventId} handled by ${consumer}`, timeoutMs });
  }

  private async outboxIdOf(eventId: string): Promise<number> {
    const [row] = await this.app.container.cradle.orm.em.fork().execute<Array<{ id: string }>>('select id from messaging.outbox where event_id = ?', [eventId]);
    return Number(row!.id);
  }

  private async lastOutboxId(): Promise<number> {
    const [row] = await this.app.container.cradle.orm.em.fork().execute<Array<{ id: string | null }>>('select max(id) as id from messaging.outbox');
    return Number(row?.id ?? 0);
  }
}

/** What a scenario did: awaitable for its result, or followed by a wait for what it causes. */
export class Stimulus<T> implements PromiseLike<T> {
  constructor(
    private readonly scenario: Scenario,
    /** The outbox id after which what the stimulus caused is written. */
    private readonly since: () => Promise<number>,
    private readonly result: Promise<T>,
  ) {}

  then<A = T, B = never>(onFulfilled?: ((value: T) => A | PromiseLike<A>) | null, onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null): PromiseLike<A | B> {
    return this.result.then(onFulfilled, onRejected);
  }

  /** Waits for an event of `contract`, written since the stimulus began, that matches (given the stimulus's result). */
  async andWaitForEvent<S extends TSchema>(
    contract: EventContract<S>,
    matching: (event: Static<S>, result: T) => boolean,
    options: WaitOptions = {},
  ): Promise<Static<S>> {
    const result = await this.result;
    const since = await this.since();
    return this.scenario.waitForEvent(contract, (event: Static<S>) => matching(event, result), { ...options, since });
  }

  /** Waits until `module` has handled the committed event; resolves to its id. */
  async andWaitUntilHandledBy(this: Stimulus<string>, module: string, options: WaitOptions = {}): Promise<string> {
    const eventId = await this.result;
    await this.scenario.handledBy(module, eventId, options);
    return eventId;
  }
}

/**
 * Asserts that `payload` is a `contract` event with exactly the contract's fields: it passes the
 * contract's schema, carries every required field and none the contract does not name. The field
 * list comes from the contract, so a test never retypes it.
 */
export function conformsTo<S extends TSchema>(t: Test, contract: EventContract<S>, payload: unknown, label = `${contract.type} conforms to its contract`): void {
  const properties = Object.keys((contract.schema as { properties?: Record<string, unknown> }).properties ?? {});
  const extra = Object.keys(payload as object).filter((key) => !properties.includes(key));
  t.same({ errors: payloadErrors(contract, payload), extra }, { errors: [], extra: [] }, label);
}
