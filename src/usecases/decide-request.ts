// An approver's decision on a batch access request (README, "Importing users" → Approval): only approvers of
// an involved access group count, never the requester; each group approves at approvals_required approvals,
// and rejections_to_cancel rejections of any group reject the request. One transaction with the request row locked, so a double click
// or two approvers at the same instant can never apply a decision twice or disagree with the thresholds.
import type { Transaction } from 'kysely';
import { recordAuditEvent, recordAuditEvents } from '../db/repos/audit-repo.ts';
import {
  countLinesToBeGivenAccess,
  findLinesToBeGivenAccess,
  findRequestImport,
  insertExclusions,
  listExcludedLinesToBeGivenAccess,
} from '../db/repos/exclusion-repo.ts';
import type { LineColumns, RequestLine } from '../db/repos/exclusion-repo.ts';
import {
  findRequestById,
  findRequestGroups,
  insertApprovalResponses,
  listApprovalResponses,
  lockRequest,
  transitionRequest,
} from '../db/repos/request-repo.ts';
import type { RequestGroup } from '../db/repos/request-repo.ts';
import type { DatabaseSchema, Db, RequestStatus } from '../db/schema.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import { requestDecidedQueue } from '../jobs/queues.ts';
import { exclusionProblem, tallyDecision } from '../domain/approval.ts';
import type { ExclusionProblem } from '../domain/approval.ts';
import { columnIndexes } from '../domain/columns.ts';

export interface DecisionDeps {
  db: Db;
  jobs: JobQueue;
  now: () => Date;
  /**
   * Members of a Slack user group as Slack has them now, never from a cache: someone removed from an approver
   * group must not decide on a membership read minutes ago. (Surfaces that only show who may decide can cache.)
   */
  usergroupMembers: (usergroupId: string) => Promise<string[]>;
}

export type InvolvedGroup = RequestGroup;

/** A request's access groups (fixed at Create) and what deciding needs to know about the request. */
export async function involvedGroups(
  db: Db,
  requestId: number,
): Promise<{ requesterUserId: string; code: string; status: RequestStatus; groups: InvolvedGroup[] } | undefined> {
  const request = await findRequestById(db, requestId);
  if (!request) return undefined;
  return {
    requesterUserId: request.requester_user_id,
    code: request.code,
    status: request.status,
    groups: await findRequestGroups(db, requestId),
  };
}

/** The groups this user approves for: listed as an approver, or a member of the group's Slack user group. */
export async function groupsApprovedBy(
  usergroupMembers: DecisionDeps['usergroupMembers'],
  groups: readonly InvolvedGroup[],
  userId: string,
): Promise<InvolvedGroup[]> {
  const mine: InvolvedGroup[] = [];
  for (const group of groups) {
    if (
      group.approverUserIds.includes(userId) ||
      (group.approverUsergroupId && (await usergroupMembers(group.approverUsergroupId)).includes(userId))
    )
      mine.push(group);
  }
  return mine;
}

export type MayDecide =
  | { ok: true; code: string; groups: InvolvedGroup[] }
  | {
      ok: false;
      reason: 'not-found' | 'own-request' | 'not-approver' | 'already-decided';
      code?: string;
      status?: RequestStatus;
    };

/** Whether this user may decide on this request now, and for which of its access groups. */
export async function mayDecide(
  deps: Pick<DecisionDeps, 'db' | 'usergroupMembers'>,
  requestId: number,
  userId: string,
): Promise<MayDecide> {
  const found = await involvedGroups(deps.db, requestId);
  if (!found) return { ok: false, reason: 'not-found' };
  if (found.status !== 'awaiting_approval')
    return { ok: false, reason: 'already-decided', code: found.code, status: found.status };
  if (found.requesterUserId === userId) return { ok: false, reason: 'own-request', code: found.code };
  const mine = await groupsApprovedBy(deps.usergroupMembers, found.groups, userId);
  if (mine.length === 0) return { ok: false, reason: 'not-approver', code: found.code };
  return { ok: true, code: found.code, groups: mine };
}

/** Why "Approve except…" was refused, besides the refusals of any decision. */
export type ExclusionRefusal = ExclusionProblem | 'exclusion-reason-required' | 'provisioning-started';

export type DecisionResult =
  | { ok: true; code: string; status: RequestStatus; statusChanged: boolean }
  | {
      ok: false;
      reason:
        | 'not-found'
        | 'own-request'
        | 'not-approver'
        | 'already-decided'
        | 'already-responded'
        | 'reason-required'
        | ExclusionRefusal;
      code?: string;
      status?: RequestStatus;
    };

/** Statuses past approval: provisioning has been let go, so the set of users can no longer change. */
const PROVISIONING_STARTED: readonly RequestStatus[] = ['approved', 'processing', 'completed', 'completed_with_errors'];

/**
 * An exclusion refused because the request is no longer awaiting approval says so in its own words when the
 * request was approved (its accesses are being given); a rejected, expired or cancelled one is "already decided".
 */
export function refusalOfExclusion<Refusal extends { reason: string; status?: RequestStatus }>(
  refusal: Refusal,
): Refusal | (Omit<Refusal, 'reason'> & { reason: 'provisioning-started' }) {
  return refusal.reason === 'already-decided' && refusal.status && PROVISIONING_STARTED.includes(refusal.status)
    ? { ...refusal, reason: 'provisioning-started' as const }
    : refusal;
}

export interface DecisionInput {
  requestId: number;
  userId: string;
  decision: 'approve' | 'reject';
  /** An approval's comment, a rejection's reason, or the reason of an exclusion. */
  comment: string | null;
  /**
   * "Approve except…": the import lines of the users this approval leaves out (no access, no email); the
   * approval counts for the rest. Only with decision 'approve', and only with a reason (`comment`).
   */
  excludeLines?: readonly number[];
}

/** What a decision says before anyone is asked: its comment (trimmed) and lines to exclude, or why not. */
function readDecisionInput(
  input: DecisionInput,
): { ok: true; comment: string | null; excludeLines?: number[] } | Extract<DecisionResult, { ok: false }> {
  const comment = input.comment?.trim() || null;
  if (input.decision === 'reject' && !comment) return { ok: false, reason: 'reason-required' };
  if (!input.excludeLines) return { ok: true, comment };
  if (input.decision !== 'approve') throw new Error('only an approval can exclude users');
  const excludeLines = [...new Set(input.excludeLines)];
  if (excludeLines.length === 0) return { ok: false, reason: 'none-chosen' };
  if (!comment) return { ok: false, reason: 'exclusion-reason-required' };
  return { ok: true, comment, excludeLines };
}

export async function decideRequest(deps: DecisionDeps, input: DecisionInput): Promise<DecisionResult> {
  const read = readDecisionInput(input);
  if (!read.ok) return read;
  const { comment, excludeLines } = read;
  const allowed = await mayDecide(deps, input.requestId, input.userId);
  if (!allowed.ok) return excludeLines ? refusalOfExclusion(allowed) : allowed;
  const all = await involvedGroups(deps.db, input.requestId);
  return deps.db.transaction().execute(async (trx) => {
    const locked = await lockRequest(trx, input.requestId);
    if (!locked) throw new Error(`request ${input.requestId} not found`);
    if (locked.status !== 'awaiting_approval') {
      const refusal = { ok: false, reason: 'already-decided', code: locked.code, status: locked.status } as const;
      return excludeLines ? refusalOfExclusion(refusal) : refusal;
    }
    // Checked before anything is written: a refused exclusion leaves no response behind.
    const exclusion = excludeLines ? await checkExclusion(trx, locked, excludeLines) : undefined;
    if (exclusion && !exclusion.ok) return { ok: false as const, reason: exclusion.problem, code: locked.code };
    const inserted = await insertApprovalResponses(trx, {
      requestId: input.requestId,
      groupIds: allowed.groups.map((group) => group.id),
      approverUserId: input.userId,
      decision: input.decision,
      comment,
    });
    if (inserted.length === 0) return { ok: false as const, reason: 'already-responded' as const, code: locked.code };
    const excluded = exclusion?.ok ? exclusion.lines : [];
    const exclusionOf = { requestId: locked.id, code: locked.code, lines: excluded, now: deps.now() };
    await recordExclusions(trx, exclusionOf, { userId: input.userId, reason: comment ?? '' });
    const responses = await listApprovalResponses(trx, input.requestId);
    const tally = tallyDecision(all?.groups ?? allowed.groups, responses);
    const status: RequestStatus =
      tally.outcome === 'rejected' ? 'rejected' : tally.outcome === 'approved' ? 'approved' : 'awaiting_approval';
    if (status !== 'awaiting_approval') await transitionRequest(trx, input.requestId, status, deps.now());
    await recordAuditEvent(trx, {
      actor: input.userId,
      action: `request.${input.decision}d`,
      target: locked.code,
      details: {
        comment,
        groups: allowed.groups.map((group) => group.name),
        status,
        ...(excludeLines ? { excludedUsers: excluded.length } : {}),
      },
    });
    await deps.jobs.enqueue(trx, requestDecidedQueue, { requestId: input.requestId, responseIds: inserted, status });
    // Provisioning is let go by the request.decided job once the approval is announced in the thread
    // (releaseProvisioning), so the "Processing" message never comes before the approval reply.
    return { ok: true as const, code: locked.code, status, statusChanged: status !== 'awaiting_approval' };
  });
}

type CheckedExclusion = { ok: true; lines: RequestLine[] } | { ok: false; problem: ExclusionProblem };

/** The chosen lines, if this approver may exclude them (domain/approval.ts: exclusionProblem). */
async function checkExclusion(
  trx: Transaction<DatabaseSchema>,
  request: { id: number; import_id: number },
  lineNumbers: readonly number[],
): Promise<CheckedExclusion> {
  const found = await findRequestImport(trx, request.id);
  if (!found) throw new Error(`request ${request.id} has no import`);
  const columns = lineColumns(found.headers);
  const [lines, alreadyExcluded, usersToAccess] = await Promise.all([
    findLinesToBeGivenAccess(trx, { importId: request.import_id, columns, lineNumbers }),
    listExcludedLinesToBeGivenAccess(trx, { requestId: request.id, importId: request.import_id }),
    countLinesToBeGivenAccess(trx, request.import_id),
  ]);
  const problem = exclusionProblem({
    chosen: lineNumbers,
    found: lines.map((line) => line.lineNumber),
    alreadyExcluded,
    usersToAccess,
  });
  return problem ? { ok: false, problem } : { ok: true, lines };
}

/** The Name and Email cells of an import's lines, from its headers. */
export function lineColumns(headers: readonly string[]): LineColumns {
  const indexes = columnIndexes(headers);
  return { name: indexes.name, email: indexes.email };
}

/** The exclusions, and one audit event per excluded user (who, which line, and why); none: nothing. */
async function recordExclusions(
  trx: Transaction<DatabaseSchema>,
  exclusion: { requestId: number; code: string; lines: RequestLine[]; now: Date },
  by: { userId: string; reason: string },
): Promise<void> {
  if (exclusion.lines.length === 0) return;
  await insertExclusions(trx, {
    requestId: exclusion.requestId,
    lineNumbers: exclusion.lines.map((line) => line.lineNumber),
    excludedBy: by.userId,
    reason: by.reason,
    now: exclusion.now,
  });
  await recordAuditEvents(
    trx,
    exclusion.lines.map((line) => ({
      actor: by.userId,
      action: 'request.user_excluded',
      target: exclusion.code,
      details: {
        line: line.lineNumber,
        name: line.name,
        email: line.email,
        vendor: line.vendorName,
        reason: by.reason,
      },
    })),
  );
}
