/**
 * The latency bench's load generator, in a worker thread: another API process would commit these
 * business transactions on its own CPU and connections, so the generator must not queue its
 * commits behind the measured platform's event loop (nor slow that loop down with its own work).
 * Times are `performance.timeOrigin + performance.now()`, comparable across threads.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { parentPort, workerData } from 'node:worker_threads';
import pg from 'pg';
import { commitOutboxEvent } from './bench-events.ts';

export interface LoadRequest {
  databaseUrl: string;
  topic: string;
  poolSize: number;
  maxInFlight: number;
  ratePerSec: number;
  durationMs: number;
  warmUpMs: number;
  /** Event numbers start here (the probes before the load used the ones below). */
  firstEvent: number;
}

export type LoadReport =
  /** Measured commits since the last report: event id and when its commit returned. */
  | { kind: 'committed'; events: Array<[string, number]>; inFlight: number }
  | { kind: 'done'; committed: number; seconds: number }
  | { kind: 'failed'; error: string };

const REPORT_EVERY_MS = 20;

const request = workerData as LoadRequest;
const port = parentPort!;
const pool = new pg.Pool({ connectionString: request.databaseUrl, max: request.poolSize });
const clock = (): number => performance.timeOrigin + performance.now();

/**
 * Starts one business transaction whenever the clock says one is due (no waiting for earlier ones,
 * so a slow commit does not lower the offered rate), reports when each measured one committed.
 */
async function offerLoad(): Promise<{ committed: number; seconds: number }> {
  const { ratePerSec, durationMs, warmUpMs, maxInFlight, topic, firstEvent } = request;
  const started = performance.now();
  const total = Math.round(((warmUpMs + durationMs) / 1000) * ratePerSec);
  const warmUp = Math.round((warmUpMs / 1000) * ratePerSec);
  let launched = 0;
  let inFlight = 0;
  let committed = 0;
  let lastCommit = 0;
  let failure: unknown;
  let unreported: Array<[string, number]> = [];
  let lastReport = started;
  const measuredFrom = started + warmUpMs;
  const pending = new Set<Promise<void>>();
  const report = (): void => {
    port.postMessage({ kind: 'committed', events: unreported, inFlight } satisfies LoadReport);
    unreported = [];
    lastReport = performance.now();
  };
  while (launched < total && failure === undefined) {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * ratePerSec) + 1);
    while (launched < due && inFlight < maxInFlight) {
      const n = launched++;
      inFlight++;
      const committing = commitOutboxEvent(pool, topic, firstEvent + n).then(
        (eventId) => {
          if (n >= warmUp) {
            lastCommit = performance.now();
            unreported.push([eventId, clock()]);
            committed++;
          }
        },
        (error: unknown) => void (failure ??= error),
      ).finally(() => {
        inFlight--;
        pending.delete(committing);
      });
      pending.add(committing);
    }
    if (performance.now() - lastReport >= REPORT_EVERY_MS) report();
    await sleep(1);
  }
  await Promise.all(pending);
  report();
  if (failure !== undefined) throw failure;
  return { committed, seconds: Math.max(lastCommit - measuredFrom, 1) / 1000 };
}

offerLoad().then(
  (result) => port.postMessage({ kind: 'done', ...result } satisfies LoadReport),
  (error: unknown) => port.postMessage({ kind: 'failed', error: error instanceof Error ? error.stack ?? error.message : String(error) } satisfies LoadReport),
).finally(() => pool.end());
