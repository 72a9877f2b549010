// Provisioning an approved request (SPEC §2, §5, §7): accesses for the new active users, then per access the
// link email and the token email, in chunks. Every step records what it did before the next, so a chunk that
// runs twice sends no second link email, and a crash repeats at most the email being sent at that instant.
import { recordAuditEvent } from '../db/repos/audit-repo.ts';
import { findImportById } from '../db/repos/import-repo.ts';
import type { Db } from '../db/schema.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import { sendAccessEmailsQueue } from '../jobs/queues.ts';
import type { Mailer } from '../mail/mailer.ts';
import { PermanentMailError } from '../mail/mailer.ts';
import { accessLinkMail, accessTokenMail } from '../mail/templates.ts';
import { generateAccessToken, hashToken } from './access-secrets.ts';
import { cancelOpenAccesses } from './cancel-accesses.ts';
import { createAccessesForRequest } from './create-accesses.ts';

export const EMAIL_CHUNK = 200;

export interface ProvisionDeps {
  db: Db;
  jobs: JobQueue;
  now: () => Date;
}

export type StartResult = 'started' | 'waiting-for-import' | 'not-approved';

/** approved → processing, the accesses, and one email job per chunk of accesses. Safe to run twice. */
export async function startProvisioning(deps: ProvisionDeps, requestId: number): Promise<StartResult> {
  const request = await deps.db.selectFrom('access_requests').select(['id', 'code', 'status', 'import_id']).where('id', '=', requestId).executeTakeFirst();
  if (!request || (request.status !== 'approved' && request.status !== 'processing')) return 'not-approved';
  // The users are imported by the import job: until it is done there is nobody to give access to. That job
  // starts provisioning itself when it finishes an approved request's import.
  if ((await findImportById(deps.db, request.import_id))?.status !== 'done') return 'waiting-for-import';
  await createAccessesForRequest(deps, requestId);
  const started = await deps.db.transaction().execute(async (trx) => {
    const locked = await trx.selectFrom('access_requests').select(['status']).where('id', '=', requestId).forUpdate().executeTakeFirstOrThrow();
    // Cancelled (`/domum cancel`) while the accesses above were being created: those are cancelled too, and
    // no email goes out.
    if (locked.status === 'cancelled') {
      await cancelOpenAccesses(trx, { requestId, actor: 'domum', now: deps.now(), details: { request: request.code, reason: 'the request was cancelled' } });
      return false;
    }
    if (locked.status === 'approved') {
      await trx.updateTable('access_requests').set({ status: 'processing', updated_at: new Date() }).where('id', '=', requestId).execute();
      await recordAuditEvent(trx, { actor: 'domum', action: 'request.processing', target: request.code, details: {} });
    }
    const accesses = await trx.selectFrom('accesses').select('id').where('request_id', '=', requestId).orderBy('id').execute();
    for (let start = 0; start < accesses.length; start += EMAIL_CHUNK) {
      const ids = accesses.slice(start, start + EMAIL_CHUNK).map((access) => access.id);
      await deps.jobs.enqueue(trx, sendAccessEmailsQueue, { requestId, accessIds: ids }, { singletonKey: `emails-${requestId}-${ids[0]}` });
    }
    return true;
  });
  return started ? 'started' : 'not-approved';
}

export interface EmailDeps {
  db: Db;
  mailer: Mailer;
  now: () => Date;
  secretKey: string;
  publicBaseUrl: string;
  tokenTtlMinutes: number;
}

/**
 * The two emails of each access in the chunk. A permanent refusal (5xx) puts that access and its line in
 * error with the server's reply; a transient failure (connection refused, timeout, 4xx) is thrown, so the
 * job retries later with what is still unsent.
 */
export async function sendAccessEmails(deps: EmailDeps, accessIds: readonly number[]): Promise<{ sent: number; refused: number }> {
  const accesses = await deps.db
    .selectFrom('accesses as a')
    .innerJoin('third_party_users as u', 'u.id', 'a.user_id')
    .innerJoin('vendors as v', 'v.id', 'u.vendor_id')
    .innerJoin('access_requests as r', 'r.id', 'a.request_id')
    .select(['a.id', 'a.code', 'a.link_id', 'a.time_zone', 'a.status', 'a.link_email_sent_at', 'a.token_email_sent_at', 'a.email_error', 'u.name', 'u.email', 'u.id as user_id', 'v.name as vendor_name', 'r.import_id'])
    .where('a.id', 'in', accessIds.length ? [...accessIds] : [0])
    .orderBy('a.id')
    .execute();
  let sent = 0;
  let refused = 0;
  for (const access of accesses) {
    if (access.email_error || access.status === 'cancelled') continue;
    // Cancelled since the chunk was read: nothing more is sent for it.
    if ((await deps.db.selectFrom('accesses').select('status').where('id', '=', access.id).executeTakeFirst())?.status === 'cancelled') continue;
    try {
      if (!access.link_email_sent_at) {
        const content = accessLinkMail({ to: access.email, userName: access.name, vendorName: access.vendor_name, link: `${deps.publicBaseUrl}/access/${access.link_id}`, accessCode: access.code });
        await deps.mailer.send({ to: access.email, ...content, idempotencyKey: `${access.code}:link` });
        await deps.db.updateTable('accesses').set({ link_email_sent_at: deps.now(), updated_at: new Date() }).where('id', '=', access.id).execute();
        sent += 1;
      }
      if (!access.token_email_sent_at) {
        // A fresh token each attempt: only its hash is stored, so a token whose email may not have gone out is
        // replaced rather than re-sent.
        const token = generateAccessToken();
        const expiresAt = new Date(deps.now().getTime() + deps.tokenTtlMinutes * 60 * 1000);
        const stored = await deps.db.updateTable('accesses').set({ token_hash: hashToken(deps.secretKey, token), token_expires_at: expiresAt, failed_token_attempts: 0, updated_at: new Date() }).where('id', '=', access.id).where('status', '!=', 'cancelled').executeTakeFirst();
        if (stored.numUpdatedRows === 0n) continue;
        const content = accessTokenMail({ to: access.email, userName: access.name, token, expiresAt, timeZone: access.time_zone });
        await deps.mailer.send({ to: access.email, ...content, idempotencyKey: `${access.code}:token` });
        await deps.db.updateTable('accesses').set({ token_email_sent_at: deps.now(), updated_at: new Date() }).where('id', '=', access.id).execute();
        sent += 1;
      }
    } catch (error) {
      if (!(error instanceof PermanentMailError)) throw error;
      refused += 1;
      await deps.db.transaction().execute(async (trx) => {
        await trx.updateTable('accesses').set({ email_error: error.reply, status: 'error', updated_at: new Date() }).where('id', '=', access.id).execute();
        await trx
          .updateTable('import_lines')
          .set({ outcome: 'error', errors: JSON.stringify([{ column: 'Email', value: access.email, message: `the mail server refused it: ${error.reply}` }]) })
          .where('import_id', '=', access.import_id)
          .where('user_id', '=', access.user_id)
          .execute();
      });
    }
  }
  return { sent, refused };
}

export interface ProvisioningProgress {
  total: number;
  done: number;
  emailsSent: number;
  errors: number;
  finished: boolean;
}

export async function provisioningProgress(db: Db, requestId: number): Promise<ProvisioningProgress> {
  const rows = await db.selectFrom('accesses').select(['status', 'link_email_sent_at', 'token_email_sent_at', 'email_error']).where('request_id', '=', requestId).execute();
  let done = 0;
  let emailsSent = 0;
  let errors = 0;
  for (const row of rows) {
    emailsSent += (row.link_email_sent_at ? 1 : 0) + (row.token_email_sent_at ? 1 : 0);
    if (row.email_error) errors += 1;
    // A cancelled access gets no (more) email: it counts as done, so progress reaches its end.
    if (row.status === 'cancelled' || row.email_error || (row.link_email_sent_at && row.token_email_sent_at)) done += 1;
  }
  return { total: rows.length, done, emailsSent, errors, finished: done === rows.length };
}

/** processing → completed | completed_with_errors, once. Returns the new status, or undefined if not now. */
export async function completeProvisioning(db: Db, requestId: number): Promise<'completed' | 'completed_with_errors' | undefined> {
  const progress = await provisioningProgress(db, requestId);
  if (!progress.finished) return undefined;
  return db.transaction().execute(async (trx) => {
    const locked = await trx.selectFrom('access_requests').select(['code', 'status', 'import_id']).where('id', '=', requestId).forUpdate().executeTakeFirstOrThrow();
    if (locked.status !== 'processing') return undefined;
    const lineErrors = await trx.selectFrom('import_lines').select((eb) => eb.fn.countAll<number>().as('count')).where('import_id', '=', locked.import_id).where('outcome', '=', 'error').executeTakeFirstOrThrow();
    const status = progress.errors > 0 || Number(lineErrors.count) > 0 ? 'completed_with_errors' : 'completed';
    await trx.updateTable('access_requests').set({ status, updated_at: new Date() }).where('id', '=', requestId).execute();
    await recordAuditEvent(trx, { actor: 'domum', action: `request.${status}`, target: locked.code, details: { ...progress } });
    return status;
  });
}

export type RetryResult = { ok: true; retried: number } | { ok: false; reason: 'not-found' | 'not-allowed' | 'nothing-to-retry'; code?: string };

/**
 * "Retry failed lines" (SPEC §4): only lines whose cause can change — a mail server's refusal — are tried
 * again; lines with invalid data are not. What was already done (accesses, emails sent) is never redone.
 */
export async function retryFailedLines(deps: ProvisionDeps, input: { requestId: number; userId: string; isAdmin: boolean }): Promise<RetryResult> {
  return deps.db.transaction().execute(async (trx) => {
    const locked = await trx.selectFrom('access_requests').select(['id', 'code', 'status', 'requester_user_id', 'import_id']).where('id', '=', input.requestId).forUpdate().executeTakeFirst();
    if (!locked) return { ok: false as const, reason: 'not-found' as const };
    if (locked.requester_user_id !== input.userId && !input.isAdmin) return { ok: false as const, reason: 'not-allowed' as const, code: locked.code };
    if (locked.status !== 'completed_with_errors') return { ok: false as const, reason: 'nothing-to-retry' as const, code: locked.code };
    const failed = await trx.selectFrom('accesses').select(['id', 'user_id', 'starts_at']).where('request_id', '=', input.requestId).where('email_error', 'is not', null).where('status', '=', 'error').orderBy('id').execute();
    if (failed.length === 0) return { ok: false as const, reason: 'nothing-to-retry' as const, code: locked.code };
    const now = deps.now().getTime();
    for (const access of failed) {
      await trx.updateTable('accesses').set({ email_error: null, status: access.starts_at.getTime() > now ? 'scheduled' : 'active', updated_at: new Date() }).where('id', '=', access.id).execute();
      await trx.updateTable('import_lines').set({ outcome: 'created', errors: '[]' }).where('import_id', '=', locked.import_id).where('user_id', '=', access.user_id).execute();
    }
    // A new progress message and a new summary follow for the retried lines.
    await trx.updateTable('access_requests').set({ status: 'processing', summary_ts: null, progress_ts: null, progress_updated_at: null, updated_at: new Date() }).where('id', '=', input.requestId).execute();
    await recordAuditEvent(trx, { actor: input.userId, action: 'request.retried', target: locked.code, details: { lines: failed.length } });
    for (let start = 0; start < failed.length; start += EMAIL_CHUNK) {
      const ids = failed.slice(start, start + EMAIL_CHUNK).map((access) => access.id);
      await deps.jobs.enqueue(trx, sendAccessEmailsQueue, { requestId: input.requestId, accessIds: ids });
    }
    return { ok: true as const, retried: failed.length };
  });
}
