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

/** A payload field the contract refuses: `path` is a JSON pointer into the payload (`/amount`). */
export interface FieldError {
  path: string;
  message: string;
}

/** What the contract's schema says is wrong with `payload`; empty when it conforms. */
export function payloadErrors(contract: EventContract, payload: unknown): FieldError[] {
  const validator = validatorOf(contract);
  if (validator.Check(payload)) return [];
  return validator.Errors(payload).map((error) => {
    // A missing field is reported on its parent; name the field, so the error sits next to it.
    const missing = error.keyword === 'required' ? (error.params as { requiredProperties?: string[] }).requiredProperties?.[0] : undefined;
    return { path: missing === undefined ? error.instancePath : `${error.instancePath}/${missing}`, message: error.message };
  });
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
