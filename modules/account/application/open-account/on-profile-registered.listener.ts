import { handles } from '../../../../src/platform/messaging/event-handler.ts';
import { ProfileRegistered } from '../../../profile/index.ts';
import { AccountCreated } from '../../contracts/events/account-created.event.ts';
import { Account } from '../../domain/account.ts';

/** Opens the newly registered person's account (balance 0, their currency) and announces it (`account.created`). */
export const onProfileRegistered = handles(ProfileRegistered, ({ clock }) => async (event, { em, publish }) => {
  const existing = await em.findOne(Account, { userId: event.data.userId });
  if (existing !== null) return;
  const account = Account.open(
    { userId: event.data.userId, login: event.data.login, currency: event.data.currency },
    clock.now(),
  );
  em.persist(account);
  await em.flush();
  publish(AccountCreated, {
    accountId: account.id,
    userId: account.userId,
    accountType: account.accountType,
    currency: account.currency,
    status: account.status,
    createdAt: account.createdAt.toISOString(),
  });
});
