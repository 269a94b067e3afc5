/**
 * The HTTP schemas every route shares, in one place: problem responses, the idempotency header,
 * paging, and enums built from the domain's own lists of values.
 */
import { Type, type TLiteral, type TNull, type TSchema, type TSchemaOptions, type TUnion } from 'typebox';

// ------------------------------------------------------------------ problems

/** RFC 9457 problem details; `type` is `/problems/<code>`, documented in the README. */
export const ProblemSchema = Type.Object(
  {
    type: Type.String({ examples: ['/problems/validation-error'] }),
    title: Type.String(),
    status: Type.Integer(),
    code: Type.String({ description: 'Stable machine-readable error code' }),
    detail: Type.Optional(Type.String()),
    instance: Type.Optional(Type.String()),
    errors: Type.Optional(
      Type.Array(Type.Object({ in: Type.String(), field: Type.String(), message: Type.String() }), {
        description: 'The offending fields of a validation error',
      }),
    ),
  },
  { $id: 'Problem', additionalProperties: true },
);

/** An error response in a route schema: problem details as `application/problem+json`, the type `sendProblem` answers. */
export const ProblemResponse = { content: { 'application/problem+json': { schema: Type.Ref('Problem') } } };

/**
 * The problem responses of a route, by status: `response: { 200: View, ...problems(400, 401, 404) }`.
 * Each status is one the route can answer; the conformance test holds every route to its list.
 */
export function problems(...statuses: number[]): Record<number, typeof ProblemResponse> {
  return Object.fromEntries(statuses.map((status) => [status, ProblemResponse]));
}

// ------------------------------------------------------------------ idempotency

/** The request header, as every route that honours it declares it in OpenAPI. */
export const IdempotencyKeyHeader = Type.Object({
  'idempotency-key': Type.Optional(Type.String({
    minLength: 1,
    maxLength: 255,
    description:
      'Makes a retry safe: the first request with this key runs once; a retry with the same key and body gets the stored ' +
      'response (status and body) instead of running again, a retry while the first still runs gets 409, the same key ' +
      'with another body gets 422. Scoped per route and caller; kept for IDEMPOTENCY_KEY_TTL_HOURS. Without the header ' +
      'every request is a new operation.',
  })),
});

/** A sentence for route descriptions. */
export const IDEMPOTENCY_NOTE =
  'Honours Idempotency-Key: a retry with the same key and body replays the first response and changes nothing; ' +
  'without the header each request is a new operation.';

// ------------------------------------------------------------------ paging

const DEFAULT_LIMIT = 50;

/**
 * `limit`/`offset` query parameters shared by every list route; spread into a querystring object.
 * Optional, as the OpenAPI document must say: a request may leave them out and gets the defaults.
 */
export const pagingQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: DEFAULT_LIMIT })),
  offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
};

export interface PageRequest {
  limit: number;
  offset: number;
}

/** One page of rows and how many there are in all. */
export interface Found<T> {
  items: T[];
  total: number;
}

/** The page a request asked for (the schema fills in the defaults; this also tells the type checker). */
export function pageOf(query: { limit?: number | undefined; offset?: number | undefined }): PageRequest {
  return { limit: query.limit ?? DEFAULT_LIMIT, offset: query.offset ?? 0 };
}

/** A page of `item`: `{items, total, limit, offset}`. */
export function Page<T extends TSchema>(item: T) {
  return Type.Object({ items: Type.Array(item), total: Type.Integer(), limit: Type.Integer(), offset: Type.Integer() });
}

// ------------------------------------------------------------------ enums

type LiteralsOf<Values extends readonly string[]> = { -readonly [K in keyof Values]: TLiteral<Values[K]> };

/**
 * A schema accepting exactly `values` (a union of literals, an enum in OpenAPI), built from the
 * list the domain declares, so a new value reaches the API without retyping it.
 */
export function literalUnion<const Values extends readonly [string, ...string[]]>(values: Values, options?: TSchemaOptions): TUnion<LiteralsOf<Values>> {
  return Type.Union(literalsOf(values), options) as unknown as TUnion<LiteralsOf<Values>>;
}

/** `literalUnion(values)` or null, as one flat union. */
export function literalUnionOrNull<const Values extends readonly [string, ...string[]]>(values: Values, options?: TSchemaOptions): TUnion<[...LiteralsOf<Values>, TNull]> {
  return Type.Union([...literalsOf(values), Type.Null()], options) as unknown as TUnion<[...LiteralsOf<Values>, TNull]>;
}

function literalsOf(values: readonly string[]): TLiteral<string>[] {
  return values.map((value) => Type.Literal(value));
}
