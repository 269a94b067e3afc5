import type { InjectOptions } from 'fastify';
import type { Test } from 'tap';
import type { TestPlatform } from './platform.ts';

export interface BadRequestCase {
  name: string;
  request: InjectOptions;
  /** Expected status; any 4xx when omitted. */
  status?: number;
}

/** A body of `bytes` bytes of valid JSON, past the 64 KiB body limit when large. */
export function oversizedBody(bytes = 70 * 1024): string {
  return JSON.stringify({ padding: 'x'.repeat(bytes) });
}

/**
 * Every case answers 4xx with an application/problem+json body carrying type, title, status and
 * code — never a 500 — and `written()` is unchanged afterwards.
 */
export async function assertAllRejected(t: Test, app: TestPlatform, cases: BadRequestCase[], written: () => Promise<number>): Promise<void> {
  const before = await written();
  for (const badCase of cases) {
    const response = await app.request(badCase.request);
    const label = `${badCase.request.method} ${badCase.request.url} › ${badCase.name}`;
    if (badCase.status === undefined) t.ok(response.statusCode >= 400 && response.statusCode < 500, `${label} is 4xx (${response.statusCode})`);
    else t.equal(response.statusCode, badCase.status, `${label} is ${badCase.status}`);
    t.match(response.headers['content-type'], /^application\/problem\+json/, `${label} answers problem+json`);
    t.match(response.json(), { type: /^\/problems\//, title: String, status: response.statusCode, code: String }, `${label} has a problem body`);
  }
  t.equal(await written(), before, 'nothing was written by the refused requests');
}

/** JSON body shortcut. */
export function json(method: 'POST' | 'PUT', url: string, payload: unknown): InjectOptions {
  return { method, url, payload: typeof payload === 'string' ? payload : JSON.stringify(payload), headers: { 'content-type': 'application/json' } };
}
