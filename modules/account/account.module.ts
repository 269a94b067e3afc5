import { asFunction } from 'awilix';
import type { Cradle } from '../../src/platform/container.ts';
import { defineModule } from '../../src/platform/module.ts';
import { onPaymentCompleted } from './application/capture-funds/on-payment-completed.handler.ts';
import { changeBalanceRoutes } from './application/change-balance/change-balance.route.ts';
import { changeStatusRoutes } from './application/change-status/change-status.route.ts';
import { onChargeRequested } from './application/charge-order/on-charge-requested.handler.ts';
import { onProfileRegistered } from './application/open-account/on-profile-registered.handler.ts';
import { inProcessAccountQueryApi } from './application/query-account/account-query.api.ts';
import { queryAccountRoutes } from './application/query-account/query-account.route.ts';
import { onPaymentReversed } from './application/recredit-funds/on-payment-reversed.handler.ts';
import { onPaymentFailed } from './application/release-funds/on-payment-failed.handler.ts';
import { onPaymentRequested } from './application/reserve-funds/on-payment-requested.handler.ts';
import { onFraudDetected } from './application/suspend-on-fraud/on-fraud-detected.handler.ts';
import { ACCOUNT_QUERY_API } from './contracts/account.api.ts';
import { AccountBalanceChanged } from './contracts/events/account-balance-changed.ts';
import { AccountChargeDebited } from './contracts/events/account-charge-debited.ts';
import { AccountChargeRejected } from './contracts/events/account-charge-rejected.ts';
import { AccountClosed } from './contracts/events/account-closed.ts';
import { AccountCreated } from './contracts/events/account-created.ts';
import { AccountFundsRejected } from './contracts/events/account-funds-rejected.ts';
import { AccountFundsReserved } from './contracts/events/account-funds-reserved.ts';
import { AccountSuspended } from './contracts/events/account-suspended.ts';
import { AccountUpdated } from './contracts/events/account-updated.ts';
import { AccountSchema, LedgerEntrySchema } from './infrastructure/account.entity.ts';
import { HoldSchema } from './infrastructure/hold.entity.ts';

export default defineModule({
  name: 'account',
  description: 'Accounts and balances: opening, deposits and withdrawals, funds reserved for payments, order charges, suspension and closing; never below zero',
  entities: [AccountSchema, LedgerEntrySchema, HoldSchema],
  produces: [
    AccountCreated,
    AccountBalanceChanged,
    AccountUpdated,
    AccountSuspended,
    AccountClosed,
    AccountFundsReserved,
    AccountFundsRejected,
    AccountChargeDebited,
    AccountChargeRejected,
  ],
  register(container) {
    container.register(ACCOUNT_QUERY_API, asFunction(({ orm }: Cradle) => inProcessAccountQueryApi(orm)).singleton());
  },
  async routes(app, container) {
    const { orm, clock, idempotency, moneyLimits } = container.cradle;
    changeBalanceRoutes(app, { clock, idempotency, limits: moneyLimits });
    queryAccountRoutes(app, { orm });
    changeStatusRoutes(app, { clock, idempotency });
  },
  handlers: [
    onProfileRegistered,
    onPaymentRequested,
    onPaymentCompleted,
    onPaymentFailed,
    onPaymentReversed,
    onFraudDetected,
    onChargeRequested,
  ],
});
