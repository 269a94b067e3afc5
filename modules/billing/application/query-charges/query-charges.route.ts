import type { MikroORM } from '@mikro-orm/postgresql';
import type { Static } from 'typebox';
import { Type } from 'typebox';
import { assertActsFor, requiresRole } from '../../../../src/platform/auth/route-security.ts';
import type { HttpApp } from '../../../../src/platform/http/app.ts';
import { fromMinorUnits, MoneyValue } from '../../../../src/platform/money.ts';
import { Charge } from '../../domain/charge.ts';
import { pageOf, pagingQuery, Page } from '../../../../src/platform/http/paging.ts';
import { readInSnapshot } from '../../../../src/platform/db/snapshot.ts';
import { ProblemResponse as Problem } from '../../../../src/platform/http/problem.ts';


export const ChargeView = Type.Object({
  chargeId: Type.Integer({ examples: [1] }),
  orderId: Type.Integer({ examples: [1] }),
  login: Type.String({ examples: ['alice'] }),
  accountId: Type.Union([Type.Integer(), Type.Null()], { description: 'Known once the account module answered' }),
  amount: MoneyValue,
  currency: Type.String({ examples: ['EUR'] }),
  status: Type.Union([Type.Literal('PENDING'), Type.Literal('SUCCEEDED'), Type.Literal('FAILED')]),
  failureReason: Type.Union([Type.String(), Type.Null()], { examples: ['INSUFFICIENT_FUNDS'] }),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});

function toChargeView(charge: Charge): Static<typeof ChargeView> {
  return {
    chargeId: charge.id,
    orderId: charge.orderId,
    login: charge.login,
    accountId: charge.accountId,
    amount: fromMinorUnits(charge.amount, charge.currency),
    currency: charge.currency,
    status: charge.status,
    failureReason: charge.failureReason,
    createdAt: charge.createdAt.toISOString(),
    updatedAt: charge.updatedAt.toISOString(),
  };
}

export function queryChargesRoutes(app: HttpApp, deps: { orm: MikroORM }): void {
  app.get('/billing/charges', {
    schema: {
      tags: ['billing'],
      summary: "A person's order charges, newest first",
      description: 'A customer token lists its own login only; another login answers 404.',
      security: requiresRole('customer', 'operator'),
      querystring: Type.Object(
        {
          login: Type.String({ minLength: 1, maxLength: 64 }),
          ...pagingQuery,
        },
        { additionalProperties: false },
      ),
      response: {
        200: Page(ChargeView),
        400: Problem,
        401: Problem,
        403: Problem,
        404: Problem,
      },
    },
  }, async (request) => {
    const { login } = request.query;
    assertActsFor(request, login);
    const { limit, offset } = pageOf(request.query);
    const [charges, total] = await readInSnapshot(deps.orm, (em) => em.findAndCount(Charge, { login }, { orderBy: { id: 'desc' }, limit, offset }));
    return { items: charges.map(toChargeView), total, limit, offset };
  });
}
