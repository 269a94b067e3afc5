/** Drives the notification module from tests: reads the messages it stored, as a person would. */
import { eventually } from '../../../test/harness/eventually.ts';
import type { TestPlatform } from '../../../test/harness/platform.ts';

export interface NotificationBody { items: Array<{ type: string; message: string }> }

/** Waits until `login` has messages of every type in `expected`; returns the types of all their messages. */
export async function notificationTypes(app: TestPlatform, login: string, expected: string[], timeoutMs = 30_000): Promise<string[]> {
  return eventually(async () => {
    const { items } = (await app.request({ method: 'GET', url: `/notifications?login=${login}` })).json<NotificationBody>();
    const types = items.map((item) => item.type);
    return expected.every((type) => types.includes(type)) ? types : undefined;
  }, { what: `notifications ${expected.join(', ')} for ${login}`, timeoutMs });
}
