import { handles } from '../../../../src/platform/messaging/event-handler.ts';
import { ProfileRegistered } from '../../../profile/index.ts';
import { PersonEntry } from '../../domain/directory.ts';
import { rememberPerson } from '../../infrastructure/notification.repository.ts';

/** The only event that pairs a login with a userId: messages are found by login through it. */
export const onProfileRegistered = handles(ProfileRegistered, () => async (event, { em }) => {
  await rememberPerson(em, PersonEntry.of(event.data.userId, event.data.login));
});
