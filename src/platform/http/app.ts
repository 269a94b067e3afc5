import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { registerAjvFormats, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { LogController, type FastifyError, type FastifySchemaCompiler, type FastifySchemaValidationError, type FastifyInstance, type FastifyBaseLogger, type RawReplyDefaultExpression, type RawRequestDefaultExpression, type RawServerDefault } from 'fastify';
import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { Value } from 'typebox/value';
import type { TokenVerifier } from '../auth/bearer-tokens.ts';
import { authenticate, bearerSecurityScheme } from '../auth/route-security.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import { requestTrace, runInTrace } from '../observability/trace-context.ts';
import { registerRateLimits } from './rate-limits.ts';
import { problem, sendProblem, toProblem } from './problem.ts';
import { ProblemSchema } from './schemas.ts';

export type HttpApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

export interface HttpAppOptions {
  logger: Logger;
  metrics: Metrics;
  tags: Array<{ name: string; description: string }>;
  /** Checks the bearer token of every route that declares a role requirement. */
  verifier: TokenVerifier;
  /** RATE_LIMIT_MONEY_PER_MINUTE. */
  moneyRequestsPerMinute: number;
}

const BODY_LIMIT_BYTES = 64 * 1024;

registerAjvFormats();

/**
 * Bodies are checked as sent (no coercion: `"10"` is not a number). Querystrings and params are
 * strings on the wire, so they are converted to the schema's types and get its defaults first.
 */
const validatorCompiler: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  const validator = Compile(schema);
  return (value: unknown) => {
    // A POST without a body is validated as `{}`: optional bodies work, required fields are still reported.
    const prepared = httpPart === 'body' ? (value ?? {}) : Value.Default(schema, Value.Convert(schema, value));
    if (validator.Check(prepared)) return { value: prepared };
    return { error: validator.Errors(prepared) as unknown as FastifySchemaValidationError[] };
  };
};

/** `POST /payments/:id/reversal` → `postPaymentsIdReversal`; a trailing-slash alias (`/account/`) ends in `Slash`. */
export function operationIdOf(method: string, url: string): string {
  const words = url.split(/[^A-Za-z0-9]+/).filter((word) => word !== '');
  const slash = url.length > 1 && url.endsWith('/') ? 'Slash' : '';
  return method.toLowerCase() + words.map((word) => word.charAt(0).toUpperCase() + word.slice(1)).join('') + slash;
}

/**
 * fastify with TypeBox validation (strict for bodies: no coercion, unknown fields refused),
 * bearer-token checks per route's declared security, OpenAPI at /docs, problem+json errors,
 * W3C trace context and request metrics.
 */
export async function createHttpApp(options: HttpAppOptions): Promise<HttpApp> {
  const app = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    // Request metrics cover traffic; per-request log lines would dominate the log at load.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT_BYTES,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.addSchema(ProblemSchema);
  // Every documented route gets an operationId from its method and path, so no route can lack one.
  app.addHook('onRoute', (route) => {
    if (route.schema !== undefined && route.schema.operationId === undefined) {
      const method = Array.isArray(route.method) ? route.method[0]! : route.method;
      route.schema = { ...route.schema, operationId: operationIdOf(method, route.url) };
    }
  });

  app.addHook('onRequest', (request, _reply, done) => {
    const traceparent = request.headers.traceparent;
    runInTrace(requestTrace(typeof traceparent === 'string' ? traceparent : undefined), done);
  });
  app.decorateRequest('caller', undefined);
  app.addHook('onRequest', authenticate(options.verifier));
  app.addHook('onResponse', async (request, reply) => {
    options.metrics.httpDuration.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
  app.setErrorHandler((error, request, reply) => sendProblem(reply, toProblem(error as FastifyError, request, options.logger)));
  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, { ...problem(404, 'route-not-found', 'Not found', `No route ${request.method} ${request.url}`), instance: request.url }),
  );

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Payments platform',
        version: '1.0.0',
        description: 'Profiles, accounts, payments, billing, orders and notifications. Errors are application/problem+json (RFC 9457).',
      },
      tags: options.tags,
      components: { securitySchemes: bearerSecurityScheme },
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  await registerRateLimits(app, options.moneyRequestsPerMinute);
  return app;
}
