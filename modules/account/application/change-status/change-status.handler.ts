import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../../../../src/platform/clock.ts';
import { transactionally } from '../../../../src/platform/db/transaction.ts';
import { NotFoundError } from '../../../../src/platform/errors.ts';
import type { OutboxWriter } from '../../../../src/platform/messaging/outbox-writer.ts';
import type { Account, StatusChange } from '../../domain/account.ts';
import { lockAccountById } from '../../infrastructure/account.repository.ts';
import { publishThroughOutbox } from '../publish.ts';
import { publishStatusChange } from '../status-changed.mapper.ts';

export const DEFAULT_CLOSE_REASON = 'CUSTOMER_REQUEST';

export type ChangeStatus =
  | { action: 'suspend'; reason: string; expiresAt?: Date | undefined }
  | { action: 'reactivate' }
  | { action: 'close'; reason: string };

/**
 * Admin status changes (seed 002): the new status and its events (`account.suspended` /
 * `account.closed`, and `account.updated`) commit together. A transition the current status does
 * not allow is a 422.
 */
export async function changeStatus(
  deps: { em: EntityManager; outbox: OutboxWriter; clock: Clock },
  accountId: number,
  command: ChangeStatus,
): Promise<Account> {
  return transactionally(deps.em, async (em) => {
    const account = await lockAccountById(em, accountId);
    if (account === null) throw new NotFoundError('account', `No account with id ${accountId}`);
    const now = deps.clock.now();
    const change = apply(account, command, now);
    publishStatusChange(publishThroughOutbox(deps.outbox, em), account, change, now);
    return account;
  });
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
