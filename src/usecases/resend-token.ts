// A fresh one-time token after the first one (SPEC §5, issues 7 and 13): "Send me a new token" on the landing
// page, sent by a job (access.new-token), and an admin's resend of the link and a new token from Slack, sent
// while the admin waits. Both share the limits per access, kept in token_resends so they hold across processes
// and restarts: at most one sent a minute and five in any 24 hours, and at most ten attempts in any 24 hours,
// sent or not, so a mail server that keeps refusing (or a long outage, retried) cannot be used to send without
// limit.
//
// Order of work: reserve the resend (a row, under the access row's lock, so two clicks at once cannot both
// pass the limit), send the email(s), and only then store the new token's hash. So the previous token works
// until the new one is in the mail server's hands, and a refused or failed send changes nothing: the old token
// still works, and the reservation keeps the reason (it then counts only towards the ten attempts).
//
// The job may run twice (a retry after a crash or a transient mail error): its reservations carry its id, so a
// job whose token was sent does nothing more, and an attempt left without an outcome by a stopped run counts
// as failed and is replaced by a fresh token (only the newest one works).
import { recordAuditEvent } from '../db/repos/audit-repo.ts';
import type { Db } from '../db/schema.ts';
import type { Mailer } from '../mail/mailer.ts';
import { PermanentMailError, TransientMailError } from '../mail/mailer.ts';
import { accessLinkMail, accessTokenMail } from '../mail/templates.ts';
import { generateAccessToken, hashToken } from './access-secrets.ts';
import { findAccessByLink, linkState } from './first-access.ts';
import type { AccessForPage, LinkState } from './first-access.ts';
import { getRoles } from './get-roles.ts';
import { JobNoLongerHeldError } from './provision-request.ts';

export const RESEND_MIN_INTERVAL_MS = 60_000;
export const RESENDS_PER_DAY = 5;
/** Attempts in any 24 hours per access, whether the mail server took them or not. */
export const RESEND_ATTEMPTS_PER_DAY = 10;
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
  tokenTtlMinutes: number;
}

/** Why an access gets no new token, besides the rate limit. */
export type NotResendable = Exclude<LinkState, 'open'> | 'emails-pending';

/** Which limit refused: one a minute, five sent a day, or ten attempts a day (sent or not). */
export type ResendLimit = 'minute' | 'day' | 'attempts';

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
    let access: AccessForPage | undefined;
    if ('linkId' in find) access = await findAccessByLink(trx, find.linkId, { forUpdate: true });
    else {
      const row = await trx.selectFrom('accesses').select('link_id').where('code', '=', find.code).executeTakeFirst();
      access = row ? await findAccessByLink(trx, row.link_id, { forUpdate: true }) : undefined;
    }
    const state = linkState(access, now);
    if (!access || state !== 'open')
      return { ok: false, reason: 'not-resendable', state: state as NotResendable, access };
    // Provisioning has not sent the first token yet (it is on its way): a second one now would only race it.
    if (!access.tokenEmailSentAt) return { ok: false, reason: 'not-resendable', state: 'emails-pending', access };
    if (jobId !== null) {
      const earlier = await trx
        .selectFrom('token_resends')
        .select(['id', 'sent_at', 'error'])
        .where('access_id', '=', access.id)
        .where('job_id', '=', jobId)
        .execute();
      if (earlier.some((row) => row.sent_at !== null)) return { ok: false, reason: 'already-sent', access };
      // A run of this job stopped between reserving and recording the outcome (a crash, a lost database):
      // whether its email left is unknown. It counts as a failed attempt and this run sends a fresh token.
      const interrupted = earlier.filter((row) => row.error === null).map((row) => row.id);
      if (interrupted.length > 0)
        await trx.updateTable('token_resends').set({ error: INTERRUPTED }).where('id', 'in', interrupted).execute();
    }
    const attempts = await trx
      .selectFrom('token_resends')
      .select(['created_at', 'error'])
      .where('access_id', '=', access.id)
      .where('created_at', '>', new Date(now.getTime() - DAY_MS))
      .orderBy('created_at')
      .execute();
    // Sent, or on their way: what the one a minute and the five a day count.
    const recent = attempts.filter((attempt) => attempt.error === null);
    const last = recent.at(-1);
    if (last && last.created_at.getTime() > now.getTime() - RESEND_MIN_INTERVAL_MS) {
      return {
        ok: false,
        reason: 'rate-limited',
        limit: 'minute',
        retryAt: new Date(last.created_at.getTime() + RESEND_MIN_INTERVAL_MS),
        access,
      };
    }
    if (recent.length >= RESENDS_PER_DAY) {
      // Rolling window: the next one is possible when the oldest of the last five leaves it.
      const oldest = recent[recent.length - RESENDS_PER_DAY]!;
      return {
        ok: false,
        reason: 'rate-limited',
        limit: 'day',
        retryAt: new Date(oldest.created_at.getTime() + DAY_MS),
        access,
      };
    }
    if (attempts.length >= RESEND_ATTEMPTS_PER_DAY) {
      const oldest = attempts[attempts.length - RESEND_ATTEMPTS_PER_DAY]!;
      return {
        ok: false,
        reason: 'rate-limited',
        limit: 'attempts',
        retryAt: new Date(oldest.created_at.getTime() + DAY_MS),
        access,
      };
    }
    const row = await trx
      .insertInto('token_resends')
      .values({
        access_id: access.id,
        requested_by: requestedBy,
        with_link: withLink,
        created_at: now,
        job_id: jobId,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { ok: true, access, resendId: row.id };
  });
}

type Delivery = { ok: true } | { ok: false; error: PermanentMailError | TransientMailError; reply: string };

async function deliver(
  deps: ResendDeps,
  access: AccessForPage,
  resendId: string,
  requestedBy: string,
  link: string | undefined,
  signal: AbortSignal | undefined,
): Promise<Delivery> {
  const token = generateAccessToken();
  const expiresAt = new Date(deps.now().getTime() + deps.tokenTtlMinutes * 60 * 1000);
  // A job checks it still holds itself before each email: a run that lost the job must not send as well.
  const ensureHeld = () => {
    if (signal?.aborted) throw new JobNoLongerHeldError();
  };
  try {
    // Distinct Message-IDs per resend: some mailboxes drop a message whose Message-ID they have already seen.
    if (link) {
      const content = accessLinkMail({
        to: access.email,
        userName: access.userName,
        vendorName: access.vendorName,
        link,
        accessCode: access.code,
      });
      ensureHeld();
      await deps.mailer.send({
        to: access.email,
        ...content,
        idempotencyKey: `${access.code}:link:resend-${resendId}`,
      });
    }
    const content = accessTokenMail({
      to: access.email,
      userName: access.userName,
      token,
      expiresAt,
      timeZone: access.timeZone,
    });
    ensureHeld();
    await deps.mailer.send({ to: access.email, ...content, idempotencyKey: `${access.code}:token:resend-${resendId}` });
  } catch (error) {
    const reply =
      error instanceof PermanentMailError
        ? error.reply
        : error instanceof TransientMailError
          ? 'the mail server could not be reached or asked to try later'
          : error instanceof JobNoLongerHeldError
            ? 'not sent: the job was handed to another worker'
            : 'an unexpected error';
    await deps.db.updateTable('token_resends').set({ error: reply }).where('id', '=', resendId).execute();
    if (error instanceof PermanentMailError || error instanceof TransientMailError) return { ok: false, error, reply };
    throw error;
  }
  await deps.db.transaction().execute(async (trx) => {
    const recorded = await trx
      .updateTable('token_resends')
      .set({ sent_at: deps.now() })
      .where('id', '=', resendId)
      .where('error', 'is', null)
      .executeTakeFirst();
    // Another run of the same job took this attempt for interrupted (this run had lost the job) and sends its
    // own token: storing this one now could make the token of the newest email fail.
    if (recorded.numUpdatedRows === 0n) throw new JobNoLongerHeldError();
    // The new token replaces the old one at once, and a locked access (five wrong tokens) unlocks. Still only
    // while the first access is open: a user who activated meanwhile keeps their activated access as it is.
    await trx
      .updateTable('accesses')
      .set({
        token_hash: hashToken(deps.secretKey, token),
        token_expires_at: expiresAt,
        failed_token_attempts: 0,
        updated_at: deps.now(),
      })
      .where('id', '=', access.id)
      .where('first_access_state', '=', 'link_sent')
      .where('status', 'in', ['scheduled', 'active'])
      .execute();
    await recordAuditEvent(trx, {
      actor: requestedBy,
      action: link ? 'access.link_resent' : 'access.token_resent',
      target: access.code,
      details: { resendId, tokenExpiresAt: expiresAt.toISOString() },
    });
  });
  return { ok: true };
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
