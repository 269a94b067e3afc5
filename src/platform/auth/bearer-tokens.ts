import { createRemoteJWKSet, errors, jwtVerify, SignJWT, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { CALLER_ROLES, type Caller, type CallerRole } from './caller.ts';
import { LOCAL_ALGORITHM, type LocalSigningKey } from './local-signing-key.ts';

/** Asymmetric algorithms only: a shared-secret (HS*) or unsigned (`none`) token is refused. */
const PROVIDER_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

/** Why a request's credentials were refused: answered 401 with a `WWW-Authenticate` challenge. */
export class TokenRefused extends Error {
  constructor(
    /** RFC 6750 §3.1: `invalid_request` (no or malformed header) or `invalid_token`. */
    readonly error: 'invalid_request' | 'invalid_token',
    readonly description: string,
  ) {
    super(description);
    this.name = 'TokenRefused';
  }
}

/** The identity provider's keys could not be had: answered 503, not 401. */
export class TokenVerifierUnavailable extends Error {
  constructor(cause: unknown) {
    super('The identity provider\'s keys could not be fetched', { cause });
    this.name = 'TokenVerifierUnavailable';
  }
}

export interface TokenVerifier {
  /** The caller an `Authorization` header speaks for, or TokenRefused. */
  verify(authorization: string | undefined): Promise<Caller>;
}

export interface TokenAudience {
  issuer: string;
  audience: string;
}

/** Verifies tokens signed with the embedded default's local key. */
export function localTokenVerifier(key: LocalSigningKey, audience: TokenAudience): TokenVerifier {
  return verifierWith(key.publicKey, [LOCAL_ALGORITHM], audience);
}

/**
 * Verifies an OpenID Connect provider's tokens against its JWKS: jose fetches the key set, caches
 * it, and fetches it again when a token names a key it does not hold (key rotation).
 */
export function jwksTokenVerifier(jwksUrl: string, audience: TokenAudience): TokenVerifier {
  return verifierWith(createRemoteJWKSet(new URL(jwksUrl)), PROVIDER_ALGORITHMS, audience);
}

function verifierWith(key: Parameters<typeof jwtVerify>[1] | JWTVerifyGetKey, algorithms: string[], { issuer, audience }: TokenAudience): TokenVerifier {
  const verified = new VerifiedTokens();
  return {
    async verify(authorization) {
      const token = bearerToken(authorization);
      const known = verified.get(token, Date.now());
      if (known !== undefined) return known;
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, key as JWTVerifyGetKey, { issuer, audience, algorithms, requiredClaims: ['sub', 'exp'] }));
      } catch (error) {
        // The provider's key set could not be fetched: no verdict on the token, the caller may retry.
        if (error instanceof errors.JWKSTimeout || !(error instanceof errors.JOSEError)) throw new TokenVerifierUnavailable(error);
        throw new TokenRefused('invalid_token', describeRefusal(error));
      }
      const caller = callerOf(payload);
      verified.add(token, caller, payload.exp! * 1000, Date.now());
      return caller;
    },
  };
}

/**
 * Tokens that verified, so a client sending the same token with each request pays for one
 * signature check a minute rather than one per request (the API's largest CPU cost after the
 * database). An entry lasts until the token expires or a minute has passed, whichever is first:
 * a key the provider withdraws stops being trusted within the minute. Bounded: the oldest go first.
 */
class VerifiedTokens {
  static readonly MAX_AGE_MS = 60_000;
  static readonly MAX_ENTRIES = 10_000;
  private readonly entries = new Map<string, { caller: Caller; validUntil: number }>();

  get(token: string, now: number): Caller | undefined {
    const entry = this.entries.get(token);
    if (entry === undefined) return undefined;
    if (now < entry.validUntil) return entry.caller;
    this.entries.delete(token);
    return undefined;
  }

  add(token: string, caller: Caller, expiresAt: number, now: number): void {
    if (this.entries.size >= VerifiedTokens.MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(token, { caller, validUntil: Math.min(expiresAt, now + VerifiedTokens.MAX_AGE_MS) });
  }
}

/** The token of `Authorization: Bearer <token>` (RFC 6750 §2.1; the scheme is case-insensitive). */
function bearerToken(authorization: string | undefined): string {
  if (authorization === undefined || authorization.trim() === '') {
    throw new TokenRefused('invalid_request', 'Send "Authorization: Bearer <token>"');
  }
  const match = /^bearer +([A-Za-z0-9\-._~+/]+=*)$/i.exec(authorization.trim());
  if (match === null) throw new TokenRefused('invalid_request', 'The Authorization header must be "Bearer <token>"');
  return match[1]!;
}

function callerOf(payload: JWTPayload): Caller {
  const role = payload['role'] ?? 'customer';
  if (typeof role !== 'string' || !(CALLER_ROLES as readonly string[]).includes(role)) {
    throw new TokenRefused('invalid_token', `The token's role claim must be one of ${CALLER_ROLES.join(', ')}`);
  }
  return { subject: payload.sub!, role: role as CallerRole };
}

function describeRefusal(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'The token has expired';
  if (error instanceof errors.JWTClaimValidationFailed && error.claim === 'nbf') return 'The token is not valid yet';
  if (error instanceof errors.JWTClaimValidationFailed) return `The token's ${error.claim} claim is not accepted`;
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'The token signature does not verify';
  if (error instanceof errors.JOSEAlgNotAllowed) return "The token's algorithm is not accepted";
  if (error instanceof errors.JWKSNoMatchingKey) return 'The token was signed with a key the issuer does not publish';
  return 'The token is not a valid JWT';
}

export interface TokenRequest {
  subject: string;
  role: CallerRole;
  /** Lifetime in seconds. */
  ttlSeconds: number;
}

/** A token signed with the local key, for the embedded default (`npm run token`) and the tests. */
export async function mintToken(key: LocalSigningKey, audience: TokenAudience, request: TokenRequest): Promise<string> {
  return new SignJWT({ role: request.role })
    .setProtectedHeader({ alg: LOCAL_ALGORITHM, kid: key.keyId, typ: 'JWT' })
    .setSubject(request.subject)
    .setIssuer(audience.issuer)
    .setAudience(audience.audience)
    .setIssuedAt()
    .setExpirationTime(`${request.ttlSeconds}s`)
    .sign(key.privateKey);
}
