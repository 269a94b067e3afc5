import { minorDigits } from '../../../src/platform/money.ts';

/**
 * Fraud rules (docs/requirements.md#fraud-rules): pure functions of the payment, a summary of the
 * account's recent payments and the configuration — no clock or database of their own.
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
  /** Major units of the payment's currency (FRAUD_AMOUNT_THRESHOLD); amounts strictly above it are too high. */
  amountThreshold: number;
  maxPaymentsPerMinute: number;
  /** Scores at or above it reject the payment. */
  rejectScore: number;
}

/**
 * The account's earlier payments (any status) in the velocity window: created after
 * `now − VELOCITY_WINDOW_MS`, including any stamped after `now` (another process's clock may run
 * slightly ahead). Counts rather than rows: the rules need no more, and an account paying in a
 * burst must not make each of its checks slower.
 */
export interface RecentPayments {
  count: number;
  /** How many of them have the candidate's amount. */
  sameAmount: number;
}

export interface FraudCandidate {
  /** Minor units of `currency`. */
  amount: number;
  currency: string;
  recent: RecentPayments;
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

type Rule = (candidate: FraudCandidate, config: FraudRulesConfig) => Signal | undefined;

const amountRule: Rule = (candidate, config) => {
  const threshold = Math.round(config.amountThreshold * 10 ** minorDigits(candidate.currency));
  if (candidate.amount > threshold * EXTREME_AMOUNT_FACTOR) {
    return { reason: FraudReason.AMOUNT_TOO_HIGH, weight: WEIGHTS.extremeAmount };
  }
  if (candidate.amount > threshold) return { reason: FraudReason.AMOUNT_TOO_HIGH, weight: WEIGHTS.highAmount };
  return undefined;
};

const velocityRule: Rule = ({ recent }, config) =>
  recent.count + 1 > config.maxPaymentsPerMinute ? { reason: FraudReason.TOO_MANY_PAYMENTS, weight: WEIGHTS.velocity } : undefined;

const repeatedAmountRule: Rule = ({ recent }) =>
  recent.sameAmount >= REPEATED_AMOUNT_MIN_EARLIER
    ? { reason: FraudReason.REPEATED_AMOUNT, weight: WEIGHTS.repeatedAmount }
    : undefined;

const RULES: readonly Rule[] = [amountRule, velocityRule, repeatedAmountRule];

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

export function assessFraud(candidate: FraudCandidate, config: FraudRulesConfig): FraudAssessment {
  const signals = RULES.map((rule) => rule(candidate, config)).filter((signal): signal is Signal => signal !== undefined);
  const score = combinedScore(signals.map((signal) => signal.weight));
  return {
    score,
    reasons: signals.map((signal) => signal.reason),
    severity: severityOf(score),
    rejected: score >= config.rejectScore,
  };
}
