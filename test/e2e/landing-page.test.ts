// The landing page of the emailed link (SPEC §5), driven over real HTTP: GET changes nothing; wrong tokens
// count and the fifth locks; the right token activates once (then 410); HTML in names is shown as text.
import { readFileSync } from 'node:fs';
import * as XLSX from 'xlsx';
import { afterEach, describe, expect, it } from 'vitest';
import { COMMENT_BLOCK, DECISION_TEXT_ACTION } from '../../src/slack/approval-ids.ts';
import { loadCatalog } from '../../src/usecases/load-catalog.ts';
import { fixturePath } from '../support/fixtures.ts';
import { createRequestThroughWizard } from '../support/request-driver.ts';
import { startSmtpCapture } from '../support/smtp-capture.ts';
import { startTestApp } from '../support/test-app.ts';

const captures: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const capture of captures.splice(0)) await capture.close();
});

function people(): Buffer {
  const rows = [['Vendor', 'Name', 'Email', 'Enabled'], ['Globex', 'Ana <script>alert(1)</script>', 'ana@globex.example', 'Yes'], ['Globex', 'Bruno', 'bruno@globex.example', 'Yes']];
  const book = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(book, XLSX.utils.aoa_to_sheet(rows), 'Users');
  return XLSX.write(book, { type: 'buffer', bookType: 'xlsx' }) as Buffer;
}

describe('the landing page', () => {
  it('activates with the right token once, counts and locks wrong ones, and changes nothing on GET', async () => {
    const smtp = await startSmtpCapture();
    captures.push(smtp);
    const app = await startTestApp({ env: { SMTP_URL: smtp.url, MAIL_RATE_PER_SECOND: '1000', PUBLIC_BASE_URL: 'https://domum.example.com' } });
    const db = app.running.deps.db;
    expect((await loadCatalog(db, { text: readFileSync(fixturePath('catalog.yaml'), 'utf8'), format: 'yaml' })).ok).toBe(true);
    const request = await createRequestThroughWizard(app, { requester: 'U0REQ0001', channel: 'C0LANDING', file: 'people.xlsx', bytes: people() });
    await app.slackApi.waitForCall('chat.postMessage', (call) => String(call.args.text).includes('Access request'), 15_000);
    await app.slack.interactive({
      type: 'view_submission',
      user: { id: 'U0APPR001', team_id: 'T0TEAM001' },
      view: { id: 'VA', type: 'modal', callback_id: 'request_approve_modal', private_metadata: JSON.stringify({ requestId: request.id }), state: { values: { [COMMENT_BLOCK]: { [DECISION_TEXT_ACTION]: { type: 'plain_text_input', value: '' } } } } },
    });
    await smtp.waitForMessages(4, 30_000);
    const mailsTo = (email: string) => smtp.messages.filter((message) => message.to[0] === email).map((message) => message.raw.replace(/=\r\n/g, ''));
    const linkOf = (email: string) => {
      const path = mailsTo(email).map((raw) => /\/access\/([A-Za-z0-9_-]+)/.exec(raw)?.[1]).find(Boolean);
      return `${app.baseUrl}/access/${path}`;
    };
    const tokenOf = (email: string) => mailsTo(email).map((raw) => /[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}/.exec(raw)?.[0]).find(Boolean) as string;

    // GET: a form, security headers, and nothing changed.
    const anaLink = linkOf('ana@globex.example');
    const form = await fetch(anaLink);
    expect(form.status).toBe(200);
    expect(form.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(form.headers.get('referrer-policy')).toBe('no-referrer');
    expect(form.headers.get('x-frame-options')).toBe('DENY');
    expect(form.headers.get('cache-control')).toBe('no-store');
    const html = await form.text();
    expect(html).toContain('name="token"');
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).toContain('&lt;script&gt;');
    const before = await db.selectFrom('accesses').select(['failed_token_attempts', 'first_access_state']).execute();
    expect(before.every((access) => access.failed_token_attempts === 0 && access.first_access_state === 'link_sent')).toBe(true);

    const post = async (link: string, token: string, withCsrf = true) => {
      const page = await fetch(link);
      const cookie = (page.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
      const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
      return fetch(link, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
        body: new URLSearchParams({ token, csrf: withCsrf ? csrf : 'forged' }).toString(),
      });
    };

    // Without the form's CSRF value: refused, nothing counted.
    expect((await post(anaLink, 'AAAA-BBBB-CCCC', false)).status).toBe(403);
    // The right token, in lower case without hyphens, activates; a second time it is refused.
    const activated = await post(anaLink, tokenOf('ana@globex.example').toLowerCase().replace(/-/g, ''));
    expect(activated.status).toBe(200);
    const activatedHtml = await activated.text();
    expect(activatedHtml).toContain('db-prod-01');
    expect(activatedHtml).toContain('postgres @ db-prod-01');
    expect(activatedHtml).toContain('Start session');
    expect((await post(anaLink, tokenOf('ana@globex.example'))).status).toBe(410);
    expect(await (await fetch(anaLink)).text()).toContain('already activated');

    // Wrong tokens: 400 four times, the fifth locks (423), and then even the right token is refused.
    const brunoLink = linkOf('bruno@globex.example');
    const statuses = [];
    for (let attempt = 0; attempt < 5; attempt += 1) statuses.push((await post(brunoLink, 'ABCD-EFGH-JKMN')).status);
    expect(statuses).toEqual([400, 400, 400, 400, 423]);
    expect((await post(brunoLink, tokenOf('bruno@globex.example'))).status).toBe(423);

    // An unknown link gets the same kind of page as a cancelled one.
    expect((await fetch(`${app.baseUrl}/access/unknown-link-id-000000`)).status).toBe(404);
    const events = await db.selectFrom('audit_events').select('action').where('action', 'like', 'access.%').execute();
    expect(events.filter((event) => event.action === 'access.activated')).toHaveLength(1);
  }, 90_000);
});
