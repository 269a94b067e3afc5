import { Type } from 'typebox';
import type { HttpApp } from '../../../../src/platform/http/app.ts';
import type { Clock } from '../../../../src/platform/clock.ts';
import type { OutboxWriter } from '../../../../src/platform/messaging/outbox-writer.ts';
import type { MikroORM } from '@mikro-orm/postgresql';
import { registerProfile } from './register-profile.handler.ts';
import { RegisterProfileBody, RegisterProfileResponse } from './register-profile.schema.ts';

const routeSchema = {
  tags: ['profile'],
  summary: 'Register a person (status PENDING until their account is opened)',
  body: RegisterProfileBody,
  response: { 201: RegisterProfileResponse, 400: Type.Ref('Problem'), 409: Type.Ref('Problem') },
};

export function registerProfileRoutes(app: HttpApp, deps: { orm: MikroORM; outbox: OutboxWriter; clock: Clock }): void {
  for (const url of ['/profiles', '/person/register']) {
    app.post(url, { schema: { ...routeSchema, ...(url === '/profiles' ? {} : { summary: `${routeSchema.summary} — seed 004 alias of POST /profiles` }) } }, async (request, reply) => {
      const profile = await registerProfile({ em: deps.orm.em, outbox: deps.outbox, clock: deps.clock }, request.body);
      return reply.status(201).send({ id: profile.id, login: profile.login, status: 'PENDING' as const });
    });
  }
}
