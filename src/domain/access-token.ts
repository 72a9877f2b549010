// The one-time access token: 12 characters a third-party user copies from an email into the landing
// page, written `K7QX-M2PD-9RTW`. The alphabet leaves out the characters people confuse when reading or typing
// (0/O, 1/I/L), and the page accepts the token in any case, with or without hyphens or spaces, so only a
// genuinely wrong character makes it wrong. The randomness comes in as bytes (the domain does no I/O); the
// usecase layer (src/usecases/access-secrets.ts) draws them from node:crypto.

/** Digits 2–9 and the upper-case letters without I, L and O: 8 + 23 = 31 characters. */
export const TOKEN_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
export const TOKEN_LENGTH = 12;
const GROUP_LENGTH = 4;

/** 12 × log2(31) ≈ 59.4 bits, above the 50 a one-time token must have. */
export const TOKEN_ENTROPY_BITS = TOKEN_LENGTH * Math.log2(TOKEN_ALPHABET.length);

// Rejection sampling: a byte is used only if it is below the largest multiple of the alphabet size that fits in
// a byte (8 × 31 = 248); then `byte % 31` hits every character exactly 8 times out of 248, so there is no modulo
// bias. Bytes 248–255 are skipped, so each byte is accepted with probability 248/256 ≈ 96.9%.
const ACCEPT_BELOW = Math.floor(256 / TOKEN_ALPHABET.length) * TOKEN_ALPHABET.length;

/**
 * How many random bytes the usecase layer should offer: 24 bytes fail to yield 12 accepted ones only if 13 or
 * more are rejected, probability below 1e-13, so a retry practically never happens.
 */
export const TOKEN_RANDOM_BYTES = 24;

/**
 * Turns uniformly random bytes into 12 uniformly random alphabet characters (unformatted). It consumes bytes
 * from the start and stops after the 12th accepted one: at least 12 bytes, more when some are rejected (values
 * 248–255), never more than `bytes.length`. Returns null when the bytes run out first; the caller then asks
 * again with fresh (more) bytes rather than padding, which would bias the result.
 */
export function tokenFromRandomBytes(bytes: Uint8Array): string | null {
  let token = '';
  for (const byte of bytes) {
    if (byte >= ACCEPT_BELOW) continue;
    token += TOKEN_ALPHABET[byte % TOKEN_ALPHABET.length];
    if (token.length === TOKEN_LENGTH) return token;
  }
  return null;
}

/**
 * `K7QXM2PD9RTW` → `K7QX-M2PD-9RTW`. Accepts anything normalizeTokenInput accepts and throws otherwise,
 * because formatting a malformed token would email the user a token that can never match. The error message
 * leaves the value out: tokens are never logged.
 */
export function formatToken(raw: string): string {
  const canonical = normalizeTokenInput(raw);
  if (canonical === null) throw new RangeError(`not a ${TOKEN_LENGTH}-character access token`);
  const groups: string[] = [];
  for (let i = 0; i < canonical.length; i += GROUP_LENGTH) groups.push(canonical.slice(i, i + GROUP_LENGTH));
  return groups.join('-');
}

// Separators users type or paste: ASCII and Unicode whitespace (mail clients insert non-breaking spaces), the
// hyphen-minus, and the Unicode hyphens and dashes a word processor may substitute for it.
const SEPARATORS = /[\s\-\u2010-\u2015\u2212]/gu;
// Anything longer than this after trimming is not a token mistyped but something else; refusing it early keeps
// the work on hostile input bounded.
const MAX_INPUT_LENGTH = 64;
const CANONICAL = new RegExp(`^[${TOKEN_ALPHABET}]{${TOKEN_LENGTH}}$`);

/**
 * The 12 canonical (upper-case, unseparated) characters of what a user typed, or null if it cannot be a token:
 * a character outside the alphabet (including the look-alikes 0, O, 1, I, L), the wrong length, or not a string
 * at all (form fields can arrive as arrays or be missing). Never throws.
 */
export function normalizeTokenInput(input: unknown): string | null {
  if (typeof input !== 'string' || input.length > MAX_INPUT_LENGTH) return null;
  const stripped = input.replace(SEPARATORS, '');
  // Upper-case only ASCII: String#toUpperCase maps some non-ASCII letters onto ASCII ones (ſ → S, ı → I), which
  // would let characters the alphabet does not contain through.
  if (!/^[\x21-\x7e]*$/.test(stripped)) return null;
  const canonical = stripped.toUpperCase();
  return CANONICAL.test(canonical) ? canonical : null;
}

const HOUR_MS = 60 * 60 * 1000;
/** A token works at least this long after its access starts, so a user can still activate on the first day. */
export const TOKEN_GRACE_AFTER_START_HOURS = 24;

/**
 * When a token sent at `sentAt` stops working (README "Importing users" → tokens): `ttlHours` (TOKEN_TTL_HOURS)
 * after it is sent, but never before the access's start plus 24 hours, so a user whose access starts next
 * week does not get a token that is dead before they may use the access. The one rule for every token issued:
 * provisioning, an admin's resend and "Send me a new token".
 */
export function tokenExpiry(sentAt: Date, accessStartsAt: Date, ttlHours: number): Date {
  const afterSending = sentAt.getTime() + ttlHours * HOUR_MS;
  const afterStart = accessStartsAt.getTime() + TOKEN_GRACE_AFTER_START_HOURS * HOUR_MS;
  return new Date(Math.max(afterSending, afterStart));
}
