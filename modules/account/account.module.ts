import { defineModule } from '../../src/platform/module.ts';
import { ProfileRegistered } from '../profile/index.ts';
import { changeBalanceRoutes } from './application/change-balance/change-balance.route.ts';
import { onProfileRegistered } from './application/open-account/on-profile-registered.handler.ts';
import { queryAccountRoutes } from './application/query-account/query-account.route.ts';
import { AccountBalanceChanged } from './contracts/events/account-balance-changed.ts';
import { AccountClosed } from './contracts/events/account-closed.ts';
import { AccountCreated } from './contracts/events/account-created.ts';
import { AccountFundsRejected } from './contracts/events/account-funds-rejected.ts';
import { AccountFundsReserved } from './contracts/events/account-funds-reserved.ts';
import { AccountSuspended } from './contracts/events/account-suspended.ts';
import { AccountUpdated } from './contracts/events/account-updated.ts';
import { AccountSchema, LedgerEntrySchema } from './infrastructure/account.entity.ts';

export default defineModule({
  name: 'account',
  description: 'Accounts and balances: opening, deposits and withdrawals, never below zero',
  entities: [AccountSchema, LedgerEntrySchema],
  // SPEC §5 topics the account module owns; suspend/close/reserve land on feat/account.
  produces: [AccountCreated, AccountBalanceChanged, AccountUpdated, AccountSuspended, AccountClosed, AccountFundsReserved, AccountFundsRejected],
  consumes: [ProfileRegistered],
  async routes(app, container) {
    const { orm, outbox, clock } = container.cradle;
    changeBalanceRoutes(app, { orm, outbox, clock });
    queryAccountRoutes(app, { orm });
  },
  handlers: (container) => [onProfileRegistered(container.cradle.clock)],
});
