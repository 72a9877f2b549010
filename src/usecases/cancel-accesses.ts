// `/domum cancel <W…|EXT-…>` (issue 8): the kill switch for a batch, or for one access. The requester of the
// request or an admin may cancel; to anyone else a code they may not cancel looks exactly like an unknown one.
// One transaction with the request row locked (then the access row), so two clicks or two submissions cancel
// once: the second finds the work done and says so. The thread, the card and the requester are told by a job
// enqueued in the same transaction.
import type { Transaction } from 'kysely';
import {
  cancelAccess,
  cancelOpenAccesses,
  countAccessesOfRequest,
  findAccessByCode,
  findAccessForCancellation,
  insertCancellation,
} from '../db/repos/access-repo.ts';
import { recordAuditEvent } from '../db/repos/audit-repo.ts';
import { findRequestById, findRequestForCancellation, transitionRequest } from '../db/repos/request-repo.ts';
import type { AccessStatus, DatabaseSchema, Db, Executor, RequestStatus } from '../db/schema.ts';
import { parseItemCode } from '../domain/codes.ts';
import { ACCESS_STATUS_WORDS, REQUEST_STATUS_WORDS } from '../domain/status-words.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import { announceCancellationQueue } from '../jobs/queues.ts';
import { closeOpenExtension } from './extend-request.ts';
import { cancelPendingRequest } from './request-deadlines.ts';

/** Slack's limit on a text input, and the database's on a cancellation's reason. */
export const CANCEL_REASON_MAX = 3000;

/** What a cancellation stops: accesses that have not finished (an access in error is stopped too). */
export const OPEN_ACCESS_STATUSES: readonly AccessStatus[] = ['scheduled', 'active', 'error'];

export type CancelTarget = { kind: 'request' | 'access'; code: string };

/** `W000123` or `EXT-26-000487`, in any case; anything else (an import's code included) is not a target. */
export function parseCancelTarget(text: string): CancelTarget | undefined {
  const parsed = parseItemCode(text);
  return parsed && parsed.kind !== 'import' ? { kind: parsed.kind, code: parsed.code } : undefined;
}

export interface CancelActor {
  userId: string;
  isAdmin: boolean;
}

export type CancelPlan =
  | {
      ok: true;
      kind: 'request';
      requestId: number;
      code: string;
      status: RequestStatus;
      fileName: string;
      requesterUserId: string;
      /** Accesses the cancellation stops (0 while awaiting approval, or before provisioning created them). */
      openAccesses: number;
    }
  | {
      ok: true;
      kind: 'access';
      requestId: number;
      accessId: number;
      code: string;
      requestCode: string;
      status: AccessStatus;
      userName: string;
      vendorName: string;
      requesterUserId: string;
    };

export type CancelRefusal =
  /** Unknown, or not the caller's to cancel: the same answer, so a stranger learns nothing about the code. */
  | { ok: false; reason: 'not-found'; code: string }
  | { ok: false; reason: 'already-cancelled'; code: string }
  | { ok: false; reason: 'nothing-to-cancel'; code: string; kind: 'request' | 'access'; statusWord: string };

/**
 * What cancelling `target` would do, or why it cannot. With `lock`, inside a transaction, the rows are locked
 * (the request first, then the access: every writer of both takes them in that order).
 */
export async function planCancellation(
  db: Executor,
  target: CancelTarget,
  actor: CancelActor,
  options: { lock?: boolean } = {},
): Promise<CancelPlan | CancelRefusal> {
  const mayCancel = (requesterUserId: string) => requesterUserId === actor.userId || actor.isAdmin;
  return target.kind === 'request'
    ? planRequestCancellation(db, target.code, mayCancel, options.lock === true)
    : planAccessCancellation(db, target.code, mayCancel, options.lock === true);
}

function nothingToCancelIn(kind: 'request' | 'access', code: string, statusWord: string): CancelRefusal {
  return { ok: false, reason: 'nothing-to-cancel', code, kind, statusWord };
}

async function planRequestCancellation(
  db: Executor,
  code: string,
  mayCancel: (requesterUserId: string) => boolean,
  lock: boolean,
): Promise<CancelPlan | CancelRefusal> {
  const request = await findRequestForCancellation(db, code, { forUpdate: lock });
  if (!request || !mayCancel(request.requesterUserId)) return { ok: false, reason: 'not-found', code };
  if (request.status === 'cancelled') return { ok: false, reason: 'already-cancelled', code: request.code };
  const nothingToCancel = nothingToCancelIn('request', request.code, REQUEST_STATUS_WORDS[request.status]);
  if (request.status === 'rejected' || request.status === 'expired') return nothingToCancel;
  const openAccesses = await countAccessesOfRequest(db, request.id, OPEN_ACCESS_STATUSES);
  // A provisioned request whose accesses have all ended (or were cancelled one by one) has nothing to stop.
  if ((request.status === 'completed' || request.status === 'completed_with_errors') && openAccesses === 0)
    return nothingToCancel;
  return {
    ok: true,
    kind: 'request',
    requestId: request.id,
    code: request.code,
    status: request.status,
    fileName: request.fileName,
    requesterUserId: request.requesterUserId,
    openAccesses,
  };
}

async function planAccessCancellation(
  db: Executor,
  code: string,
  mayCancel: (requesterUserId: string) => boolean,
  lock: boolean,
): Promise<CancelPlan | CancelRefusal> {
  const found = await findAccessByCode(db, code);
  if (!found) return { ok: false, reason: 'not-found', code };
  const request = await findRequestById(db, found.requestId, { forUpdate: lock });
  if (!request) throw new Error(`request ${found.requestId} of ${code} not found`);
  if (!mayCancel(request.requester_user_id)) return { ok: false, reason: 'not-found', code };
  const access = await findAccessForCancellation(db, found.id, { forUpdate: lock });
  if (access.status === 'cancelled') return { ok: false, reason: 'already-cancelled', code: access.code };
  if (access.status === 'finished') return nothingToCancelIn('access', access.code, ACCESS_STATUS_WORDS[access.status]);
  return {
    ok: true,
    kind: 'access',
    requestId: request.id,
    accessId: access.id,
    code: access.code,
    requestCode: request.code,
    status: access.status,
    userName: access.userName,
    vendorName: access.vendorName,
    requesterUserId: request.requester_user_id,
  };
}

export interface CancelDeps {
  db: Db;
  jobs: JobQueue;
  now: () => Date;
}

export type CancelResult =
  | {
      ok: true;
      kind: 'request' | 'access';
      code: string;
      accessCount: number;
      previousStatus: RequestStatus | AccessStatus;
      cancellationId: number;
    }
  | CancelRefusal
  | { ok: false; reason: 'reason-required'; code: string }
  | { ok: false; reason: 'reason-too-long'; code: string };

export async function cancelAccesses(
  deps: CancelDeps,
  input: { target: CancelTarget; actor: CancelActor; reason: string },
): Promise<CancelResult> {
  const reason = input.reason.trim();
  if (!reason) return { ok: false, reason: 'reason-required', code: input.target.code };
  if ([...reason].length > CANCEL_REASON_MAX) return { ok: false, reason: 'reason-too-long', code: input.target.code };
  return deps.db.transaction().execute(async (trx): Promise<CancelResult> => {
    const plan = await planCancellation(trx, input.target, input.actor, { lock: true });
    if (!plan.ok) return plan;
    const actor = input.actor.userId;
    const accessCount = await applyCancellation(trx, deps, plan, { actor, reason, now: deps.now() });
    const cancellationId = await insertCancellation(trx, {
      requestId: plan.requestId,
      accessId: plan.kind === 'access' ? plan.accessId : null,
      cancelledBy: actor,
      reason,
      previousStatus: plan.status,
      accessCount,
    });
    await deps.jobs.enqueue(trx, announceCancellationQueue, { cancellationId });
    return { ok: true, kind: plan.kind, code: plan.code, accessCount, previousStatus: plan.status, cancellationId };
  });
}

/** Cancels what the plan says, with the rows already locked, and audits it. Returns how many accesses. */
async function applyCancellation(
  trx: Transaction<DatabaseSchema>,
  deps: Pick<CancelDeps, 'jobs'>,
  plan: Extract<CancelPlan, { ok: true }>,
  { actor, reason, now }: { actor: string; reason: string; now: Date },
): Promise<number> {
  if (plan.kind === 'request' && plan.status === 'awaiting_approval') {
    // Nobody has access yet: the same as "Cancel request" on the card, with the reason recorded.
    await cancelPendingRequest(trx, {
      requestId: plan.requestId,
      code: plan.code,
      actor,
      now,
      details: { reason, accesses: 0 },
    });
    return 0;
  }
  if (plan.kind === 'request') {
    const accessCount = await cancelOpenAccesses(trx, {
      requestId: plan.requestId,
      actor,
      now,
      details: { reason, request: plan.code },
    });
    // Provisioning sees the status and stops: no further access is created, no further email sent.
    await transitionRequest(trx, plan.requestId, 'cancelled', now);
    // An extension still open is closed with it: its card loses Approve and Reject.
    await closeOpenExtension(trx, deps, plan.requestId, now);
    await recordAuditEvent(trx, {
      actor,
      action: 'request.cancelled',
      target: plan.code,
      details: { reason, accesses: accessCount, previousStatus: plan.status },
    });
    return accessCount;
  }
  await cancelAccess(trx, plan.accessId, now);
  await recordAuditEvent(trx, {
    actor,
    action: 'access.cancelled',
    target: plan.code,
    details: { reason, request: plan.requestCode },
  });
  return 1;
}
