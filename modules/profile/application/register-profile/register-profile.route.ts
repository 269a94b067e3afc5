import { Type } from 'typebox';
import type { Clock } from '../../../../src/platform/clock.ts';
import type { HttpApp } from '../../../../src/platform/http/app.ts';
import { IDEMPOTENCY_NOTE, IdempotencyKeyHeader, markReplay, type IdempotencyKeys } from '../../../../src/platform/http/idempotency.ts';
import { registerProfile } from './register-profile.handler.ts';
import { RegisterProfileBody, RegisterProfileResponse } from './register-profile.schema.ts';

const routeSchema = {
  tags: ['profile'],
  summary: 'Register a person (status PENDING until their account is opened)',
  description: `A taken login or email is 409. ${IDEMPOTENCY_NOTE}`,
  headers: IdempotencyKeyHeader,
  body: RegisterProfileBody,
  response: { 201: RegisterProfileResponse, 400: Type.Ref('Problem'), 409: Type.Ref('Problem'), 422: Type.Ref('Problem') },
};

export function registerProfileRoutes(app: HttpApp, deps: { clock: Clock; idempotency: IdempotencyKeys }): void {
  for (const url of ['/profiles', '/person/register']) {
    const summary = url === '/profiles' ? routeSchema.summary : `${routeSchema.summary} — seed 004 alias of POST /profiles`;
    app.post(url, { schema: { ...routeSchema, summary } }, async (request, reply) => {
      const answer = await deps.idempotency.respond(request, { route: 'profile.register', caller: request.body.login }, async (uow) => {
        const profile = await registerProfile(uow, deps.clock, request.body);
        return { status: 201, body: { id: profile.id, login: profile.login, status: 'PENDING' as const } };
      });
      markReplay(reply, answer);
      return reply.status(201).send(answer.body);
    });
  }
}
