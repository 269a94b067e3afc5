import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';

/** The embedded default's key: Ed25519, made on first start, kept under DATA_DIR. */
export const LOCAL_ALGORITHM = 'EdDSA';

export interface LocalSigningKey {
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  /** The key's JWK thumbprint (RFC 7638), sent as `kid`. */
  keyId: string;
}

/** `<dataDir>/auth/signing-key.json`: read, or created (owner-only) when missing. */
export function signingKeyFile(dataDir: string): string {
  return join(dataDir, 'auth', 'signing-key.json');
}

/**
 * Loads the local signing key, creating it when there is none. Two processes starting together on
 * one DATA_DIR both end up with the one that was written first (`wx` refuses to overwrite).
 */
export async function loadOrCreateSigningKey(dataDir: string): Promise<LocalSigningKey> {
  const file = signingKeyFile(dataDir);
  const existing = await readKey(file);
  if (existing !== undefined) return existing;
  await mkdir(join(dataDir, 'auth'), { recursive: true, mode: 0o700 });
  const { privateKey } = await generateKeyPair(LOCAL_ALGORITHM, { crv: 'Ed25519', extractable: true });
  try {
    await writeFile(file, JSON.stringify(await exportJWK(privateKey)), { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return (await readKey(file))!;
}

async function readKey(file: string): Promise<LocalSigningKey | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const jwk = JSON.parse(text) as JWK;
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || jwk.d === undefined) {
    throw new Error(`${file} is not an Ed25519 private key (JWK); remove it to have a new one made`);
  }
  const { d: _private, ...publicJwk } = jwk;
  return {
    privateKey: (await importJWK(jwk, LOCAL_ALGORITHM)) as CryptoKey,
    publicKey: (await importJWK(publicJwk, LOCAL_ALGORITHM)) as CryptoKey,
    keyId: await calculateJwkThumbprint(publicJwk),
  };
}
