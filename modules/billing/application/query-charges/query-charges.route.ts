import type { MikroORM } from '@mikro-orm/postgresql';
import { Type } from 'typebox';
import { assertActsFor, requiresRole } from '../../../../src/platform/auth/route-security.ts';
import type { HttpApp } from '../../../../src/platform/http/app.ts';
import { ChargeView, toChargeView } from './charge.view.ts';
import { chargesOf } from './charges.query.ts';
import { pageOf, pagingQuery, Page, problems } from '../../../../src/platform/http/schemas.ts';

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
        ...problems(400, 401, 403, 404),
      },
    },
  }, async (request) => {
    const { login } = request.query;
    assertActsFor(request, login);
    const { limit, offset } = pageOf(request.query);
    const { items, total } = await chargesOf(deps.orm, login, { limit, offset });
    return { items: items.map(toChargeView), total, limit, offset };
  });
}
