import type { MikroORM } from '@mikro-orm/postgresql';
import { Type, type Static } from 'typebox';
import type { Clock } from '../../../../src/platform/clock.ts';
import type { HttpApp } from '../../../../src/platform/http/app.ts';
import type { IdempotencyKeys } from '../../../../src/platform/http/idempotency.ts';
import type { OutboxWriter } from '../../../../src/platform/messaging/outbox-writer.ts';
import type { OrderOutcomeWaiters } from './order-outcome.waiter.ts';
import { placeOrder } from './place-order.handler.ts';
import { OrderPendingResponse, OrderSettledResponse, PlaceOrderBody } from './place-order.schema.ts';

const Problem = Type.Ref('Problem');

export interface PlaceOrderRouteDeps {
  orm: MikroORM;
  outbox: OutboxWriter;
  clock: Clock;
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
        summary: url === '/orders' ? SUMMARY : `${SUMMARY} — seed 004 alias of POST /orders`,
        description: 'Accepts an Idempotency-Key header: the same key and body replays the first response (a replayed 202 stays 202; read GET /orders/{id}).',
        headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 255 })) }),
        body: PlaceOrderBody,
        response: { 200: OrderSettledResponse, 202: OrderPendingResponse, 400: Problem, 409: Problem, 413: Problem, 415: Problem },
      },
    }, async (request, reply) => {
      const result = await deps.idempotency.run<SettledBody | PendingBody>(request, 'order.create', async () => {
        const order = await placeOrder({ em: deps.orm.em, outbox: deps.outbox, clock: deps.clock }, request.body);
        const outcome = await deps.waiters.waitForOutcome(order.id, deps.waitMs);
        if (outcome === undefined) return { status: 202, body: { orderId: order.id, status: 'PENDING' } };
        return {
          status: 200,
          body: { orderId: order.id, status: outcome.status, isPaid: outcome.status === 'PAID', failureReason: outcome.failureReason },
        };
      });
      return reply.status(result.status as 200 | 202).send(result.body);
    });
  }
}
