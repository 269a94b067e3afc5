import type { MikroORM } from '@mikro-orm/postgresql';
import type { AccountQueryApi, AccountSnapshot } from '../../contracts/account.api.ts';
import { Account } from '../../domain/account.ts';
import { toAccountView } from '../account.view.ts';

/** The query API for modules in this process: the same snapshots `GET /accounts/{id}` and `GET /account?login=` answer. */
export function inProcessAccountQueryApi(orm: MikroORM): AccountQueryApi {
  const snapshot = (account: Account | null): AccountSnapshot | null => (account === null ? null : toAccountView(account));
  return {
    byId: async (accountId) => snapshot(await orm.em.fork().findOne(Account, { id: accountId })),
    byLogin: async (login) => snapshot(await orm.em.fork().findOne(Account, { login })),
  };
}
