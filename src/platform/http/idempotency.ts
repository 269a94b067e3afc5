import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { callerKey } from '../auth/caller.ts';
import { callerOf } from '../auth/route-security.ts';
import type { UnitsOfWork, Work } from '../db/unit-of-work.ts';
import { ConflictError, RefusalError } from '../errors.ts';
import { ProblemError, refusalProblem, statusOf, type Problem } from './problem.ts';

export interface StoredResponse<T> {
  status: number;
  body: T;
}

/** Whose key it is: the same key sent to another route, or for another caller, is another key. */
export interface IdempotencyScope {
  /** A stable name of the route, e.g. `payment.request`. */
  route: string;
  /** Who sent it: `<role>:<subject>` of the bearer token. */
  caller: string;
}

/** Marks a replayed answer with `Idempotent-Replayed: true`, as Stripe does, so a client and a log can tell. */
export function markReplay(reply: FastifyReply, answer: { replayed: boolean }): void {
  if (answer.replayed) reply.header('idempotent-replayed', 'true');
}

type Claim = 'claimed' | 'busy' | 'taken';

interface StoredProblem {
  problem: true;
  status: number;
  code: string;
  title: string;
  detail: string;
  [extension: string]: unknown;
}

/**
 * `Idempotency-Key` after the IETF draft and Stripe. The key's row is inserted in the same
 * transaction as the request's effect and holds the response, so after any crash either nothing
 * happened (the retry runs once) or the response is there to replay; a lost commit acknowledgement
 * is a replay too. A transaction-scoped advisory lock on the key makes a concurrent request with
 * the same key answer 409 at once instead of waiting on the first; it is released when the first
 * commits, rolls back or its connection dies — there is no time-based takeover.
 *
 * Problems the work throws (4xx) are answers too: the work runs in a savepoint, so its writes are
 * undone while the problem is stored and replayed like any response.
 */
export class IdempotencyKeys {
  constructor(
    private readonly units: UnitsOfWork,
    private readonly ttlHours: number,
  ) {}

  /** Runs `work` once per Idempotency-Key of this route and caller; `route` is a stable name, e.g. `payment.request`. */
  async respond<T>(request: FastifyRequest, route: string, work: Work<StoredResponse<T>>): Promise<StoredResponse<T> & { replayed: boolean }> {
    const scope: IdempotencyScope = { route, caller: callerKey(callerOf(request)) };
    const key = keyOf(request);
    if (key === undefined) return { ...(await this.units.run(work)), replayed: false };
    const requestHash = createHash('sha256').update(`${request.method} ${request.url}\n${JSON.stringify(request.body ?? null)}`).digest('hex');
    const answer = await this.units.run(async (uow) => {
      const claim = await this.claim(uow.em, scope, key, requestHash);
      if (claim === 'busy') throw new ConflictError('idempotency-key-in-progress', 'A request with this Idempotency-Key is still being processed; retry later');
      if (claim === 'taken') return { ...(await storedResponse<T>(uow.em, scope, key, requestHash)), replayed: true };
      const response = await inSavepoint(uow.em, (em) => work(this.units.bind(em, uow.afterOutsideStep)));
      await uow.em.execute(
        'update messaging.idempotency_key set status_code = ?, response = ? where route = ? and caller = ? and key = ?',
        [response.status, JSON.stringify(response.body), scope.route, scope.caller, key],
      );
      return { ...response, replayed: false };
    });
    if (isStoredProblem(answer.body)) throw problemOf(answer.body);
    return answer as StoredResponse<T> & { replayed: boolean };
  }

  /**
   * Locks the key for this transaction and inserts its row if the key is new (or expired, not yet
   * pruned). The lock comes first: once it is held, no other transaction is writing this key, so
   * the insert never waits and a row it conflicts with is committed.
   */
  private async claim(em: EntityManager, scope: IdempotencyScope, key: string, requestHash: string): Promise<Claim> {
    const [row] = await em.execute<Array<{ locked: boolean; claimed: boolean }>>(
      `with lock as (select pg_try_advisory_xact_lock(hashtextextended(? || chr(10) || ? || chr(10) || ?, 0)) as locked),
            claim as (
              insert into messaging.idempotency_key (route, caller, key, request_hash, expires_at)
              select ?, ?, ?, ?, now() + make_interval(hours => ?) from lock where locked
              on conflict (route, caller, key) do update
                set request_hash = excluded.request_hash, expires_at = excluded.expires_at, created_at = now(), status_code = null, response = null
                where idempotency_key.expires_at <= now()
              returning 1)
       select (select locked from lock) as locked, exists (select 1 from claim) as claimed`,
      [scope.route, scope.caller, key, scope.route, scope.caller, key, requestHash, this.ttlHours],
    );
    if (!row!.locked) return 'busy';
    return row!.claimed ? 'claimed' : 'taken';
  }
}

function keyOf(request: FastifyRequest): string | undefined {
  const header = request.headers['idempotency-key'];
  if (header === undefined) return undefined;
  const key = Array.isArray(header) ? header[0]! : header;
  if (key.length === 0 || key.length > 255) {
    throw new ProblemError(400, 'invalid-idempotency-key', 'Invalid Idempotency-Key', 'Idempotency-Key must be 1 to 255 characters');
  }
  return key;
}

/** The work's response, or the problem it threw (4xx) with everything it wrote undone. */
async function inSavepoint<T>(em: EntityManager, work: (em: EntityManager) => Promise<StoredResponse<T>>): Promise<StoredResponse<T | StoredProblem>> {
  try {
    return await em.transactional(work);
  } catch (error) {
    if (!(error instanceof RefusalError) || statusOf(error) >= 500) throw error;
    return { status: statusOf(error), body: storedProblemOf(refusalProblem(error)) };
  }
}

async function storedResponse<T>(em: EntityManager, scope: IdempotencyScope, key: string, requestHash: string): Promise<StoredResponse<T>> {
  const [row] = await em.execute<Array<{ request_hash: string; status_code: number; response: unknown }>>(
    'select request_hash, status_code, response from messaging.idempotency_key where route = ? and caller = ? and key = ?',
    [scope.route, scope.caller, key],
  );
  if (row!.request_hash !== requestHash) {
    throw new ProblemError(422, 'idempotency-key-reused', 'Idempotency-Key reused', 'This Idempotency-Key was used with a different request');
  }
  const body = typeof row!.response === 'string' ? JSON.parse(row!.response) : row!.response;
  return { status: row!.status_code, body: body as T };
}

function storedProblemOf({ type: _type, instance: _instance, ...problem }: Problem): StoredProblem {
  return { ...problem, problem: true, detail: problem.detail ?? problem.title };
}

function isStoredProblem(body: unknown): body is StoredProblem {
  return typeof body === 'object' && body !== null && (body as { problem?: unknown }).problem === true;
}

function problemOf({ status, code, title, detail, problem: _problem, ...extensions }: StoredProblem): ProblemError {
  return new ProblemError(status, code, title, detail, extensions);
}
