import { defineModule } from '../../src/platform/module.ts';
import { onAccountCreated } from './application/activate-profile/on-account-created.listener.ts';
import { queryProfilesRoutes } from './application/query-profiles/query-profiles.route.ts';
import { registerProfileRoutes } from './application/register-profile/register-profile.route.ts';
import { ProfileRegistered } from './contracts/events/profile-registered.event.ts';
import { ProfileEntity } from './infrastructure/profile.entity.ts';

export default defineModule({
  name: 'profile',
  description: 'People: registration, duplicate check, activation once their account exists',
  entities: [ProfileEntity],
  produces: [ProfileRegistered],
  async routes(app, container) {
    const { orm, clock, idempotency } = container.cradle;
    registerProfileRoutes(app, { clock, idempotency });
    queryProfilesRoutes(app, { orm });
  },
  handlers: [onAccountCreated],
});
