// Provisioning an approved request (README, "Importing users" → Provisioning): accesses for the new active
// users, then per access the link email and the token email, in chunks. Every step records what it did before
// the next, so a chunk that runs twice sends no second link email, and a crash repeats at most the email being
// sent at that instant. The email jobs are queued once (by the approved → processing transition) and the
// summary is posted by the one job that made the processing → completed transition.
import type { Transaction } from 'kysely';
import {
  cancelOpenAccesses,
  clearAccessEmailError,
  countEmailProgress,
  findAccessStatus,
  listAccessesRefusedByMail,
  listAccessesToEmail,
  listAccessIdsOfRequest,
  markAccessEmailRefused,
  markLinkEmailSent,
  markTokenEmailSent,
  storeAccessToken,
} from '../db/repos/access-repo.ts';
import type { AccessToEmail, StoredToken } from '../db/repos/access-repo.ts';
import { recordAuditEvent } from '../db/repos/audit-repo.ts';
import { countLinesInError, findImportById, setLineOutcomeOfUser } from '../db/repos/import-repo.ts';
import {
  findRequestById,
  findRequestByImport,
  lockRequest,
  transitionRequest,
  updateRequest,
} from '../db/repos/request-repo.ts';
import type { DatabaseSchema, Db } from '../db/schema.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import { provisionRequestQueue, sendAccessEmailsQueue } from '../jobs/queues.ts';
import type { Mailer } from '../mail/mailer.ts';
import { PermanentMailError } from '../mail/mailer.ts';
import { tokenExpiry } from '../domain/access-token.ts';
import { accessMailContext, sendLinkEmail, sendTokenEmail } from './access-emails.ts';
import type { DescribeRequester } from './access-emails.ts';
import { generateAccessToken, hashToken } from './access-secrets.ts';
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
  const request = await findRequestById(deps.db, requestId);
  if (!request || (request.status !== 'approved' && request.status !== 'processing')) return 'not-approved';
  // The users are imported by the import job: until it is done there is nobody to give access to. That job
  // starts provisioning itself when it finishes an approved request's import.
  if ((await findImportById(deps.db, request.import_id))?.status !== 'done') return 'waiting-for-import';
  await createAccessesForRequest(deps, requestId);
  return 'ready';
}

/**
 * After the approval was announced in the card's thread (request.decided): provisioning is let go, once. The
 * provisioning job waits for the import when the users are still being imported.
 */
export async function releaseProvisioning(deps: ProvisionDeps, requestId: number): Promise<boolean> {
  return deps.db.transaction().execute(async (trx) => {
    const locked = await lockRequest(trx, requestId);
    if (locked?.status !== 'approved' || locked.provisioning_released_at) return false;
    await updateRequest(trx, requestId, { provisioning_released_at: deps.now() }, deps.now());
    await enqueueProvisioning(deps.jobs, trx, requestId);
    return true;
  });
}

/** A request approved (and announced) while its users were still being imported starts provisioning now. */
export async function provisionAfterImport(deps: { db: Db; jobs: JobQueue }, importId: number): Promise<void> {
  const request = await findRequestByImport(deps.db, importId);
  if (request?.status !== 'approved' || !request.provisioning_released_at) return;
  await deps.db.transaction().execute((trx) => enqueueProvisioning(deps.jobs, trx, request.id));
}

function enqueueProvisioning(jobs: JobQueue, trx: Transaction<DatabaseSchema>, requestId: number) {
  return jobs.enqueue(trx, provisionRequestQueue, { requestId }, { singletonKey: `provision-${requestId}` });
}

/**
 * approved → processing, and one email job per chunk of accesses, in one transaction: the jobs are queued
 * exactly once, by the transition. A provisioning job that runs again (after a crash, or because both the
 * decision and the import's end queued it) finds the request processing and queues nothing, so no chunk ever
 * has two jobs sending its emails side by side. Returns whether this call made the transition.
 */
export async function startProvisioning(deps: ProvisionDeps, requestId: number): Promise<boolean> {
  return deps.db.transaction().execute(async (trx) => {
    const locked = await lockRequest(trx, requestId);
    if (!locked) throw new Error(`request ${requestId} not found`);
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
    await enqueueEmailChunks(deps.jobs, trx, requestId, await listAccessIdsOfRequest(trx, requestId));
    return true;
  });
}

export interface EmailDeps {
  db: Db;
  mailer: Mailer;
  now: () => Date;
  secretKey: string;
  publicBaseUrl: string;
  /** TOKEN_TTL_HOURS: see tokenExpiry. */
  tokenTtlHours: number;
  describeRequester: DescribeRequester;
  /** SUPPORT_CONTACT, named in the emails when set. */
  supportContact: string | undefined;
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
  const accesses = await listAccessesToEmail(deps.db, accessIds);
  const ensureHeld = () => {
    if (signal?.aborted) throw new JobNoLongerHeldError();
  };
  let sent = 0;
  let refused = 0;
  await inLanes(accesses, SEND_LANES, async (access) => {
    const outcome = await sendEmailsOf(deps, access, ensureHeld);
    sent += outcome.sent;
    refused += outcome.refused;
  });
  return { sent, refused };
}

/**
 * The emails of one access still to send. Each email counts in `sent` once it left; a permanent refusal
 * counts in `refused` (with the emails that left before it), and anything else is thrown.
 */
async function sendEmailsOf(
  deps: EmailDeps,
  access: AccessToEmail,
  ensureHeld: () => void,
): Promise<{ sent: number; refused: number }> {
  if (access.emailError || access.status === 'cancelled') return { sent: 0, refused: 0 };
  // Cancelled since the chunk was read: nothing more is sent for it.
  if ((await findAccessStatus(deps.db, access.id)) === 'cancelled') return { sent: 0, refused: 0 };
  let sent = 0;
  try {
    // A fresh token each attempt: only its hash is stored, so a token whose email may not have gone out is
    // replaced rather than re-sent. Its hash is stored before its email leaves (with the link email's
    // record, saving a round trip), so the token in the latest token email is always the one that works.
    const token = access.tokenEmailSentAt ? undefined : generateAccessToken();
    const sentAt = deps.now();
    const expiresAt = tokenExpiry(sentAt, access.startsAt, deps.tokenTtlHours);
    const stored: StoredToken | undefined = token ? { hash: hashToken(deps.secretKey, token), expiresAt } : undefined;
    const context = await accessMailContext(deps, access);
    if (!access.linkEmailSentAt) {
      const link = `${deps.publicBaseUrl}/access/${access.linkId}`;
      await sendLinkEmail(deps.mailer, access, context, { link, idempotencyKey: `${access.code}:link` }, ensureHeld);
      await despiteDatabaseOutage(() => markLinkEmailSent(deps.db, access.id, deps.now(), stored));
      sent += 1;
    } else if (stored) {
      await storeAccessToken(deps.db, access.id, stored, deps.now());
    }
    if (token) {
      const idempotencyKey = `${access.code}:token`;
      await sendTokenEmail(deps.mailer, access, context, { token, sentAt, expiresAt, idempotencyKey }, ensureHeld);
      await despiteDatabaseOutage(() => markTokenEmailSent(deps.db, access.id, deps.now()));
      sent += 1;
    }
  } catch (error) {
    if (!(error instanceof PermanentMailError)) throw error;
    await recordMailRefusal(deps, access, error.reply);
    return { sent, refused: 1 };
  }
  return { sent, refused: 0 };
}

/** A permanent refusal puts the access and its line in error, with the server's reply. */
async function recordMailRefusal(deps: EmailDeps, access: AccessToEmail, reply: string): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    await markAccessEmailRefused(trx, access.id, reply, deps.now());
    await setLineOutcomeOfUser(trx, access.importId, access.userId, 'error', [
      { column: 'Email', value: access.email, message: `the mail server refused it: ${reply}` },
    ]);
  });
}

/**
 * A few accesses at a time, so the mail server's connections are never idle while one access waits on the
 * database. Every lane stops taking accesses at the first failure, and the chunk only fails once the lanes
 * have stopped: no email of this chunk can still be on its way when the job is retried.
 */
async function inLanes<T>(items: readonly T[], lanes: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const lane = async () => {
    while (!failure && next < items.length) {
      const item = items[next++] as T;
      try {
        await work(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(lanes, items.length) }, lane));
  if (failure) throw failure.error;
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

export async function provisioningProgress(db: Db, requestId: number): Promise<ProvisioningProgress> {
  const progress = await countEmailProgress(db, requestId);
  return { ...progress, finished: progress.done === progress.total };
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
    const locked = await lockRequest(trx, requestId);
    if (!locked) throw new Error(`request ${requestId} not found`);
    if (locked.status !== 'processing') return undefined;
    const lineErrors = await countLinesInError(trx, locked.import_id);
    const status = progress.errors > 0 || lineErrors > 0 ? 'completed_with_errors' : 'completed';
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
 * "Retry failed lines" (README, "Importing users" → Provisioning: the summary's button): only lines whose
 * cause can change — a mail server's refusal — are tried again; lines with invalid data are not. What was
 * already done (accesses, emails sent) is never redone.
 */
export async function retryFailedLines(
  deps: ProvisionDeps,
  input: { requestId: number; userId: string; isAdmin: boolean },
): Promise<RetryResult> {
  return deps.db.transaction().execute(async (trx) => {
    const locked = await lockRequest(trx, input.requestId);
    if (!locked) return { ok: false as const, reason: 'not-found' as const };
    if (locked.requester_user_id !== input.userId && !input.isAdmin)
      return { ok: false as const, reason: 'not-allowed' as const, code: locked.code };
    if (locked.status !== 'completed_with_errors')
      return { ok: false as const, reason: 'nothing-to-retry' as const, code: locked.code };
    const failed = await listAccessesRefusedByMail(trx, input.requestId);
    if (failed.length === 0) return { ok: false as const, reason: 'nothing-to-retry' as const, code: locked.code };
    const now = deps.now().getTime();
    for (const access of failed) {
      const status = access.startsAt.getTime() > now ? 'scheduled' : 'active';
      await clearAccessEmailError(trx, access.id, status, deps.now());
      await setLineOutcomeOfUser(trx, locked.import_id, access.userId, 'created', []);
    }
    // The thread's one "Processing" message is edited again (its ts is kept), and a new summary follows.
    await transitionRequest(trx, input.requestId, 'processing', deps.now(), {
      summary_ts: null,
      progress_updated_at: null,
    });
    await recordAuditEvent(trx, {
      actor: input.userId,
      action: 'request.retried',
      target: locked.code,
      details: { lines: failed.length },
    });
    const failedIds = failed.map((access) => access.id);
    await enqueueEmailChunks(deps.jobs, trx, input.requestId, failedIds);
    return { ok: true as const, retried: failed.length };
  });
}

/** One email job per EMAIL_CHUNK accesses, inside the caller's transaction. */
async function enqueueEmailChunks(
  jobs: JobQueue,
  trx: Transaction<DatabaseSchema>,
  requestId: number,
  accessIds: readonly number[],
): Promise<void> {
  for (let start = 0; start < accessIds.length; start += EMAIL_CHUNK) {
    const ids = accessIds.slice(start, start + EMAIL_CHUNK);
    await jobs.enqueue(trx, sendAccessEmailsQueue, { requestId, accessIds: ids });
  }
}
