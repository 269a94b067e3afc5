import { Type, type TSchema } from 'typebox';

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
