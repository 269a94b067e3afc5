import { createServer, type Server } from 'node:http';
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import t from 'tap';
import { jwksTokenVerifier, localTokenVerifier, mintToken, TokenRefused, TokenVerifierUnavailable, type TokenVerifier } from './bearer-tokens.ts';
import { loadOrCreateSigningKey, signingKeyFile } from './local-signing-key.ts';

const audience = { issuer: 'payments-platform', audience: 'payments-platform' };

async function refusal(verifier: TokenVerifier, authorization: string | undefined): Promise<TokenRefused> {
  try {
    await verifier.verify(authorization);
  } catch (error) {
    if (error instanceof TokenRefused) return error;
    throw error;
  }
  throw new Error('the token was accepted');
}

function base64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

t.test('the local signing key', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'auth-'));
  const first = await loadOrCreateSigningKey(dataDir);
  t.equal((await stat(signingKeyFile(dataDir))).mode & 0o777, 0o600, 'is made on first use, readable by its owner only');
  const again = await loadOrCreateSigningKey(dataDir);
  t.equal(again.keyId, first.keyId, 'and the same key is used on the next start');
  t.notMatch(await readFile(signingKeyFile(dataDir), 'utf8'), /"kty":"oct"/, 'an asymmetric key, not a shared secret');
  const [a, b] = await Promise.all([loadOrCreateSigningKey(join(dataDir, 'race')), loadOrCreateSigningKey(join(dataDir, 'race'))]);
  t.equal(a.keyId, b.keyId, 'two processes starting together agree on one key');
});

t.test('tokens of the local key', async (t) => {
  const key = await loadOrCreateSigningKey(await mkdtemp(join(tmpdir(), 'auth-')));
  const verifier = localTokenVerifier(key, audience);
  const sign = (claims: Record<string, unknown>, build: (jwt: SignJWT) => SignJWT = (jwt) => jwt.setExpirationTime('1h')) =>
    build(new SignJWT(claims).setProtectedHeader({ alg: 'EdDSA' }).setSubject('alice').setIssuer(audience.issuer).setAudience(audience.audience)).sign(key.privateKey);

  t.same(await verifier.verify(`Bearer ${await mintToken(key, audience, { subject: 'alice', role: 'customer', ttlSeconds: 60 })}`), { subject: 'alice', role: 'customer' }, 'a minted customer token names its login');
  t.same(await verifier.verify(`bearer ${await mintToken(key, audience, { subject: 'ops', role: 'operator', ttlSeconds: 60 })}`), { subject: 'ops', role: 'operator' }, 'an operator token (the scheme is case-insensitive)');
  t.same(await verifier.verify(`Bearer ${await sign({})}`), { subject: 'alice', role: 'customer' }, 'a token without a role claim is a customer');

  t.match(await refusal(verifier, undefined), { error: 'invalid_request', message: /Authorization: Bearer/ }, 'no header');
  t.match(await refusal(verifier, 'Basic YWxpY2U6c2VjcmV0'), { error: 'invalid_request' }, 'another scheme');
  t.match(await refusal(verifier, 'Bearer not a token'), { error: 'invalid_request' }, 'a malformed header');
  t.match(await refusal(verifier, 'Bearer abc.def.ghi'), { error: 'invalid_token', message: /not a valid JWT/ }, 'a malformed token');
  t.match(await refusal(verifier, `Bearer ${await sign({}, (jwt) => jwt.setExpirationTime(Math.floor(Date.now() / 1000) - 60))}`), { error: 'invalid_token', message: /expired/ }, 'an expired token');
  t.match(await refusal(verifier, `Bearer ${await sign({}, (jwt) => jwt.setExpirationTime('2h').setNotBefore('1h'))}`), { message: /not valid yet/ }, 'a token not valid yet');
  t.match(await refusal(verifier, `Bearer ${await sign({}, (jwt) => jwt)}`), { message: /exp claim/ }, 'a token that never expires');
  t.match(await refusal(verifier, `Bearer ${await sign({}, (jwt) => jwt.setExpirationTime('1h').setAudience('another-api'))}`), { message: /aud claim/ }, "another API's token");
  t.match(await refusal(verifier, `Bearer ${await sign({ role: 'root' })}`), { message: /role claim must be one of customer, operator, service/ }, 'an unknown role');

  const other = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
  const forged = await new SignJWT({ role: 'operator' }).setProtectedHeader({ alg: 'EdDSA' }).setSubject('mallory')
    .setIssuer(audience.issuer).setAudience(audience.audience).setExpirationTime('1h').sign(other.privateKey);
  t.match(await refusal(verifier, `Bearer ${forged}`), { message: /signature does not verify/ }, 'a token signed with another key');
  const unsigned = `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ sub: 'mallory', role: 'operator', iss: audience.issuer, aud: audience.audience, exp: Math.floor(Date.now() / 1000) + 3600 })}.`;
  t.match(await refusal(verifier, `Bearer ${unsigned}`), { error: 'invalid_token' }, 'an unsigned token (alg: none)');
  const hmac = await new SignJWT({ role: 'operator' }).setProtectedHeader({ alg: 'HS256' }).setSubject('mallory')
    .setIssuer(audience.issuer).setAudience(audience.audience).setExpirationTime('1h').sign(new TextEncoder().encode('x'.repeat(32)));
  t.match(await refusal(verifier, `Bearer ${hmac}`), { message: /algorithm is not accepted/ }, 'a shared-secret (HS256) token');
});

t.test("an OpenID Connect provider's tokens, verified against its JWKS", async (t) => {
  const providerKey = await generateKeyPair('ES256', { extractable: true });
  const jwk = { ...(await exportJWK(providerKey.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
  // A stand-in for the external identity provider: a local HTTP server publishing its key set.
  const provider: Server = createServer((_request, response) => {
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => provider.listen(0, '127.0.0.1', resolve));
  t.teardown(() => provider.close());
  const { port } = provider.address() as { port: number };
  const issuer = 'https://id.example.test/realms/payments';
  const verifier = jwksTokenVerifier(`http://127.0.0.1:${port}/jwks`, { issuer, audience: 'payments-api' });
  const sign = (privateKey: CryptoKey, kid: string) => new SignJWT({}).setProtectedHeader({ alg: 'ES256', kid }).setSubject('bob')
    .setIssuer(issuer).setAudience('payments-api').setExpirationTime('5m').sign(privateKey);

  t.same(await verifier.verify(`Bearer ${await sign(providerKey.privateKey, 'k1')}`), { subject: 'bob', role: 'customer' }, 'a token signed with a published key');
  const unpublished = await generateKeyPair('ES256');
  t.match(await refusal(verifier, `Bearer ${await sign(unpublished.privateKey, 'k2')}`), { error: 'invalid_token', message: /key the issuer does not publish/ }, 'a key the provider does not publish');

  const unreachable = jwksTokenVerifier('http://127.0.0.1:9/jwks', { issuer, audience: 'payments-api' });
  await t.rejects(unreachable.verify(`Bearer ${await sign(providerKey.privateKey, 'k1')}`), TokenVerifierUnavailable, 'a provider out of reach is no verdict on the token');
});

t.test('a token that verified once is trusted no longer than it is valid', async (t) => {
  const key = await loadOrCreateSigningKey(await mkdtemp(join(tmpdir(), 'auth-')));
  const verifier = localTokenVerifier(key, audience);
  const shortLived = `Bearer ${await mintToken(key, audience, { subject: 'alice', role: 'customer', ttlSeconds: 2 })}`;
  t.same(await verifier.verify(shortLived), { subject: 'alice', role: 'customer' }, 'verified while valid');
  t.same(await verifier.verify(shortLived), { subject: 'alice', role: 'customer' }, 'and again (from the verified tokens)');
  await new Promise((resolve) => setTimeout(resolve, 2100));
  t.match(await refusal(verifier, shortLived), { error: 'invalid_token', message: /expired/ }, 'refused once it expired, though it verified before');
  const tampered = `${shortLived.slice(0, -2)}${shortLived.endsWith('A') ? 'B' : 'A'}A`;
  t.match(await refusal(verifier, tampered), { error: 'invalid_token' }, 'a token differing in its signature is checked on its own');
});
