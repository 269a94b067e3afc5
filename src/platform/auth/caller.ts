/** Who a verified bearer token speaks for. */
export const CALLER_ROLES = ['customer', 'operator', 'service'] as const;
export type CallerRole = (typeof CALLER_ROLES)[number];

/**
 * A customer's `subject` is its login and it acts only on what that login owns; an operator uses
 * the admin routes and reads across customers; a service is another process of the platform
 * calling a module's query API in a split deployment.
 */
export interface Caller {
  subject: string;
  role: CallerRole;
}

/**
 * Whether the caller may see or act on what `login` owns: that customer itself, or an operator or
 * service, which work across customers (the route's declared roles say which of them get there).
 */
export function actsFor(caller: Caller, login: string): boolean {
  return caller.role !== 'customer' || caller.subject === login;
}

/** `<role>:<subject>`: whose idempotency keys and rate-limit allowance a request uses. */
export function callerKey(caller: Caller): string {
  return `${caller.role}:${caller.subject}`;
}
