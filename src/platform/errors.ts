/**
 * An error a caller can act on. The HTTP layer turns it into an RFC 9457 problem response with
 * `type: /problems/<code>`; consumers treat it as a handler failure like any other.
 */
export class ProblemError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    detail?: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(detail ?? title);
    this.name = 'ProblemError';
  }

  /** Names the offending request field, as validation errors do. */
  withField(field: string, message: string): this {
    const errors = (this.extensions['errors'] as unknown[] | undefined) ?? [];
    this.extensions['errors'] = [...errors, { in: 'body', field: `/${field}`, message }];
    return this;
  }
}

export class NotFoundError extends ProblemError {
  constructor(what: string, detail?: string) {
    super(404, `${what}-not-found`, `${capitalise(what)} not found`, detail);
  }
}

export class ConflictError extends ProblemError {
  constructor(code: string, detail: string) {
    super(409, code, 'Conflict', detail);
  }
}

/** The request is well-formed but the business rules refuse it (RFC 9110 422). */
export class RuleViolationError extends ProblemError {
  constructor(code: string, detail: string) {
    super(422, code, 'Request refused by a business rule', detail);
  }
}

export class BadRequestError extends ProblemError {
  constructor(code: string, detail: string) {
    super(400, code, 'Bad request', detail);
  }
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
