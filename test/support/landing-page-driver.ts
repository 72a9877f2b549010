// What the landing page's tests share: users provisioned through the real flow (catalog, wizard, approval,
// provisioning, SMTP on loopback), their emails, and the browser's side of the forms — the CSRF cookie a
// browser keeps and sends back (RFC 6265 path and Secure rules, `__Host-` prefix rules), the form's value and
// the POSTs — plus the access.new-token jobs the page enqueues.
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import * as XLSX from 'xlsx';
import { afterEach, expect } from 'vitest';
import type { Db } from '../../src/db/schema.ts';
import { JOB_SCHEMA } from '../../src/jobs/job-queue.ts';
import { sendNewTokenQueue } from '../../src/jobs/queues.ts';
import { accessResendButton } from '../../src/slack/actions/access-resend.ts';
import { COMMENT_BLOCK, DECISION_TEXT_ACTION } from '../../src/slack/ids.ts';
import { CSRF_COOKIE_HTTP, CSRF_COOKIE_HTTPS, csrfFieldFor } from '../../src/web/landing-page.ts';
import { createRequestThroughWizard } from './request-driver.ts';
import { seedCatalog } from './seed-catalog.ts';
import { startSmtpCapture } from './smtp-capture.ts';
import type { SmtpCapture } from './smtp-capture.ts';
import { startTestApp, TEST_SECRET_KEY } from './test-app.ts';
import type { TestApp, TestAppOptions } from './test-app.ts';
import { waitFor } from './wait-for.ts';

const smtpServers: SmtpCapture[] = [];
afterEach(async () => {
  for (const smtp of smtpServers.splice(0)) await smtp.close();
});

export const TOKEN = /[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}/;

export function people(rows: Array<[string, string]>): Buffer {
  const sheet = [
    ['Vendor', 'Name', 'Email', 'Enabled'],
    ...rows.map(([name, email]) => ['Globex', name, email, 'Yes']),
  ];
  const book = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(book, XLSX.utils.aoa_to_sheet(sheet), 'Users');
  return XLSX.write(book, { type: 'buffer', bookType: 'xlsx' }) as Buffer;
}

/** A Set-Cookie header as a browser stores it. */
export interface StoredCookie {
  name: string;
  value: string;
  /** Lower-cased attribute names; valueless ones (Secure, HttpOnly) map to ''. */
  attributes: Record<string, string>;
}

export function parseSetCookie(header: string): StoredCookie {
  const [pair = '', ...rest] = header.split(';');
  const equals = pair.indexOf('=');
  const attributes: Record<string, string> = {};
  for (const part of rest) {
    const [key = '', ...value] = part.trim().split('=');
    attributes[key.toLowerCase()] = value.join('=');
  }
  return { name: pair.slice(0, equals).trim(), value: pair.slice(equals + 1).trim(), attributes };
}

/**
 * Whether a browser that received `cookie` in the answer to `setBy` keeps it and sends it with a request to
 * `requestUrl`: the `__Host-` prefix rules (Secure, Path=/, no Domain, set over https), Secure cookies only
 * over https, and RFC 6265 §5.1.4 path-match, with the default path when Path is missing.
 */
export function browserSends(cookie: StoredCookie, setBy: URL, requestUrl: URL): boolean {
  const secure = 'secure' in cookie.attributes;
  if (secure && setBy.protocol !== 'https:') return false;
  if (cookie.name.startsWith('__Host-') && (!secure || cookie.attributes.path !== '/' || 'domain' in cookie.attributes))
    return false;
  if (secure && requestUrl.protocol !== 'https:') return false;
  const defaultPath = setBy.pathname.slice(0, Math.max(1, setBy.pathname.lastIndexOf('/')));
  const path = cookie.attributes.path?.startsWith('/') ? cookie.attributes.path : defaultPath;
  const requestPath = requestUrl.pathname;
  return (
    requestPath === path ||
    (requestPath.startsWith(path) && (path.endsWith('/') || requestPath.charAt(path.length) === '/'))
  );
}

export interface FormPair {
  /** The Cookie header a browser sends back. */
  cookie: string;
  /** The form's hidden `csrf` value. */
  csrf: string;
}

export interface Provisioned {
  app: TestApp;
  smtp: SmtpCapture;
  db: Db;
  mailsTo(email: string): string[];
  /** The link as the app serves it (on loopback). */
  linkOf(email: string): string;
  /** The link exactly as emailed (PUBLIC_BASE_URL/access/<link id>). */
  emailedLinkOf(email: string): string;
  /** The newest token emailed to this address. */
  tokenOf(email: string): string;
  /** GET a link's page (sending `cookie`, as a browser with one would) and read its form's CSRF pair. */
  formOf(link: string, cookie?: string): Promise<FormPair & { setCookie: string }>;
  /** A pair for any link, made the way the server makes it: for pages that show no form. */
  computedPair(link: string): FormPair;
  /** POST the token with a pair: this page's (default), `forged`, or the one given. */
  postToken(link: string, token: string, pair?: FormPair | 'forged'): Promise<Response>;
  /** POST "Send me a new token" with a pair: this page's (default), `forged`, or the one given. */
  askNewToken(link: string, pair?: FormPair | 'forged'): Promise<Response>;
  /** Waits until `count` access.new-token jobs exist (at least), none waiting, retrying or running. */
  newTokenJobsSettled(count?: number): Promise<void>;
}

export function linkIdOf(link: string): string {
  return link.split('/').at(-1) as string;
}

export interface NewTokenJob {
  id: string;
  state: string;
  /** The link id (the queue's singletonKey). */
  singletonKey: string | null;
  retryCount: number;
}

/** Every access.new-token job, oldest first. */
export async function newTokenJobs(db: Db): Promise<NewTokenJob[]> {
  const { rows } = await sql<{
    id: string;
    state: string;
    singleton_key: string | null;
    retry_count: number;
  }>`select id, state, singleton_key, retry_count from ${sql.table(`${JOB_SCHEMA}.job`)}
     where name = ${sendNewTokenQueue.name} order by created_on, id`.execute(db);
  return rows.map((row) => ({
    id: row.id,
    state: row.state,
    singletonKey: row.singleton_key,
    retryCount: row.retry_count,
  }));
}

/**
 * What a refused request must leave as it was: every access's first-access columns, the audit log's access
 * events, the resends, the users and the access.new-token jobs. (The lifecycle schedule may move an access
 * from scheduled to active meanwhile, so status, updated_at and its own jobs are left out.)
 */
export async function writtenState(db: Db): Promise<unknown> {
  const countOf = async (query: { executeTakeFirstOrThrow(): Promise<{ n: string | number | bigint }> }) =>
    Number((await query.executeTakeFirstOrThrow()).n);
  return {
    accesses: await db
      .selectFrom('accesses')
      .select([
        'id',
        'first_access_state',
        'failed_token_attempts',
        'token_hash',
        'token_expires_at',
        'activated_at',
        'cancelled_at',
      ])
      .orderBy('id')
      .execute(),
    accessEvents: await countOf(
      db
        .selectFrom('audit_events')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('action', 'like', 'access.%'),
    ),
    tokenResends: await countOf(db.selectFrom('token_resends').select((eb) => eb.fn.countAll().as('n'))),
    users: await countOf(db.selectFrom('third_party_users').select((eb) => eb.fn.countAll().as('n'))),
    newTokenJobs: (await newTokenJobs(db)).length,
  };
}

/** Presses an access's "Resend access link" button in Slack as `user`; the private answer's text. */
export async function pressResendButton(app: TestApp, user: string, accessCode: string): Promise<string> {
  const id = `resend-${randomBytes(4).toString('hex')}`;
  const response = await app.slack.interactive({
    type: 'block_actions',
    user: { id: user, team_id: 'T0TEAM001' },
    channel: { id: 'D0ADMIN01' },
    container: { type: 'message', channel_id: 'D0ADMIN01', message_ts: '1', is_ephemeral: true },
    response_url: app.slackApi.responseUrl(id),
    actions: [{ ...accessResendButton(accessCode), block_id: 'access', action_ts: '1' }],
  });
  expect(response.status).toBe(200);
  const answer = await app.slackApi.waitForResponse((candidate) => candidate.id === id, 15_000);
  return (answer.body as { text: string }).text;
}

/** The real flow up to the emails: catalog, wizard, approval, provisioning, SMTP on loopback. */
export async function provision(
  rows: Array<[string, string]>,
  options: {
    now?: () => Date;
    env?: Record<string, string>;
    /** The requester's Slack time zone, which the request's accesses take. */
    requesterTimeZone?: string;
    /** Runs once the request is created, before it is approved (to give it another schedule, say). */
    beforeApproval?: (db: Db, requestId: number) => Promise<void>;
  } = {},
): Promise<Provisioned> {
  const smtp = await startSmtpCapture();
  smtpServers.push(smtp);
  const env = {
    SMTP_URL: smtp.url,
    MAIL_RATE_PER_SECOND: '1000',
    PUBLIC_BASE_URL: 'https://domum.example.com',
    ...options.env,
  };
  const appOptions: TestAppOptions = { env, ...(options.now ? { now: options.now } : {}) };
  const app = await startTestApp(appOptions);
  const db = app.running.deps.db;
  if (options.requesterTimeZone) app.slackApi.setUser('U0REQ0001', { tz: options.requesterTimeZone });
  await seedCatalog(db);
  const request = await createRequestThroughWizard(app, {
    requester: 'U0REQ0001',
    channel: 'C0LANDING',
    file: 'people.xlsx',
    bytes: people(rows),
  });
  await app.slackApi.waitForCall(
    'chat.postMessage',
    (call) => String(call.args.text).includes('Access request'),
    15_000,
  );
  await options.beforeApproval?.(db, request.id);
  await app.slack.interactive({
    type: 'view_submission',
    user: { id: 'U0APPR001', team_id: 'T0TEAM001' },
    view: {
      id: 'VA',
      type: 'modal',
      callback_id: 'request_approve_modal',
      private_metadata: JSON.stringify({ requestId: request.id }),
      state: { values: { [COMMENT_BLOCK]: { [DECISION_TEXT_ACTION]: { type: 'plain_text_input', value: '' } } } },
    },
  });
  await smtp.waitForMessages(rows.length * 2, 30_000);
  const publicBaseUrl = app.running.deps.config.publicBaseUrl;
  const cookieName = publicBaseUrl.startsWith('https:') ? CSRF_COOKIE_HTTPS : CSRF_COOKIE_HTTP;
  const mailsTo = (email: string) =>
    smtp.messages.filter((message) => message.to[0] === email).map((message) => message.raw.replace(/=\r\n/g, ''));
  const linkIdFromMails = (email: string) =>
    mailsTo(email)
      .map((raw) => /\/access\/([A-Za-z0-9_-]+)/.exec(raw)?.[1])
      .find(Boolean) as string;
  const formOf = async (link: string, cookie?: string) => {
    const page = await fetch(link, cookie ? { headers: { cookie } } : {});
    const setCookie = page.headers.get('set-cookie') ?? '';
    const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
    return { cookie: setCookie.split(';')[0] ?? '', csrf, setCookie };
  };
  const computedPair = (link: string): FormPair => {
    const nonce = randomBytes(24).toString('base64url');
    return { cookie: `${cookieName}=${nonce}`, csrf: csrfFieldFor(TEST_SECRET_KEY, linkIdOf(link), nonce) };
  };
  const postForm = async (url: string, link: string, fields: Record<string, string>, given?: FormPair | 'forged') => {
    const pair = typeof given === 'object' ? given : await formOf(link);
    return fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: pair.cookie },
      body: new URLSearchParams({ ...fields, csrf: given === 'forged' ? 'forged' : pair.csrf }).toString(),
    });
  };
  return {
    app,
    smtp,
    db,
    mailsTo,
    linkOf: (email) => `${app.baseUrl}/access/${linkIdFromMails(email)}`,
    emailedLinkOf: (email) => `${publicBaseUrl}/access/${linkIdFromMails(email)}`,
    tokenOf: (email) =>
      mailsTo(email)
        .map((raw) => TOKEN.exec(raw)?.[0])
        .filter(Boolean)
        .at(-1) as string,
    formOf,
    computedPair,
    postToken: (link, token, pair) => postForm(link, link, { token }, pair),
    askNewToken: (link, pair) => postForm(`${link}/new-token`, link, {}, pair),
    newTokenJobsSettled: async (count = 0) => {
      await waitFor(
        async () => {
          const jobs = await newTokenJobs(db);
          return jobs.length >= count && jobs.every((job) => job.state === 'completed' || job.state === 'failed');
        },
        { timeoutMs: 30_000, description: `${count} settled access.new-token job(s)` },
      );
    },
  };
}
