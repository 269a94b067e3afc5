import { resolve } from 'node:path';
import { LOCAL_TOKEN_AUDIENCE } from '../../src/config.ts';
import { mintToken } from '../../src/platform/auth/bearer-tokens.ts';
import type { CallerRole } from '../../src/platform/auth/caller.ts';
import { loadOrCreateSigningKey } from '../../src/platform/auth/local-signing-key.ts';

/**
 * Bearer tokens for tests, signed with the local key the platforms under test verify against:
 * every test platform and fault-suite process runs on the default DATA_DIR (./.data) and its
 * default issuer and audience, so a token minted here is one `npm run token` would print.
 */
/** The local key the platforms under test verify against, for tests that hand-craft refused tokens. */
export const testSigningKey = await loadOrCreateSigningKey(resolve(process.env['DATA_DIR'] ?? './.data'));
const audience = { issuer: LOCAL_TOKEN_AUDIENCE, audience: LOCAL_TOKEN_AUDIENCE };
const HOUR = 3600;

/** An `Authorization` header value. */
export async function bearer(role: CallerRole, subject: string, ttlSeconds = HOUR): Promise<string> {
  return `Bearer ${await mintToken(testSigningKey, audience, { subject, role, ttlSeconds })}`;
}

const customers = new Map<string, Promise<string>>();

/** The `Authorization` header of the customer `login` (one token per login per test file). */
export function customerAuthorization(login: string): Promise<string> {
  let header = customers.get(login);
  if (header === undefined) {
    header = bearer('customer', login);
    customers.set(login, header);
  }
  return header;
}

/** An operator's `Authorization` header. */
export const OPERATOR_AUTHORIZATION = await bearer('operator', 'test-operator');
/** Headers of an operator request. */
export const operatorHeaders = { authorization: OPERATOR_AUTHORIZATION };
