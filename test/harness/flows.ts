import type { Test } from 'tap';
import { eventually } from './eventually.ts';
import { type TestPlatform } from './platform.ts';
import { OPERATOR_AUTHORIZATION } from './tokens.ts';

/** HTTP steps shared by the end-to-end flows, written as a user of the API would take them. */
export interface AccountBody { accountId: number; userId: number; balance: number; reserved: number; available: number; currency: string; status: string }
export interface NotificationBody { items: Array<{ type: string; message: string }> }

export const adminHeaders = { authorization: OPERATOR_AUTHORIZATION };

/** Registers a person, waits for the account and deposits `deposit`. Returns the account. */
export async function onboard(app: TestPlatform, login: string, deposit: number, api: TestPlatform = app): Promise<AccountBody> {
  const registered = await api.request({ method: 'POST', url: '/profiles', payload: { login, fullName: login, email: `${login}@example.org` } });
  if (registered.statusCode !== 201) throw new Error(`registration of ${login} answered ${registered.statusCode}: ${registered.body}`);
  await eventually(async () => (await app.request({ method: 'GET', url: `/account?login=${login}` })).statusCode === 200, { what: `account of ${login}`, timeoutMs: 30_000 });
  if (deposit > 0) {
    const deposited = await app.request({ method: 'PUT', url: '/account/operation', payload: { login, operation: 'DEPOSIT', sum: deposit } });
    if (deposited.statusCode !== 200) throw new Error(`deposit answered ${deposited.statusCode}: ${deposited.body}`);
  }
  return account(app, login);
}

export async function account(app: TestPlatform, login: string): Promise<AccountBody> {
  return (await app.request({ method: 'GET', url: `/account?login=${login}` })).json<AccountBody>();
}

export async function paymentStatus(app: TestPlatform, id: number, until: (status: string) => boolean, timeoutMs = 30_000): Promise<string> {
  return eventually(async () => {
    const { status } = (await app.request({ method: 'GET', url: `/payments/${id}/status` })).json<{ status: string }>();
    return until(status) ? status : undefined;
  }, { what: `payment ${id} status`, timeoutMs });
}

export async function notificationTypes(app: TestPlatform, login: string, expected: string[], timeoutMs = 30_000): Promise<string[]> {
  return eventually(async () => {
    const { items } = (await app.request({ method: 'GET', url: `/notifications?login=${login}` })).json<NotificationBody>();
    const types = items.map((item) => item.type);
    return expected.every((type) => types.includes(type)) ? types : undefined;
  }, { what: `notifications ${expected.join(', ')} for ${login}`, timeoutMs });
}

export async function outboxPayloads<T = Record<string, unknown>>(app: TestPlatform, eventType: string, where = 'true'): Promise<T[]> {
  return app.container.cradle.orm.em.fork().execute<Array<{ payload: T }>>(
    `select payload from messaging.outbox where event_type = ? and ${where} order by id`, [eventType],
  ).then((rows) => rows.map((row) => row.payload));
}

export function sameKeys(t: Test, payload: unknown, keys: string[], label: string): void {
  t.same(Object.keys(payload as object).sort(), [...keys].sort(), label);
}
