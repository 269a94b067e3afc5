import { Type, type TSchema } from 'typebox';

/** `limit`/`offset` query parameters shared by every list route; spread into a querystring object. */
export const pagingQuery = {
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
  offset: Type.Integer({ minimum: 0, default: 0 }),
};

/** A page of `item`: `{items, total, limit, offset}`. */
export function Page<T extends TSchema>(item: T) {
  return Type.Object({ items: Type.Array(item), total: Type.Integer(), limit: Type.Integer(), offset: Type.Integer() });
}
