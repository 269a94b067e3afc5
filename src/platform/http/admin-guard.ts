import type { FastifyRequest } from 'fastify';
import { ProblemError } from '../errors.ts';

/**
 * onRequest hook for admin routes: bearer `ADMIN_TOKEN`; with no token configured every call is
 * refused. Routes using it declare `security: [{ adminToken: [] }]` in their schema.
 */
export function adminGuard(adminToken: string | undefined) {
  return async (request: FastifyRequest): Promise<void> => {
    if (adminToken === undefined) {
      throw new ProblemError(403, 'admin-disabled', 'Admin routes are disabled', 'Set ADMIN_TOKEN to enable admin routes');
    }
    if (request.headers.authorization !== `Bearer ${adminToken}`) {
      throw new ProblemError(401, 'unauthorized', 'Unauthorized', 'Admin routes need "Authorization: Bearer <ADMIN_TOKEN>"');
    }
  };
}
