import type { MikroORM } from '@mikro-orm/postgresql';
import { Type } from 'typebox';
import { InvalidInputError, NotFoundError } from '../../../../src/platform/errors.ts';
import { actsFor } from '../../../../src/platform/auth/caller.ts';
import { callerOf, requiresRole } from '../../../../src/platform/auth/route-security.ts';
import type { HttpApp } from '../../../../src/platform/http/app.ts';
import { profileById, profileUsing, profilesVisibleTo } from './profiles.query.ts';
import { ProfileView, toProfileView } from '../profile.view.ts';
import { pageOf, pagingQuery, Page, problems } from '../../../../src/platform/http/schemas.ts';

const readers = requiresRole('customer', 'operator');

export function queryProfilesRoutes(app: HttpApp, deps: { orm: MikroORM }): void {
  app.get('/profiles', {
    schema: {
      tags: ['profile'],
      summary: 'List profiles, oldest first',
      description: 'An operator sees every profile; a customer sees its own.',
      security: readers,
      querystring: Type.Object(
        pagingQuery,
        { additionalProperties: false },
      ),
      response: {
        200: Page(ProfileView),
        ...problems(400, 401, 403),
      },
    },
  }, async (request) => {
    const { limit, offset } = pageOf(request.query);
    const { items, total } = await profilesVisibleTo(deps.orm, callerOf(request), { limit, offset });
    return { items: items.map(toProfileView), total, limit, offset };
  });

  app.get('/profiles/check', {
    schema: {
      tags: ['profile'],
      summary: 'Find the profile that already uses a login or email (duplicate check before registering)',
      description: 'A customer token finds its own profile only; any other answers 404.',
      security: readers,
      querystring: Type.Object(
        { login: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })), email: Type.Optional(Type.String({ minLength: 1, maxLength: 254 })) },
        { additionalProperties: false },
      ),
      response: { 200: Type.Object({ id: Type.Integer() }), ...problems(400, 401, 403, 404) },
    },
  }, async (request) => {
    const { login, email } = request.query;
    if (login === undefined && email === undefined) {
      throw new InvalidInputError('missing-criteria', 'Give login, email or both');
    }
    const profile = await profileUsing(deps.orm, { login, email });
    if (profile === null || !actsFor(callerOf(request), profile.login)) throw new NotFoundError('profile', 'No profile uses this login or email');
    return { id: profile.id };
  });

  app.get('/profiles/:id', {
    schema: {
      tags: ['profile'],
      summary: 'One profile',
      description: 'A customer token reads its own profile only; another one answers 404.',
      security: readers,
      params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
      response: { 200: ProfileView, ...problems(400, 401, 403, 404) },
    },
  }, async (request) => {
    const profile = await profileById(deps.orm, request.params.id);
    if (profile === null || !actsFor(callerOf(request), profile.login)) throw new NotFoundError('profile', `No profile with id ${request.params.id}`);
    return toProfileView(profile);
  });
}
