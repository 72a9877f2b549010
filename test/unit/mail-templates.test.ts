// The token email states its expiry on the access zone's wall clock whatever the process's time zone (issue
// 13). Each case puts the process in a zone whose spring-forward gap holds the expiry's wall-clock time in the
// access's zone: date-fns-tz's formatInTimeZone (used before) showed those an hour late (see the top of
// src/domain/access-limitation.ts). America/Sao_Paulo has had no DST since 2019, so only an older date shows
// the difference there.
import { afterEach, describe, expect, it } from 'vitest';
import { accessLinkMail, accessTokenMail, firstLineOf } from '../../src/mail/templates.ts';
import type { AccessMailContext } from '../../src/mail/templates.ts';

const processZone = process.env.TZ;
afterEach(() => {
  if (processZone === undefined) delete process.env.TZ;
  else process.env.TZ = processZone;
});

const CONTEXT: AccessMailContext = {
  requesterName: 'Maria Silva',
  organisation: 'Initech',
  justification: 'Quarterly database maintenance\nTicket CHG-1234, approved by the CAB',
  supportContact: 'IT service desk, +55 11 5555-0000',
};

function bothMails(context: Partial<AccessMailContext> = {}, names: { user?: string; vendor?: string } = {}) {
  const common = { ...CONTEXT, ...context, to: 'ana@globex.example', userName: names.user ?? 'Ana' };
  const vendorName = names.vendor ?? 'Globex';
  const link = accessLinkMail({
    ...common,
    vendorName,
    link: 'https://domum.example.com/access/abc',
    accessCode: 'EXT-26-000042',
    startsAt: new Date('2026-12-05T12:00:00Z'),
    endsAt: new Date('2026-12-05T20:00:00Z'),
    timeZone: 'America/Sao_Paulo',
  });
  const token = accessTokenMail({
    ...common,
    vendorName,
    accessCode: 'EXT-26-000042',
    token: 'K7QX-M2PD-9RTW',
    sentAt: new Date('2026-12-04T17:00:00Z'),
    expiresAt: new Date('2026-12-07T17:00:00Z'),
    timeZone: 'America/Sao_Paulo',
  });
  return { link, token };
}

describe('both emails', () => {
  it('say who asked, why (the first line), what to do next and whom to contact', () => {
    const { link, token } = bothMails();
    for (const mail of [link, token]) {
      for (const part of [mail.text, mail.html]) {
        expect(part).toContain('Maria Silva (Initech) asked for');
        expect(part).toContain('Why: Quarterly database maintenance');
        expect(part).not.toContain('CHG-1234');
        expect(part).toContain('What to do next:');
        expect(part).toContain('Contact IT service desk, +55 11 5555-0000.');
        // An email has no buttons: the only controls named are the landing page's, which are there.
        expect(part).not.toMatch(/\bbutton\b/i);
        expect(part).not.toMatch(/\b(click|press)\b/i);
      }
    }
    expect(link.text).toContain(
      'Maria Silva (Initech) asked for an access for you as a user of Globex (access EXT-26-000042), from 5 Dec 2026 09:00 America/Sao_Paulo (UTC\u221203:00) until 5 Dec 2026 17:00 America/Sao_Paulo (UTC\u221203:00).',
    );
    expect(link.text).toMatch(/1\. Open your personal page with the link below\.\n2\. Enter the one-time token/);
    expect(link.text).toContain(
      'From 5 Dec 2026 09:00 America/Sao_Paulo (UTC\u221203:00), connect the way you usually do',
    );
    expect(token.subject).toBe('Domum: your one-time token for EXT-26-000042');
    expect(link.subject).toBe('Domum: your access link for Globex (EXT-26-000042)');
    expect(token.text).toContain('Your one-time token for access EXT-26-000042 (Globex) is:');
    expect(token.text).toContain(
      'It is valid for 3 days, until 7 Dec 2026 14:00 America/Sao_Paulo (UTC\u221203:00), and works once.',
    );
    expect(token.text).toContain('choose "Send me a new token" on that page');
  });

  it('leave the contact out when SUPPORT_CONTACT is unset, and say what they know of who asked', () => {
    const { link, token } = bothMails({ supportContact: undefined, requesterName: undefined });
    for (const part of [link.text, link.html, token.text, token.html]) {
      expect(part).not.toContain('Contact ');
      expect(part).toContain('Not expecting this email? Do not use it');
      expect(part).toContain('someone at Initech asked for');
    }
    const nothingKnown = bothMails({ requesterName: undefined, organisation: undefined });
    expect(nothingKnown.link.text).toContain('someone at the organisation asked for');
    expect(bothMails({ organisation: undefined }).token.text).toContain('Maria Silva asked for this access.');
  });

  it('escape every value: HTML in the HTML part, one line in the plain-text part', () => {
    const hostile = '<img src=x onerror=alert(1)> & "Co"';
    const { link, token } = bothMails(
      {
        requesterName: hostile,
        organisation: 'Ini<tech>',
        justification: '<script>alert(1)</script>',
        supportContact: 'help@<evil>.example\r\nBcc: x@evil.example',
      },
      { user: 'Ana\n\nClick https://evil.example', vendor: 'A<B>' },
    );
    for (const mail of [link, token]) {
      expect(mail.html).not.toMatch(/<(img|script|evil|tech|B)\b/);
      expect(mail.html).toContain('&lt;img src=x onerror=alert(1)&gt; &amp; &quot;Co&quot;');
      expect(mail.html).toContain('&lt;script&gt;');
      expect(mail.text).toContain('Hello Ana Click https://evil.example,');
      expect(mail.text).toContain('Contact help@<evil>.example Bcc: x@evil.example.');
      expect(mail.text).not.toMatch(/\nBcc:/);
      expect(mail.subject).not.toMatch(/[\r\n]/);
    }
  });

  it('quote the first non-empty line of the justification, cut at 200 characters', () => {
    expect(firstLineOf('\n  \nFirst\r\nSecond')).toBe('First');
    const long = firstLineOf('x'.repeat(500));
    expect(long).toHaveLength(200);
    expect(long.endsWith('…')).toBe(true);
  });
});

describe('the token email', () => {
  it.each([
    // Sao Paulo's last spring-forward: 4 Nov 2018, 00:00 → 01:00.
    ['America/Sao_Paulo', '2018-11-04T00:30:00Z', 'UTC', '4 Nov 2018 00:30 UTC'],
    // New York: 14 Mar 2027, 02:00 → 03:00.
    ['America/New_York', '2027-03-14T02:30:00Z', 'UTC', '14 Mar 2027 02:30 UTC'],
    // Berlin: 28 Mar 2027, 02:00 → 03:00; the access is in Tokyo.
    ['Europe/Berlin', '2027-03-27T17:30:00Z', 'Asia/Tokyo', '28 Mar 2027 02:30 Asia/Tokyo (UTC+09:00)'],
  ])('with the process in %s, states %s in %s as %s', (zone, instant, timeZone, expected) => {
    process.env.TZ = zone;
    // The process really is in that zone: the same wall time does not exist there.
    expect(new Date(instant).getTimezoneOffset()).not.toBe(0);
    const mail = accessTokenMail({
      ...CONTEXT,
      to: 'luz@globex.example',
      userName: 'Luz',
      vendorName: 'Globex',
      accessCode: 'EXT-26-000001',
      token: 'K7QX-M2PD-9RTW',
      sentAt: new Date(new Date(instant).getTime() - 72 * 3600 * 1000),
      expiresAt: new Date(instant),
      timeZone,
    });
    expect(mail.text).toContain(`It is valid for 3 days, until ${expected}, and works once.`);
    expect(mail.html).toContain(`It is valid for 3 days, until ${expected}, and works once.`);
  });
});
