/**
 * Fraud rules (seed 002 `fraud.detected`): pure functions of the payment, the account's recent
 * payments, the configuration and the time given — no clock or database of their own.
 *
 * | rule                | reason            | fires when                                                        | weight |
 * | ------------------- | ----------------- | ----------------------------------------------------------------- | ------ |
 * | high amount         | AMOUNT_TOO_HIGH   | amount > FRAUD_AMOUNT_THRESHOLD                                   | 0.75   |
 * | extreme amount      | AMOUNT_TOO_HIGH   | amount > 10 × FRAUD_AMOUNT_THRESHOLD (replaces the 0.75)          | 0.95   |
 * | velocity            | TOO_MANY_PAYMENTS | this payment + the account's payments of the last 60 s            | 0.75   |
 * |                     |                   |   > FRAUD_MAX_PAYMENTS_PER_MINUTE                                 |        |
 * | repeated amount     | REPEATED_AMOUNT   | ≥ 2 payments of the same amount by the account in the last 60 s   | 0.30   |
 *
 * score = 1 − Π(1 − weight) over the rules that fire: independent signals add up without ever
 * passing 1. Severity bands: [0, 0.3) LOW, [0.3, 0.7) MEDIUM, [0.7, 0.9) HIGH, [0.9, 1] CRITICAL.
 * A payment is rejected when score ≥ FRAUD_REJECT_SCORE (default 0.7).
 *
 * With the defaults: nothing fires → 0 LOW; repeated amount alone → 0.3 MEDIUM (accepted);
 * high amount or velocity alone → 0.75 HIGH (rejected); high amount + repeated → 0.825 HIGH;
 * high amount + velocity → 0.9375 CRITICAL; extreme amount → 0.95 CRITICAL (always CRITICAL,
 * whatever the history). CRITICAL makes the account module suspend the account.
 */

export const FraudReason = {
  AMOUNT_TOO_HIGH: 'AMOUNT_TOO_HIGH',
  TOO_MANY_PAYMENTS: 'TOO_MANY_PAYMENTS',
  REPEATED_AMOUNT: 'REPEATED_AMOUNT',
} as const;
export type FraudReason = (typeof FraudReason)[keyof typeof FraudReason];

export type FraudSeverity = 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL';

export interface FraudRulesConfig {
  /** Minor units; amounts strictly above it are too high. */
  amountThreshold: number;
  maxPaymentsPerMinute: number;
  /** Scores at or above it reject the payment. */
  rejectScore: number;
}

/** An earlier payment of the same account (any status): only its amount and time matter. */
export interface PastPayment {
  /** Minor units. */
  amount: number;
  createdAt: Date;
}

export interface FraudCandidate {
  /** Minor units. */
  amount: number;
  history: readonly PastPayment[];
}

export interface FraudAssessment {
  score: number;
  reasons: FraudReason[];
  severity: FraudSeverity;
  rejected: boolean;
}

export const VELOCITY_WINDOW_MS = 60_000;
export const EXTREME_AMOUNT_FACTOR = 10;
export const REPEATED_AMOUNT_MIN_EARLIER = 2;

const WEIGHTS = {
  highAmount: 0.75,
  extremeAmount: 0.95,
  velocity: 0.75,
  repeatedAmount: 0.3,
} as const;

interface Signal {
  reason: FraudReason;
  weight: number;
}

type Rule = (candidate: FraudCandidate, recent: readonly PastPayment[], config: FraudRulesConfig) => Signal | undefined;

const amountRule: Rule = (candidate, _recent, config) => {
  if (candidate.amount > config.amountThreshold * EXTREME_AMOUNT_FACTOR) {
    return { reason: FraudReason.AMOUNT_TOO_HIGH, weight: WEIGHTS.extremeAmount };
  }
  if (candidate.amount > config.amountThreshold) return { reason: FraudReason.AMOUNT_TOO_HIGH, weight: WEIGHTS.highAmount };
  return undefined;
};

const velocityRule: Rule = (_candidate, recent, config) =>
  recent.length + 1 > config.maxPaymentsPerMinute ? { reason: FraudReason.TOO_MANY_PAYMENTS, weight: WEIGHTS.velocity } : undefined;

const repeatedAmountRule: Rule = (candidate, recent) =>
  recent.filter((past) => past.amount === candidate.amount).length >= REPEATED_AMOUNT_MIN_EARLIER
    ? { reason: FraudReason.REPEATED_AMOUNT, weight: WEIGHTS.repeatedAmount }
    : undefined;

const RULES: readonly Rule[] = [amountRule, velocityRule, repeatedAmountRule];

/**
 * Payments of the velocity window ending at `now` (its start excluded). A payment stamped after
 * `now` counts too: another process's clock may run slightly ahead.
 */
export function withinLastMinute(history: readonly PastPayment[], now: Date): PastPayment[] {
  const since = now.getTime() - VELOCITY_WINDOW_MS;
  return history.filter((past) => past.createdAt.getTime() > since);
}

export function combinedScore(weights: readonly number[]): number {
  const clean = weights.reduce((probability, weight) => probability * (1 - weight), 1);
  return Math.round((1 - clean) * 10_000) / 10_000;
}

export function severityOf(score: number): FraudSeverity {
  if (score >= 0.9) return 'CRITICAL';
  if (score >= 0.7) return 'HIGH';
  if (score >= 0.3) return 'MEDIUM';
  return 'LOW';
}

export function assessFraud(candidate: FraudCandidate, config: FraudRulesConfig, now: Date): FraudAssessment {
  const recent = withinLastMinute(candidate.history, now);
  const signals = RULES.map((rule) => rule(candidate, recent, config)).filter((signal): signal is Signal => signal !== undefined);
  const score = combinedScore(signals.map((signal) => signal.weight));
  return {
    score,
    reasons: signals.map((signal) => signal.reason),
    severity: severityOf(score),
    rejected: score >= config.rejectScore,
  };
}
