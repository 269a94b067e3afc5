import type { MikroORM } from '@mikro-orm/postgresql';
import { Type } from 'typebox';
import { NotFoundError } from '../../../../src/platform/errors.ts';
import type { HttpApp } from '../../../../src/platform/http/app.ts';
import { Account } from '../../domain/account.ts';
import { AccountView, toAccountView } from '../account.schema.ts';

const Problem = Type.Ref('Problem');

export function queryAccountRoutes(app: HttpApp, deps: { orm: MikroORM }): void {
  for (const url of ['/account', '/account/']) {
    app.get(url, {
      schema: {
        tags: ['account'],
        summary: url === '/account' ? 'Balance of a person\'s account, by login' : 'Seed 004 alias of GET /account',
        querystring: Type.Object({ login: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false }),
        response: { 200: AccountView, 400: Problem, 404: Problem },
      },
    }, async (request) => {
      const account = await deps.orm.em.fork().findOne(Account, { login: request.query.login });
      if (account === null) throw new NotFoundError('account', `No account for login ${request.query.login}`);
      return toAccountView(account);
    });
  }

  app.get('/accounts/:id', {
    schema: {
      tags: ['account'],
      summary: 'One account',
      params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
      response: { 200: AccountView, 400: Problem, 404: Problem },
    },
  }, async (request) => {
    const account = await deps.orm.em.fork().findOne(Account, { id: request.params.id });
    if (account === null) throw new NotFoundError('account', `No account with id ${request.params.id}`);
    return toAccountView(account);
  });
}
