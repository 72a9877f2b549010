// A day before an access ends (README "Importing users" → Lifecycle), its user gets one email saying when it
// ends, with the UTC offset, and whom to ask for more time — once, however many ticks run, also across a restart;
// cancelled accesses and accesses of a day or less get none. With a test clock, the SMTP server on loopback and
// the lifecycle tick run on demand.
import { describe, expect, it } from 'vitest';
import { formatInstant } from '../../src/domain/access-limitation.ts';
import { cancelAccesses } from '../../src/usecases/cancel-accesses.ts';
import { provision } from '../support/landing-page-driver.ts';
import type { Provisioned } from '../support/landing-page-driver.ts';
import { queueSettled, tick } from '../support/lifecycle.ts';
import { startTestApp } from '../support/test-app.ts';
import { usesPostgres } from '../support/test-database.ts';
import { waitFor } from '../support/wait-for.ts';

const HOUR = 3600 * 1000;
const SUPPORT = 'Initech IT <help@initech.example>';
const USERS: Array<[string, string]> = [
  ['Ana', 'ana@globex.example'],
  ['Bia', 'bia@globex.example'],
  ['Caio', 'caio@globex.example'],
];

/**
 * Ticks until a tick has claimed the request's end reminder and warnings, as the every-minute schedule would: a
 * tick skips a request whose row another job holds at that moment, and the next one takes it.
 */
async function tickUntilClaimed(provisioned: Provisioned): Promise<void> {
  await waitFor(
    async () => {
      await tick(provisioned.app);
      const request = await provisioned.db
        .selectFrom('access_requests')
        .select('end_reminded_at')
        .executeTakeFirstOrThrow();
      return request.end_reminded_at !== null;
    },
    { description: 'a tick to claim the warnings', timeoutMs: 30_000 },
  );
}

const warnings = (provisioned: Provisioned) =>
  provisioned.smtp.messages.filter((message) => message.subject?.includes(' ends '));

/** Provisioned accesses made to last two days (the wizard driver asks for 8 hours); Caio's is cancelled. */
async function twoDayAccesses(clock: { fixed?: Date }) {
  const provisioned = await provision(USERS, {
    now: () => clock.fixed ?? new Date(),
    env: { SUPPORT_CONTACT: SUPPORT },
  });
  const { db, app } = provisioned;
  const [first] = await db.selectFrom('accesses').select(['starts_at']).execute();
  const startsAt = first!.starts_at;
  const endsAt = new Date(startsAt.getTime() + 48 * HOUR);
  await db.updateTable('accesses').set({ ends_at: endsAt }).execute();
  const caio = await db
    .selectFrom('accesses as a')
    .innerJoin('third_party_users as u', 'u.id', 'a.user_id')
    .select('a.code')
    .where('u.email', '=', 'caio@globex.example')
    .executeTakeFirstOrThrow();
  const cancelled = await cancelAccesses(app.running.deps, {
    target: { kind: 'access', code: caio.code },
    actor: { userId: 'U0REQ0001', isAdmin: false },
    reason: 'Caio left',
  });
  expect(cancelled.ok).toBe(true);
  return { ...provisioned, startsAt, endsAt };
}

describe('the email a day before an access ends', () => {
  it('tells each user of an access in force once, with the end, its UTC offset and whom to ask', async () => {
    const clock: { fixed?: Date } = {};
    const provisioned = await twoDayAccesses(clock);
    const { app, db, startsAt, endsAt } = provisioned;
    // More than a day before the end: nothing yet.
    clock.fixed = new Date(startsAt.getTime() + HOUR);
    await tick(app);
    await queueSettled(app, 'access.end-notices');
    expect(warnings(provisioned)).toEqual([]);

    clock.fixed = new Date(endsAt.getTime() - 23 * HOUR);
    await Promise.all([tick(app), tick(app)]);
    await tickUntilClaimed(provisioned);
    await provisioned.smtp.waitForMessages(USERS.length * 2 + 2, 15_000);
    await queueSettled(app, 'access.end-notices');
    await tick(app);
    await queueSettled(app, 'access.end-notices');
    const sent = warnings(provisioned);
    expect(sent.map((message) => message.to[0]).sort()).toEqual(['ana@globex.example', 'bia@globex.example']);
    const ana = await db
      .selectFrom('accesses as a')
      .innerJoin('third_party_users as u', 'u.id', 'a.user_id')
      .select(['a.code', 'a.end_warning_sent_at'])
      .where('u.email', '=', 'ana@globex.example')
      .executeTakeFirstOrThrow();
    expect(ana.end_warning_sent_at).not.toBeNull();
    const mail = sent.find((message) => message.to[0] === 'ana@globex.example');
    const until = `${formatInstant(endsAt, 'UTC')} UTC`;
    expect(mail?.subject).toBe(`Domum: your access ${ana.code} ends ${until}`);
    const text = mail?.raw.replace(/=\r\n/g, '') ?? '';
    expect(text).toContain(`Your access ${ana.code} as a user of Globex ends ${until}.`);
    expect(text).toContain('Need more time? Ask User U0REQ0001 (Domum Test) to extend it before it ends, or');
    expect(text).toContain('contact Initech IT');
    expect(text).toContain('Why: Scheduled maintenance');
    expect(mail?.headers['message-id']).toContain('end-warning');
  }, 120_000);

  it('gives an access of a day or less no warning', async () => {
    const clock: { fixed?: Date } = {};
    const provisioned = await provision(USERS.slice(0, 1), { now: () => clock.fixed ?? new Date() });
    const [access] = await provisioned.db.selectFrom('accesses').select(['ends_at']).execute();
    clock.fixed = new Date(access!.ends_at.getTime() - HOUR);
    await tick(provisioned.app);
    await queueSettled(provisioned.app, 'access.end-notices');
    expect(warnings(provisioned)).toEqual([]);
    expect(await provisioned.app.running.deps.jobs.boss.findJobs('access.end-notices')).toEqual([]);
  }, 120_000);

  // A restart needs a database that outlives the process: PostgreSQL (the embedded test database is in memory).
  it.runIf(usesPostgres())(
    'sends each warning once across a restart of the app',
    async () => {
      const clock: { fixed?: Date } = {};
      const provisioned = await twoDayAccesses(clock);
      clock.fixed = new Date(provisioned.endsAt.getTime() - 23 * HOUR);
      await tickUntilClaimed(provisioned);
      await provisioned.smtp.waitForMessages(USERS.length * 2 + 2, 15_000);
      await queueSettled(provisioned.app, 'access.end-notices');
      // The app restarts after it told them: the ticks of the new process, at the same instant and later, find
      // the warnings claimed and sent, and send nothing again.
      await provisioned.app.running.stop();
      const second = await startTestApp({
        database: provisioned.app.database,
        now: () => clock.fixed ?? new Date(),
        env: { SMTP_URL: provisioned.smtp.url, MAIL_RATE_PER_SECOND: '1000', SUPPORT_CONTACT: SUPPORT },
      });
      await queueSettled(second, 'access.end-notices');
      await Promise.all([tick(second), tick(second)]);
      clock.fixed = new Date(provisioned.endsAt.getTime() - HOUR);
      await tick(second);
      await queueSettled(second, 'access.end-notices');
      expect(
        warnings(provisioned)
          .map((message) => message.to[0])
          .sort(),
      ).toEqual(['ana@globex.example', 'bia@globex.example']);
    },
    120_000,
  );
});
