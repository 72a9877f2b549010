// Provisioning an approved request (README, "Importing users" → Provisioning): accesses for the new active
// users, then per access the link email and the token email, in chunks. Every step records what it did before
// the next, so a chunk that runs twice sends no second link email, and a crash repeats at most the emails being
// sent at that instant (one per SMTP connection). The email jobs are queued once (by the approved → processing
// transition) and the summary is posted by the one job that made the processing → completed transition.
import type { Transaction } from 'kysely';
import {
  cancelOpenAccesses,
  clearAccessEmailError,
  countEmailProgress,
  listAccessesRefusedByMail,
  listAccessesToEmail,
  listAccessIdsOfRequest,
  markAccessEmailRefused,
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
import type { AccessMailContext } from '../mail/templates.ts';
import { accessMailContext, linkEmail, tokenEmail } from './access-emails.ts';
import type { DescribeRequester } from './access-emails.ts';
import { generateAccessToken, hashToken } from './access-secrets.ts';
import { createAccessesForRequest } from './create-accesses.ts';
import type { EmailSender } from './email-lanes.ts';
import type { OutgoingMail } from '../mail/mailer.ts';

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
  /** Sends and records emails within SPEC §7's crash bound, shared by the process's email jobs (email-lanes.ts). */
  emailSender: EmailSender;
}

/** Thrown when the job was handed to another worker mid-chunk: that worker sends the rest. */
export class JobNoLongerHeldError extends Error {
  constructor() {
    super('this worker no longer holds the job; another one carries on with its emails');
    this.name = 'JobNoLongerHeldError';
  }
}

/** What the lanes of one chunk share. */
interface Chunk {
  deps: EmailDeps;
  ensureHeld: () => void;
  /** Set when one of the chunk's emails failed: its other emails in flight are abandoned before their "."; the job retries. */
  failed: boolean;
  /** Accesses found cancelled: once when the chunk is read, then at every commit of one of its emails. */
  cancelled: Set<number>;
  /** Accesses no lane has taken yet, in chunk order: the next few are read again at each commit. */
  untaken: Set<number>;
  /** When the chunk's tokens were made: their emails say it, and their expiry counts from it. */
  tokensMadeAt: Date;
  contextOf: (access: AccessToEmail) => Promise<AccessMailContext>;
}

/**
 * The two emails of each access in the chunk, in as many lanes as the process has SMTP connections. A
 * permanent refusal (5xx) puts that access and its line in error with the server's reply; a transient failure
 * (connection refused, timeout, 4xx) is thrown, so the job retries later with what is still unsent.
 *
 * Each email is recorded as sent right after the mail server accepted it, before its lane sends another (the
 * records of concurrent lanes are committed together: RecordSentEmail). A process killed between the two
 * repeats only the emails in flight, at most one per SMTP connection.
 */
export async function sendAccessEmails(
  deps: EmailDeps,
  accessIds: readonly number[],
  signal?: AbortSignal,
): Promise<{ sent: number; refused: number }> {
  const accesses = await listAccessesToEmail(deps.db, accessIds);
  const toSend = accesses.filter((access) => !access.emailError && access.status !== 'cancelled');
  const contexts = new Map<string, Promise<AccessMailContext>>();
  const chunk: Chunk = {
    deps,
    ensureHeld: () => {
      if (signal?.aborted) throw new JobNoLongerHeldError();
    },
    failed: false,
    cancelled: new Set(),
    untaken: new Set(toSend.map((access) => access.id)),
    tokensMadeAt: deps.now(),
    // One requester per request: their name is looked up once per chunk, not per access.
    contextOf: (access) => {
      let context = contexts.get(access.requesterUserId);
      if (!context) {
        context = accessMailContext(deps, access);
        contexts.set(access.requesterUserId, context);
      }
      return context;
    },
  };
  let sent = 0;
  let refused = 0;
  // Twice as many accesses under way as connections: while an email waits for its record, the next one of
  // that connection is already composed and going out.
  await inLanes(toSend, 2 * deps.emailSender.connections, async (access) => {
    chunk.untaken.delete(access.id);
    const outcome = await sendEmailsOf(chunk, access);
    sent += outcome.sent;
    refused += outcome.refused;
  });
  return { sent, refused };
}

/**
 * The emails of one access still to send. Each email counts in `sent` once it left; a permanent refusal
 * counts in `refused` (with the emails that left before it), and anything else is thrown.
 */
async function sendEmailsOf(chunk: Chunk, access: AccessToEmail): Promise<{ sent: number; refused: number }> {
  const { deps } = chunk;
  let sent = 0;
  try {
    // A fresh token each attempt: only its hash is stored, so a token whose email may not have gone out is
    // replaced rather than re-sent. Its hash is stored before its email leaves (with the link email's
    // record, saving a round trip), so the token in the latest token email is always the one that works.
    const token = access.tokenEmailSentAt ? undefined : generateAccessToken();
    const sentAt = chunk.tokensMadeAt;
    const expiresAt = tokenExpiry(sentAt, access.startsAt, deps.tokenTtlHours);
    const stored: StoredToken | undefined = token ? { hash: hashToken(deps.secretKey, token), expiresAt } : undefined;
    const context = await chunk.contextOf(access);
    if (!access.linkEmailSentAt) {
      const link = `${deps.publicBaseUrl}/access/${access.linkId}`;
      const mail = linkEmail(access, context, { link, idempotencyKey: `${access.code}:link` });
      const left = await sendAndRecord(chunk, access, { kind: 'link', newToken: stored }, mail);
      if (!left) return { sent, refused: 0 };
      sent += 1;
    } else if (stored) {
      await storeAccessToken(deps.db, access.id, stored, deps.now());
    }
    if (token) {
      const idempotencyKey = `${access.code}:token`;
      const mail = tokenEmail(access, context, { token, sentAt, expiresAt, idempotencyKey });
      const left = await sendAndRecord(chunk, access, { kind: 'token' }, mail);
      if (left) sent += 1;
    }
  } catch (error) {
    if (!(error instanceof PermanentMailError)) {
      chunk.failed = true;
      throw error;
    }
    await recordMailRefusal(deps, access, error.reply);
    return { sent, refused: 1 };
  }
  return { sent, refused: 0 };
}

/**
 * One email, sent and recorded by the process's EmailSender. Returns false, delivering nothing, when the
 * access is found cancelled before the message is handed over for good.
 */
async function sendAndRecord(
  chunk: Chunk,
  access: AccessToEmail,
  record: { kind: 'link' | 'token'; newToken?: StoredToken | undefined },
  mail: OutgoingMail,
): Promise<boolean> {
  const { deps } = chunk;
  if (chunk.cancelled.has(access.id) || chunk.failed) return false;
  const cancelled = await deps.emailSender.send({
    mail,
    record: () => ({ accessId: access.id, kind: record.kind, at: deps.now(), newToken: record.newToken }),
    watched: [access.id, ...nextUntaken(chunk)],
    wanted: () => {
      chunk.ensureHeld();
      return !chunk.failed && !chunk.cancelled.has(access.id);
    },
  });
  if (!cancelled) return false;
  for (const id of cancelled) chunk.cancelled.add(id);
  return true;
}

/**
 * The accesses the lanes will take next, whose cancellation each commit reads again: a few per lane, not the
 * whole chunk, which would make every commit look up every access of the chunk (up to 200 per job, two jobs at
 * a time) in PostgreSQL. The rest were read when the chunk started and are read again as their turn comes.
 */
function nextUntaken(chunk: Chunk): number[] {
  const next: number[] = [];
  const wanted = 2 * chunk.deps.emailSender.connections;
  for (const id of chunk.untaken) {
    if (next.length >= wanted) break;
    next.push(id);
  }
  return next;
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
