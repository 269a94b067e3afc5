import { eventually } from './eventually.ts';
import { type TestPlatform } from './platform.ts';

/** HTTP steps shared by the end-to-end flows, written as a user of the API would take them. */
export interface NotificationBody { items: Array<{ type: string; message: string }> }

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

