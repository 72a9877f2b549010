// The landing page of the emailed link (SPEC §5): GET shows a form asking for the token and changes nothing
// (mail scanners open links); POST with the token activates the first access. No external assets and no
// script: a strict CSP, no referrer, no framing, no caching. The form carries a CSRF value that must match
// a cookie set with the page (double submit), so another site cannot post tokens on the user's behalf.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { describeLimitation, accessLimitationSchema } from '../domain/access-limitation.ts';
import { escapeHtml } from '../domain/output-safety.ts';
import type { Db } from '../db/schema.ts';
import { activateFirstAccess, findAccessByLink } from '../usecases/first-access.ts';
import type { AccessForPage } from '../usecases/first-access.ts';
import type { Route } from './web-server.ts';

const LINK_PATH = /^\/access\/(?<linkId>[A-Za-z0-9_-]{1,64})$/;
const CSRF_COOKIE = 'domum_csrf';
const MAX_BODY = 4096;

const SECURITY_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
};

function page(title: string, body: string): string {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)} · Domum</title><style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1d2733}h1{font-size:1.4rem}label{display:block;font-weight:600;margin-top:1rem}input[type=text]{font-size:1.2rem;padding:.5rem;width:100%;box-sizing:border-box;letter-spacing:.1em}button{margin-top:1rem;font-size:1rem;padding:.6rem 1.2rem}.error{color:#a4161a}li{margin:.25rem 0}</style></head><body><main>${body}</main></body></html>`;
}

function send(response: ServerResponse, status: number, html: string, headers: Record<string, string> = {}): void {
  response.writeHead(status, { ...SECURITY_HEADERS, ...headers });
  response.end(html);
}

function readCookie(request: IncomingMessage, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

function sameSecret(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b || a.length !== b.length) return false;
  return timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

async function readForm(request: IncomingMessage): Promise<URLSearchParams | undefined> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) return undefined;
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function tokenForm(access: AccessForPage, csrf: string, error?: string): string {
  return `<h1>Your access to ${escapeHtml(access.vendorName)} systems</h1>
<p>Hello ${escapeHtml(access.userName)}. Enter the one-time token you received in a separate email.</p>
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post"><input type="hidden" name="csrf" value="${escapeHtml(csrf)}">
<label for="token">Token</label><input type="text" id="token" name="token" autocomplete="one-time-code" autocapitalize="characters" spellcheck="false" placeholder="XXXX-XXXX-XXXX" required>
<button type="submit">Activate my access</button></form>`;
}

function unavailable(): string {
  return page('Link not valid', '<h1>This link is not valid</h1><p>It may have been cancelled, or the access has ended. Ask the person who gave you access.</p>');
}

function details(access: AccessForPage, now: Date): string {
  const grants = (Array.isArray(access.grants) ? access.grants : []) as Array<{ username?: string; deviceName?: string; startSession?: boolean; viewPassword?: boolean }>;
  const items = grants
    .map((grant) => {
      const permissions = [grant.startSession ? 'Start session' : '', grant.viewPassword ? 'View password' : ''].filter(Boolean).join(', ');
      return `<li>${escapeHtml(`${grant.username ?? ''} @ ${grant.deviceName ?? ''}`)} — ${escapeHtml(permissions)}</li>`;
    })
    .join('');
  const devices = [...new Set(grants.map((grant) => grant.deviceName ?? ''))].map((name) => `<li>${escapeHtml(name)}</li>`).join('');
  const parsed = accessLimitationSchema.safeParse(access.limitation);
  const schedule = parsed.success ? describeLimitation(parsed.data) : '';
  const starts = access.startsAt.getTime() > now.getTime() ? `<p>Your access starts later: ${escapeHtml(schedule)}.</p>` : '';
  return page('Access activated', `<h1>Your access is activated</h1><p>${escapeHtml(access.code)}</p>${starts}<h2>Devices</h2><ul>${devices}</ul><h2>Credentials</h2><ul>${items}</ul><h2>Schedule</h2><p>${escapeHtml(schedule)}</p>`);
}

export function landingPageRoutes(deps: { db: Db; now: () => Date; secretKey: () => string }): Route[] {
  return [
    {
      method: 'GET',
      path: LINK_PATH,
      handler: async (_request, response, params) => {
        const access = await findAccessByLink(deps.db, params.linkId ?? '');
        if (!access || access.status === 'cancelled' || access.status === 'finished' || access.status === 'error') return send(response, 404, unavailable());
        if (access.firstAccessState === 'activated') return send(response, 200, page('Access activated', '<h1>Your access is already activated</h1><p>Nothing more to do here.</p>'));
        const csrf = randomBytes(24).toString('base64url');
        send(response, 200, page('Activate your access', tokenForm(access, csrf)), { 'set-cookie': `${CSRF_COOKIE}=${csrf}; Path=/access; HttpOnly; SameSite=Strict; Max-Age=3600` });
      },
    },
    {
      method: 'POST',
      path: LINK_PATH,
      handler: async (request, response, params) => {
        const linkId = params.linkId ?? '';
        const form = await readForm(request);
        if (!form) return send(response, 413, page('Too large', '<h1>The form is too large</h1>'));
        const access = await findAccessByLink(deps.db, linkId);
        const csrf = randomBytes(24).toString('base64url');
        const cookie = { 'set-cookie': `${CSRF_COOKIE}=${csrf}; Path=/access; HttpOnly; SameSite=Strict; Max-Age=3600` };
        if (!access || access.status === 'cancelled' || access.status === 'finished' || access.status === 'error') return send(response, 404, unavailable());
        if (access.firstAccessState === 'activated') {
          return send(response, 410, page('Token already used', '<h1>This token was already used</h1><p>Your access is already activated.</p>'));
        }
        if (!sameSecret(form.get('csrf') ?? undefined, readCookie(request, CSRF_COOKIE))) {
          return send(response, 403, page('Activate your access', tokenForm(access, csrf, 'This form has expired. Please enter your token again.')), cookie);
        }
        const result = await activateFirstAccess({ db: deps.db, now: deps.now, secretKey: deps.secretKey() }, linkId, form.get('token') ?? '');
        switch (result.kind) {
          case 'activated':
            return send(response, 200, details(result.access, deps.now()));
          case 'wrong-token':
            return send(response, 400, page('Activate your access', tokenForm(access as AccessForPage, csrf, `That token is not right. ${result.attemptsLeft} ${result.attemptsLeft === 1 ? 'attempt' : 'attempts'} left.`)), cookie);
          case 'locked':
            return send(response, 423, page('Access locked', '<h1>Too many wrong tokens</h1><p>This access is locked until a new token is sent to you. Ask the person who gave you access to resend it.</p>'));
          case 'expired':
            return send(response, 410, page('Token expired', '<h1>This token has expired</h1><p>Ask the person who gave you access to send you a new one.</p>'));
          case 'used':
            return send(response, 410, page('Token already used', '<h1>This token was already used</h1><p>Your access is already activated.</p>'));
          case 'unavailable':
            return send(response, 404, unavailable());
        }
      },
    },
  ];
}
