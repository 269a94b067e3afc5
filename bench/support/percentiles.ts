export interface LatencySummary {
  count: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
}

/** Nearest-rank percentiles of latencies in milliseconds. */
export function summariseLatencies(latenciesMs: number[]): LatencySummary {
  if (latenciesMs.length === 0) throw new Error('no latencies to summarise');
  const sorted = Float64Array.from(latenciesMs).sort();
  const rank = (p: number): number => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
  const sum = sorted.reduce((total, value) => total + value, 0);
  return {
    count: sorted.length,
    p50Ms: round(rank(50)),
    p90Ms: round(rank(90)),
    p99Ms: round(rank(99)),
    maxMs: round(sorted[sorted.length - 1]!),
    meanMs: round(sum / sorted.length),
  };
}

export function round(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
