/** A timestamp from a raw query as ISO 8601: MikroORM leaves raw queries' timestamps as PostgreSQL's text. */
export function isoOf(value: string | Date): string {
  return new Date(value).toISOString();
}
