import type { Static, TSchema } from 'typebox';
import { Compile, type Validator } from 'typebox/compile';

/**
 * A published integration event: its name, version and payload schema. Lives in the producing
 * module's `contracts/`; a breaking change adds a new version beside the old one.
 */
export interface EventContract<S extends TSchema = TSchema> {
  /** CloudEvents `type`, also the default topic name: `payment.completed`. */
  readonly type: string;
  readonly version: number;
  /** The module that produces it (CloudEvents `source`). */
  readonly source: string;
  readonly description: string;
  readonly schema: S;
  /** The id that orders the stream: events with the same key are published and consumed in order. */
  readonly keyOf: (data: Static<S>) => string | number;
  /** Default topic; deployments may prefix it (`TOPIC_PREFIX`). */
  readonly topic: string;
}

export type EventData<C> = C extends EventContract<infer S> ? Static<S> : never;

export function defineEvent<S extends TSchema>(
  contract: Omit<EventContract<S>, 'topic'> & { topic?: string },
): EventContract<S> {
  return { ...contract, topic: contract.topic ?? contract.type };
}

/** `type@version`: one contract version, as listeners are looked up by (an envelope's type and dataversion). */
export function contractKey(type: string, version: number): string {
  return `${type}@${version}`;
}

const validators = new WeakMap<TSchema, Validator>();

/** Compiled once per schema; consumers check every payload before a handler sees it. */
export function validatorOf(contract: EventContract): Validator {
  let validator = validators.get(contract.schema);
  if (validator === undefined) {
    validator = Compile(contract.schema);
    validators.set(contract.schema, validator);
  }
  return validator;
}

/** Turns the configured prefix into real topic names. */
export class TopicNames {
  constructor(private readonly prefix: string) {}

  of(contract: EventContract): string {
    return `${this.prefix}${contract.topic}`;
  }

  deadLetterOf(topic: string): string {
    return `${topic}.dlq`;
  }
}
