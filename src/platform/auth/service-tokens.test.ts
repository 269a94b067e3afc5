import { createServer, type Server } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import t from 'tap';
import { ConfigError, loadConfig } from '../../config.ts';
import { processAuth } from './service-tokens.ts';

const ISSUER = 'https://id.example.test/realms/payments';
const AUDIENCE = 'payments-api';

t.test('with an OpenID Connect provider, a process gets its service token by the client-credentials grant', async (t) => {
  const key = await generateKeyPair('ES256', { extractable: true });
  const jwk = { ...(await exportJWK(key.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
  const grants: Array<{ authorization: string | undefined; body: string }> = [];
  // A stand-in for the external identity provider: its key set and its token endpoint.
  const provider: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', async () => {
      response.setHeader('content-type', 'application/json');
      if (request.url === '/jwks') return void response.end(JSON.stringify({ keys: [jwk] }));
      grants.push({ authorization: request.headers.authorization, body });
      if (request.headers.authorization !== `Basic ${Buffer.from('payment-worker:s3cret').toString('base64')}`) {
        response.statusCode = 401;
        return void response.end(JSON.stringify({ error: 'invalid_client' }));
      }
      const token = await new SignJWT({ role: 'service' }).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).setSubject('payment-worker')
        .setIssuer(ISSUER).setAudience(AUDIENCE).setExpirationTime('10m').sign(key.privateKey);
      response.end(JSON.stringify({ access_token: token, token_type: 'Bearer', expires_in: 600 }));
    });
  });
  await new Promise<void>((resolve) => provider.listen(0, '127.0.0.1', resolve));
  t.teardown(() => provider.close());
  const base = `http://127.0.0.1:${(provider.address() as { port: number }).port}`;
  const env = (secret: string) => ({
    AUTH_JWKS_URL: `${base}/jwks`, AUTH_ISSUER: ISSUER, AUTH_AUDIENCE: AUDIENCE,
    AUTH_TOKEN_URL: `${base}/token`, AUTH_CLIENT_ID: 'payment-worker', AUTH_CLIENT_SECRET: secret,
  });

  const auth = await processAuth(loadConfig(env('s3cret')));
  const [first, second] = await Promise.all([auth.serviceAuthorization(), auth.serviceAuthorization()]);
  t.equal(first, second, 'concurrent callers share one token');
  t.same(await auth.verifier.verify(first), { subject: 'payment-worker', role: 'service' }, 'the token is a service token this platform accepts');
  t.equal(await auth.serviceAuthorization(), first, 'and it is reused until it nears its expiry');
  t.equal(grants.length, 1, 'the token endpoint was asked once');
  t.match(new URLSearchParams(grants[0]!.body).get('grant_type'), 'client_credentials', 'with the client-credentials grant');
  t.equal(new URLSearchParams(grants[0]!.body).get('audience'), AUDIENCE, "for this API's audience");

  const refused = await processAuth(loadConfig(env('wrong')));
  await t.rejects(refused.serviceAuthorization(), /answered 401 to the client-credentials grant/, 'a refused client says so');
});

t.test('a process that calls another module over HTTP needs a way to get a service token', async (t) => {
  const provider = { AUTH_JWKS_URL: 'https://id.example.test/jwks', AUTH_ISSUER: ISSUER, AUTH_AUDIENCE: AUDIENCE };
  t.throws(() => loadConfig({ ...provider, MODULE_URL_ACCOUNT: 'http://127.0.0.1:3001', KAFKA_BROKERS: 'k:9092', MODULES: 'payment' }),
    new ConfigError('AUTH_TOKEN_URL, AUTH_CLIENT_ID and AUTH_CLIENT_SECRET must be set when MODULE_URL_* is set with AUTH_JWKS_URL: this process needs a service token from the provider to call the other module'));
  t.throws(() => loadConfig({ ...provider, AUTH_TOKEN_URL: 'https://id.example.test/token' }), /AUTH_CLIENT_ID and AUTH_CLIENT_SECRET must be set with AUTH_TOKEN_URL/);
});

t.test('on the embedded default, processes sharing DATA_DIR mint service tokens each other accepts', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'service-tokens-'));
  t.teardown(() => rm(dataDir, { recursive: true, force: true }));
  const caller = await processAuth(loadConfig({ DATA_DIR: dataDir }));
  const callee = await processAuth(loadConfig({ DATA_DIR: dataDir }));
  t.same(await callee.verifier.verify(await caller.serviceAuthorization()), { subject: 'platform', role: 'service' });
});
