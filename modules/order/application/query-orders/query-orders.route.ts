import type { MikroORM } from '@mikro-orm/postgresql';
import { Type } from 'typebox';
import { NotFoundError } from '../../../../src/platform/errors.ts';
import { actsFor } from '../../../../src/platform/auth/caller.ts';
import { assertActsFor, callerOf, requiresRole } from '../../../../src/platform/auth/route-security.ts';
import type { HttpApp } from '../../../../src/platform/http/app.ts';
import { orderById, ordersOf } from './orders.query.ts';
import { OrderView, toOrderView } from '../order.view.ts';
import { pageOf, pagingQuery, Page, problems } from '../../../../src/platform/http/schemas.ts';

const readers = requiresRole('customer', 'operator');

export function queryOrdersRoutes(app: HttpApp, deps: { orm: MikroORM }): void {
  app.get('/orders/:id', {
    schema: {
      tags: ['order'],
      summary: 'One order with its lines and payment status',
      description: "A customer token reads its own orders only; another's answers 404.",
      security: readers,
      params: Type.Object({ id: Type.Integer({ minimum: 1 }) }, { additionalProperties: false }),
      response: { 200: OrderView, ...problems(400, 401, 403, 404) },
    },
  }, async (request) => {
    const order = await orderById(deps.orm, request.params.id);
    if (order === null || !actsFor(callerOf(request), order.login)) throw new NotFoundError('order', `No order with id ${request.params.id}`);
    return toOrderView(order);
  });

  app.get('/orders', {
    schema: {
      tags: ['order'],
      summary: "A person's orders, newest first",
      description: 'A customer token lists its own login only; another login answers 404.',
      security: readers,
      querystring: Type.Object(
        {
          login: Type.String({ minLength: 1, maxLength: 64 }),
          ...pagingQuery,
        },
        { additionalProperties: false },
      ),
      response: {
        200: Page(OrderView),
        ...problems(400, 401, 403, 404),
      },
    },
  }, async (request) => {
    const { login } = request.query;
    assertActsFor(request, login);
    const { limit, offset } = pageOf(request.query);
    const { items, total } = await ordersOf(deps.orm, login, { limit, offset });
    return { items: items.map(toOrderView), total, limit, offset };
  });
}
