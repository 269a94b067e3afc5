import type { Clock } from '../../../../src/platform/clock.ts';
import type { UnitOfWork } from '../../../../src/platform/db/unit-of-work.ts';
import { handles, type HandlerDeclaration } from '../../../../src/platform/messaging/event-handler.ts';
import { toMinorUnits } from '../../../../src/platform/money.ts';
import { AccountBalanceChanged, AccountClosed, AccountCreated, AccountSuspended, AccountUpdated } from '../../../account/index.ts';
import { cancellationReasonFor } from '../../domain/known-account.ts';
import { recordAccountBalance, recordAccountCreated, recordAccountStatus } from '../../infrastructure/known-accounts.repository.ts';
import { cancelPendingPayments } from './cancel-pending-payments.command.ts';

async function statusChanged(
  uow: UnitOfWork,
  clock: Clock,
  account: { accountId: number; userId: number; status: string; changedAt: string },
): Promise<void> {
  const now = clock.now();
  const taken = await recordAccountStatus(uow.em, { ...account, changedAt: new Date(account.changedAt) }, now);
  // A change older than the cached one arrived late: the account has moved on since.
  if (!taken) return;
  const reason = cancellationReasonFor(account.status);
  if (reason !== undefined) await cancelPendingPayments(uow, account.accountId, reason, now);
}

/**
 * Keeps `payment.account_cache` current from the account module's events,
 * so a payment of a suspended or closed account is refused at once, without asking the account.
 */
export const accountCacheHandlers: HandlerDeclaration[] = [
  handles(AccountCreated, ({ clock }) => async (event, { em }) => {
    await recordAccountCreated(em, event.data, clock.now());
  }),
  handles(AccountSuspended, ({ clock }) => async (event, uow) => {
    await statusChanged(uow, clock, { accountId: event.data.accountId, userId: event.data.userId, status: 'SUSPENDED', changedAt: event.data.suspendedAt });
  }),
  handles(AccountClosed, ({ clock }) => async (event, uow) => {
    await statusChanged(uow, clock, { accountId: event.data.accountId, userId: event.data.userId, status: 'CLOSED', changedAt: event.data.closedAt });
  }),
  // Reactivation (newStatus ACTIVE) lets payments through again; any other new status is taken as it comes,
  // as long as no later change is cached.
  handles(AccountUpdated, ({ clock }) => async (event, uow) => {
    await statusChanged(uow, clock, { accountId: event.data.accountId, userId: event.data.userId, status: event.data.changes.newStatus, changedAt: event.data.updatedAt });
  }),
  handles(AccountBalanceChanged, ({ clock }) => async (event, { em }) => {
    const balance = toMinorUnits(event.data.newBalance, event.data.currency, 'newBalance');
    await recordAccountBalance(em, { accountId: event.data.accountId, balance, currency: event.data.currency }, clock.now());
  }),
];
