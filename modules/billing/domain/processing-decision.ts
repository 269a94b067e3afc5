/** A source of uniformly distributed numbers in [0, 1), injected so tests can force outcomes. */
export type RandomSource = () => number;

/** What production decides with; tests pass their own source. */
export const systemRandom: RandomSource = Math.random;

export interface ProcessingRules {
  delayMinMs: number;
  delayMaxMs: number;
  /** Share of processed payments that fail, in [0, 1]. */
  failureRate: number;
}

export const PROCESSING_OUTCOMES = ['SUCCEEDED', 'FAILED'] as const;
export type ProcessingOutcome = (typeof PROCESSING_OUTCOMES)[number];

export interface ProcessingDecision {
  outcome: ProcessingOutcome;
  /** Null when the payment succeeded. */
  failureReason: string | null;
}

/** The reason a simulated processor gives when it declines a payment. */
export const PROCESSOR_DECLINED = 'PROCESSOR_DECLINED';

/** A whole number of milliseconds in [delayMinMs, delayMaxMs], both ends included. */
export function processingDelayMs(rules: Pick<ProcessingRules, 'delayMinMs' | 'delayMaxMs'>, random: RandomSource): number {
  const span = rules.delayMaxMs - rules.delayMinMs;
  return Math.min(rules.delayMaxMs, rules.delayMinMs + Math.floor(random() * (span + 1)));
}

/** Fails with probability `failureRate`: never at 0, always at 1 (the source never returns 1). */
export function decideOutcome(rules: Pick<ProcessingRules, 'failureRate'>, random: RandomSource): ProcessingDecision {
  return random() < rules.failureRate
    ? { outcome: 'FAILED', failureReason: PROCESSOR_DECLINED }
    : { outcome: 'SUCCEEDED', failureReason: null };
}
