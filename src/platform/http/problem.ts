import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isDatabaseUnavailable } from '../db/database-unavailable.ts';
import { isTransactionConflict, TRANSACTION_ATTEMPTS } from '../db/transaction.ts';
import { ConflictError, InvalidInputError, NotFoundError, RefusalError, RuleViolationError, UnavailableError } from '../errors.ts';
import type { Logger } from '../observability/logger.ts';

/**
 * A refusal only the HTTP edge makes (authentication, authorisation, rate limits, a malformed
 * header): it carries its status. Domain and application code throw {@link RefusalError}s instead.
 */
export class ProblemError extends RefusalError {
  constructor(readonly status: number, code: string, title: string, detail?: string, extensions: Record<string, unknown> = {}) {
    super(code, title, detail, extensions);
  }
}

/** The status each kind of refusal answers with; the first class an error is an instance of wins. */
const STATUS_OF_REFUSAL: Array<[abstract new (...args: never[]) => RefusalError, number]> = [
  [InvalidInputError, 400],
  [NotFoundError, 404],
  [ConflictError, 409],
  [RuleViolationError, 422],
  [UnavailableError, 503],
];

export function statusOf(error: RefusalError): number {
  if (error instanceof ProblemError) return error.status;
  const found = STATUS_OF_REFUSAL.find(([kind]) => error instanceof kind);
  if (found === undefined) throw new Error(`${error.name} is a refusal of no kind problem.ts maps to a status`);
  return found[1];
}

/** The problem a refusal answers with (without `instance`). */
export function refusalProblem(error: RefusalError): Problem {
  return problem(statusOf(error), error.code, error.title, error.message, error.extensions);
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  code: string;
  detail?: string;
  instance?: string;
  errors?: Array<{ in: string; field: string; message: string }>;
  [extension: string]: unknown;
}

const FASTIFY_CODES: Record<string, { code: string; title: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'malformed-json', title: 'Malformed JSON body' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'empty-body', title: 'Empty JSON body' },
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'payload-too-large', title: 'Request body too large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: 'unsupported-media-type', title: 'Unsupported media type' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: 'invalid-content-length', title: 'Invalid Content-Length' },
};

export function problem(status: number, code: string, title: string, detail?: string, extra: Record<string, unknown> = {}): Problem {
  const body: Problem = { type: `/problems/${code}`, title, status, code, ...extra };
  if (detail !== undefined) body.detail = detail;
  return body;
}

export function toProblem(error: FastifyError | Error, request: FastifyRequest, logger: Logger): Problem {
  const result = classify(error, logger, request);
  result.instance = request.url;
  return result;
}

function classify(error: FastifyError | Error, logger: Logger, request: FastifyRequest): Problem {
  if (error instanceof RefusalError) return refusalProblem(error);
  const fastifyError = error as FastifyError;
  if (fastifyError.validation !== undefined) {
    const where = fastifyError.validationContext ?? 'body';
    return problem(400, 'validation-error', 'Request validation failed', error.message, {
      // TypeBox reports an unknown field twice; the `additionalProperties` entry names it.
      errors: fastifyError.validation.filter((issue) => issue.keyword !== 'boolean').map((issue) => ({
        in: where,
        field: fieldOf(issue.instancePath, issue.params),
        message: issue.message ?? 'is invalid',
      })),
    });
  }
  if (isDatabaseUnavailable(error)) {
    logger.warn({ err: error, url: request.url, method: request.method }, 'database unavailable; answered 503');
    return problem(503, 'database-unavailable', 'Service unavailable', 'The database connection failed before the request was confirmed. Retry shortly with the same Idempotency-Key: the request then runs once, or answers what it already did.');
  }
  if (isTransactionConflict(error)) {
    logger.warn({ err: error, url: request.url, method: request.method }, 'transaction conflict on every attempt; answered 503');
    return problem(503, 'transaction-conflict', 'Service busy', `The request collided with concurrent work on the same records ${TRANSACTION_ATTEMPTS} times; nothing was changed. Retry shortly.`);
  }
  const known = fastifyError.code === undefined ? undefined : FASTIFY_CODES[fastifyError.code];
  const status = fastifyError.statusCode ?? 500;
  if (known !== undefined) return problem(status, known.code, known.title, error.message);
  if (status >= 400 && status < 500) return problem(status, 'bad-request', 'Bad request', error.message);
  logger.error({ err: error, url: request.url, method: request.method }, 'unhandled error');
  return problem(500, 'internal-error', 'Internal server error', 'The server failed to handle the request; it has been logged.');
}

function fieldOf(instancePath: string, params: Record<string, unknown> | undefined): string {
  const extra = params?.['additionalProperties'] ?? params?.['additionalProperty'] ?? params?.['missingProperty'] ?? params?.['requiredProperties'];
  const base = instancePath === '' ? '' : instancePath;
  if (typeof extra === 'string') return `${base}/${extra}`;
  if (Array.isArray(extra) && extra.length > 0) return extra.map((name) => `${base}/${String(name)}`).join(',');
  return base === '' ? '/' : base;
}

/** Seconds a client should wait before retrying a 503. */
const RETRY_AFTER_SECONDS = '1';

export function sendProblem(reply: FastifyReply, body: Problem): FastifyReply {
  if (body.status === 503) reply.header('retry-after', RETRY_AFTER_SECONDS);
  return reply.status(body.status).type('application/problem+json').send(body);
}
