import type { Clock } from '../../../../src/platform/clock.ts';
import type { UnitOfWork } from '../../../../src/platform/db/unit-of-work.ts';
import { AccountNotFoundError } from '../../domain/account.errors.ts';
import type { Account, StatusChange } from '../../domain/account.ts';
import { lockAccountById } from '../../infrastructure/account.repository.ts';
import { publishStatusChange } from '../status-change.publisher.ts';

export const DEFAULT_CLOSE_REASON = 'CUSTOMER_REQUEST';

export type ChangeStatus =
  | { action: 'suspend'; reason: string; expiresAt?: Date | undefined }
  | { action: 'reactivate' }
  | { action: 'close'; reason: string };

/**
 * Operator status changes (suspend, reactivate, close): the new status and its events (`account.suspended` /
 * `account.closed`, and `account.updated`) commit together. A transition the current status does
 * not allow is a 422.
 */
export async function changeStatus(uow: UnitOfWork, clock: Clock, accountId: number, command: ChangeStatus): Promise<Account> {
  const account = await lockAccountById(uow.em, accountId);
  if (account === null) throw new AccountNotFoundError({ id: accountId });
  const now = clock.now();
  const change = apply(account, command, now);
  publishStatusChange(uow, account, change, now);
  return account;
}

function apply(account: Account, command: ChangeStatus, now: Date): StatusChange {
  switch (command.action) {
    case 'suspend':
      return account.suspend(command.reason, command.expiresAt, now);
    case 'reactivate':
      return account.reactivate(now);
    case 'close':
      return account.close(command.reason, now);
  }
}
