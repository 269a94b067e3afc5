import { type Static } from 'typebox';
import { assertActsFor, requiresRole } from '../../../../src/platform/auth/route-security.ts';
import type { HttpApp } from '../../../../src/platform/http/app.ts';
import { MONEY_MOVING } from '../../../../src/platform/http/rate-limits.ts';
import { markReplay, type IdempotencyKeys } from '../../../../src/platform/http/idempotency.ts';
import type { OrderOutcomeWaiters } from './order-outcome.waiter.ts';
import { placeOrder, type PlaceOrderDeps } from './place-order.command.ts';
import { OrderPendingResponse, OrderSettledResponse, PlaceOrderBody } from './place-order.schema.ts';
import { IdempotencyKeyHeader, problems } from '../../../../src/platform/http/schemas.ts';


export interface PlaceOrderRouteDeps extends PlaceOrderDeps {
  idempotency: IdempotencyKeys;
  waiters: OrderOutcomeWaiters;
  /** ORDER_WAIT_MS: how long the request waits for the charge outcome. */
  waitMs: number;
}

type SettledBody = Static<typeof OrderSettledResponse>;
type PendingBody = Static<typeof OrderPendingResponse>;

const SUMMARY = 'Place an order and wait up to ORDER_WAIT_MS for its charge: 200 with isPaid when known, else 202 PENDING';

export function placeOrderRoutes(app: HttpApp, deps: PlaceOrderRouteDeps): void {
  for (const url of ['/orders', '/order/createOrder']) {
    app.post(url, {
      schema: {
        tags: ['order'],
        summary: url === '/orders' ? SUMMARY : `${SUMMARY} — alias of POST /orders, kept for clients of the original API`,
        description:
          'Honours Idempotency-Key: the key is stored with the order it placed, so a retry with the same key and body places ' +
          'nothing and answers for that same order — 200 with its outcome when it is known (waiting up to ORDER_WAIT_MS ' +
          'as the first request did), else 202 PENDING. Without the header each request is a new order. ' +
          'A customer token orders for its own login only; another login answers 404.',
        security: requiresRole('customer'),
        headers: IdempotencyKeyHeader,
        body: PlaceOrderBody,
        response: { 200: OrderSettledResponse, 202: OrderPendingResponse, ...problems(400, 401, 403, 404, 409, 413, 415, 422, 429) },
      },
      config: MONEY_MOVING,
    }, async (request, reply) => {
      assertActsFor(request, request.body.login);
      const placed = await deps.idempotency.respond(request, 'order.create', async (uow) => {
        const order = await placeOrder(uow, deps, request.body);
        return { status: 202, body: { orderId: order.id, status: 'PENDING' as const } };
      });
      markReplay(reply, placed);
      const answer = await outcomeOf(deps, placed.body.orderId);
      return reply.status(answer.status).send(answer.body);
    });
  }
}

/** What the request answers once the order is placed: its charge outcome if known within ORDER_WAIT_MS. */
async function outcomeOf(deps: PlaceOrderRouteDeps, orderId: number): Promise<{ status: 200; body: SettledBody } | { status: 202; body: PendingBody }> {
  const outcome = await deps.waiters.waitForOutcome(orderId, deps.waitMs);
  if (outcome === undefined) return { status: 202, body: { orderId, status: 'PENDING' } };
  return { status: 200, body: { orderId, status: outcome.status, isPaid: outcome.status === 'PAID', failureReason: outcome.failureReason } };
}
