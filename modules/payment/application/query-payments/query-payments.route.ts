import type { MikroORM } from '@mikro-orm/postgresql';
import { Type } from 'typebox';
import type { Clock } from '../../../../src/platform/clock.ts';
import { NotFoundError } from '../../../../src/platform/errors.ts';
import { actsFor, type Caller } from '../../../../src/platform/auth/caller.ts';
import { callerOf, requiresRole } from '../../../../src/platform/auth/route-security.ts';
import type { HttpApp } from '../../../../src/platform/http/app.ts';
import type { Payment } from '../../domain/payment.ts';
import { paymentById, paymentsOf } from './payments.query.ts';
import type { KnownAccounts } from '../../infrastructure/known-accounts.repository.ts';
import { PaymentIdParams, PaymentStatusView, PaymentView, toPaymentView } from '../payment.view.ts';
import { pageOf, pagingQuery, Page, problems } from '../../../../src/platform/http/schemas.ts';

const readers = requiresRole('customer', 'operator');
const OWN_ONLY = "A customer token reads its own payments only; another's answers 404.";

export function queryPaymentsRoutes(app: HttpApp, deps: { orm: MikroORM; accounts: KnownAccounts; clock: Clock }): void {
  app.get('/payments', {
    schema: {
      tags: ['payment'],
      summary: "List payments, newest first; with userName only that user's payments",
      description: "An operator lists everyone's payments; a customer its own (another customer's userName answers 404).",
      security: readers,
      querystring: Type.Object(
        {
          userName: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: "The payer's login" })),
          ...pagingQuery,
        },
        { additionalProperties: false },
      ),
      response: {
        200: Page(PaymentView),
        ...problems(400, 401, 403, 404, 503),
      },
    },
  }, async (request) => {
    const caller = callerOf(request);
    if (request.query.userName !== undefined && !actsFor(caller, request.query.userName)) {
      throw new NotFoundError('account', `No account for login ${request.query.userName}`);
    }
    const userName = caller.role === 'customer' ? caller.subject : request.query.userName;
    const { limit, offset } = pageOf(request.query);
    const { items, total } = await paymentsOf(deps, userName, { limit, offset });
    return { items: items.map(toPaymentView), total, limit, offset };
  });

  app.get('/payments/:id', {
    schema: {
      tags: ['payment'],
      summary: 'One payment',
      description: OWN_ONLY,
      security: readers,
      params: PaymentIdParams,
      response: { 200: PaymentView, ...problems(400, 401, 403, 404) },
    },
  }, async (request) => toPaymentView(await visiblePayment(deps.orm, request.params.id, callerOf(request))));

  app.get('/payments/:id/status', {
    schema: {
      tags: ['payment'],
      summary: 'The status of one payment',
      description: OWN_ONLY,
      security: readers,
      params: PaymentIdParams,
      response: { 200: PaymentStatusView, ...problems(400, 401, 403, 404) },
    },
  }, async (request) => {
    const payment = await visiblePayment(deps.orm, request.params.id, callerOf(request));
    return { id: payment.id, status: payment.status };
  });
}

async function visiblePayment(orm: MikroORM, id: number, caller: Caller): Promise<Payment> {
  const payment = await paymentById(orm, id);
  if (payment === null || !payment.isVisibleTo(caller)) throw new NotFoundError('payment', `No payment with id ${id}`);
  return payment;
}
