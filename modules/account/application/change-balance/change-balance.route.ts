import { Type } from 'typebox';
import { actsFor } from '../../../../src/platform/auth/caller.ts';
import { callerOf, requiresRole } from '../../../../src/platform/auth/route-security.ts';
import type { HttpApp } from '../../../../src/platform/http/app.ts';
import { MONEY_MOVING } from '../../../../src/platform/http/rate-limits.ts';
import { AccountNotFoundError } from '../../domain/account.errors.ts';
import { markReplay, type IdempotencyKeys } from '../../../../src/platform/http/idempotency.ts';
import { MoneyAmount } from '../../../../src/platform/money.ts';
import { AccountView, toAccountView } from '../account.view.ts';
import { changeBalance, type ChangeBalanceDeps } from './change-balance.command.ts';
import { IDEMPOTENCY_NOTE, IdempotencyKeyHeader, problems, literalUnion } from '../../../../src/platform/http/schemas.ts';
import { BALANCE_OPERATIONS } from '../../domain/account.ts';


export function changeBalanceRoutes(app: HttpApp, deps: ChangeBalanceDeps & { idempotency: IdempotencyKeys }): void {
  app.put('/account/operation', {
    schema: {
      tags: ['account'],
      summary: 'Deposit to (top up) or withdraw from an account',
      description:
        'Books the operation and answers the new balance. An amount above MONEY_MAX_AMOUNT, or a deposit that would take the ' +
        `balance above MONEY_MAX_BALANCE, is 422. ${IDEMPOTENCY_NOTE} A client or proxy that resends this PUT ` +
        'after a timeout must send the same Idempotency-Key, or the operation is booked again. ' +
        'A customer token acts on its own login only; another login answers 404.',
      security: requiresRole('customer'),
      headers: IdempotencyKeyHeader,
      body: Type.Object(
        {
          login: Type.String({ minLength: 1, maxLength: 64, examples: ['alice'] }),
          operation: literalUnion(BALANCE_OPERATIONS),
          sum: MoneyAmount("Amount in the account's currency, with at most its minor-unit digits (EUR 2, JPY 0, KWD 3)"),
        },
        { additionalProperties: false },
      ),
      response: { 200: AccountView, ...problems(400, 401, 403, 404, 409, 422, 429) },
    },
    config: MONEY_MOVING,
  }, async (request, reply) => {
    if (!actsFor(callerOf(request), request.body.login)) throw new AccountNotFoundError({ login: request.body.login });
    const answer = await deps.idempotency.respond(request, 'account.operation', async (uow) => ({
      status: 200,
      body: toAccountView(await changeBalance(uow, deps, request.body)),
    }));
    markReplay(reply, answer);
    return reply.status(200).send(answer.body);
  });
}
