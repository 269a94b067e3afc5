import { asValue } from 'awilix';
import { defineModule } from '../../src/platform/module.ts';
import { changeBalanceRoutes } from './application/change-balance/change-balance.route.ts';
import { onProfileRegistered } from './application/open-account/on-profile-registered.handler.ts';
import { inProcessAccountQueryApi } from './application/query-account/account-query.api.ts';
import { queryAccountRoutes } from './application/query-account/query-account.route.ts';
import { ACCOUNT_QUERY_API } from './contracts/account.api.ts';
import { AccountBalanceChanged } from './contracts/events/account-balance-changed.ts';
import { AccountCreated } from './contracts/events/account-created.ts';
import { AccountSchema, LedgerEntrySchema } from './infrastructure/account.entity.ts';

export default defineModule({
  name: 'account',
  description: 'Accounts and balances: opening, deposits and withdrawals, never below zero',
  entities: [AccountSchema, LedgerEntrySchema],
  produces: [AccountCreated, AccountBalanceChanged],
  register(container) {
    container.register(ACCOUNT_QUERY_API, asValue(inProcessAccountQueryApi(container.cradle.orm)));
  },
  async routes(app, container) {
    const { orm, outbox, clock } = container.cradle;
    changeBalanceRoutes(app, { orm, outbox, clock });
    queryAccountRoutes(app, { orm });
  },
  handlers: (container) => [onProfileRegistered(container.cradle.clock)],
});
