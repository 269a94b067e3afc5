/**
 * A refusal a caller can act on, in the domain's words: what kind of refusal it is, a stable
 * `code`, a title and a detail. It knows no protocol. The HTTP edge (src/platform/http/problem.ts)
 * gives each class its status and writes an RFC 9457 problem with `type: /problems/<code>`;
 * consumers treat it as a handler failure like any other.
 */
export abstract class RefusalError extends Error {
  constructor(
    readonly code: string,
    readonly title: string,
    detail?: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(detail ?? title);
    this.name = new.target.name;
  }

  /** Names the offending input field, as validation errors do. */
  withField(field: string, message: string): this {
    const errors = (this.extensions['errors'] as unknown[] | undefined) ?? [];
    this.extensions['errors'] = [...errors, { in: 'body', field: `/${field}`, message }];
    return this;
  }
}

/** The input is malformed or incomplete in a way its schema cannot say. */
export class InvalidInputError extends RefusalError {
  constructor(code: string, detail: string) {
    super(code, 'Bad request', detail);
  }
}

export class NotFoundError extends RefusalError {
  constructor(what: string, detail?: string) {
    super(`${what}-not-found`, `${capitalise(what)} not found`, detail);
  }
}

export class ConflictError extends RefusalError {
  constructor(code: string, detail: string) {
    super(code, 'Conflict', detail);
  }
}

/** The input is well-formed but the business rules refuse it. */
export class RuleViolationError extends RefusalError {
  constructor(code: string, detail: string) {
    super(code, 'Request refused by a business rule', detail);
  }
}

/** Something the work depends on (another module, a provider) could not be reached: retry later. */
export class UnavailableError extends RefusalError {
  constructor(code: string, title: string, detail: string) {
    super(code, title, detail);
  }
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
