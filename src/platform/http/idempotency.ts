import { createHash } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { FastifyRequest } from 'fastify';
import { ConflictError, ProblemError } from '../errors.ts';

export interface StoredResponse<T> {
  status: number;
  body: T;
}

/** A request that crashed mid-way leaves its key "in progress"; after this long another try may take it over. */
const STALE_AFTER_SECONDS = 60;

/**
 * `Idempotency-Key` for POSTs that move money: the same key and body returns the first response
 * (status and body), the same key with another body is 409. Without the header the request just runs.
 * Problem responses (4xx) are stored and replayed too; an unexpected error frees the key.
 */
export class IdempotencyKeys {
  constructor(private readonly orm: MikroORM) {}

  async run<T>(request: FastifyRequest, scope: string, execute: () => Promise<StoredResponse<T>>): Promise<StoredResponse<T> & { replayed: boolean }> {
    const header = request.headers['idempotency-key'];
    if (header === undefined) return { ...(await execute()), replayed: false };
    const key = Array.isArray(header) ? header[0]! : header;
    if (key.length === 0 || key.length > 255) {
      throw new ProblemError(400, 'invalid-idempotency-key', 'Invalid Idempotency-Key', 'Idempotency-Key must be 1 to 255 characters');
    }
    const requestHash = createHash('sha256').update(`${request.method} ${request.url}\n${JSON.stringify(request.body ?? null)}`).digest('hex');
    const em = this.orm.em.fork();
    const claimed = await em.execute<Array<{ key: string }>>(
      `insert into messaging.idempotency_key (scope, key, request_hash) values (?, ?, ?)
       on conflict (scope, key) do update set request_hash = excluded.request_hash, created_at = now()
         where idempotency_key.status_code is null and idempotency_key.created_at < now() - make_interval(secs => ?)
       returning key`,
      [scope, key, requestHash, STALE_AFTER_SECONDS],
    );
    if (claimed.length === 0) return { ...(await this.replay<T>(scope, key, requestHash)), replayed: true };
    let response: StoredResponse<T>;
    try {
      response = await execute();
    } catch (error) {
      if (error instanceof ProblemError && error.status < 500) {
        await this.store(scope, key, { status: error.status, body: { problem: true, status: error.status, code: error.code, title: error.title, detail: error.message, ...error.extensions } });
      } else {
        await em.execute('delete from messaging.idempotency_key where scope = ? and key = ?', [scope, key]);
      }
      throw error;
    }
    await this.store(scope, key, response);
    return { ...response, replayed: false };
  }

  private async store(scope: string, key: string, response: StoredResponse<unknown>): Promise<void> {
    await this.orm.em.fork().execute(
      'update messaging.idempotency_key set status_code = ?, response = ? where scope = ? and key = ?',
      [response.status, JSON.stringify(response.body), scope, key],
    );
  }

  private async replay<T>(scope: string, key: string, requestHash: string): Promise<StoredResponse<T>> {
    const [row] = await this.orm.em.fork().execute<Array<{ request_hash: string; status_code: number | null; response: unknown }>>(
      'select request_hash, status_code, response from messaging.idempotency_key where scope = ? and key = ?',
      [scope, key],
    );
    if (row === undefined || row.request_hash !== requestHash) {
      throw new ConflictError('idempotency-key-reused', 'This Idempotency-Key was used with a different request');
    }
    if (row.status_code === null) {
      throw new ConflictError('idempotency-key-in-progress', 'A request with this Idempotency-Key is still being processed');
    }
    const body = (typeof row.response === 'string' ? JSON.parse(row.response) : row.response) as Record<string, unknown>;
    if (body['problem'] === true) {
      const { status, code, title, detail, problem: _problem, ...extensions } = body as { status: number; code: string; title: string; detail: string; problem: boolean };
      throw new ProblemError(status, code, title, detail, extensions);
    }
    return { status: row.status_code, body: body as T };
  }
}
