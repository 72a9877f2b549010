// Instants and durations as the emails and the landing page say them: the access zone's wall clock, a common
// abbreviation where English has one (else the IANA name), and always the UTC offset.
import { describe, expect, it } from 'vitest';
import { formatDuration, formatInstantWithZone, utcOffsetOf } from '../../src/domain/instant-words.ts';

describe('formatInstantWithZone', () => {
  it.each([
    ['2026-12-07T17:00:00Z', 'America/Sao_Paulo', '7 Dec 2026 14:00 America/Sao_Paulo (UTC\u221203:00)'],
    ['2026-12-07T17:00:00Z', 'America/New_York', '7 Dec 2026 12:00 EST (UTC\u221205:00)'],
    ['2026-07-07T17:00:00Z', 'America/New_York', '7 Jul 2026 13:00 EDT (UTC\u221204:00)'],
    ['2026-07-07T17:00:00Z', 'Europe/Paris', '7 Jul 2026 19:00 CEST (UTC+02:00)'],
    ['2026-07-07T17:00:00Z', 'Europe/London', '7 Jul 2026 18:00 BST (UTC+01:00)'],
    ['2026-12-07T17:00:00Z', 'Asia/Kolkata', '7 Dec 2026 22:30 Asia/Kolkata (UTC+05:30)'],
    ['2026-12-07T17:00:00Z', 'UTC', '7 Dec 2026 17:00 UTC'],
  ])('says %s in %s as %s', (instant, zone, expected) => {
    expect(formatInstantWithZone(new Date(instant), zone)).toBe(expected);
  });

  it('writes the offset with a true minus sign', () => {
    expect(utcOffsetOf(new Date('2026-12-07T17:00:00Z'), 'America/Sao_Paulo')).toBe('UTC\u221203:00');
    expect(utcOffsetOf(new Date('2026-12-07T17:00:00Z'), 'UTC')).toBe('UTC+00:00');
  });
});

describe('formatDuration', () => {
  const hours = (n: number) => n * 3600 * 1000;
  it.each([
    [hours(72), '3 days'],
    [hours(49) + 5 * 60_000, '2 days and 1 hour'],
    [hours(24), '1 day'],
    [hours(25), '1 day and 1 hour'],
    [hours(1) + 30 * 60_000, '1 hour and 30 minutes'],
    [45 * 60_000 + 59_000, '45 minutes'],
    [10_000, 'less than a minute'],
    [-5, 'less than a minute'],
  ])('says %i ms as %s', (milliseconds, expected) => {
    expect(formatDuration(milliseconds)).toBe(expected);
  });
});
