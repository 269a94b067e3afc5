import { defineModule } from '../../src/platform/module.ts';
import { queryApiOf } from '../../src/platform/module-api.ts';
import { ACCOUNT_QUERY_API, accountQueryApiOverHttp, type AccountQueryApi } from '../account/index.ts';
import { onFundsRejected } from './application/apply-outcome/on-funds-rejected.listener.ts';
import { onFundsReserved } from './application/apply-outcome/on-funds-reserved.listener.ts';
import { onPaymentProcessed } from './application/apply-outcome/on-payment-processed.listener.ts';
import { queryPaymentsRoutes } from './application/query-payments/query-payments.route.ts';
import { requestPaymentRoutes } from './application/request-payment/request-payment.route.ts';
import { reversePaymentRoutes } from './application/reverse-payment/reverse-payment.route.ts';
import { accountCacheHandlers } from './application/track-accounts/account-cache.listener.ts';
import { FraudDetected } from './contracts/events/fraud-detected.event.ts';
import { PaymentCompleted } from './contracts/events/payment-completed.event.ts';
import { PaymentFailed } from './contracts/events/payment-failed.event.ts';
import { PaymentRequested } from './contracts/events/payment-requested.event.ts';
import { PaymentReversed } from './contracts/events/payment-reversed.event.ts';
import { PaymentStatusChanged } from './contracts/events/payment-status-changed.event.ts';
import { PaymentSubmitted } from './contracts/events/payment-submitted.event.ts';
import { KnownAccounts } from './infrastructure/known-accounts.repository.ts';
import { KnownAccountEntity, PaymentEntity } from './infrastructure/payment.entity.ts';
import { PaymentSettings } from './payment.settings.ts';

export default defineModule({
  name: 'payment',
  description: 'Payments: request, fraud rules, status machine CREATED → PROCESSING → COMPLETED | REJECTED | FAILED, reversal',
  entities: [PaymentEntity, KnownAccountEntity],
  produces: [PaymentRequested, PaymentSubmitted, PaymentStatusChanged, PaymentCompleted, PaymentFailed, PaymentReversed, FraudDetected],
  settings: PaymentSettings,
  async routes(app, container) {
    const { orm, clock, idempotency, settings, moneyLimits } = container.cradle;
    const accounts = new KnownAccounts(queryApiOf<AccountQueryApi>(container, ACCOUNT_QUERY_API, 'account', accountQueryApiOverHttp));
    requestPaymentRoutes(app, { clock, idempotency, accounts, fraudRules: settings.of(PaymentSettings), limits: moneyLimits });
    queryPaymentsRoutes(app, { orm, accounts, clock });
    reversePaymentRoutes(app, { clock, idempotency });
  },
  handlers: [onFundsReserved, onFundsRejected, onPaymentProcessed, ...accountCacheHandlers],
});
