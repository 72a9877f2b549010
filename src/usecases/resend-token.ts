// A fresh one-time token after the first one (README, "Importing users" → "Send me a new token" and Admin
// resend; issues 7 and 13): "Send me a new token" on the landing page, sent by a job (access.new-token), and
// an admin's resend of the link and a new token from Slack, sent while the admin waits. Both share the limits
// per access, kept in token_resends so they hold across processes and restarts: at most one sent a minute and
// five in any 24 hours, and at most ten attempts in any 24 hours, sent or not, so a mail server that keeps
// refusing (or a long outage, retried) cannot be used to send without limit.
//
// Order of work: reserve the resend (a row, under the access row's lock, so two clicks at once cannot both
// pass the limit), send the email(s), and only then store the new token's hash. So the previous token works
// until the new one is in the mail server's hands, and a refused or failed send changes nothing: the old token
// still works, and the reservation keeps the reason (it then counts only towards the ten attempts).
//
// The job may run twice (a retry after a crash or a transient mail error): its reservations carry its id, so a
// job whose token was sent does nothing more, and an attempt left without an outcome by a stopped run counts
// as failed and is replaced by a fresh token (only the newest one works).
import type { Transaction } from 'kysely';
import { findAccessByCode, findAccessByLink, replaceTokenOfOpenAccess } from '../db/repos/access-repo.ts';
import type { AccessForPage } from '../db/repos/access-repo.ts';
import { recordAuditEvent } from '../db/repos/audit-repo.ts';
import {
  insertResend,
  listResendAttemptsSince,
  listResendsOfJob,
  markResendSent,
  recordResendError,
} from '../db/repos/token-resend-repo.ts';
import type { DatabaseSchema, Db } from '../db/schema.ts';
import { tokenExpiry } from '../domain/access-token.ts';
import { resendLimitReached } from '../domain/token-resend-limits.ts';
import type { ResendLimit } from '../domain/token-resend-limits.ts';
import type { Mailer } from '../mail/mailer.ts';
import { PermanentMailError, TransientMailError } from '../mail/mailer.ts';
import { accessMailContext, linkEmail, sendAccessEmail, tokenEmail } from './access-emails.ts';
import type { DescribeRequester } from './access-emails.ts';
import { generateAccessToken, hashToken } from './access-secrets.ts';
import { linkState } from './first-access.ts';
import type { LinkState } from './first-access.ts';
import { getRoles } from './get-roles.ts';
import { JobNoLongerHeldError } from './provision-request.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
/** requested_by for "Send me a new token" on the landing page; admins are recorded by Slack user id. */
export const THIRD_PARTY = 'third-party';
/** The error kept on an attempt whose run stopped before recording whether its email left. */
const INTERRUPTED = 'interrupted before its outcome was recorded';

export interface ResendDeps {
  db: Db;
  mailer: Mailer;
  now: () => Date;
  secretKey: string;
  /** TOKEN_TTL_HOURS: see tokenExpiry. */
  tokenTtlHours: number;
  describeRequester: DescribeRequester;
  /** SUPPORT_CONTACT, named in the emails when set. */
  supportContact: string | undefined;
}

/** Why an access gets no new token, besides the rate limit. */
export type NotResendable = Exclude<LinkState, 'open'> | 'emails-pending';

type Reservation =
  | { ok: true; access: AccessForPage; resendId: string }
  | { ok: false; reason: 'not-resendable'; state: NotResendable; access: AccessForPage | undefined }
  | { ok: false; reason: 'rate-limited'; limit: ResendLimit; retryAt: Date; access: AccessForPage }
  | { ok: false; reason: 'already-sent'; access: AccessForPage };

/** Only a job's reservation can find its resend already sent (by an earlier run of the same job). */
async function reserveResend(
  deps: ResendDeps,
  find: { code: string },
  requestedBy: string,
  withLink: boolean,
  jobId: null,
): Promise<Exclude<Reservation, { reason: 'already-sent' }>>;
async function reserveResend(
  deps: ResendDeps,
  find: { linkId: string },
  requestedBy: string,
  withLink: boolean,
  jobId: string,
): Promise<Reservation>;
async function reserveResend(
  deps: ResendDeps,
  find: { linkId: string } | { code: string },
  requestedBy: string,
  withLink: boolean,
  jobId: string | null,
): Promise<Reservation> {
  return deps.db.transaction().execute(async (trx): Promise<Reservation> => {
    const now = deps.now();
    const access = await lockAccessToResend(trx, find);
    const state = linkState(access, now);
    if (!access || state !== 'open')
      return { ok: false, reason: 'not-resendable', state: state as NotResendable, access };
    // Provisioning has not sent the first token yet (it is on its way): a second one now would only race it.
    if (!access.tokenEmailSentAt) return { ok: false, reason: 'not-resendable', state: 'emails-pending', access };
    if (jobId !== null && (await settleEarlierRunsOfJob(trx, access.id, jobId)) === 'already-sent')
      return { ok: false, reason: 'already-sent', access };
    const attempts = await listResendAttemptsSince(trx, access.id, new Date(now.getTime() - DAY_MS));
    const limited = resendLimitReached(attempts, now);
    if (limited) return { ok: false, reason: 'rate-limited', ...limited, access };
    const resendId = await insertResend(trx, { accessId: access.id, requestedBy, withLink, jobId }, now);
    return { ok: true, access, resendId };
  });
}

/** The access by its link id or its code, with its row locked. */
async function lockAccessToResend(
  trx: Transaction<DatabaseSchema>,
  find: { linkId: string } | { code: string },
): Promise<AccessForPage | undefined> {
  if ('linkId' in find) return findAccessByLink(trx, find.linkId, { forUpdate: true });
  const found = await findAccessByCode(trx, find.code);
  return found ? findAccessByLink(trx, found.linkId, { forUpdate: true }) : undefined;
}

/** What earlier runs of the job did for the access: sent its token already, or left attempts to settle. */
async function settleEarlierRunsOfJob(
  trx: Transaction<DatabaseSchema>,
  accessId: number,
  jobId: string,
): Promise<'already-sent' | 'settled'> {
  const earlier = await listResendsOfJob(trx, accessId, jobId);
  if (earlier.some((row) => row.sentAt !== null)) return 'already-sent';
  // A run of this job stopped between reserving and recording the outcome (a crash, a lost database):
  // whether its email left is unknown. It counts as a failed attempt and this run sends a fresh token.
  const interrupted = earlier.filter((row) => row.error === null).map((row) => row.id);
  await recordResendError(trx, interrupted, INTERRUPTED);
  return 'settled';
}

type Delivery = { ok: true } | { ok: false; error: PermanentMailError | TransientMailError; reply: string };

/** What one resend sends: a fresh token, with the link email first when `link` is given. */
interface ResendContent {
  token: string;
  sentAt: Date;
  expiresAt: Date;
  link: string | undefined;
}

async function deliver(
  deps: ResendDeps,
  access: AccessForPage,
  resendId: string,
  requestedBy: string,
  link: string | undefined,
  signal: AbortSignal | undefined,
): Promise<Delivery> {
  const sentAt = deps.now();
  const content: ResendContent = {
    token: generateAccessToken(),
    sentAt,
    expiresAt: tokenExpiry(sentAt, access.startsAt, deps.tokenTtlHours),
    link,
  };
  try {
    await sendResendEmails(deps, access, resendId, content, signal);
  } catch (error) {
    const reply =
      error instanceof PermanentMailError
        ? error.reply
        : error instanceof TransientMailError
          ? 'the mail server could not be reached or asked to try later'
          : error instanceof JobNoLongerHeldError
            ? 'not sent: the job was handed to another worker'
            : 'an unexpected error';
    await recordResendError(deps.db, [resendId], reply);
    if (error instanceof PermanentMailError || error instanceof TransientMailError) return { ok: false, error, reply };
    throw error;
  }
  await recordDelivery(deps, access, resendId, requestedBy, content);
  return { ok: true };
}

async function sendResendEmails(
  deps: ResendDeps,
  access: AccessForPage,
  resendId: string,
  { token, sentAt, expiresAt, link }: ResendContent,
  signal: AbortSignal | undefined,
): Promise<void> {
  const context = await accessMailContext(deps, access);
  // A job checks it still holds itself before each email: a run that lost the job must not send as well.
  const ensureHeld = () => {
    if (signal?.aborted) throw new JobNoLongerHeldError();
  };
  // Distinct Message-IDs per resend: some mailboxes drop a message whose Message-ID they have already seen.
  if (link) {
    const linkKey = `${access.code}:link:resend-${resendId}`;
    await sendAccessEmail(deps.mailer, linkEmail(access, context, { link, idempotencyKey: linkKey }), ensureHeld);
  }
  const idempotencyKey = `${access.code}:token:resend-${resendId}`;
  const mail = tokenEmail(access, context, { token, sentAt, expiresAt, idempotencyKey });
  await sendAccessEmail(deps.mailer, mail, ensureHeld);
}

/** The mail server took the email(s): the attempt is sent, and only now does the new token work. */
async function recordDelivery(
  deps: ResendDeps,
  access: AccessForPage,
  resendId: string,
  requestedBy: string,
  { token, expiresAt, link }: ResendContent,
): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    // Another run of the same job took this attempt for interrupted (this run had lost the job) and sends its
    // own token: storing this one now could make the token of the newest email fail.
    if (!(await markResendSent(trx, resendId, deps.now()))) throw new JobNoLongerHeldError();
    await replaceTokenOfOpenAccess(trx, access.id, { hash: hashToken(deps.secretKey, token), expiresAt }, deps.now());
    await recordAuditEvent(trx, {
      actor: requestedBy,
      action: link ? 'access.link_resent' : 'access.token_resent',
      target: access.code,
      details: { resendId, tokenExpiresAt: expiresAt.toISOString() },
    });
  });
}

export type NewTokenResult =
  | { outcome: 'sent'; accessCode: string }
  | { outcome: 'not-sent'; reason: NotResendable | 'rate-limited' | 'already-sent'; accessCode?: string }
  | { outcome: 'mail-refused'; accessCode: string; reply: string };

/**
 * "Send me a new token" (landing page), run by the access.new-token job. Whatever the outcome, the page has
 * already given its one answer; the outcome is for the logs. A transient mail error is thrown, so the job is
 * retried later (each attempt counts towards the ten a day); a refusal (5xx) is final.
 */
export async function requestNewToken(
  deps: ResendDeps,
  linkId: string,
  run: { jobId: string; signal?: AbortSignal | undefined },
): Promise<NewTokenResult> {
  const reservation = await reserveResend(deps, { linkId }, THIRD_PARTY, false, run.jobId);
  if (!reservation.ok) {
    return {
      outcome: 'not-sent',
      reason: reservation.reason === 'not-resendable' ? reservation.state : reservation.reason,
      ...(reservation.access ? { accessCode: reservation.access.code } : {}),
    };
  }
  const { access } = reservation;
  const delivery = await deliver(deps, access, reservation.resendId, THIRD_PARTY, undefined, run.signal);
  if (delivery.ok) return { outcome: 'sent', accessCode: access.code };
  if (delivery.error instanceof TransientMailError) throw delivery.error;
  return { outcome: 'mail-refused', accessCode: access.code, reply: delivery.reply };
}

export interface AdminResendDeps extends ResendDeps {
  /** DOMUM_ADMIN_USER_IDS: admins besides the catalog's. */
  adminUserIds: readonly string[];
  /** PUBLIC_BASE_URL: the base of the link in the email. */
  publicBaseUrl: string;
}

export type AdminResendResult =
  | { ok: true; code: string; email: string }
  | { ok: false; reason: 'not-admin' }
  | { ok: false; reason: 'not-found'; code: string }
  | { ok: false; reason: 'not-resendable'; code: string; state: NotResendable; status?: string }
  | { ok: false; reason: 'rate-limited'; code: string; limit: ResendLimit; retryAt: Date }
  | { ok: false; reason: 'mail-failed'; code: string; email: string; reply: string };

/**
 * An admin resends the access link and a fresh token (issue 7 item 5), under the same limits, and is answered
 * with the outcome at once: a mail server that did not take the email is reported, not retried.
 */
export async function resendAccessLink(
  deps: AdminResendDeps,
  input: { accessCode: string; userId: string },
): Promise<AdminResendResult> {
  const roles = await getRoles({ db: deps.db, adminUserIds: deps.adminUserIds }, input.userId);
  if (!roles.isAdmin) return { ok: false, reason: 'not-admin' };
  const code = input.accessCode;
  const reservation = await reserveResend(deps, { code }, input.userId, true, null);
  if (!reservation.ok) {
    if (reservation.reason === 'rate-limited')
      return { ok: false, reason: 'rate-limited', code, limit: reservation.limit, retryAt: reservation.retryAt };
    if (!reservation.access) return { ok: false, reason: 'not-found', code };
    return { ok: false, reason: 'not-resendable', code, state: reservation.state, status: reservation.access.status };
  }
  const { access } = reservation;
  const link = `${deps.publicBaseUrl}/access/${access.linkId}`;
  const delivery = await deliver(deps, access, reservation.resendId, input.userId, link, undefined);
  if (!delivery.ok) return { ok: false, reason: 'mail-failed', code, email: access.email, reply: delivery.reply };
  return { ok: true, code, email: access.email };
}
