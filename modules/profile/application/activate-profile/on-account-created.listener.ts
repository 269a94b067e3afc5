import { AccountCreated } from '../../../account/index.ts';
import { handles } from '../../../../src/platform/messaging/event-handler.ts';
import { Profile } from '../../domain/profile.ts';

/** Onboarding ends: the account exists, so the profile becomes ACTIVE. */
export const onAccountCreated = handles(AccountCreated, ({ clock }) => async (event, { em }) => {
  const profile = await em.findOne(Profile, { id: event.data.userId });
  if (profile === null) throw new Error(`account.created for unknown profile ${event.data.userId}`);
  profile.activate(clock.now());
});
