import type { FastifyReply, FastifyRequest } from 'fastify';
import { NotFoundError } from '../errors.ts';
import { ProblemError } from '../http/problem.ts';
import { actsFor, type Caller, type CallerRole } from './caller.ts';
import { TokenRefused, TokenVerifierUnavailable, type TokenVerifier } from './bearer-tokens.ts';

/** The OpenAPI security scheme every protected operation names. */
export const BEARER_SCHEME = 'bearerAuth';

/**
 * An operation's OpenAPI `security`: `[]` is public, `[{ bearerAuth: roles }]` takes a bearer
 * token of one of those roles (OpenAPI 3.1 lets a non-OAuth requirement list role names).
 */
export type RouteSecurity = Array<Record<string, CallerRole[]>>;

export const PUBLIC: RouteSecurity = [];

/** A bearer token of one of `roles`. */
export function requiresRole(...roles: CallerRole[]): RouteSecurity {
  return [{ [BEARER_SCHEME]: roles }];
}

/** The `components.securitySchemes` entry of the OpenAPI document (Swagger UI's Authorize button). */
export const bearerSecurityScheme = {
  [BEARER_SCHEME]: {
    type: 'http' as const,
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'A JWT from the OpenID Connect provider (AUTH_JWKS_URL), or from `npm run token` on the embedded default. ' +
      'Each operation lists the roles it accepts: customer (subject = login), operator, service.',
  },
};

/**
 * Routes a plugin registers without a schema of ours that are public by nature: Swagger UI, and the
 * operator console's static files (its data comes from operator-only routes, with the operator's token).
 */
const PUBLIC_PREFIXES = ['/docs', '/console'];

/** Realm of the `WWW-Authenticate` challenges. */
const REALM = 'payments-platform';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who the bearer token speaks for; undefined on public routes. */
    caller: Caller | undefined;
  }
}

/**
 * onRequest hook enforcing each route's declared `security` before anything else runs: no token,
 * a refused one or a role the route does not list ends the request (401 or 403) with nothing
 * written. A route that declares nothing is closed, so a forgotten declaration cannot open it.
 */
export function authenticate(verifier: TokenVerifier) {
  return async function authenticateRequest(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const url = request.routeOptions.url;
    if (url === undefined) return; // no such route: the not-found handler answers
    const declared = (request.routeOptions.schema as { security?: RouteSecurity } | undefined)?.security;
    if (declared === undefined) {
      if (PUBLIC_PREFIXES.some((prefix) => url === prefix || url.startsWith(`${prefix}/`))) return;
      throw new ProblemError(403, 'route-not-secured', 'Forbidden', `${request.method} ${url} declares no security requirement, so it is closed`);
    }
    if (declared.length === 0) return;
    const roles = declared.flatMap((requirement) => requirement[BEARER_SCHEME] ?? []);
    const caller = await verified(verifier, request.headers.authorization, reply);
    if (!roles.includes(caller.role)) {
      reply.header('www-authenticate', challenge({ error: 'insufficient_scope', error_description: `This route needs a ${roles.join(' or ')} token` }));
      throw new ProblemError(403, 'forbidden', 'Forbidden', `A ${caller.role} token may not call ${request.method} ${url}; it needs a ${roles.join(' or ')} token`);
    }
    request.caller = caller;
  };
}

async function verified(verifier: TokenVerifier, authorization: string | undefined, reply: FastifyReply): Promise<Caller> {
  try {
    return await verifier.verify(authorization);
  } catch (error) {
    if (error instanceof TokenVerifierUnavailable) {
      throw new ProblemError(503, 'identity-provider-unavailable', 'Service unavailable', 'The identity provider\'s signing keys could not be fetched; retry shortly');
    }
    if (!(error instanceof TokenRefused)) throw error;
    // RFC 6750 §3.1: a request with no credentials gets the bare challenge, without an error code.
    const missing = authorization === undefined || authorization.trim() === '';
    reply.header('www-authenticate', missing ? challenge({}) : challenge({ error: error.error, error_description: error.description }));
    throw new ProblemError(401, missing ? 'unauthenticated' : error.error.replace('_', '-'), 'Unauthorized', error.description);
  }
}

function challenge(parameters: Record<string, string>): string {
  const fields = [`realm="${REALM}"`, ...Object.entries(parameters).map(([name, value]) => `${name}="${value.replace(/["\\]/g, '')}"`)];
  return `Bearer ${fields.join(', ')}`;
}

/** The caller of a route that declares a role requirement (the hook has set it). */
export function callerOf(request: FastifyRequest): Caller {
  if (request.caller === undefined) throw new Error(`${request.method} ${request.routeOptions.url} reads its caller but declares no role requirement`);
  return request.caller;
}

/**
 * For routes that take a login in the query or body: a customer naming another login is answered
 * 404 whether or not that login exists, so logins cannot be probed. Returns the caller.
 */
export function assertActsFor(request: FastifyRequest, login: string): Caller {
  const caller = callerOf(request);
  if (!actsFor(caller, login)) throw new NotFoundError('login', `Nothing found for login ${login}`);
  return caller;
}
