// `/domum extend W000123` (issue 17): a new end for every access in force of a request — later, earlier, or
// nearly now. The requester of the request or an admin may ask; to anyone else a code looks unknown, as with
// `/domum cancel`. An earlier end applies at once; a later one gives more access than was approved, so the
// request's access groups approve it again, with their thresholds, on a card in the request's thread. One
// extension is open at a time per request. Every step is one transaction with the request row locked first (then
// the extension's), so a double submission or two approvers at once act once; writing the new end to thousands
// of accesses is the `extension.apply` job's, never the Slack listener's.
import type { Transaction } from 'kysely';
import { countAccessesOfRequest } from '../db/repos/access-repo.ts';
import { recordAuditEvent } from '../db/repos/audit-repo.ts';
import {
  findExtension,
  findOpenExtension,
  findRequestToExtend,
  insertExtension,
  insertExtensionResponses,
  listExtensionResponses,
  updateExtension,
  writeNewEnd,
} from '../db/repos/extension-repo.ts';
import { findInvolvedVendors, findRequestById, findRequestGroups, lockRequest } from '../db/repos/request-repo.ts';
import type { AccessStatus, DatabaseSchema, Db, Executor, ExtensionStatus, RequestStatus } from '../db/schema.ts';
import { extensionNeedsApproval, limitationEndingAt, resolveNewEnd } from '../domain/access-extension.ts';
import type { ExtensionAsk, ExtensionField } from '../domain/access-extension.ts';
import { accessLimitationSchema, limitationEnd } from '../domain/access-limitation.ts';
import type { AccessLimitation } from '../domain/access-limitation.ts';
import { tallyDecision } from '../domain/approval.ts';
import { parseItemCode } from '../domain/codes.ts';
import { REQUEST_STATUS_WORDS } from '../domain/status-words.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import {
  accessEndNoticesQueue,
  announceExtensionQueue,
  applyExtensionQueue,
  expireExtensionQueue,
} from '../jobs/queues.ts';
import { groupsApprovedBy } from './decide-request.ts';
import type { DecisionDeps, InvolvedGroup } from './decide-request.ts';

/** Slack's limit on a text input, and the database's on an extension's reason. */
export const EXTENSION_REASON_MAX = 3000;

/** The accesses an extension moves: those not finished or cancelled (one in error too, so a retry has it). */
const EXTENDED_STATUSES: readonly AccessStatus[] = ['scheduled', 'active', 'error'];

/** Requests whose accesses exist and may be in force: provisioning has finished. */
const EXTENDABLE_STATUSES: readonly RequestStatus[] = ['completed', 'completed_with_errors'];

/** `W000123` in any case; anything else is not a request's code. */
export function parseExtendTarget(text: string): string | undefined {
  const parsed = parseItemCode(text);
  return parsed?.kind === 'request' ? parsed.code : undefined;
}

export interface ExtendActor {
  userId: string;
  isAdmin: boolean;
}

export interface ExtensionPlan {
  ok: true;
  requestId: number;
  code: string;
  fileName: string;
  requesterUserId: string;
  limitation: AccessLimitation;
  startsAt: Date;
  currentEnd: Date;
  timeZone: string;
  /** Accesses the new end would be given to. */
  accesses: number;
  /** The earliest contract end among the request's vendors, or null. */
  contractEnd: string | null;
}

export type ExtensionRefusal =
  /** Unknown, or not the caller's: the same answer, so a stranger learns nothing about the code. */
  | { ok: false; reason: 'not-found'; code: string }
  /** Awaiting approval, rejected, expired or cancelled: no access to extend (the status word says which). */
  | { ok: false; reason: 'no-accesses'; code: string; statusWord: string; status: RequestStatus }
  /** Approved or processing: accesses are still being created with the request's schedule. */
  | { ok: false; reason: 'provisioning'; code: string; statusWord: string }
  /** Every access has ended or was cancelled. */
  | { ok: false; reason: 'nothing-in-force'; code: string }
  /** Another extension is awaiting approval, or about to be applied. */
  | {
      ok: false;
      reason: 'extension-open';
      code: string;
      newEnd: Date;
      timeZone: string;
      status: ExtensionStatus;
    };

/**
 * What extending the request `code` would start from, or why it cannot be extended. With `lock`, inside a
 * transaction, the request's row is locked.
 */
export async function planExtension(
  db: Executor,
  code: string,
  actor: ExtendActor,
  now: Date,
  options: { lock?: boolean } = {},
): Promise<ExtensionPlan | ExtensionRefusal> {
  const request = await findRequestToExtend(db, code, { forUpdate: options.lock === true });
  if (!request || (request.requesterUserId !== actor.userId && !actor.isAdmin))
    return { ok: false, reason: 'not-found', code };
  const statusWord = REQUEST_STATUS_WORDS[request.status];
  if (request.status === 'approved' || request.status === 'processing')
    return { ok: false, reason: 'provisioning', code: request.code, statusWord };
  if (!EXTENDABLE_STATUSES.includes(request.status))
    return { ok: false, reason: 'no-accesses', code: request.code, statusWord, status: request.status };
  const open = await findOpenExtension(db, request.id);
  const limitation = accessLimitationSchema.parse(request.limitation);
  if (open)
    return {
      ok: false,
      reason: 'extension-open',
      code: request.code,
      newEnd: open.new_end,
      timeZone: limitation.timeZone,
      status: open.status,
    };
  const currentEnd = limitationEnd(limitation);
  const accesses = await countAccessesOfRequest(db, request.id, EXTENDED_STATUSES);
  if (accesses === 0 || currentEnd <= now) return { ok: false, reason: 'nothing-in-force', code: request.code };
  const contractEnds = (await findInvolvedVendors(db, request.importId))
    .map((vendor) => vendor.contractEnd)
    .filter((end): end is string => end !== null)
    .sort();
  return {
    ok: true,
    requestId: request.id,
    code: request.code,
    fileName: request.fileName,
    requesterUserId: request.requesterUserId,
    limitation,
    startsAt: new Date(limitation.start),
    currentEnd,
    timeZone: limitation.timeZone,
    accesses,
    contractEnd: contractEnds[0] ?? null,
  };
}

export interface ExtendDeps {
  db: Db;
  jobs: JobQueue;
  now: () => Date;
  /** APPROVAL_TTL_HOURS: a later end not decided within it (or before the current end) expires. */
  approvalTtlHours: number;
}

export type ExtendResult =
  | {
      ok: true;
      extensionId: number;
      code: string;
      needsApproval: boolean;
      previousEnd: Date;
      newEnd: Date;
      timeZone: string;
      accesses: number;
      approvalDeadline: Date | null;
    }
  | ExtensionRefusal
  /** A field of the modal to fix: its message goes under it. */
  | { ok: false; reason: 'invalid'; code: string; field: ExtensionField | 'reason'; message: string };

export const EXTENSION_REASON_REQUIRED = 'Give a reason: the approvers, the thread and the requester read it.';
export const EXTENSION_REASON_TOO_LONG = `Keep the reason under ${EXTENSION_REASON_MAX.toLocaleString('en-US')} characters.`;

/**
 * Asks for a new end. An earlier one is approved at once and applied by a job; a later one waits for the
 * request's access groups (its card is posted by a job), and expires if not decided within the approval TTL or
 * before the accesses end, whichever comes first.
 */
export async function extendRequest(
  deps: ExtendDeps,
  input: { code: string; actor: ExtendActor; ask: ExtensionAsk; reason: string },
): Promise<ExtendResult> {
  const reason = input.reason.trim();
  const invalid = (field: ExtensionField | 'reason', message: string): ExtendResult => ({
    ok: false,
    reason: 'invalid',
    code: input.code,
    field,
    message,
  });
  return deps.db.transaction().execute(async (trx): Promise<ExtendResult> => {
    const now = deps.now();
    const plan = await planExtension(trx, input.code, input.actor, now, { lock: true });
    if (!plan.ok) return plan;
    const resolved = resolveNewEnd(input.ask, {
      limitation: plan.limitation,
      currentEnd: plan.currentEnd,
      now,
      contractEnd: plan.contractEnd,
    });
    if (!resolved.ok) return invalid(resolved.problem.field, resolved.problem.message);
    if (!reason) return invalid('reason', EXTENSION_REASON_REQUIRED);
    if ([...reason].length > EXTENSION_REASON_MAX) return invalid('reason', EXTENSION_REASON_TOO_LONG);
    const needsApproval = extensionNeedsApproval(plan.currentEnd, resolved.newEnd);
    const ttlEnd = now.getTime() + deps.approvalTtlHours * 3600 * 1000;
    const approvalDeadline = needsApproval ? new Date(Math.min(ttlEnd, plan.currentEnd.getTime())) : null;
    const extensionId = await recordAsk(trx, deps, {
      plan,
      actor: input.actor.userId,
      reason,
      newEnd: resolved.newEnd,
      approvalDeadline,
      now,
    });
    return {
      ok: true,
      extensionId,
      code: plan.code,
      needsApproval,
      previousEnd: plan.currentEnd,
      newEnd: resolved.newEnd,
      timeZone: plan.timeZone,
      accesses: plan.accesses,
      approvalDeadline,
    };
  });
}

/** The ask, its audit event and its jobs: the card and the expiry of a later end, or applying an earlier one. */
async function recordAsk(
  trx: Transaction<DatabaseSchema>,
  deps: Pick<ExtendDeps, 'jobs'>,
  ask: { plan: ExtensionPlan; actor: string; reason: string; newEnd: Date; approvalDeadline: Date | null; now: Date },
): Promise<number> {
  const { plan, approvalDeadline } = ask;
  const needsApproval = approvalDeadline !== null;
  const extensionId = await insertExtension(
    trx,
    {
      requestId: plan.requestId,
      requestedBy: ask.actor,
      reason: ask.reason,
      previousEnd: plan.currentEnd,
      newEnd: ask.newEnd,
      needsApproval,
      approvalDeadline,
    },
    ask.now,
  );
  await recordAuditEvent(trx, {
    actor: ask.actor,
    action: 'request.extension_requested',
    target: plan.code,
    details: {
      extension: extensionId,
      previousEnd: plan.currentEnd.toISOString(),
      newEnd: ask.newEnd.toISOString(),
      needsApproval,
      reason: ask.reason,
    },
  });
  if (approvalDeadline) {
    await announceLater(trx, deps.jobs, extensionId);
    await deps.jobs.enqueue(
      trx,
      expireExtensionQueue,
      { extensionId },
      { startAfter: approvalDeadline, singletonKey: `extension-expire-${extensionId}` },
    );
  } else {
    await deps.jobs.enqueue(trx, applyExtensionQueue, { extensionId });
  }
  return extensionId;
}

// ---------------------------------------------------------------------------------------------------------
// Deciding a later end

export type MayDecideExtension =
  | { ok: true; code: string; groups: InvolvedGroup[]; allGroups: InvolvedGroup[] }
  | {
      ok: false;
      reason: 'not-found' | 'own-request' | 'not-approver' | 'already-decided';
      code?: string;
      /** The extension's status when it was already decided (or expired since). */
      extensionStatus?: ExtensionStatus;
    };

/**
 * Whether this user may decide on this extension now, and for which of the request's access groups: not the
 * requester of the request, nor whoever asked for the extension.
 */
export async function mayDecideExtension(
  deps: Pick<DecisionDeps, 'db' | 'usergroupMembers' | 'now'>,
  extensionId: number,
  userId: string,
): Promise<MayDecideExtension> {
  const extension = await findExtension(deps.db, extensionId);
  const request = extension ? await findRequestById(deps.db, extension.request_id) : undefined;
  if (!extension || !request) return { ok: false, reason: 'not-found' };
  const code = request.code;
  if (extension.status !== 'awaiting_approval')
    return { ok: false, reason: 'already-decided', code, extensionStatus: extension.status };
  if (extension.approval_deadline && extension.approval_deadline <= deps.now())
    return { ok: false, reason: 'already-decided', code, extensionStatus: 'expired' };
  if (request.requester_user_id === userId || extension.requested_by === userId)
    return { ok: false, reason: 'own-request', code };
  const allGroups = await findRequestGroups(deps.db, request.id);
  const mine = await groupsApprovedBy(deps.usergroupMembers, allGroups, userId);
  if (mine.length === 0) return { ok: false, reason: 'not-approver', code };
  return { ok: true, code, groups: mine, allGroups };
}

export type ExtensionDecisionResult =
  | { ok: true; code: string; status: ExtensionStatus }
  | Extract<MayDecideExtension, { ok: false }>
  | { ok: false; reason: 'already-responded' | 'reason-required'; code?: string };

/**
 * Queues the extension's announcement. Keyed by the extension under the queue's `stately` policy: one run at a
 * time, and one waiting that reads everything anew, so two decisions at once never post a reply twice.
 */
async function announceLater(trx: Transaction<DatabaseSchema>, jobs: JobQueue, extensionId: number): Promise<void> {
  await jobs.enqueue(trx, announceExtensionQueue, { extensionId }, { singletonKey: `extension-${extensionId}` });
}

/** Locks the request, then the extension: the order every writer of both takes them in. */
async function lockExtension(trx: Transaction<DatabaseSchema>, extensionId: number) {
  const unlocked = await findExtension(trx, extensionId);
  if (!unlocked) return undefined;
  const request = await lockRequest(trx, unlocked.request_id);
  const extension = await findExtension(trx, extensionId, { forUpdate: true });
  return request && extension ? { request, extension } : undefined;
}

export async function decideExtension(
  deps: DecisionDeps,
  input: { extensionId: number; userId: string; decision: 'approve' | 'reject'; comment: string | null },
): Promise<ExtensionDecisionResult> {
  const comment = input.comment?.trim() || null;
  if (input.decision === 'reject' && !comment) return { ok: false, reason: 'reason-required' };
  const allowed = await mayDecideExtension(deps, input.extensionId, input.userId);
  if (!allowed.ok) return allowed;
  return deps.db.transaction().execute(async (trx): Promise<ExtensionDecisionResult> => {
    const locked = await lockExtension(trx, input.extensionId);
    if (!locked) return { ok: false, reason: 'not-found' };
    const { request, extension } = locked;
    const now = deps.now();
    if (extension.status !== 'awaiting_approval')
      return { ok: false, reason: 'already-decided', code: request.code, extensionStatus: extension.status };
    if (extension.approval_deadline && extension.approval_deadline <= now)
      return { ok: false, reason: 'already-decided', code: request.code, extensionStatus: 'expired' };
    const inserted = await insertExtensionResponses(trx, {
      extensionId: extension.id,
      groupIds: allowed.groups.map((group) => group.id),
      approverUserId: input.userId,
      decision: input.decision,
      comment,
    });
    if (inserted.length === 0) return { ok: false, reason: 'already-responded', code: request.code };
    const tally = tallyDecision(allowed.allGroups, await listExtensionResponses(trx, extension.id));
    const status: ExtensionStatus =
      tally.outcome === 'approved' ? 'approved' : tally.outcome === 'rejected' ? 'rejected' : 'awaiting_approval';
    if (status !== 'awaiting_approval') await updateExtension(trx, extension.id, { status, decided_at: now }, now);
    await recordAuditEvent(trx, {
      actor: input.userId,
      action: `request.extension_${input.decision === 'approve' ? 'approved' : 'rejected'}`,
      target: request.code,
      details: {
        extension: extension.id,
        comment,
        groups: allowed.groups.map((group) => group.name),
        status,
        newEnd: extension.new_end.toISOString(),
      },
    });
    // The card and the thread follow each decision; an approved extension is applied by its own job.
    await announceLater(trx, deps.jobs, extension.id);
    if (status === 'approved') await deps.jobs.enqueue(trx, applyExtensionQueue, { extensionId: extension.id });
    return { ok: true, code: request.code, status };
  });
}

// ---------------------------------------------------------------------------------------------------------
// Applying, expiring

/**
 * Writes an approved extension's end to the request and its accesses, once: a second run finds it applied. A
 * request cancelled meanwhile keeps its cancelled accesses, and the extension says so. The users already told of
 * the old end by email are told of the new one (access.end-notices), and the thread and the people concerned are
 * told (extension.announce).
 */
export async function applyExtension(
  deps: { db: Db; jobs: JobQueue; now: () => Date },
  extensionId: number,
): Promise<'applied' | 'cancelled' | 'nothing'> {
  return deps.db.transaction().execute(async (trx) => {
    const locked = await lockExtension(trx, extensionId);
    if (!locked || locked.extension.status !== 'approved') return 'nothing';
    const { request, extension } = locked;
    const now = deps.now();
    if (!EXTENDABLE_STATUSES.includes(request.status)) {
      await updateExtension(trx, extensionId, { status: 'cancelled' }, now);
      await announceLater(trx, deps.jobs, extensionId);
      return 'cancelled';
    }
    const limitation = limitationEndingAt(accessLimitationSchema.parse(request.limitation), extension.new_end);
    const accesses = await writeNewEnd(trx, { requestId: request.id, endsAt: extension.new_end, limitation, now });
    await updateExtension(trx, extensionId, { status: 'applied', applied_at: now, access_count: accesses }, now);
    await recordAuditEvent(trx, {
      actor: extension.requested_by,
      action: 'request.extension_applied',
      target: request.code,
      details: {
        extension: extensionId,
        previousEnd: extension.previous_end.toISOString(),
        newEnd: extension.new_end.toISOString(),
        accesses,
      },
    });
    await announceLater(trx, deps.jobs, extensionId);
    await deps.jobs.enqueue(
      trx,
      accessEndNoticesQueue,
      { requestId: request.id },
      { singletonKey: `end-notices-${request.id}` },
    );
    return 'applied';
  });
}

/** At its deadline: an extension nobody decided expires, and the accesses keep their end. */
export async function expireExtension(
  deps: { db: Db; jobs: JobQueue; now: () => Date },
  extensionId: number,
): Promise<boolean> {
  return deps.db.transaction().execute(async (trx) => {
    const locked = await lockExtension(trx, extensionId);
    if (!locked || locked.extension.status !== 'awaiting_approval') return false;
    const now = deps.now();
    await updateExtension(trx, extensionId, { status: 'expired', decided_at: now }, now);
    await recordAuditEvent(trx, {
      actor: 'domum',
      action: 'request.extension_expired',
      target: locked.request.code,
      details: { extension: extensionId, newEnd: locked.extension.new_end.toISOString() },
    });
    await announceLater(trx, deps.jobs, extensionId);
    return true;
  });
}

/**
 * Inside the transaction that cancels a whole request (`/domum cancel`), its open extension is closed too: its
 * card loses Approve and Reject, and it will never be applied.
 */
export async function closeOpenExtension(
  trx: Transaction<DatabaseSchema>,
  deps: { jobs: JobQueue },
  requestId: number,
  now: Date,
): Promise<void> {
  const open = await findOpenExtension(trx, requestId);
  if (!open) return;
  await updateExtension(trx, open.id, { status: 'cancelled', decided_at: open.decided_at ?? now }, now);
  await announceLater(trx, deps.jobs, open.id);
}
