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
