// A token must still work when its user can first use the access (README "Importing users" → Provisioning,
// SPEC §5): it expires TOKEN_TTL_HOURS after it is sent, and never before the access's start plus 24 hours.
// Through the real flow: the wizard's access starts a day after the request, the emails go through the SMTP
// server on loopback, and the landing page is asked with the app's clock moved forward.
import { describe, expect, it } from 'vitest';
import { formatInstant } from '../../src/domain/access-limitation.ts';
import { linkIdOf, provision } from '../support/landing-page-driver.ts';
import { TEST_MAIL_FROM } from '../support/test-app.ts';
import { waitFor } from '../support/wait-for.ts';

const HOUR_MS = 60 * 60 * 1000;

describe('token lifetime', () => {
  it('keeps a token sent a day before the access starts working 25 hours later, and refuses it after expiry', async () => {
    const clock: { fixed?: Date } = {};
    const { db, smtp, linkOf, tokenOf, postToken } = await provision(
      [
        ['Ana', 'ana@globex.example'],
        ['Bia', 'bia@globex.example'],
      ],
      {
        now: () => clock.fixed ?? new Date(),
        env: { TOKEN_TTL_HOURS: '1', SUPPORT_CONTACT: 'Initech IT <help@initech.example>' },
      },
    );
    // Sent from MAIL_FROM (required with SMTP_URL), with Message-IDs under its domain.
    for (const message of smtp.messages) {
      expect(message.headers.from).toBe(TEST_MAIL_FROM);
      expect(message.headers['message-id']).toMatch(/^<[^<>@\s]+@domum\.example>$/);
    }
    // Provisioning records each token email as sent just after the mail server took it.
    await waitFor(
      async () =>
        (await db.selectFrom('accesses').select('token_email_sent_at').execute()).every(
          (access) => access.token_email_sent_at !== null,
        ),
      { timeoutMs: 15_000, description: 'the token emails recorded as sent' },
    );
    const ana = linkOf('ana@globex.example');
    const bia = linkOf('bia@globex.example');
    const row = await db
      .selectFrom('accesses')
      .select(['token_email_sent_at', 'starts_at', 'token_expires_at'])
      .where('link_id', '=', linkIdOf(ana))
      .executeTakeFirstOrThrow();
    const sentAt = row.token_email_sent_at as Date;
    // The access starts a day after its token was sent (the wizard's start, rounded up to a quarter hour).
    const startsIn = row.starts_at.getTime() - sentAt.getTime();
    expect(startsIn).toBeGreaterThan(23.9 * HOUR_MS);
    expect(startsIn).toBeLessThan(24.5 * HOUR_MS);
    // TOKEN_TTL_HOURS=1 would end it an hour after sending; the access's start plus 24 hours comes later.
    expect(row.token_expires_at).toEqual(new Date(row.starts_at.getTime() + 24 * HOUR_MS));

    // The emails say who asked (the requester's Slack name and, without ORGANISATION_NAME, the workspace's name),
    // why, what to do next and whom to contact; the token email names the access and how long the token works.
    const code = (
      await db.selectFrom('accesses').select('code').where('link_id', '=', linkIdOf(ana)).executeTakeFirstOrThrow()
    ).code;
    const [linkMail, tokenMail] = smtp.messages.filter((message) => message.to[0] === 'ana@globex.example');
    for (const message of [linkMail, tokenMail]) {
      const text = message?.raw.replace(/=\r\n/g, '') ?? '';
      expect(text).toContain('User U0REQ0001 (Domum Test) asked for');
      expect(text).toContain('Why: Scheduled maintenance');
      expect(text).toContain('What to do next:');
      expect(text).toContain('Contact Initech IT <help@initech.example>.');
      expect(text).toContain(code);
    }
    expect(tokenMail?.subject).toBe(`Domum: your one-time token for ${code}`);
    const expiresAt = row.token_expires_at as Date;
    expect(tokenMail?.raw.replace(/=\r\n/g, '')).toMatch(
      new RegExp(
        `It is valid for (1 day and 23 hours|2 days), until ${formatInstant(expiresAt, 'UTC')} UTC, and works once\\.`,
      ),
    );

    clock.fixed = new Date(sentAt.getTime() + 25 * HOUR_MS);
    const accepted = await postToken(ana, tokenOf('ana@globex.example'));
    expect(accepted.status).toBe(200);
    expect(await accepted.text()).toContain('Your access is activated');

    // Bia's access lasts long enough for her token, not her access, to be what has run out.
    await db
      .updateTable('accesses')
      .set({ ends_at: new Date(row.starts_at.getTime() + 30 * 24 * HOUR_MS) })
      .where('link_id', '=', linkIdOf(bia))
      .execute();
    clock.fixed = new Date(row.starts_at.getTime() + 24 * HOUR_MS + 60_000);
    const refused = await postToken(bia, tokenOf('bia@globex.example'));
    expect(refused.status).toBe(410);
    expect(await refused.text()).toContain('This token has expired');
  }, 120_000);
});
