import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  TOKEN_ALPHABET,
  TOKEN_ENTROPY_BITS,
  TOKEN_LENGTH,
  TOKEN_RANDOM_BYTES,
  formatToken,
  normalizeTokenInput,
  tokenExpiry,
  tokenFromRandomBytes,
} from '../../src/domain/access-token.ts';
import { generateAccessToken, generateLinkId, hashToken, tokenMatches } from '../../src/usecases/access-secrets.ts';

const KEY = 'a'.repeat(64);
const OTHER_KEY = 'b'.repeat(64);
const FORMATTED = /^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$/;
const canonicalToken = fc
  .array(fc.constantFrom(...TOKEN_ALPHABET), { minLength: TOKEN_LENGTH, maxLength: TOKEN_LENGTH })
  .map((chars) => chars.join(''));

describe('token alphabet and entropy', () => {
  it('has digits 2–9 and the letters without look-alikes', () => {
    expect(TOKEN_ALPHABET).toHaveLength(31);
    expect(new Set(TOKEN_ALPHABET).size).toBe(31);
    for (const lookAlike of '0O1IL') expect(TOKEN_ALPHABET).not.toContain(lookAlike);
    expect(TOKEN_ALPHABET).toMatch(/^[2-9A-Z]+$/);
  });

  it('gives at least 50 bits', () => {
    expect(TOKEN_ENTROPY_BITS).toBeCloseTo(12 * Math.log2(31), 10);
    expect(TOKEN_ENTROPY_BITS).toBeGreaterThanOrEqual(50);
  });
});

describe('formatToken and normalizeTokenInput', () => {
  it('formats in groups of four', () => {
    expect(formatToken('K7QXM2PD9RTW')).toBe('K7QX-M2PD-9RTW');
    expect(formatToken('k7qx m2pd 9rtw')).toBe('K7QX-M2PD-9RTW');
  });

  it('accepts any case, with or without hyphens or spaces', () => {
    for (const input of [
      'K7QX-M2PD-9RTW',
      'K7QXM2PD9RTW',
      'k7qx-m2pd-9rtw',
      'k7qx m2pd 9rtw',
      '  K7qx M2pD-9rtW \n',
      'K-7-Q-X-M-2-P-D-9-R-T-W',
      'K7QX\u00a0M2PD\u20119RTW', // non-breaking space and non-breaking hyphen, as pasted from an HTML email
    ]) {
      expect(normalizeTokenInput(input), JSON.stringify(input)).toBe('K7QXM2PD9RTW');
    }
  });

  it('round-trips every token through format, lower case, spaces and hyphens', () => {
    fc.assert(
      fc.property(canonicalToken, (raw) => {
        const formatted = formatToken(raw);
        expect(formatted).toMatch(FORMATTED);
        expect(normalizeTokenInput(formatted)).toBe(raw);
        expect(normalizeTokenInput(formatted.toLowerCase())).toBe(raw);
        expect(normalizeTokenInput(formatted.replaceAll('-', ' '))).toBe(raw);
        expect(normalizeTokenInput(raw)).toBe(raw);
      }),
    );
  });

  it('refuses look-alikes, other characters and wrong lengths', () => {
    for (const input of [
      'K7QX-M2PD-9RT0', // zero
      'K7QX-M2PD-9RTO', // letter O
      'K7QX-M2PD-9RT1', // one
      'K7QX-M2PD-9RTI', // letter I
      'K7QX-M2PD-9RTL', // letter L
      'k7qx-m2pd-9rtl', // lower-case l
      'K7QX-M2PD-9RT', // 11
      'K7QX-M2PD-9RTWW', // 13
      '',
      '   ',
      '----',
      'K7QX_M2PD_9RTW',
      'K7QX.M2PD.9RTW',
      'K7QX-M2PD-9RTſ', // long s upper-cases to S
      'K7QX-M2PD-9RTW'.repeat(10),
    ]) {
      expect(normalizeTokenInput(input), JSON.stringify(input)).toBeNull();
    }
  });

  it('never throws on garbage', () => {
    for (const input of [undefined, null, 42, {}, ['K7QX-M2PD-9RTW'], Symbol('x'), 'x'.repeat(1_000_000)]) {
      expect(normalizeTokenInput(input)).toBeNull();
    }
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (input) => {
        const result = normalizeTokenInput(input);
        if (result !== null) expect(result).toMatch(/^[2-9A-HJKMNP-Z]{12}$/);
      }),
    );
  });

  it('formatToken refuses malformed tokens without echoing them', () => {
    expect(() => formatToken('K7QXM2PD9RT0')).toThrow(RangeError);
    expect(() => formatToken('K7QXM2PD9RT0')).not.toThrow(/K7QX/);
  });
});

describe('tokenFromRandomBytes', () => {
  it('maps each accepted byte value to exactly 8 of the 248 accepted values per character', () => {
    // Exhaustive over the first byte, followed by exactly 11 accepted bytes: a rejected first byte leaves too
    // few and gives null. Unbiased iff every character comes from the same number of byte values.
    const counts = new Map<string, number>();
    let rejected = 0;
    for (let byte = 0; byte < 256; byte++) {
      const token = tokenFromRandomBytes(Uint8Array.of(byte, ...new Array<number>(11).fill(0)));
      if (token === null) {
        rejected++;
        expect(byte).toBeGreaterThanOrEqual(248);
        continue;
      }
      const first = token.charAt(0);
      counts.set(first, (counts.get(first) ?? 0) + 1);
    }
    expect(rejected).toBe(8);
    expect([...counts.keys()].sort().join('')).toBe([...TOKEN_ALPHABET].sort().join(''));
    for (const count of counts.values()) expect(count).toBe(8);
  });

  it('skips bytes 248–255 and stops after the 12th accepted byte', () => {
    const bytes = Uint8Array.of(255, 248, 0, 1, 2, 3, 250, 4, 5, 6, 7, 8, 9, 10, 30, 31, 200);
    expect(tokenFromRandomBytes(bytes)).toBe('23456789ABCZ');
  });

  it('returns null when the bytes run out', () => {
    expect(tokenFromRandomBytes(new Uint8Array(0))).toBeNull();
    expect(tokenFromRandomBytes(new Uint8Array(11))).toBeNull();
    expect(tokenFromRandomBytes(new Uint8Array(100).fill(255))).toBeNull();
    expect(tokenFromRandomBytes(Uint8Array.of(...new Array(11).fill(0), 249, 250))).toBeNull();
    expect(tokenFromRandomBytes(new Uint8Array(12))).toBe('222222222222');
    expect(TOKEN_RANDOM_BYTES).toBeGreaterThanOrEqual(TOKEN_LENGTH);
  });
});

describe('generateAccessToken', () => {
  it('is formatted and uses every character with equal frequency (60,000 draws)', () => {
    const counts = new Map<string, number>([...TOKEN_ALPHABET].map((c) => [c, 0]));
    const tokens = new Set<string>();
    for (let i = 0; i < 5000; i++) {
      const token = generateAccessToken();
      expect(token).toMatch(FORMATTED);
      tokens.add(token);
      for (const c of token.replaceAll('-', '')) counts.set(c, counts.get(c)! + 1);
    }
    expect(tokens.size).toBe(5000);
    // Chi-square with 30 degrees of freedom: 70 is exceeded by chance with probability ≈ 5e-5. A plain
    // `byte % 31` (modulo bias: 2–9 one ninth more likely) scores ≈ 270 here.
    const expected = 60_000 / 31;
    let chiSquare = 0;
    for (const count of counts.values()) chiSquare += (count - expected) ** 2 / expected;
    expect(chiSquare).toBeLessThan(70);
  });
});

describe('generateLinkId', () => {
  it('is 22+ URL-safe characters and unique over 10,000 draws', () => {
    const ids = new Set<string>();
    for (let i = 0; i < 10_000; i++) {
      const id = generateLinkId();
      expect(id).toMatch(/^[A-Za-z0-9_-]{22,}$/);
      expect(encodeURIComponent(id)).toBe(id);
      ids.add(id);
    }
    expect(ids.size).toBe(10_000);
  });
});

describe('hashToken and tokenMatches', () => {
  it('is stable, hex, and the same for every way of writing the token', () => {
    const hash = hashToken(KEY, 'K7QX-M2PD-9RTW');
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hashToken(KEY, 'K7QX-M2PD-9RTW')).toBe(hash);
    expect(hashToken(KEY, 'k7qx m2pd 9rtw')).toBe(hash);
    expect(hashToken(KEY, 'K7QXM2PD9RTW')).toBe(hash);
  });

  it('is keyed', () => {
    expect(hashToken(OTHER_KEY, 'K7QX-M2PD-9RTW')).not.toBe(hashToken(KEY, 'K7QX-M2PD-9RTW'));
    expect(hashToken(KEY, 'K7QX-M2PD-9RTX')).not.toBe(hashToken(KEY, 'K7QX-M2PD-9RTW'));
  });

  it('refuses to hash something that is not a token, without echoing it', () => {
    expect(() => hashToken(KEY, 'hello')).toThrow(RangeError);
    expect(() => hashToken(KEY, 'K7QX-M2PD-9RT0')).not.toThrow(/K7QX/);
  });

  it('matches the right token in any writing, and nothing else', () => {
    const token = generateAccessToken();
    const stored = hashToken(KEY, token);
    expect(tokenMatches(KEY, token, stored)).toBe(true);
    expect(tokenMatches(KEY, token.toLowerCase().replaceAll('-', ' '), stored)).toBe(true);
    expect(tokenMatches(KEY, token.replaceAll('-', ''), stored)).toBe(true);
    expect(tokenMatches(OTHER_KEY, token, stored)).toBe(false);
    expect(tokenMatches(KEY, generateAccessToken(), stored)).toBe(false);
    expect(tokenMatches(KEY, token.slice(0, -1), stored)).toBe(false);
    expect(tokenMatches(KEY, stored, stored)).toBe(false);
  });

  it('never throws on garbage input or a malformed stored hash', () => {
    const stored = hashToken(KEY, 'K7QX-M2PD-9RTW');
    const garbage = [undefined, null, 0, '', '000000000000', 'K7QX-M2PD-9RT0', ['K7QX-M2PD-9RTW'], {}, 'x'.repeat(1e6)];
    for (const input of garbage) {
      expect(tokenMatches(KEY, input, stored)).toBe(false);
    }
    for (const bad of ['', 'zz', stored.slice(2), `${stored}00`, '0'.repeat(64), undefined as unknown as string]) {
      expect(tokenMatches(KEY, 'K7QX-M2PD-9RTW', bad)).toBe(false);
    }
    expect(tokenMatches(KEY, 'K7QX-M2PD-9RTW', stored.toUpperCase())).toBe(true);
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (input) => {
        expect(tokenMatches(KEY, input, stored)).toBe(false);
      }),
    );
  });
});

describe('tokenExpiry', () => {
  const hours = (n: number) => n * 60 * 60 * 1000;
  const sentAt = new Date('2026-12-04T12:00:00Z');

  it('is TOKEN_TTL_HOURS after sending when the access started long enough ago', () => {
    const startedLastWeek = new Date(sentAt.getTime() - hours(7 * 24));
    expect(tokenExpiry(sentAt, startedLastWeek, 72)).toEqual(new Date('2026-12-07T12:00:00Z'));
  });

  it('is never before the access starts plus 24 hours', () => {
    const startsTomorrow = new Date(sentAt.getTime() + hours(24));
    expect(tokenExpiry(sentAt, startsTomorrow, 1)).toEqual(new Date('2026-12-06T12:00:00Z'));
    const startsNextMonth = new Date('2027-01-04T09:15:00Z');
    expect(tokenExpiry(sentAt, startsNextMonth, 72)).toEqual(new Date('2027-01-05T09:15:00Z'));
  });

  it('is the later of the two, whatever the inputs', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: 1, max: 1000 }), (startOffset, ttl) => {
        const startsAt = new Date(sentAt.getTime() + hours(startOffset));
        const expiry = tokenExpiry(sentAt, startsAt, ttl).getTime();
        expect(expiry).toBeGreaterThanOrEqual(sentAt.getTime() + hours(ttl));
        expect(expiry).toBeGreaterThanOrEqual(startsAt.getTime() + hours(24));
        expect([sentAt.getTime() + hours(ttl), startsAt.getTime() + hours(24)]).toContain(expiry);
      }),
    );
  });
});
