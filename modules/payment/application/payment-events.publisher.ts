import type { UnitOfWork } from '../../../src/platform/db/unit-of-work.ts';
import { fromMinorUnits } from '../../../src/platform/money.ts';
import { FraudDetected } from '../contracts/events/fraud-detected.event.ts';
import { PaymentCompleted } from '../contracts/events/payment-completed.event.ts';
import { PaymentFailed } from '../contracts/events/payment-failed.event.ts';
import { PaymentRequested } from '../contracts/events/payment-requested.event.ts';
import { PaymentReversed } from '../contracts/events/payment-reversed.event.ts';
import { PaymentStatusChanged } from '../contracts/events/payment-status-changed.event.ts';
import { PaymentSubmitted } from '../contracts/events/payment-submitted.event.ts';
import { errorCodeFor } from '../domain/failure-reason.ts';
import type { FraudAssessment } from '../domain/fraud-rules.ts';
import type { Payment, StatusChange } from '../domain/payment.ts';

/** Adds an event to the current unit of work's outbox. */
export type Publish = UnitOfWork['publish'];

/**
 * Publishes a status change: always on `payment.status`, plus the integration event the new status
 * stands for. CREATED has none of its own: the use case publishes `payment.requested` only for a
 * payment it accepts.
 */
export function announce(publish: Publish, payment: Payment, change: StatusChange): void {
  publish(PaymentStatusChanged, {
    paymentId: payment.id,
    accountId: payment.accountId,
    status: change.to,
    previousStatus: change.from,
    reason: change.reason,
    changedAt: change.at.toISOString(),
  });
  const at = change.at.toISOString();
  const money = { paymentId: payment.id, accountId: payment.accountId, amount: fromMinorUnits(payment.amount, payment.currency), currency: payment.currency };
  switch (change.to) {
    case 'CREATED':
      return;
    case 'PROCESSING':
      publish(PaymentSubmitted, { ...money, transactionType: payment.transactionType, submittedAt: at });
      return;
    case 'COMPLETED':
      publish(PaymentCompleted, { ...money, transactionType: payment.transactionType, status: 'COMPLETED', completedAt: at });
      return;
    case 'REJECTED':
    case 'FAILED': {
      const failureReason = change.reason ?? change.to;
      publish(PaymentFailed, { ...money, failureReason, errorCode: errorCodeFor(failureReason), failedAt: at });
      return;
    }
    case 'REVERSED':
      publish(PaymentReversed, {
        ...money,
        reversalReason: change.reason ?? 'UNSPECIFIED',
        originalPaymentDate: payment.createdAt.toISOString(),
        reversedAt: at,
      });
  }
}

export function announceRequested(publish: Publish, payment: Payment): void {
  publish(PaymentRequested, {
    paymentId: payment.id,
    accountId: payment.accountId,
    amount: fromMinorUnits(payment.amount, payment.currency),
    currency: payment.currency,
    transactionType: payment.transactionType,
    requestedAt: payment.createdAt.toISOString(),
  });
}

export function announceFraud(publish: Publish, payment: Payment, assessment: FraudAssessment, at: Date): void {
  publish(FraudDetected, {
    paymentId: payment.id,
    accountId: payment.accountId,
    userId: payment.userId,
    amount: fromMinorUnits(payment.amount, payment.currency),
    currency: payment.currency,
    fraudScore: assessment.score,
    fraudReasons: assessment.reasons,
    detectedAt: at.toISOString(),
    severity: assessment.severity,
  });
}
