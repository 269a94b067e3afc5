import { randomUUID } from 'node:crypto';

/** Time source, injected so that domain logic and tests never read the wall clock themselves. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** Event id source (UUID v4). */
export interface IdGenerator {
  uuid(): string;
}

export const randomIds: IdGenerator = { uuid: () => randomUUID() };
