import { asFunction } from 'awilix';
import type { Cradle } from '../../src/platform/container.ts';
import { defineModule } from '../../src/platform/module.ts';
import { onPaymentCompleted } from './application/capture-funds/on-payment-completed.listener.ts';
import { changeBalanceRoutes } from './application/change-balance/change-balance.route.ts';
import { changeStatusRoutes } from './application/change-status/change-status.route.ts';
import { onChargeRequested } from './application/charge-order/on-charge-requested.listener.ts';
import { onProfileRegistered } from './application/open-account/on-profile-registered.listener.ts';
import { inProcessAccountQueryApi } from './application/query-account/account.query.ts';
import { queryAccountRoutes } from './application/query-account/query-account.route.ts';
import { onPaymentReversed } from './application/recredit-funds/on-payment-reversed.listener.ts';
import { onPaymentFailed } from './application/release-funds/on-payment-failed.listener.ts';
import { onPaymentRequested } from './application/reserve-funds/on-payment-requested.listener.ts';
import { onFraudDetected } from './application/suspend-on-fraud/on-fraud-detected.listener.ts';
import { ACCOUNT_QUERY_API } from './contracts/account.api.ts';
import { AccountBalanceChanged } from './contracts/events/account-balance-changed.event.ts';
import { AccountChargeDebited } from './contracts/events/account-charge-debited.event.ts';
import { AccountChargeRejected } from './contracts/events/account-charge-rejected.event.ts';
import { AccountClosed } from './contracts/events/account-closed.event.ts';
import { AccountCreated } from './contracts/events/account-created.event.ts';
import { AccountFundsRejected } from './contracts/events/account-funds-rejected.event.ts';
import { AccountFundsReserved } from './contracts/events/account-funds-reserved.event.ts';
import { AccountSuspended } from './contracts/events/account-suspended.event.ts';
import { AccountUpdated } from './contracts/events/account-updated.event.ts';
import { AccountEntity, LedgerEntryEntity } from './infrastructure/account.entity.ts';
import { HoldEntity } from './infrastructure/hold.entity.ts';

export default defineModule({
  name: 'account',
  description: 'Accounts and balances: opening, deposits and withdrawals, funds reserved for payments, order charges, suspension and closing; never below zero',
  entities: [AccountEntity, LedgerEntryEntity, HoldEntity],
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
