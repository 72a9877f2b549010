// The secrets behind a third-party user's first access (README "Importing users", the landing page): the one-time
// token, the id in the personal link, and the keyed hash under which the token is stored. Tokens are stored only as
// HMAC-SHA256 keyed by SECRET_KEY, so a database leak alone does not let anyone test the ~2^59 candidates offline.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { TOKEN_RANDOM_BYTES, formatToken, normalizeTokenInput, tokenFromRandomBytes } from '../domain/access-token.ts';

/** 16 bytes = 128 bits: link ids are unguessable on their own, even though the token is the real gate. */
const LINK_ID_BYTES = 16;
const HASH_BYTES = 32;
const HASH_HEX = /^[0-9a-f]{64}$/i;
// Stands in for an input that is not a token, so that case also computes an HMAC and compares 32 bytes
// instead of returning early; it contains 0 and O, so normalizeTokenInput can never produce it.
const DUMMY_TOKEN = '000000000000';

/** A fresh token, formatted for the email (`K7QX-M2PD-9RTW`). */
export function generateAccessToken(): string {
  // tokenFromRandomBytes returns null when too many bytes are rejected (probability < 1e-13 with 24 bytes);
  // asking again with more fresh bytes keeps the result uniform, where padding or reusing bytes would not.
  for (let size = TOKEN_RANDOM_BYTES; ; size *= 2) {
    const token = tokenFromRandomBytes(randomBytes(size));
    if (token !== null) return formatToken(token);
  }
}

/** 22 URL-safe characters (base64url without padding: A–Z a–z 0–9 - _) from 16 random bytes. */
export function generateLinkId(): string {
  return randomBytes(LINK_ID_BYTES).toString('base64url');
}

function hmac(secretKey: string, canonicalToken: string): Buffer {
  return createHmac('sha256', secretKey).update(canonicalToken, 'utf8').digest();
}

/**
 * Lower-case hex HMAC-SHA256 of the normalised token, keyed by SECRET_KEY, so every way of writing the same
 * token (`k7qx m2pd 9rtw`, `K7QX-M2PD-9RTW`) hashes the same. Throws on something that is not a token, since
 * only generated tokens are hashed for storage; the message leaves the value out (tokens are never logged).
 */
export function hashToken(secretKey: string, token: string): string {
  const canonical = normalizeTokenInput(token);
  if (canonical === null) throw new RangeError('hashToken: not an access token');
  return hmac(secretKey, canonical).toString('hex');
}

/**
 * Whether what the user typed is the token stored as `storedHash`. Never throws. Always computes one HMAC and
 * one constant-time comparison of 32 bytes, whether the input is malformed or not, so the response time does
 * not tell an attacker which inputs were even well formed.
 */
export function tokenMatches(secretKey: string, input: unknown, storedHash: string): boolean {
  const canonical = normalizeTokenInput(input);
  const candidate = hmac(secretKey, canonical ?? DUMMY_TOKEN);
  // A malformed stored hash (not 64 hex digits) would make timingSafeEqual throw on unequal lengths, and
  // Buffer.from(…, 'hex') silently truncates bad hex; compare against a buffer that cannot match instead.
  const wellFormed = typeof storedHash === 'string' && HASH_HEX.test(storedHash);
  const stored = wellFormed ? Buffer.from(storedHash, 'hex') : Buffer.alloc(HASH_BYTES);
  const equal = timingSafeEqual(candidate, stored);
  return equal && canonical !== null && wellFormed;
}
