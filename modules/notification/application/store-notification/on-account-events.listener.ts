import { handles, type HandlerDeclaration } from '../../../../src/platform/messaging/event-handler.ts';
import { AccountBalanceChanged, AccountClosed, AccountCreated, AccountSuspended, AccountUpdated } from '../../../account/index.ts';
import { AccountEntry } from '../../domain/directory.ts';
import { accountClosed, accountOpened, accountStatusChanged, accountSuspended, balanceChanged } from '../../domain/notification-content.ts';
import { rememberAccount } from '../../infrastructure/notification.repository.ts';
import { storeNotification } from './store-notification.command.ts';

/** Account events: each names the account, most also its owner, which the directory keeps. */
export const onAccountEvents: HandlerDeclaration[] = [
  handles(AccountCreated, ({ clock }) => async (event, { em }) => {
    const { accountId, userId } = event.data;
    await rememberAccount(em, AccountEntry.of(accountId, userId));
    await storeNotification(em, clock, event, { accountId, userId }, accountOpened(event.data));
  }),
  handles(AccountBalanceChanged, ({ clock }) => async (event, { em }) => {
    await storeNotification(em, clock, event, { accountId: event.data.accountId }, balanceChanged(event.data));
  }),
  handles(AccountSuspended, ({ clock }) => async (event, { em }) => {
    const { accountId, userId } = event.data;
    await rememberAccount(em, AccountEntry.of(accountId, userId));
    await storeNotification(em, clock, event, { accountId, userId }, accountSuspended(event.data));
  }),
  handles(AccountUpdated, ({ clock }) => async (event, { em }) => {
    const { accountId, userId } = event.data;
    await rememberAccount(em, AccountEntry.of(accountId, userId));
    const content = accountStatusChanged(event.data);
    if (content !== undefined) await storeNotification(em, clock, event, { accountId, userId }, content);
  }),
  handles(AccountClosed, ({ clock }) => async (event, { em }) => {
    const { accountId, userId } = event.data;
    await rememberAccount(em, AccountEntry.of(accountId, userId));
    await storeNotification(em, clock, event, { accountId, userId }, accountClosed(event.data));
  }),
];
