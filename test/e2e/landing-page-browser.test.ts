// The landing page in a real browser (issue 7): Debian's headless Chromium, driven by playwright-core, with
// JavaScript switched off (the page must not need it). It opens the emailed link, asks for a new token, follows
// the answer back to the form, types the token from the newest email, submits, and keeps a screenshot of the
// activated page in test-artifacts/. Chromium talks only to loopback: to a proxy that serves the app under a
// path prefix of PUBLIC_BASE_URL (`/domum`), as a deployment behind one does (issue 13: the CSRF cookie must
// come back for the prefixed pages).
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import * as XLSX from 'xlsx';
import { afterEach, describe, expect, it } from 'vitest';
import { formatInstant } from '../../src/domain/access-limitation.ts';
import { COMMENT_BLOCK, DECISION_TEXT_ACTION } from '../../src/slack/ids.ts';
import { NEW_TOKEN_ANSWER } from '../../src/web/landing-page.ts';
import { createRequestThroughWizard } from '../support/request-driver.ts';
import { seedCatalog } from '../support/seed-catalog.ts';
import { startSmtpCapture } from '../support/smtp-capture.ts';
import { startTestApp } from '../support/test-app.ts';

const CHROMIUM = '/usr/bin/chromium';
const PREFIX = '/domum';
const SCREENSHOT = path.resolve('test-artifacts', 'landing-page-activated.png');
const TOKEN = /[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}/;

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Serves the app under PREFIX, as a reverse proxy does: `/domum/access/…` reaches the app as `/access/…`. */
async function startPrefixProxy(): Promise<{
  port: number;
  setAppPort(port: number): void;
  /** The Origin header of every POST that went through. */
  postOrigins: string[];
  close(): Promise<void>;
}> {
  let appPort = 0;
  const postOrigins: string[] = [];
  const server = http.createServer((request, response) => {
    const url = request.url ?? '/';
    if (!url.startsWith(`${PREFIX}/`)) {
      response.writeHead(404).end();
      return;
    }
    if (request.method === 'POST') postOrigins.push(String(request.headers.origin));
    const upstream = http.request(
      {
        host: '127.0.0.1',
        port: appPort,
        method: request.method,
        path: url.slice(PREFIX.length),
        headers: request.headers,
      },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    upstream.on('error', () => response.writeHead(502).end());
    request.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    setAppPort: (port) => {
      appPort = port;
    },
    postOrigins,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function oneUser(): Buffer {
  const book = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(
    book,
    XLSX.utils.aoa_to_sheet([
      ['Vendor', 'Name', 'Email', 'Enabled'],
      ['Globex', 'Lia <b>Souza</b>', 'lia@globex.example', 'Yes'],
    ]),
    'Users',
  );
  return XLSX.write(book, { type: 'buffer', bookType: 'xlsx' }) as Buffer;
}

describe('the landing page in headless Chromium', () => {
  it('opens the emailed link, gets a new token, types it and shows the activated access', async () => {
    // Never skipped: CI installs Chromium in .ci/run; a machine without it is told how to get it.
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `${CHROMIUM} is missing: this test needs Debian's Chromium. Install it with: sudo apt-get update && sudo apt-get install -y --no-install-recommends chromium`,
      );
    }
    const smtp = await startSmtpCapture();
    cleanups.push(() => smtp.close());
    const proxy = await startPrefixProxy();
    cleanups.push(() => proxy.close());
    const publicBaseUrl = `http://127.0.0.1:${proxy.port}${PREFIX}`;
    const app = await startTestApp({
      env: {
        SMTP_URL: smtp.url,
        MAIL_RATE_PER_SECOND: '1000',
        PUBLIC_BASE_URL: publicBaseUrl,
        SUPPORT_CONTACT: 'Initech IT, help@initech.example',
      },
    });
    proxy.setAppPort(app.running.port);
    await seedCatalog(app.running.deps.db);
    const request = await createRequestThroughWizard(app, {
      requester: 'U0REQ0001',
      channel: 'C0BROWSER',
      file: 'people.xlsx',
      bytes: oneUser(),
    });
    await app.slackApi.waitForCall(
      'chat.postMessage',
      (call) => String(call.args.text).includes('Access request'),
      15_000,
    );
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
    await smtp.waitForMessages(2, 30_000);
    const mails = () => smtp.messages.map((message) => message.raw.replace(/=\r\n/g, ''));
    // The emailed link, as it is: PUBLIC_BASE_URL, the proxy with its prefix.
    const link = mails()
      .map((raw) => /http:\/\/127\.0\.0\.1:\d+\/domum\/access\/[A-Za-z0-9_-]+/.exec(raw)?.[0])
      .find(Boolean) as string;
    expect(link.startsWith(`${publicBaseUrl}/access/`)).toBe(true);

    const userDataDir = await mkdtemp(path.join(tmpdir(), 'domum-chromium-'));
    cleanups.push(() => rm(userDataDir, { recursive: true, force: true }));
    const browser = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      javaScriptEnabled: false,
      viewport: { width: 480, height: 900 },
      timeout: 60_000,
    });
    cleanups.push(() => browser.close());
    const page = browser.pages()[0] ?? (await browser.newPage());
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));

    await page.goto(link);
    expect(await page.title()).toBe('Activate your access · Domum');
    expect(await page.locator('h1').innerText()).toBe('Your access to Globex systems');
    expect(await page.locator('main').innerText()).toContain('Hello Lia <b>Souza</b>.');

    // "Send me a new token", then back to the form with the newest token.
    await page.getByRole('button', { name: 'Send me a new token' }).click();
    expect(await page.locator('main').innerText()).toContain(NEW_TOKEN_ANSWER);
    await smtp.waitForMessages(3, 15_000);
    const token = mails()
      .map((raw) => TOKEN.exec(raw)?.[0])
      .filter(Boolean)
      .at(-1) as string;
    await page.getByRole('link', { name: 'Enter the token' }).click();
    await page.getByLabel('Token').fill(token.toLowerCase());
    await page.getByRole('button', { name: 'Activate my access' }).click();

    expect(await page.locator('h1').innerText()).toBe('Your access is activated');
    const activated = await page.locator('main').innerText();
    expect(activated).toContain('db-prod-01');
    expect(activated).toContain('postgres @ db-prod-01 — Start session');
    // What happens next: when the access starts and ends, in words with its zone, and whom to ask.
    const { starts_at: startsAt, ends_at: endsAt } = await app.running.deps.db
      .selectFrom('accesses')
      .select(['starts_at', 'ends_at'])
      .executeTakeFirstOrThrow();
    expect(await page.getByRole('heading', { name: 'What happens next' }).isVisible()).toBe(true);
    expect(activated).toContain(`Your access starts on ${formatInstant(startsAt, 'UTC')} UTC.`);
    expect(activated).toContain(`this access ends on ${formatInstant(endsAt, 'UTC')} UTC.`);
    expect(activated).toContain('For help, contact Initech IT, help@initech.example.');
    await mkdir(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(existsSync(SCREENSHOT)).toBe(true);
    expect(problems).toEqual([]);
    // Both POSTs went through the prefix, and Chromium sent `Origin: null` with them (the pages' Referrer-Policy
    // is no-referrer): why the CSRF check accepts that value.
    expect(proxy.postOrigins).toEqual(['null', 'null']);
  }, 180_000);
});
