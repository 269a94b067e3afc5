import helmet from '@fastify/helmet';
import fastifyStatic from '@fastify/static';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../observability/logger.ts';
import type { HttpApp } from './app.ts';
import { problem, sendProblem } from './problem.ts';

/** Where `npm run build:console` (and npm's `prepare`) puts the operator console. */
export const CONSOLE_DIST = fileURLToPath(new URL('../../../console/dist/', import.meta.url));

/**
 * The console's own script and stylesheet, and the platform's JSON routes: nothing else may run,
 * load or frame it. Its pages hold an operator token, so no inline script or third-party origin.
 */
const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  scriptSrcAttr: ["'none'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  frameAncestors: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
};

/** Paths the single-page app routes itself (no file extension, not under assets/): they get index.html. */
const isAppPath = (path: string) => !path.startsWith('/console/assets/') && !/\.[a-z0-9]+$/i.test(path);

/**
 * GET /console/…: the operator console's static files (Vite build), public like /docs — every
 * figure it shows comes from operator-only JSON routes it calls with the operator's token. The
 * security headers (helmet, a strict CSP) apply to these routes only: Swagger UI at /docs needs
 * inline scripts. None of these routes is in the OpenAPI document.
 */
export async function consoleRoutes(app: HttpApp, logger: Logger): Promise<void> {
  await app.register(async (scope) => {
    await scope.register(helmet, {
      contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY },
      // Journey links carry event ids and keys: they stay on this origin.
      referrerPolicy: { policy: 'no-referrer' },
    });
    scope.get('', { schema: { hide: true } }, (_request, reply) => reply.redirect('/console/', 301));

    if (!existsSync(`${CONSOLE_DIST}index.html`)) {
      logger.warn({ path: CONSOLE_DIST }, 'the operator console is not built (npm run build:console): /console answers 503');
      scope.get('/*', { schema: { hide: true } }, (request, reply) => sendProblem(reply, {
        ...problem(503, 'console-not-built', 'Service unavailable', 'The operator console is not built: run npm run build:console'),
        instance: request.url,
      }));
      return;
    }
    await scope.register(fastifyStatic, {
      root: CONSOLE_DIST,
      prefix: '/',
      schemaHide: true,
      cacheControl: false,
      // Hashed asset names change with their content: cache them for good, and never the page naming them.
      setHeaders: (reply, path) => {
        reply.header('cache-control', path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    });
    // A page of the app reached directly (a bookmark, a reload, a deep link) is the app's page.
    scope.setNotFoundHandler((request, reply) => {
      const path = request.url.split('?')[0]!;
      if ((request.method === 'GET' || request.method === 'HEAD') && isAppPath(path)) return reply.sendFile('index.html');
      return sendProblem(reply, { ...problem(404, 'route-not-found', 'Not found', `No route ${request.method} ${request.url}`), instance: request.url });
    });
  }, { prefix: '/console' });
}
