import type { AwilixContainer } from 'awilix';
import { Type } from 'typebox';
import type { Cradle } from '../container.ts';
import { readOutboxStatus } from '../messaging/outbox-status.ts';
import { PUBLIC, requiresRole } from '../auth/route-security.ts';
import { flowRoutes } from './flow.routes.ts';
import { operatorRoutes } from './operator.routes.ts';
import type { HttpApp } from './app.ts';
import { problem, sendProblem } from './problem.ts';
import { problems } from './schemas.ts';

const operatorOnly = requiresRole('operator');
/** /health/*, /metrics and the admin routes. */
export async function platformRoutes(app: HttpApp, container: AwilixContainer<Cradle>): Promise<void> {
  const { orm, transport, metrics } = container.cradle;

  app.get('/health/live', {
    schema: { tags: ['operations'], summary: 'The process is up', security: PUBLIC, response: { 200: Type.Object({ status: Type.Literal('ok') }) } },
  }, async () => ({ status: 'ok' as const }));

  app.get('/health/ready', {
    schema: {
      tags: ['operations'],
      summary: 'Database and transport are reachable',
      security: PUBLIC,
      response: {
        200: Type.Object({ status: Type.Literal('ok'), database: Type.Boolean(), transport: Type.Boolean() }),
        ...problems(503),
      },
    },
  }, async (_request, reply) => {
    const [database, transportUp] = await Promise.all([
      orm.em.fork().execute('select 1').then(() => true, () => false),
      transport.isReachable(),
    ]);
    if (database && transportUp) return { status: 'ok' as const, database, transport: transportUp };
    return sendProblem(reply, problem(503, 'not-ready', 'Not ready', `database ${database ? 'up' : 'down'}, ${transport.kind} transport ${transportUp ? 'up' : 'down'}`, { database, transport: transportUp }));
  });

  app.get('/metrics', {
    schema: { tags: ['operations'], summary: 'Prometheus metrics', security: PUBLIC, produces: ['text/plain'], response: { 200: Type.String() } },
  }, async (_request, reply) => {
    const body = await metrics.render();
    return reply.type(metrics.registry.contentType).send(body);
  });

  app.get('/admin/outbox', {
    schema: {
      tags: ['admin'],
      summary: 'Outbox backlog, oldest unpublished age and per-topic counts',
      security: operatorOnly,
      response: {
        200: Type.Object({
          backlog: Type.Integer(),
          oldestUnpublishedAgeSeconds: Type.Union([Type.Number(), Type.Null()]),
          byTopic: Type.Array(Type.Object({ topic: Type.String(), unpublished: Type.Integer(), oldestUnpublishedAgeSeconds: Type.Union([Type.Number(), Type.Null()]) })),
        }),
        ...problems(401, 403),
      },
    },
  }, async () => readOutboxStatus(orm.em.fork()));

  operatorRoutes(app, container.cradle);
  flowRoutes(app, container.cradle);
}
