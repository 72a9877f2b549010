// Provisioning an approved request (SPEC §2, §5, §7): accesses for the new active users, then per access the
// link email and the token email, in chunks. Every step records what it did before the next, so a chunk that
// runs twice sends no second link email, and a crash repeats at most the email being sent at that instant.
// The email jobs are queued once (by the approved → processing transition) and the summary is posted by
// the one job that made the processing → completed transition.
import { sql } from 'kysely';
import { recordAuditEvent } from '../db/repos/audit-repo.ts';
import { findImportById } from '../db/repos/import-repo.ts';
import { findRequestById, transitionRequest } from '../db/repos/request-repo.ts';
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

export type PrepareResult = 'ready' | 'waiting-for-import' | 'not-approved';

/** The accesses of an approved request (created once, whatever runs twice). */
export async function prepareProvisioning(deps: ProvisionDeps, requestId: number): Promise<PrepareResult> {
  const request = await deps.db
    .selectFrom('access_requests')
    .select(['id', 'status', 'import_id'])
    .where('id', '=', requestId)
    .executeTakeFirst();
  if (!request || (request.status !== 'approved' && request.status !== 'processing')) return 'not-approved';
  // The users are imported by the import job: until it is done there is nobody to give access to. That job
  // starts provisioning itself when it finishes an approved request's import.
  if ((await findImportById(deps.db, request.import_id))?.status !== 'done') return 'waiting-for-import';
  await createAccessesForRequest(deps, requestId);
  return 'ready';
}

/**
 * approved → processing, and one email job per chunk of accesses, in one transaction: the jobs are queued
 * exactly once, by the transition. A provisioning job that runs again (after a crash, or because both the
 * decision and the import's end queued it) finds the request processing and queues nothing, so no chunk ever
 * has two jobs sending its emails side by side. Returns whether this call made the transition.
 */
export async function startProvisioning(deps: ProvisionDeps, requestId: number): Promise<boolean> {
  return deps.db.transaction().execute(async (trx) => {
    const locked = await trx
      .selectFrom('access_requests')
      .select(['code', 'status'])
      .where('id', '=', requestId)
      .forUpdate()
      .executeTakeFirstOrThrow();
    // Cancelled (`/domum cancel`) while prepareProvisioning was creating the accesses: those are cancelled
    // too, and no email goes out.
    if (locked.status === 'cancelled')
      await cancelOpenAccesses(trx, {
        requestId,
        actor: 'domum',
        now: deps.now(),
        details: { request: locked.code, reason: 'the request was cancelled' },
      });
    if (locked.status !== 'approved') return false;
    await transitionRequest(trx, requestId, 'processing', deps.now());
    await recordAuditEvent(trx, { actor: 'domum', action: 'request.processing', target: locked.code, details: {} });
    const accesses = await trx
      .selectFrom('accesses')
      .select('id')
      .where('request_id', '=', requestId)
      .orderBy('id')
      .execute();
    for (let start = 0; start < accesses.length; start += EMAIL_CHUNK) {
      const ids = accesses.slice(start, start + EMAIL_CHUNK).map((access) => access.id);
      await deps.jobs.enqueue(trx, sendAccessEmailsQueue, { requestId, accessIds: ids });
    }
    return true;
  });
}

export interface EmailDeps {
  db: Db;
  mailer: Mailer;
  now: () => Date;
  secretKey: string;
  publicBaseUrl: string;
  tokenTtlMinutes: number;
}

/** Thrown when the job was handed to another worker mid-chunk: that worker sends the rest. */
export class JobNoLongerHeldError extends Error {
  constructor() {
    super('this worker no longer holds the job; another one carries on with its emails');
    this.name = 'JobNoLongerHeldError';
  }
}

/**
 * The two emails of each access in the chunk. A permanent refusal (5xx) puts that access and its line in
 * error with the server's reply; a transient failure (connection refused, timeout, 4xx) is thrown, so the
 * job retries later with what is still unsent.
 *
 * Each email is recorded as sent right after the mail server accepted it. That record is the only thing
 * between a crash and a second copy of the email, so when the database is briefly unreachable at that
 * moment (PostgreSQL restarting) it is retried until the database answers again, instead of failing the job
 * and sending the email again later. A process killed between the two repeats only the email in flight.
 */
export async function sendAccessEmails(
  deps: EmailDeps,
  accessIds: readonly number[],
  signal?: AbortSignal,
): Promise<{ sent: number; refused: number }> {
  const accesses = await deps.db
    .selectFrom('accesses as a')
    .innerJoin('third_party_users as u', 'u.id', 'a.user_id')
    .innerJoin('vendors as v', 'v.id', 'u.vendor_id')
    .innerJoin('access_requests as r', 'r.id', 'a.request_id')
    .select([
      'a.id',
      'a.code',
      'a.link_id',
      'a.time_zone',
      'a.status',
      'a.link_email_sent_at',
      'a.token_email_sent_at',
      'a.email_error',
      'u.name',
      'u.email',
      'u.id as user_id',
      'v.name as vendor_name',
      'r.import_id',
    ])
    .where('a.id', 'in', accessIds.length ? [...accessIds] : [0])
    .orderBy('a.id')
    .execute();
  let sent = 0;
  let refused = 0;
  const ensureHeld = () => {
    if (signal?.aborted) throw new JobNoLongerHeldError();
  };
  const sendFor = async (access: (typeof accesses)[number]): Promise<void> => {
    if (access.email_error || access.status === 'cancelled') return;
    // Cancelled since the chunk was read: nothing more is sent for it.
    if (
      (await deps.db.selectFrom('accesses').select('status').where('id', '=', access.id).executeTakeFirst())?.status ===
      'cancelled'
    )
      return;
    try {
      // A fresh token each attempt: only its hash is stored, so a token whose email may not have gone out is
      // replaced rather than re-sent. Its hash is stored before its email leaves (with the link email's
      // record, saving a round trip), so the token in the latest token email is always the one that works.
      const token = access.token_email_sent_at ? undefined : generateAccessToken();
      const expiresAt = new Date(deps.now().getTime() + deps.tokenTtlMinutes * 60 * 1000);
      const tokenColumns = token
        ? { token_hash: hashToken(deps.secretKey, token), token_expires_at: expiresAt, failed_token_attempts: 0 }
        : {};
      if (!access.link_email_sent_at) {
        const content = accessLinkMail({
          to: access.email,
          userName: access.name,
          vendorName: access.vendor_name,
          link: `${deps.publicBaseUrl}/access/${access.link_id}`,
          accessCode: access.code,
        });
        ensureHeld();
        await deps.mailer.send({ to: access.email, ...content, idempotencyKey: `${access.code}:link` });
        await despiteDatabaseOutage(() =>
          deps.db
            .updateTable('accesses')
            .set({ link_email_sent_at: deps.now(), ...tokenColumns, updated_at: deps.now() })
            .where('id', '=', access.id)
            .execute(),
        );
        sent += 1;
      } else if (token) {
        await deps.db
          .updateTable('accesses')
          .set({ ...tokenColumns, updated_at: deps.now() })
          .where('id', '=', access.id)
          .execute();
      }
      if (token) {
        const content = accessTokenMail({
          to: access.email,
          userName: access.name,
          token,
          expiresAt,
          timeZone: access.time_zone,
        });
        ensureHeld();
        await deps.mailer.send({ to: access.email, ...content, idempotencyKey: `${access.code}:token` });
        await despiteDatabaseOutage(() =>
          deps.db
            .updateTable('accesses')
            .set({ token_email_sent_at: deps.now(), updated_at: deps.now() })
            .where('id', '=', access.id)
            .execute(),
        );
        sent += 1;
      }
    } catch (error) {
      if (!(error instanceof PermanentMailError)) throw error;
      refused += 1;
      await deps.db.transaction().execute(async (trx) => {
        await trx
          .updateTable('accesses')
          .set({ email_error: error.reply, status: 'error', updated_at: deps.now() })
          .where('id', '=', access.id)
          .execute();
        await trx
          .updateTable('import_lines')
          .set({
            outcome: 'error',
            errors: JSON.stringify([
              { column: 'Email', value: access.email, message: `the mail server refused it: ${error.reply}` },
            ]),
          })
          .where('import_id', '=', access.import_id)
          .where('user_id', '=', access.user_id)
          .execute();
      });
    }
  };
  // A few accesses at a time, so the mail server's connections are never idle while one access waits on the
  // database. Every lane stops taking accesses at the first failure, and the chunk only fails once the lanes
  // have stopped: no email of this chunk can still be on its way when the job is retried.
  let next = 0;
  let failure: { error: unknown } | undefined;
  const lane = async () => {
    while (!failure && next < accesses.length) {
      const access = accesses[next++] as (typeof accesses)[number];
      try {
        await sendFor(access);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(SEND_LANES, accesses.length) }, lane));
  if (failure) throw failure.error;
  return { sent, refused };
}

/** Accesses of one chunk in flight at once (each still sends its link email before its token email). */
const SEND_LANES = 2;

/** How long a record that must not be lost waits for an unreachable database before giving up. */
const OUTAGE_PATIENCE_MS = 120_000;

async function despiteDatabaseOutage<T>(write: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + OUTAGE_PATIENCE_MS;
  let pauseMs = 100;
  for (;;) {
    try {
      return await write();
    } catch (error) {
      if (!isDatabaseUnreachable(error) || Date.now() + pauseMs > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
      pauseMs = Math.min(pauseMs * 2, 2_000);
    }
  }
}

// Connection-level failures (the server went away, refuses connections, or is starting or shutting down),
// as opposed to an error in the statement itself, which waiting would not fix.
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
]);

export function isDatabaseUnreachable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && UNREACHABLE_CODES.has(code)) return true;
  const message = error instanceof Error ? error.message : '';
  return /Connection terminated|connection error|timeout exceeded when trying to connect|Client was closed/i.test(
    message,
  );
}

export interface ProvisioningProgress {
  total: number;
  done: number;
  emailsSent: number;
  errors: number;
  finished: boolean;
}

/**
 * Counted by the database: every email job asks when it ends, and reading a 45,000-access request's rows
 * each time (225 jobs) cost more CPU than sending its emails.
 */
export async function provisioningProgress(db: Db, requestId: number): Promise<ProvisioningProgress> {
  const { rows } = await sql<{ total: number; done: number; emails_sent: number; errors: number }>`
    select count(*)::int as total,
           -- A cancelled access gets no (more) email: it counts as done, so progress reaches its end.
           count(*) filter (where status = 'cancelled' or coalesce(email_error, '') <> ''
                              or (link_email_sent_at is not null and token_email_sent_at is not null))::int as done,
           (count(link_email_sent_at) + count(token_email_sent_at))::int as emails_sent,
           count(*) filter (where coalesce(email_error, '') <> '')::int as errors
      from accesses where request_id = ${requestId}`.execute(db);
  const { total = 0, done = 0, emails_sent: emailsSent = 0, errors = 0 } = rows[0] ?? {};
  return { total, done, emailsSent, errors, finished: done === total };
}

/**
 * processing → completed | completed_with_errors, once. Returns the new status, or undefined if not now.
 * `finisher` (the job's id) is recorded with the transition: that job, and only it, posts the summary, so two
 * chunks finishing at the same instant cannot both post one, and a finisher killed before posting posts it
 * when it runs again.
 */
export async function completeProvisioning(
  deps: { db: Db; now: () => Date },
  requestId: number,
  finisher: string,
): Promise<'completed' | 'completed_with_errors' | undefined> {
  const progress = await provisioningProgress(deps.db, requestId);
  if (!progress.finished) return undefined;
  const now = deps.now();
  return deps.db.transaction().execute(async (trx) => {
    const locked = await trx
      .selectFrom('access_requests')
      .select(['code', 'status', 'import_id'])
      .where('id', '=', requestId)
      .forUpdate()
      .executeTakeFirstOrThrow();
    if (locked.status !== 'processing') return undefined;
    const lineErrors = await trx
      .selectFrom('import_lines')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('import_id', '=', locked.import_id)
      .where('outcome', '=', 'error')
      .executeTakeFirstOrThrow();
    const status = progress.errors > 0 || Number(lineErrors.count) > 0 ? 'completed_with_errors' : 'completed';
    await transitionRequest(trx, requestId, status, now, { finished_by_job: finisher });
    await recordAuditEvent(trx, {
      actor: 'domum',
      action: `request.${status}`,
      target: locked.code,
      details: { ...progress, finisher },
    });
    return status;
  });
}

/** Whether `finisher` made the request's latest completion (see completeProvisioning). */
export async function isFinisher(db: Db, requestId: number, finisher: string): Promise<boolean> {
  const request = await findRequestById(db, requestId);
  if (!request || (request.status !== 'completed' && request.status !== 'completed_with_errors')) return false;
  return request.finished_by_job === finisher;
}

export type RetryResult =
  | { ok: true; retried: number }
  | { ok: false; reason: 'not-found' | 'not-allowed' | 'nothing-to-retry'; code?: string };

/**
 * "Retry failed lines" (SPEC §4): only lines whose cause can change — a mail server's refusal — are tried
 * again; lines with invalid data are not. What was already done (accesses, emails sent) is never redone.
 */
export async function retryFailedLines(
  deps: ProvisionDeps,
  input: { requestId: number; userId: string; isAdmin: boolean },
): Promise<RetryResult> {
  return deps.db.transaction().execute(async (trx) => {
    const locked = await trx
      .selectFrom('access_requests')
      .select(['id', 'code', 'status', 'requester_user_id', 'import_id'])
      .where('id', '=', input.requestId)
      .forUpdate()
      .executeTakeFirst();
    if (!locked) return { ok: false as const, reason: 'not-found' as const };
    if (locked.requester_user_id !== input.userId && !input.isAdmin)
      return { ok: false as const, reason: 'not-allowed' as const, code: locked.code };
    if (locked.status !== 'completed_with_errors')
      return { ok: false as const, reason: 'nothing-to-retry' as const, code: locked.code };
    const failed = await trx
      .selectFrom('accesses')
      .select(['id', 'user_id', 'starts_at'])
      .where('request_id', '=', input.requestId)
      .where('email_error', 'is not', null)
      .where('status', '=', 'error')
      .orderBy('id')
      .execute();
    if (failed.length === 0) return { ok: false as const, reason: 'nothing-to-retry' as const, code: locked.code };
    const now = deps.now().getTime();
    for (const access of failed) {
      await trx
        .updateTable('accesses')
        .set({
          email_error: null,
          status: access.starts_at.getTime() > now ? 'scheduled' : 'active',
          updated_at: deps.now(),
        })
        .where('id', '=', access.id)
        .execute();
      await trx
        .updateTable('import_lines')
        .set({ outcome: 'created', errors: '[]' })
        .where('import_id', '=', locked.import_id)
        .where('user_id', '=', access.user_id)
        .execute();
    }
    // A new progress message and a new summary follow for the retried lines.
    await transitionRequest(trx, input.requestId, 'processing', deps.now(), {
      summary_ts: null,
      progress_ts: null,
      progress_updated_at: null,
    });
    await recordAuditEvent(trx, {
      actor: input.userId,
      action: 'request.retried',
      target: locked.code,
      details: { lines: failed.length },
    });
    for (let start = 0; start < failed.length; start += EMAIL_CHUNK) {
      const ids = failed.slice(start, start + EMAIL_CHUNK).map((access) => access.id);
      await deps.jobs.enqueue(trx, sendAccessEmailsQueue, { requestId: input.requestId, accessIds: ids });
    }
    return { ok: true as const, retried: failed.length };
  });
}
