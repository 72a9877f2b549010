// The token email states its expiry on the access zone's wall clock whatever the process's time zone (issue
// 13). Each case puts the process in a zone whose spring-forward gap holds the expiry's wall-clock time in the
// access's zone: date-fns-tz's formatInTimeZone (used before) showed those an hour late (see the top of
// src/domain/access-limitation.ts). America/Sao_Paulo has had no DST since 2019, so only an older date shows
// the difference there.
import { afterEach, describe, expect, it } from 'vitest';
import { accessTokenMail } from '../../src/mail/templates.ts';

const processZone = process.env.TZ;
afterEach(() => {
  if (processZone === undefined) delete process.env.TZ;
  else process.env.TZ = processZone;
});

describe('the token email', () => {
  it.each([
    // Sao Paulo's last spring-forward: 4 Nov 2018, 00:00 → 01:00.
    ['America/Sao_Paulo', '2018-11-04T00:30:00Z', 'UTC', '4 Nov 2018 00:30 (UTC)'],
    // New York: 14 Mar 2027, 02:00 → 03:00.
    ['America/New_York', '2027-03-14T02:30:00Z', 'UTC', '14 Mar 2027 02:30 (UTC)'],
    // Berlin: 28 Mar 2027, 02:00 → 03:00; the access is in Tokyo.
    ['Europe/Berlin', '2027-03-27T17:30:00Z', 'Asia/Tokyo', '28 Mar 2027 02:30 (Asia/Tokyo)'],
  ])('with the process in %s, states %s in %s as %s', (zone, instant, timeZone, expected) => {
    process.env.TZ = zone;
    // The process really is in that zone: the same wall time does not exist there.
    expect(new Date(instant).getTimezoneOffset()).not.toBe(0);
    const mail = accessTokenMail({
      to: 'luz@globex.example',
      userName: 'Luz',
      token: 'K7QX-M2PD-9RTW',
      expiresAt: new Date(instant),
      timeZone,
    });
    expect(mail.text).toContain(`It works once and expires on ${expected}.`);
    expect(mail.html).toContain(`It works once and expires on ${expected}.`);
  });
});
