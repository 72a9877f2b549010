// Dates on the landing page and in the token email are the access zone's wall clock whatever the process's
// time zone (issue 13). The process runs in America/New_York; the access is in UTC and starts, and its new
// token expires, at 02:30 UTC on 14 Mar 2027, a wall-clock time that does not exist in New York (02:00 → 03:00
// that night). date-fns-tz's formatInTimeZone, used before, showed 03:30 (see the top of
// src/domain/access-limitation.ts). America/Sao_Paulo has had no DST since 2019, so no current date shows the
// difference there (test/unit/mail-templates.test.ts covers its 2018 gap).
import { afterEach, describe, expect, it } from 'vitest';
import { linkIdOf, provision, TOKEN } from '../support/landing-page-driver.ts';

const processZone = process.env.TZ;
afterEach(() => {
  if (processZone === undefined) delete process.env.TZ;
  else process.env.TZ = processZone;
});

describe('dates on the landing page and in the emails', () => {
  it('are the wall clock of the access zone with the process in another zone', async () => {
    process.env.TZ = 'America/New_York';
    expect(new Date('2027-03-14T07:30:00Z').getHours()).toBe(3); // 03:30 EDT: the process is in New York
    const clock: { fixed?: Date } = {};
    const { db, mailsTo, linkOf, tokenOf, postToken, askNewToken, newTokenJobsSettled } = await provision(
      [['Luz', 'luz@globex.example']],
      { now: () => clock.fixed ?? new Date(), env: { TOKEN_TTL_HOURS: '1' } },
    );
    const luz = linkOf('luz@globex.example');
    const moveAccess = (startsAt: Date) =>
      db
        .updateTable('accesses')
        .set({
          starts_at: startsAt,
          ends_at: new Date('2027-04-14T02:30:00Z'),
          time_zone: 'UTC',
          status: 'scheduled',
        })
        .where('link_id', '=', linkIdOf(luz))
        .execute();
    // A token never expires before its access's start plus 24 hours: with the access starting at 02:30 UTC on
    // 13 Mar, the new token asked an hour before expires at 02:30 UTC on 14 Mar.
    await moveAccess(new Date('2027-03-13T02:30:00Z'));
    clock.fixed = new Date('2027-03-13T01:30:00Z');

    expect((await askNewToken(luz)).status).toBe(200);
    await newTokenJobsSettled(1);
    const tokenMail = mailsTo('luz@globex.example')
      .filter((raw) => TOKEN.test(raw))
      .at(-1);
    expect(tokenMail).toContain('until 14 Mar 2027 02:30 UTC, and works once.');

    // The access then moves to start at 02:30 UTC on 14 Mar; the token, stored with its expiry, still works.
    await moveAccess(new Date('2027-03-14T02:30:00Z'));
    const activated = await postToken(luz, tokenOf('luz@globex.example'));
    expect(activated.status).toBe(200);
    expect(await activated.text()).toContain('Your access starts on 14 Mar 2027 02:30 UTC.');
  }, 120_000);
});
