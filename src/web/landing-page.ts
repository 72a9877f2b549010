// The landing page of the emailed link (README "Importing users"): GET shows a form asking for the token and changes nothing
// (mail scanners open links); POST with the token activates the first access; "Send me a new token" posts to
// `<link>/new-token`, which only enqueues a job and gives the same answer whatever the link's state. No
// external assets and no script: a strict CSP, no referrer, no framing, no caching.
//
// Every form carries a CSRF value checked against a cookie (double submit), so another site cannot post
// tokens, or ask for new ones, on the user's behalf. The cookie holds a random nonce and the form's value is
// an HMAC of the link id and that nonce under SECRET_KEY: a pair taken from one link is refused on another,
// and only this server can make a value for a nonce. One nonce serves every link (the cookie is kept while it
// is valid), so two links open in two tabs both keep working. Over https the cookie is `__Host-` prefixed and
// Secure (no subdomain can set or overwrite it); over plain http (a local install) browsers refuse both, so it
// goes without.
//
// The pages work behind a proxy that serves them under a path prefix of PUBLIC_BASE_URL: form actions are
// relative (`<link id>/new-token` from the link's page), and the cookie's Path is `/` (the app cannot know the
// prefix the browser sees, and a Path of `/access` is never sent back for `/prefix/access/…`).
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { describeLimitation, accessLimitationSchema } from '../domain/access-limitation.ts';
import { formatInstantWithZone } from '../domain/instant-words.ts';
import { escapeHtml } from '../domain/output-safety.ts';
import type { Db } from '../db/schema.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import { askForNewToken } from '../usecases/ask-new-token.ts';
import type { NewTokenPress } from '../usecases/ask-new-token.ts';
import { activateFirstAccess, findAccessByLink, linkState } from '../usecases/first-access.ts';
import type { AccessForPage, ActivationResult, LinkState } from '../usecases/first-access.ts';
import { readLimitedBody } from './read-body.ts';
import type { Route } from './web-server.ts';

const LINK_ID = '(?<linkId>[A-Za-z0-9_-]{1,64})';
const LINK_PATH = new RegExp(`^/access/${LINK_ID}$`);
const NEW_TOKEN_PATH = new RegExp(`^/access/${LINK_ID}/new-token$`);
/** The cookie's name over https; `__Host-` makes browsers insist on Secure, Path=/ and no Domain. */
export const CSRF_COOKIE_HTTPS = '__Host-domum_csrf';
/** Over plain http, where a `__Host-` or Secure cookie would be refused. */
export const CSRF_COOKIE_HTTP = 'domum_csrf';
/** 24 random bytes in base64url. */
const CSRF_NONCE = /^[A-Za-z0-9_-]{32}$/;
const CSRF_MAX_AGE_SECONDS = 3600;
const MAX_BODY = 4096;
export const NEW_TOKEN_BUTTON = 'Send me a new token';
/** The one answer to "Send me a new token", whatever the link's state, so it reveals nothing. */
export const NEW_TOKEN_ANSWER = 'If this link is valid, a new token is on its way to the email address it was sent to.';
/** Said with every refusal by the rate limit; the same for every link. */
export const NEW_TOKEN_LIMITS = 'New tokens can be asked for at most once a minute and five times in 24 hours.';

const SECURITY_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
};

export interface LandingPageDeps {
  db: Db;
  /** "Send me a new token" enqueues the access.new-token job. */
  jobs: Pick<JobQueue, 'enqueue'>;
  now: () => Date;
  /** SECRET_KEY: token hashes and the CSRF values. */
  secretKey: () => string;
  /** PUBLIC_BASE_URL: https makes the CSRF cookie `__Host-` and Secure, and its origin is the one accepted. */
  publicBaseUrl: string;
  /** SUPPORT_CONTACT: named on the activated page when set. */
  supportContact: string | undefined;
  /** DEFAULT_TIMEZONE: the zone of "try again after …", the same for every link (no access is looked up). */
  defaultTimeZone: string;
}

function page(title: string, body: string): string {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)} · Domum</title><style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1d2733}h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:2rem}label{display:block;font-weight:600;margin-top:1rem}input[type=text]{font-size:1.2rem;padding:.5rem;width:100%;box-sizing:border-box;letter-spacing:.1em}button{margin-top:1rem;font-size:1rem;padding:.6rem 1.2rem}.secondary{background:none;border:1px solid #1d2733;color:#1d2733}.error{color:#a4161a}li{margin:.25rem 0}</style></head><body><main>${body}</main></body></html>`;
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
  const body = await readLimitedBody(request, MAX_BODY);
  return typeof body === 'string' ? undefined : new URLSearchParams(body.toString('utf8'));
}

/**
 * The form's CSRF value for a link and the cookie's nonce. Keyed by SECRET_KEY under its own label, so it can
 * never equal a token's hash; neither link ids nor nonces contain the `.` that joins them.
 */
export function csrfFieldFor(secretKey: string, linkId: string, nonce: string): string {
  const key = createHmac('sha256', secretKey).update('domum landing page csrf').digest();
  return createHmac('sha256', key).update(`${linkId}.${nonce}`).digest('base64url');
}

interface Csrf {
  /** The form's hidden field. */
  value: string;
  /** The header that sets (or refreshes) the cookie with the nonce. */
  cookie: Record<string, string>;
}

function csrfProtection(deps: LandingPageDeps) {
  const base = new URL(deps.publicBaseUrl);
  const secure = base.protocol === 'https:';
  const name = secure ? CSRF_COOKIE_HTTPS : CSRF_COOKIE_HTTP;
  const attributes = `Path=/; HttpOnly; SameSite=Strict; Max-Age=${CSRF_MAX_AGE_SECONDS}${secure ? '; Secure' : ''}`;
  const nonceOf = (request: IncomingMessage) => {
    const nonce = readCookie(request, name);
    return nonce && CSRF_NONCE.test(nonce) ? nonce : undefined;
  };
  return {
    /**
     * The value for a form of this link, with the cookie: the nonce the browser already has (other tabs' forms
     * stay valid), or a fresh one. Made on every answer, so every answer costs the same.
     */
    issue(request: IncomingMessage, linkId: string): Csrf {
      const nonce = nonceOf(request) ?? randomBytes(24).toString('base64url');
      return {
        value: csrfFieldFor(deps.secretKey(), linkId, nonce),
        cookie: { 'set-cookie': `${name}=${nonce}; ${attributes}` },
      };
    },
    valid(request: IncomingMessage, form: URLSearchParams, linkId: string): boolean {
      // Browsers send `Origin: null` on these forms' POSTs (the pages' Referrer-Policy is no-referrer), and
      // no Origin at all from older ones; any real origin must be PUBLIC_BASE_URL's.
      const origin = request.headers.origin;
      if (origin !== undefined && origin !== 'null' && origin !== base.origin) return false;
      const nonce = nonceOf(request);
      const expected = nonce ? csrfFieldFor(deps.secretKey(), linkId, nonce) : undefined;
      return sameSecret(form.get('csrf') ?? undefined, expected);
    },
  };
}

/** `action` is relative to the page that shows the form (see the top of this file). */
function newTokenForm(action: string, csrf: string, intro: string): string {
  return `<h2>${escapeHtml(intro)}</h2>
<form method="post" action="${escapeHtml(action)}"><input type="hidden" name="csrf" value="${escapeHtml(csrf)}">
<p>We email a new token to the address this link was sent to. The previous token stops working.</p>
<button type="submit" class="secondary">${NEW_TOKEN_BUTTON}</button></form>`;
}

function tokenForm(access: AccessForPage, csrf: string, error?: string): string {
  return page(
    'Activate your access',
    `<h1>Your access to ${escapeHtml(access.vendorName)} systems</h1>
<p>Hello ${escapeHtml(access.userName)}. Enter the one-time token you received in a separate email.</p>
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post"><input type="hidden" name="csrf" value="${escapeHtml(csrf)}">
<label for="token">Token</label><input type="text" id="token" name="token" autocomplete="one-time-code" autocapitalize="characters" spellcheck="false" placeholder="XXXX-XXXX-XXXX" required>
<button type="submit">Activate my access</button></form>
${newTokenForm(`${access.linkId}/new-token`, csrf, 'No token, or has it expired?')}`,
  );
}

type ClosedState = Exclude<LinkState, 'open' | 'activated'>;

/** Distinct, clear pages for links that lead nowhere any more; each says what the user can do. */
function closedPage(state: ClosedState): { status: number; html: string } {
  switch (state) {
    case 'unknown':
      return {
        status: 404,
        html: page(
          'Link not valid',
          '<h1>This link is not valid</h1><p>Check that you opened the whole address from the email. If it still does not work, ask the person who gave you access.</p>',
        ),
      };
    case 'cancelled':
      return {
        status: 410,
        html: page(
          'Access cancelled',
          '<h1>This access was cancelled</h1><p>The link no longer works. Ask the person who gave you access if you still need it.</p>',
        ),
      };
    case 'finished':
      return {
        status: 410,
        html: page(
          'Access ended',
          '<h1>This access has ended</h1><p>Its time is over, so the link no longer works. Ask the person who gave you access if you need a new one.</p>',
        ),
      };
    case 'on-hold':
      return {
        status: 409,
        html: page(
          'Access on hold',
          '<h1>This access is on hold</h1><p>We could not deliver its emails. Ask the person who gave you access to check your email address and send them again.</p>',
        ),
      };
  }
}

function activatedPage(): string {
  return page('Access activated', '<h1>Your access is already activated</h1><p>Nothing more to do here.</p>');
}

function usedPage(): string {
  // No "Send me a new token" here: a token is only ever used up by activating the access, and an activated
  // access needs none. Someone else using it is what the user should report.
  return page(
    'Token already used',
    '<h1>This token was already used</h1><p>Your access is already activated. If you did not activate it yourself, tell the person who gave you access at once.</p>',
  );
}

function details(access: AccessForPage, now: Date, supportContact: string | undefined): string {
  const grants = (Array.isArray(access.grants) ? access.grants : []) as Array<{
    username?: string;
    deviceName?: string;
    startSession?: boolean;
    viewPassword?: boolean;
  }>;
  const items = grants
    .map((grant) => {
      const permissions = [grant.startSession ? 'Start session' : '', grant.viewPassword ? 'View password' : '']
        .filter(Boolean)
        .join(', ');
      return `<li>${escapeHtml(`${grant.username ?? ''} @ ${grant.deviceName ?? ''}`)} — ${escapeHtml(permissions)}</li>`;
    })
    .join('');
  const devices = [...new Set(grants.map((grant) => grant.deviceName ?? ''))]
    .map((name) => `<li>${escapeHtml(name)}</li>`)
    .join('');
  const parsed = accessLimitationSchema.safeParse(access.limitation);
  const schedule = parsed.success ? describeLimitation(parsed.data) : '';
  return page(
    'Access activated',
    `<h1>Your access is activated</h1><p>${escapeHtml(access.code)}</p>${whatHappensNext(access, now, supportContact)}<h2>Devices</h2><ul>${devices}</ul><h2>Credentials</h2><ul>${items}</ul><h2>Schedule</h2><p>${escapeHtml(schedule)}</p>`,
  );
}

/** When the access can be used and until when, in its zone with the UTC offset, and whom to ask for help. */
function whatHappensNext(access: AccessForPage, now: Date, supportContact: string | undefined): string {
  const start = formatInstantWithZone(access.startsAt, access.timeZone);
  const end = formatInstantWithZone(access.endsAt, access.timeZone);
  const when =
    access.startsAt.getTime() > now.getTime()
      ? `Your access starts on ${start}. Use your usual connection from then, within the schedule below; this access ends on ${end}.`
      : `You can use your usual connection now, within the schedule below; this access ends on ${end}.`;
  const help = supportContact ? `<p>For help, contact ${escapeHtml(supportContact)}.</p>` : '';
  return `<h2>What happens next</h2><p>${escapeHtml(when)}</p><p>Nothing more is needed on this page: it will only say that the access is activated.</p>${help}`;
}

function sendClosedPage(response: ServerResponse, state: ClosedState): void {
  const closed = closedPage(state);
  send(response, closed.status, closed.html);
}

function sendFormTooLarge(response: ServerResponse): void {
  send(response, 413, page('Too large', '<h1>The form is too large</h1>'));
}

type CsrfProtection = ReturnType<typeof csrfProtection>;
type RouteHandler = Route['handler'];

export function landingPageRoutes(deps: LandingPageDeps): Route[] {
  const csrfCheck = csrfProtection(deps);
  return [
    { name: 'access-page', method: 'GET', path: LINK_PATH, handler: showAccessPage(deps, csrfCheck) },
    { name: 'access-activate', method: 'POST', path: LINK_PATH, handler: activateAccess(deps, csrfCheck) },
    { name: 'access-new-token', method: 'POST', path: NEW_TOKEN_PATH, handler: requestNewToken(deps, csrfCheck) },
  ];
}

function showAccessPage(deps: LandingPageDeps, csrfCheck: CsrfProtection): RouteHandler {
  return async (request, response, params) => {
    const linkId = params.linkId ?? '';
    // The same lookup and the same work for every link id, known or not (see findAccessByLink).
    const access = await findAccessByLink(deps.db, linkId);
    const state = linkState(access, deps.now());
    const csrf = csrfCheck.issue(request, linkId);
    if (state === 'activated') return send(response, 200, activatedPage());
    if (state !== 'open' || !access) return sendClosedPage(response, state as ClosedState);
    send(response, 200, tokenForm(access, csrf.value), csrf.cookie);
  };
}

function activateAccess(deps: LandingPageDeps, csrfCheck: CsrfProtection): RouteHandler {
  return async (request, response, params) => {
    const linkId = params.linkId ?? '';
    const form = await readForm(request);
    if (!form) return sendFormTooLarge(response);
    const csrf = csrfCheck.issue(request, linkId);
    if (!csrfCheck.valid(request, form, linkId)) return answerFailedCsrfCheck(deps, response, linkId, csrf);
    const result = await activateFirstAccess(
      { db: deps.db, now: deps.now, secretKey: deps.secretKey() },
      linkId,
      form.get('token') ?? '',
    );
    sendActivationResult(deps, response, result, linkId, csrf);
  };
}

/** Nothing is counted: the form did not come from this link's page (or its cookie expired). */
async function answerFailedCsrfCheck(
  deps: LandingPageDeps,
  response: ServerResponse,
  linkId: string,
  csrf: Csrf,
): Promise<void> {
  const access = await findAccessByLink(deps.db, linkId);
  const state = linkState(access, deps.now());
  if (state === 'activated') return send(response, 410, usedPage());
  if (state !== 'open' || !access) return sendClosedPage(response, state as ClosedState);
  send(
    response,
    403,
    tokenForm(access, csrf.value, 'This form has expired. Please enter your token again.'),
    csrf.cookie,
  );
}

function sendActivationResult(
  deps: LandingPageDeps,
  response: ServerResponse,
  result: ActivationResult,
  linkId: string,
  csrf: Csrf,
): void {
  const newToken = (intro: string) => newTokenForm(`${linkId}/new-token`, csrf.value, intro);
  switch (result.kind) {
    case 'activated':
      return send(response, 200, details(result.access, deps.now(), deps.supportContact));
    case 'wrong-token':
      return send(
        response,
        400,
        tokenForm(
          result.access,
          csrf.value,
          `That token is not right. ${result.attemptsLeft} ${result.attemptsLeft === 1 ? 'attempt' : 'attempts'} left.`,
        ),
        csrf.cookie,
      );
    case 'locked':
      return send(
        response,
        423,
        page(
          'Access locked',
          `<h1>Too many wrong tokens</h1><p>This access is locked until a new token is sent to you.</p>${newToken('Get a new token')}`,
        ),
        csrf.cookie,
      );
    case 'expired':
      return send(
        response,
        410,
        page(
          'Token expired',
          `<h1>This token has expired</h1><p>Tokens work for a limited time. Ask for a new one below.</p>${newToken('Get a new token')}`,
        ),
        csrf.cookie,
      );
    case 'used':
      return send(response, 410, usedPage());
    case 'unavailable':
      return sendClosedPage(response, result.state);
  }
}

function requestNewToken(deps: LandingPageDeps, csrfCheck: CsrfProtection): RouteHandler {
  return async (request, response, params) => {
    const linkId = params.linkId ?? '';
    const form = await readForm(request);
    if (!form) return sendFormTooLarge(response);
    // From here on every answer depends only on the URL and the presses of its link id, never on the link's
    // state, and so does the work: the CSRF check, then the press counted for the link id (known or not) and,
    // within the limits, one job enqueued for it, which does the rest.
    if (!csrfCheck.valid(request, form, linkId)) {
      const csrf = csrfCheck.issue(request, linkId);
      return send(
        response,
        403,
        page(
          'Form expired',
          `<h1>This form has expired</h1><p>Please press the button again.</p>${newTokenForm('new-token', csrf.value, 'Get a new token')}`,
        ),
        csrf.cookie,
      );
    }
    const press = await askForNewToken(deps, linkId);
    if (!press.accepted) return sendNewTokenRefused(deps, response, linkId, press);
    send(
      response,
      200,
      page(
        'Check your email',
        `<h1>Check your email</h1><p>${NEW_TOKEN_ANSWER}</p><p>It can take a few minutes to arrive. Only the newest token works.</p><p><a href="../${escapeHtml(linkId)}">Enter the token</a></p>`,
      ),
    );
  };
}

/**
 * A press over the limit: says so and when to try again. It is computed from the presses of this link id alone
 * (src/usecases/ask-new-token.ts) and the time is in DEFAULT_TIMEZONE, so a link that does not exist is answered
 * exactly like one that does.
 */
function sendNewTokenRefused(
  deps: LandingPageDeps,
  response: ServerResponse,
  linkId: string,
  press: Extract<NewTokenPress, { accepted: false }>,
): void {
  const reason =
    press.limit === 'minute'
      ? 'A new token was asked for from this page less than a minute ago.'
      : 'Five new tokens were asked for from this page in the last 24 hours.';
  const retryAfterSeconds = Math.max(1, Math.ceil((press.retryAt.getTime() - deps.now().getTime()) / 1000));
  const retryAt = formatInstantWithZone(press.retryAt, deps.defaultTimeZone);
  send(
    response,
    429,
    page(
      'Please wait',
      `<h1>Please wait before asking again</h1><p>${escapeHtml(reason)} ${NEW_TOKEN_LIMITS}</p><p>You can ask again after ${escapeHtml(retryAt)}.</p><p>If this link is valid, the newest token already sent is the one that works.</p><p><a href="../${escapeHtml(linkId)}">Enter the token</a></p>`,
    ),
    { 'retry-after': String(retryAfterSeconds) },
  );
}
