import { round, summariseLatencies } from './percentiles.ts';
import { formatCount, Progress } from './progress.ts';

export interface ClosedLoopRun {
  perSec: number;
  p50Ms: number;
  p99Ms: number;
  count: number;
  durationSec: number;
}

/**
 * `concurrency` callers each running `once(n)` back to back for `durationSec` (n counts calls
 * across callers): how many a second completed and how long each took.
 */
export async function runClosedLoop(what: string, unit: string, concurrency: number, durationSec: number, once: (n: number) => Promise<void>): Promise<ClosedLoopRun> {
  const progress = new Progress(what);
  const latencies: number[] = [];
  const started = performance.now();
  const deadline = started + durationSec * 1000;
  let n = 0;
  const caller = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const begun = performance.now();
      await once(n++);
      latencies.push(performance.now() - begun);
      progress.update(`${formatCount(latencies.length)} ${unit}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, caller));
  const seconds = (performance.now() - started) / 1000;
  const summary = summariseLatencies(latencies);
  const run = { perSec: round(latencies.length / seconds, 0), p50Ms: summary.p50Ms, p99Ms: summary.p99Ms, count: latencies.length, durationSec: round(seconds, 2) };
  progress.done(`${formatCount(run.perSec)} ${unit}/s, p50 ${run.p50Ms} ms, p99 ${run.p99Ms} ms`);
  return run;
}
