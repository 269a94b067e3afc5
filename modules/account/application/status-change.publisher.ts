import { AccountClosed } from '../contracts/events/account-closed.event.ts';
import { AccountSuspended } from '../contracts/events/account-suspended.event.ts';
import { AccountUpdated } from '../contracts/events/account-updated.event.ts';
import type { Account, StatusChange } from '../domain/account.ts';
import type { UnitOfWork } from '../../../src/platform/db/unit-of-work.ts';

/** A suspension or closure has its own event, and every status change is also an `account.updated`. */
export function publishStatusChange({ publish }: UnitOfWork, account: Account, change: StatusChange, at: Date): void {
  const timestamp = at.toISOString();
  if (change.newStatus === 'SUSPENDED') {
    publish(AccountSuspended, {
      accountId: account.id,
      userId: account.userId,
      reason: change.reason,
      suspendedAt: timestamp,
      ...(account.suspendedUntil === null ? {} : { expiresAt: account.suspendedUntil.toISOString() }),
    });
  }
  if (change.newStatus === 'CLOSED') {
    publish(AccountClosed, { accountId: account.id, userId: account.userId, closedAt: timestamp, reason: change.reason });
  }
  publish(AccountUpdated, {
    accountId: account.id,
    userId: account.userId,
    status: change.newStatus,
    updatedAt: timestamp,
    changes: { previousStatus: change.previousStatus, newStatus: change.newStatus },
  });
}
