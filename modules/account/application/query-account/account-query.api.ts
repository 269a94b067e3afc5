import type { MikroORM } from '@mikro-orm/postgresql';
import type { AccountQueryApi } from '../../contracts/account.api.ts';
import { Account } from '../../domain/account.ts';
import { toAccountView } from '../account.schema.ts';

/** The account query API for modules in the same process: the same answers as GET /accounts/{id} and GET /account?login=. */
export function inProcessAccountQueryApi(orm: MikroORM): AccountQueryApi {
  const find = async (where: { id: number } | { login: string }) => {
    const account = await orm.em.fork().findOne(Account, where);
    return account === null ? null : toAccountView(account);
  };
  return {
    byId: (accountId) => find({ id: accountId }),
    byLogin: (login) => find({ login }),
  };
}
