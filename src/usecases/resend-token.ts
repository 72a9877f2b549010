// A fresh one-time token after the first one (SPEC §5, issue 7): "Send me a new token" on the landing page, and
// an admin's resend of the link and a new token from Slack. Both share one rate limit per access — at most one
// a minute and five in any 24 hours — kept in token_resends, so it holds across processes and restarts.
//
// Order of work: reserve the resend (a row, under the access row's lock, so two clicks at once cannot both
// pass the limit), send the email(s), and only then store the new token's hash. So the previous token works
// until the new one is in the mail server's hands, and a refused or failed send changes nothing: the old token
// still works and the reservation is released (it keeps the reason and no longer counts).
import { recordAuditEvent } from '../db/repos/audit-repo.ts';
import type { Db } from '../db/schema.ts';
import type { Mailer } from '../mail/mailer.ts';
import { PermanentMailError, TransientMailError } from '../mail/mailer.ts';
import { accessLinkMail, accessTokenMail } from '../mail/templates.ts';
import { generateAccessToken, hashToken } from './access-secrets.ts';
import { findAccessByLink, linkState } from './first-access.ts';
import type { AccessForPage, LinkState } from './first-access.ts';
import { getRoles } from './get-roles.ts';

export const RESEND_MIN_INTERVAL_MS = 60_000;
export const RESENDS_PER_DAY = 5;
const DAY_MS = 24 * 60 * 60 * 1000;
/** requested_by for "Send me a new token" on the landing page; admins are recorded by Slack user id. */
export const THIRD_PARTY = 'third-party';

export interface ResendDeps {
  db: Db;
  mailer: Mailer;
  now: () => Date;
  secretKey: string;
  tokenTtlMinutes: number;
}

/** Why an access gets no new token, besides the rate limit. */
export type NotResendable = Exclude<LinkState, 'open'> | 'emails-pending';

type Reservation =
  | { ok: true; access: AccessForPage; resendId: string }
  | { ok: false; reason: 'not-resendable'; state: NotResendable; access: AccessForPage | undefined }
  | { ok: false; reason: 'rate-limited'; limit: 'minute' | 'day'; retryAt: Date; access: AccessForPage };

async function reserveResend(
  deps: ResendDeps,
  find: { linkId: string } | { code: string },
  requestedBy: string,
  withLink: boolean,
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
    const recent = await trx
      .selectFrom('token_resends')
      .select('created_at')
      .where('access_id', '=', access.id)
      .where('error', 'is', null)
      .where('created_at', '>', new Date(now.getTime() - DAY_MS))
      .orderBy('created_at')
      .execute();
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
    const row = await trx
      .insertInto('token_resends')
      .values({ access_id: access.id, requested_by: requestedBy, with_link: withLink, created_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { ok: true, access, resendId: row.id };
  });
}

type Delivery = { ok: true } | { ok: false; reply: string };

async function deliver(
  deps: ResendDeps,
  access: AccessForPage,
  resendId: string,
  requestedBy: string,
  link: string | undefined,
): Promise<Delivery> {
  const token = generateAccessToken();
  const expiresAt = new Date(deps.now().getTime() + deps.tokenTtlMinutes * 60 * 1000);
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
    await deps.mailer.send({ to: access.email, ...content, idempotencyKey: `${access.code}:token:resend-${resendId}` });
  } catch (error) {
    const reply =
      error instanceof PermanentMailError
        ? error.reply
        : error instanceof TransientMailError
          ? 'the mail server could not be reached or asked to try later'
          : 'an unexpected error';
    await deps.db.updateTable('token_resends').set({ error: reply }).where('id', '=', resendId).execute();
    if (error instanceof PermanentMailError || error instanceof TransientMailError) return { ok: false, reply };
    throw error;
  }
  await deps.db.transaction().execute(async (trx) => {
    // The new token replaces the old one at once, and a locked access (five wrong tokens) unlocks. Still only
    // while the first access is open: a user who activated meanwhile keeps their activated access as it is.
    await trx
      .updateTable('accesses')
      .set({
        token_hash: hashToken(deps.secretKey, token),
        token_expires_at: expiresAt,
        failed_token_attempts: 0,
        updated_at: new Date(),
      })
      .where('id', '=', access.id)
      .where('first_access_state', '=', 'link_sent')
      .where('status', 'in', ['scheduled', 'active'])
      .execute();
    await trx.updateTable('token_resends').set({ sent_at: deps.now() }).where('id', '=', resendId).execute();
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
  | { outcome: 'not-sent'; reason: NotResendable | 'rate-limited'; accessCode?: string }
  | { outcome: 'mail-failed'; accessCode: string };

/**
 * "Send me a new token" (landing page). The caller shows the same answer for `sent` and `not-sent`, whatever
 * the reason, so the answer reveals nothing; the reason is for the logs.
 */
export async function requestNewToken(deps: ResendDeps, linkId: string): Promise<NewTokenResult> {
  const reservation = await reserveResend(deps, { linkId }, THIRD_PARTY, false);
  if (!reservation.ok) {
    return {
      outcome: 'not-sent',
      reason: reservation.reason === 'rate-limited' ? 'rate-limited' : reservation.state,
      ...(reservation.access ? { accessCode: reservation.access.code } : {}),
    };
  }
  const delivery = await deliver(deps, reservation.access, reservation.resendId, THIRD_PARTY, undefined);
  return delivery.ok
    ? { outcome: 'sent', accessCode: reservation.access.code }
    : { outcome: 'mail-failed', accessCode: reservation.access.code };
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
  | { ok: false; reason: 'rate-limited'; code: string; limit: 'minute' | 'day'; retryAt: Date }
  | { ok: false; reason: 'mail-failed'; code: string; email: string; reply: string };

/** An admin resends the access link and a fresh token (issue 7 item 5), under the same rate limit. */
export async function resendAccessLink(
  deps: AdminResendDeps,
  input: { accessCode: string; userId: string },
): Promise<AdminResendResult> {
  const roles = await getRoles({ db: deps.db, adminUserIds: deps.adminUserIds }, input.userId);
  if (!roles.isAdmin) return { ok: false, reason: 'not-admin' };
  const code = input.accessCode;
  const reservation = await reserveResend(deps, { code }, input.userId, true);
  if (!reservation.ok) {
    if (reservation.reason === 'rate-limited')
      return { ok: false, reason: 'rate-limited', code, limit: reservation.limit, retryAt: reservation.retryAt };
    if (!reservation.access) return { ok: false, reason: 'not-found', code };
    return { ok: false, reason: 'not-resendable', code, state: reservation.state, status: reservation.access.status };
  }
  const { access } = reservation;
  const link = `${deps.publicBaseUrl}/access/${access.linkId}`;
  const delivery = await deliver(deps, access, reservation.resendId, input.userId, link);
  if (!delivery.ok) return { ok: false, reason: 'mail-failed', code, email: access.email, reply: delivery.reply };
  return { ok: true, code, email: access.email };
}
