import { createRequire } from 'node:module';

/** The part of kafkajs's internal RequestQueue (one per broker connection) this file mends. */
interface RequestQueue {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
}

/** kafkajs's own delay before it looks at queued requests again (CHECK_PENDING_REQUESTS_INTERVAL). */
const RECHECK_MS = 10;

/**
 * kafkajs 2.2.4 (its last release) re-checks a connection's request queue from a timer even when
 * nothing waits in it: unthrottled, the delay it computes is negative, which Node turns into 1 ms.
 * Every broker connection then wakes its process a thousand times a second for good (kafkajs
 * issues #1704 and #1751; Node 24 also prints a TimeoutNegativeWarning). Nothing needs the check
 * when the queue is empty: a request queued later schedules its own, and a finished one triggers
 * it. So the check is scheduled only for waiting requests, after the throttle if there is one.
 */
export function mendRequestQueueTimer(): void {
  const { prototype } = requestQueueClass();
  prototype.scheduleCheckPendingRequests = function scheduleCheckPendingRequests(this: RequestQueue): void {
    if (this.throttleCheckTimeoutId !== null || this.pending.length === 0) return;
    const throttledForMs = this.throttledUntil - Date.now();
    this.throttleCheckTimeoutId = setTimeout(() => {
      this.throttleCheckTimeoutId = null;
      this.checkPendingRequests();
    }, throttledForMs > 0 ? throttledForMs : RECHECK_MS);
  };
}

/** kafkajs's RequestQueue class, whose prototype is mended (exposed for its test). */
export function requestQueueClass(): new (options: Record<string, unknown>) => RequestQueue {
  return createRequire(import.meta.url)('kafkajs/src/network/requestQueue/index.js') as new (options: Record<string, unknown>) => RequestQueue;
}
