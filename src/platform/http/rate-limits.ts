import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { callerKey } from '../auth/caller.ts';
import { ProblemError } from './problem.ts';

const WINDOW_MS = 60_000;

/**
 * Route `config` of the routes that move money: each caller may send RATE_LIMIT_MONEY_PER_MINUTE
 * of them per minute, together, in this process; beyond, 429 with `Retry-After`.
 */
export const MONEY_MOVING = { rateLimit: { groupId: 'money-moving' } };

/**
 * @fastify/rate-limit, counted per caller (the bearer token's role and subject) in memory: the
 * check runs before the handler, after authentication has named the caller. Only routes whose
 * config opts in are limited.
 */
export async function registerRateLimits(app: FastifyInstance, perMinute: number): Promise<void> {
  await app.register(rateLimit, {
    global: false,
    max: perMinute,
    timeWindow: WINDOW_MS,
    hook: 'preHandler',
    keyGenerator: (request: FastifyRequest) => (request.caller === undefined ? `ip:${request.ip}` : callerKey(request.caller)),
    errorResponseBuilder: (_request, context) =>
      new ProblemError(429, 'rate-limited', 'Too many requests', `At most ${context.max} money-moving requests per minute per caller; retry in ${context.after}`),
  });
}
