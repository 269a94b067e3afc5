import { decodeJwt } from 'jose';
import type { Config, ServiceClient } from '../../config.ts';
import { jwksTokenVerifier, localTokenVerifier, mintToken, type TokenAudience, type TokenVerifier } from './bearer-tokens.ts';
import { loadOrCreateSigningKey, type LocalSigningKey } from './local-signing-key.ts';

/** The `Authorization` header value this process presents to another process's query API. */
export type ServiceAuthorization = () => Promise<string>;

/** A cached token is fetched again when less than this is left of its life. */
const RENEW_BEFORE_MS = 60_000;
const LOCAL_SERVICE_TOKEN_TTL_SECONDS = 3600;
const TOKEN_ENDPOINT_TIMEOUT_MS = 5000;

export interface ProcessAuth {
  verifier: TokenVerifier;
  serviceAuthorization: ServiceAuthorization;
}

/**
 * How this process checks tokens and gets its own service token: the embedded default signs with
 * the local key under DATA_DIR (processes sharing it trust each other), a provider's deployment
 * asks the provider's token endpoint with the client-credentials grant.
 */
export async function processAuth(config: Config): Promise<ProcessAuth> {
  const { auth } = config;
  if (auth.kind === 'jwks') {
    const client = auth.serviceClient;
    return {
      verifier: jwksTokenVerifier(auth.jwksUrl, auth),
      serviceAuthorization: client === undefined ? noServiceClient : cached(() => clientCredentialsToken(client, auth.audience)),
    };
  }
  const key = await loadOrCreateSigningKey(config.database.dataDir);
  return { verifier: localTokenVerifier(key, auth), serviceAuthorization: cached(() => localServiceToken(key, auth)) };
}

async function noServiceClient(): Promise<string> {
  throw new Error('AUTH_TOKEN_URL, AUTH_CLIENT_ID and AUTH_CLIENT_SECRET are not set: this process has no service token');
}

function localServiceToken(key: LocalSigningKey, audience: TokenAudience): Promise<string> {
  return mintToken(key, audience, { subject: 'platform', role: 'service', ttlSeconds: LOCAL_SERVICE_TOKEN_TTL_SECONDS });
}

/** RFC 6749 §4.4: the client authenticates with HTTP Basic and asks for a token for this API's audience. */
async function clientCredentialsToken(client: ServiceClient, audience: string): Promise<string> {
  const response = await fetch(client.tokenUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(client.clientId)}:${encodeURIComponent(client.clientSecret)}`).toString('base64')}`,
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', audience }),
    signal: AbortSignal.timeout(TOKEN_ENDPOINT_TIMEOUT_MS),
  });
  if (!response.ok) throw new Error(`the token endpoint ${client.tokenUrl} answered ${response.status} to the client-credentials grant`);
  const body = (await response.json()) as { access_token?: unknown };
  if (typeof body.access_token !== 'string') throw new Error(`the token endpoint ${client.tokenUrl} answered no access_token`);
  return body.access_token;
}

/** One token shared by all calls until it nears its `exp`; concurrent callers wait for one fetch. */
function cached(fetchToken: () => Promise<string>): ServiceAuthorization {
  let current: { header: Promise<string>; renewAt: number } | undefined;
  return async () => {
    if (current === undefined || Date.now() >= current.renewAt) {
      const header = fetchToken().then((token) => {
        const exp = decodeJwt(token).exp;
        if (current?.header === header) current.renewAt = exp === undefined ? 0 : exp * 1000 - RENEW_BEFORE_MS;
        return `Bearer ${token}`;
      });
      current = { header, renewAt: Number.POSITIVE_INFINITY };
      header.catch(() => {
        if (current?.header === header) current = undefined;
      });
    }
    return current.header;
  };
}
