import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Prefix of the hub's own form of a personal access token. */
export const TOKEN_PREFIX = 'mhp_';
/** Prefix of the same token in the form Hugging Face clients accept. */
export const HF_TOKEN_PREFIX = 'hf_';

// mhp_<16 hex id>_<43 base64url secret>; hf_ + the same body is the same token.
const TOKEN_BODY = /^([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

/** A token split into its public id and its secret. */
export interface ParsedToken {
  id: string;
  secret: string;
}

/** A fresh token: 64 random bits of id, 256 random bits of secret. */
export function generateToken(): ParsedToken & {
  token: string;
  hfToken: string;
} {
  const id = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return {
    id,
    secret,
    token: `${TOKEN_PREFIX}${id}_${secret}`,
    hfToken: `${HF_TOKEN_PREFIX}${id}_${secret}`,
  };
}

/** True when `token` has the shape of a hub token (either prefix), valid or not. */
export function looksLikeAccessToken(token: string): boolean {
  return token.startsWith(TOKEN_PREFIX) || token.startsWith(HF_TOKEN_PREFIX);
}

/** Splits a token (either prefix) into id and secret; undefined when malformed. */
export function parseToken(token: string): ParsedToken | undefined {
  let body: string;
  if (token.startsWith(TOKEN_PREFIX)) {
    body = token.slice(TOKEN_PREFIX.length);
  } else if (token.startsWith(HF_TOKEN_PREFIX)) {
    body = token.slice(HF_TOKEN_PREFIX.length);
  } else {
    return undefined;
  }
  const match = TOKEN_BODY.exec(body);
  return match ? { id: match[1], secret: match[2] } : undefined;
}

/**
 * The stored form of a secret: HMAC-SHA256 keyed with the pepper. The secret
 * has 256 bits of entropy, so a slow hash would add nothing against guessing;
 * the pepper (kept out of the database) makes a leaked table useless alone.
 */
export function hashSecret(secret: string, pepper: string): string {
  return createHmac('sha256', pepper).update(secret, 'utf8').digest('hex');
}

/** Compares a secret with a stored hash in constant time. */
export function secretMatches(
  secret: string,
  storedHash: string,
  pepper: string,
): boolean {
  const actual = Buffer.from(hashSecret(secret, pepper), 'hex');
  const expected = Buffer.from(storedHash, 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
