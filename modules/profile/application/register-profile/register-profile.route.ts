import type { Clock } from '../../../../src/platform/clock.ts';
import { actsFor } from '../../../../src/platform/auth/caller.ts';
import { callerOf, requiresRole } from '../../../../src/platform/auth/route-security.ts';
import { ProblemError } from '../../../../src/platform/http/problem.ts';
import type { HttpApp } from '../../../../src/platform/http/app.ts';
import { markReplay, type IdempotencyKeys } from '../../../../src/platform/http/idempotency.ts';
import { registerProfile } from './register-profile.command.ts';
import { RegisterProfileBody, RegisterProfileResponse } from './register-profile.schema.ts';
import { IDEMPOTENCY_NOTE, IdempotencyKeyHeader, problems } from '../../../../src/platform/http/schemas.ts';


const routeSchema = {
  tags: ['profile'],
  summary: 'Register a person (status PENDING until their account is opened)',
  description: `A customer token registers its own login only (another login is 403); an operator token registers anyone. A taken login or email is 409. ${IDEMPOTENCY_NOTE}`,
  security: requiresRole('customer', 'operator'),
  headers: IdempotencyKeyHeader,
  body: RegisterProfileBody,
  response: { 201: RegisterProfileResponse, ...problems(400, 401, 403, 409, 422) },
};

export function registerProfileRoutes(app: HttpApp, deps: { clock: Clock; idempotency: IdempotencyKeys }): void {
  for (const url of ['/profiles', '/person/register']) {
    const summary = url === '/profiles' ? routeSchema.summary : `${routeSchema.summary} — alias of POST /profiles, kept for clients of the original API`;
    app.post(url, { schema: { ...routeSchema, summary } }, async (request, reply) => {
      const caller = callerOf(request);
      if (!actsFor(caller, request.body.login)) {
        throw new ProblemError(403, 'not-your-login', 'Forbidden', `A customer token for ${caller.subject} may not register the login ${request.body.login}`);
      }
      const answer = await deps.idempotency.respond(request, 'profile.register', async (uow) => {
        const profile = await registerProfile(uow, deps.clock, request.body);
        return { status: 201, body: { id: profile.id, login: profile.login, status: 'PENDING' as const } };
      });
      markReplay(reply, answer);
      return reply.status(201).send(answer.body);
    });
  }
}
