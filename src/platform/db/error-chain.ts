/** A driver error as it reaches us: pg's SQLSTATE or a socket error code on `code`. */
export type CodedError = Error & { code?: unknown };

/**
 * `error` and what it wraps, outermost first, at most 5 deep: MikroORM keeps the driver's error
 * on `previous`, others on `cause`.
 */
export function* errorChain(error: unknown): Generator<CodedError> {
  for (let current: unknown = error, depth = 0; current instanceof Error && depth < 5; depth++) {
    yield current;
    current = (current as Error & { cause?: unknown }).cause ?? (current as Error & { previous?: unknown }).previous;
  }
}
