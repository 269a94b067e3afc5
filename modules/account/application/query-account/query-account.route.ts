import type { MikroORM } from '@mikro-orm/postgresql';
import { Type } from 'typebox';
import { actsFor } from '../../../../src/platform/auth/caller.ts';
import { callerOf, requiresRole } from '../../../../src/platform/auth/route-security.ts';
import type { HttpApp } from '../../../../src/platform/http/app.ts';
import { AccountNotFoundError } from '../../domain/account.errors.ts';
import { AccountView } from '../account.view.ts';
import { inProcessAccountQueryApi } from './account.query.ts';
import { problems } from '../../../../src/platform/http/schemas.ts';

const responses = { 200: AccountView, ...problems(400, 401, 403, 404) };
/** Also the account query API of a split deployment: the payment module's process calls it with a service token. */
const readers = requiresRole('customer', 'operator', 'service');
const OWN_ONLY = 'A customer token reads its own account only; another one answers 404.';

export function queryAccountRoutes(app: HttpApp, deps: { orm: MikroORM }): void {
  const accounts = inProcessAccountQueryApi(deps.orm);
  for (const url of ['/account', '/account/']) {
    app.get(url, {
      schema: {
        tags: ['account'],
        summary: url === '/account' ? 'Balance of a person\'s account, by login' : 'Alias of GET /account, kept for clients of the original API',
        description: OWN_ONLY,
        security: readers,
        querystring: Type.Object({ login: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false }),
        response: responses,
      },
    }, async (request) => {
      const { login } = request.query;
      const account = actsFor(callerOf(request), login) ? await accounts.byLogin(login) : null;
      if (account === null) throw new AccountNotFoundError({ login });
      return account;
    });
  }

  app.get('/accounts/:id', {
    schema: {
      tags: ['account'],
      summary: 'One account',
      description: OWN_ONLY,
      security: readers,
      params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
      response: responses,
    },
  }, async (request) => {
    const account = await accounts.byId(request.params.id);
    if (account === null || !actsFor(callerOf(request), account.login)) throw new AccountNotFoundError({ id: request.params.id });
    return account;
  });
}
