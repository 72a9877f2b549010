// An approver's decision on a batch access request (README, "Importing users" → Approval): only approvers of
// an involved access group count, never the requester; each group approves at approvals_required approvals,
// and rejections_to_cancel rejections of any group reject the request. One transaction with the request row locked, so a double click
// or two approvers at the same instant can never apply a decision twice or disagree with the thresholds.
import { recordAuditEvent } from '../db/repos/audit-repo.ts';
import {
  findRequestById,
  findRequestGroups,
  insertApprovalResponses,
  listApprovalResponses,
  lockRequest,
  transitionRequest,
} from '../db/repos/request-repo.ts';
import type { RequestGroup } from '../db/repos/request-repo.ts';
import type { Db, RequestStatus } from '../db/schema.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import { requestDecidedQueue } from '../jobs/queues.ts';
import { tallyDecision } from '../domain/approval.ts';

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

export type DecisionResult =
  | { ok: true; code: string; status: RequestStatus; statusChanged: boolean }
  | {
      ok: false;
      reason:
        'not-found' | 'own-request' | 'not-approver' | 'already-decided' | 'already-responded' | 'reason-required';
      code?: string;
      status?: RequestStatus;
    };

export async function decideRequest(
  deps: DecisionDeps,
  input: { requestId: number; userId: string; decision: 'approve' | 'reject'; comment: string | null },
): Promise<DecisionResult> {
  const comment = input.comment?.trim() || null;
  if (input.decision === 'reject' && !comment) return { ok: false, reason: 'reason-required' };
  const allowed = await mayDecide(deps, input.requestId, input.userId);
  if (!allowed.ok) return allowed;
  const all = await involvedGroups(deps.db, input.requestId);
  return deps.db.transaction().execute(async (trx) => {
    const locked = await lockRequest(trx, input.requestId);
    if (!locked) throw new Error(`request ${input.requestId} not found`);
    if (locked.status !== 'awaiting_approval')
      return { ok: false as const, reason: 'already-decided' as const, code: locked.code, status: locked.status };
    const inserted = await insertApprovalResponses(trx, {
      requestId: input.requestId,
      groupIds: allowed.groups.map((group) => group.id),
      approverUserId: input.userId,
      decision: input.decision,
      comment,
    });
    if (inserted.length === 0) return { ok: false as const, reason: 'already-responded' as const, code: locked.code };
    const responses = await listApprovalResponses(trx, input.requestId);
    const tally = tallyDecision(all?.groups ?? allowed.groups, responses);
    const status: RequestStatus =
      tally.outcome === 'rejected' ? 'rejected' : tally.outcome === 'approved' ? 'approved' : 'awaiting_approval';
    if (status !== 'awaiting_approval') await transitionRequest(trx, input.requestId, status, deps.now());
    await recordAuditEvent(trx, {
      actor: input.userId,
      action: `request.${input.decision}d`,
      target: locked.code,
      details: { comment, groups: allowed.groups.map((group) => group.name), status },
    });
    await deps.jobs.enqueue(trx, requestDecidedQueue, {
      requestId: input.requestId,
      responseIds: inserted,
      status,
    });
    // Provisioning is let go by the request.decided job once the approval is announced in the thread
    // (releaseProvisioning), so the "Processing" message never comes before the approval reply.
    return { ok: true as const, code: locked.code, status, statusChanged: status !== 'awaiting_approval' };
  });
}
