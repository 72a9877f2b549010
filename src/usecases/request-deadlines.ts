// The approval TTL (README, "Importing users" → Approval: APPROVAL_TTL_HOURS): one reminder at half of it,
// expiry at the end of it. Both run as scheduled jobs stored with the request, and both do nothing once the
// request was decided.
import type { Transaction } from 'kysely';
import { recordAuditEvent } from '../db/repos/audit-repo.ts';
import type { Db, DatabaseSchema } from '../db/schema.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import { requestDecidedQueue } from '../jobs/queues.ts';
import {
  findRequestById,
  findRequestGroups,
  listApprovalResponses,
  lockRequest,
  transitionRequest,
} from '../db/repos/request-repo.ts';
import { groupStillNeedsApprovals, tallyDecision } from '../domain/approval.ts';
import type { RequestPlaces } from '../domain/request-thread.ts';

export interface MissingApprovers {
  code: string;
  /** Slack user ids of listed approvers who have not decided, in groups that still need approvals. */
  userIds: string[];
  usergroupIds: string[];
  /** When the request expires undecided, if recorded. */
  deadline: Date | null;
  /** Where the request's card and thread are. */
  request: RequestPlaces;
}

/** Who to remind, or undefined when there is nothing to remind of (decided, or already reminded). */
export async function approversToRemind(db: Db, requestId: number): Promise<MissingApprovers | undefined> {
  const request = await findRequestById(db, requestId);
  if (!request || request.status !== 'awaiting_approval' || request.reminded_at) return undefined;
  const [groups, responses] = await Promise.all([
    findRequestGroups(db, requestId),
    listApprovalResponses(db, requestId),
  ]);
  const tally = tallyDecision(groups, responses);
  const userIds = new Set<string>();
  const usergroupIds = new Set<string>();
  for (const group of groups) {
    const groupTally = tally.groups.find((entry) => entry.id === group.id);
    if (!groupTally || !groupStillNeedsApprovals(groupTally)) continue;
    const responded = new Set(
      responses.filter((response) => response.groupId === group.id).map((response) => response.approverUserId),
    );
    for (const userId of group.approverUserIds)
      if (!responded.has(userId) && userId !== request.requester_user_id) userIds.add(userId);
    if (group.approverUsergroupId) usergroupIds.add(group.approverUsergroupId);
  }
  return {
    code: request.code,
    userIds: [...userIds],
    usergroupIds: [...usergroupIds],
    deadline: request.approval_deadline,
    request,
  };
}

/** At the TTL: an undecided request becomes expired (and the card and the requester are told). */
export async function expireRequest(
  deps: { db: Db; jobs: JobQueue; now: () => Date },
  requestId: number,
): Promise<boolean> {
  return deps.db.transaction().execute(async (trx) => {
    const locked = await lockRequest(trx, requestId);
    if (!locked || locked.status !== 'awaiting_approval') return false;
    await transitionRequest(trx, requestId, 'expired', deps.now());
    await recordAuditEvent(trx, { actor: 'domum', action: 'request.expired', target: locked.code, details: {} });
    await deps.jobs.enqueue(trx, requestDecidedQueue, { requestId, responseIds: [] });
    return true;
  });
}

export type CancelResult =
  | { ok: true; code: string }
  | { ok: false; reason: 'not-found' | 'not-allowed' | 'already-decided'; code?: string; status?: string };

/** The requester or an admin withdraws a pending request (README, "Importing users" → Approval: card menu). */
export async function cancelRequest(
  deps: { db: Db; jobs: JobQueue; now: () => Date },
  input: { requestId: number; userId: string; isAdmin: boolean },
): Promise<CancelResult> {
  return deps.db.transaction().execute(async (trx) => {
    const locked = await lockRequest(trx, input.requestId);
    if (!locked) return { ok: false as const, reason: 'not-found' as const };
    if (locked.requester_user_id !== input.userId && !input.isAdmin)
      return { ok: false as const, reason: 'not-allowed' as const, code: locked.code };
    if (locked.status !== 'awaiting_approval')
      return { ok: false as const, reason: 'already-decided' as const, code: locked.code, status: locked.status };
    await cancelPendingRequest(trx, {
      requestId: input.requestId,
      code: locked.code,
      actor: input.userId,
      now: deps.now(),
    });
    await deps.jobs.enqueue(trx, requestDecidedQueue, { requestId: input.requestId, responseIds: [] });
    return { ok: true as const, code: locked.code };
  });
}

/**
 * awaiting_approval → cancelled, audited, inside the caller's transaction, which has locked the request row and
 * checked its status and who asks. Shared by the card's menu (above) and `/domum cancel` (cancel-accesses.ts).
 */
export async function cancelPendingRequest(
  trx: Transaction<DatabaseSchema>,
  input: { requestId: number; code: string; actor: string; now: Date; details?: Record<string, unknown> },
): Promise<void> {
  await transitionRequest(trx, input.requestId, 'cancelled', input.now);
  await recordAuditEvent(trx, {
    actor: input.actor,
    action: 'request.cancelled',
    target: input.code,
    details: input.details ?? {},
  });
}
