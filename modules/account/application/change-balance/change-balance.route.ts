import type { MikroORM } from '@mikro-orm/postgresql';
import { Type } from 'typebox';
import type { Clock } from '../../../../src/platform/clock.ts';
import type { HttpApp } from '../../../../src/platform/http/app.ts';
import type { OutboxWriter } from '../../../../src/platform/messaging/outbox-writer.ts';
import { MoneyAmount } from '../../../../src/platform/money.ts';
import { AccountView, toAccountView } from '../account.schema.ts';
import { changeBalance } from './change-balance.handler.ts';

const Problem = Type.Ref('Problem');

export function changeBalanceRoutes(app: HttpApp, deps: { orm: MikroORM; outbox: OutboxWriter; clock: Clock }): void {
  app.put('/account/operation', {
    schema: {
      tags: ['account'],
      summary: 'Deposit to or withdraw from an account (seed 004 top-up)',
      body: Type.Object(
        {
          login: Type.String({ minLength: 1, maxLength: 64, examples: ['alice'] }),
          operation: Type.Union([Type.Literal('DEPOSIT'), Type.Literal('WITHDRAW')]),
          sum: MoneyAmount('Amount in the account currency, at most 2 fraction digits'),
        },
        { additionalProperties: false },
      ),
      response: { 200: AccountView, 400: Problem, 404: Problem, 422: Problem },
    },
  }, async (request) => toAccountView(await changeBalance({ em: deps.orm.em, outbox: deps.outbox, clock: deps.clock }, request.body)));
}
