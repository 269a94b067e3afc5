import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from './config.ts';
import { mintToken } from './platform/auth/bearer-tokens.ts';
import { CALLER_ROLES, type CallerRole } from './platform/auth/caller.ts';
import { loadOrCreateSigningKey } from './platform/auth/local-signing-key.ts';

const USAGE = `usage: npm run token -- --login <login> | --role operator|service [--subject <name>] [--ttl <seconds>]`;

/** `npm run token`: prints a bearer token signed with the local key under DATA_DIR (the embedded default). */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { login: { type: 'string' }, role: { type: 'string' }, subject: { type: 'string' }, ttl: { type: 'string', default: '3600' } },
  });
  const config = loadConfig();
  if (config.auth.kind !== 'local') {
    throw new UsageError('AUTH_JWKS_URL is set: tokens come from your OpenID Connect provider, not from this command');
  }
  const role = (values.role ?? 'customer') as CallerRole;
  if (!CALLER_ROLES.includes(role)) throw new UsageError(`--role must be one of ${CALLER_ROLES.join(', ')} (got "${values.role}")`);
  const subject = role === 'customer' ? values.login : (values.subject ?? role);
  if (subject === undefined || subject.trim() === '') throw new UsageError('a customer token needs --login <login>');
  const ttlSeconds = Number(values.ttl);
  if (!Number.isSafeInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > 31 * 24 * 3600) {
    throw new UsageError(`--ttl must be whole seconds from 1 to ${31 * 24 * 3600} (got "${values.ttl}")`);
  }
  const key = await loadOrCreateSigningKey(config.database.dataDir);
  process.stdout.write(`${await mintToken(key, config.auth, { subject, role, ttlSeconds })}\n`);
}

class UsageError extends Error {}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) process.stderr.write(`configuration error: ${error.message}\n`);
  else if (error instanceof UsageError || (error instanceof TypeError && 'code' in error)) process.stderr.write(`${error.message}\n${USAGE}\n`);
  else process.stderr.write(`could not mint a token: ${String(error)}\n`);
  process.exit(2);
});
