// An approver's decision on a batch access request (SPEC §2, §4): only approvers of an involved access group
// count, never the requester; each group approves at approvals_required approvals, and rejections_to_cancel
// rejections of any group reject the request. One transaction with the request row locked, so a double click
// or two approvers at the same instant can never apply a decision twice or disagree with the thresholds.
import { sql } from 'kysely';
import { recordAuditEvent } from '../db/repos/audit-repo.ts';
import { findImportById } from '../db/repos/import-repo.ts';
import { findInvolvedVendors } from '../db/repos/request-repo.ts';
import type { Db, RequestStatus } from '../db/schema.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import { provisionRequestQueue, requestDecidedQueue } from '../jobs/queues.ts';
import { columnKeyForHeader } from '../spreadsheet/columns.ts';

export interface DecisionDeps {
  db: Db;
  jobs: JobQueue;
  /**
   * Members of a Slack user group as Slack has them now, never from a cache: someone removed from an approver
   * group must not decide on a membership read minutes ago. (Surfaces that only show who may decide can cache.)
   */
  usergroupMembers: (usergroupId: string) => Promise<string[]>;
}

export interface InvolvedGroup {
  id: number;
  name: string;
  approverUserIds: string[];
  approverUsergroupId: string | null;
  approvalsRequired: number;
  rejectionsToCancel: number;
}

export async function involvedGroups(
  db: Db,
  requestId: number,
): Promise<{ requesterUserId: string; code: string; status: RequestStatus; groups: InvolvedGroup[] } | undefined> {
  const request = await db
    .selectFrom('access_requests')
    .select(['id', 'code', 'import_id', 'requester_user_id', 'status'])
    .where('id', '=', requestId)
    .executeTakeFirst();
  if (!request) return undefined;
  const record = await findImportById(db, request.import_id);
  const vendorIndex = (record?.headers ?? []).findIndex((header) => columnKeyForHeader(header) === 'vendor');
  const vendors = vendorIndex >= 0 ? await findInvolvedVendors(db, request.import_id, vendorIndex) : [];
  const groupIds = [...new Set(vendors.map((vendor) => vendor.accessGroupId))];
  const groups = groupIds.length
    ? await db.selectFrom('access_groups').selectAll().where('id', 'in', groupIds).orderBy('name').execute()
    : [];
  return {
    requesterUserId: request.requester_user_id,
    code: request.code,
    status: request.status,
    groups: groups.map((group) => ({
      id: group.id,
      name: group.name,
      approverUserIds: group.approver_user_ids,
      approverUsergroupId: group.approver_usergroup_id,
      approvalsRequired: group.approvals_required,
      rejectionsToCancel: group.rejections_to_cancel,
    })),
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
    const locked = await trx
      .selectFrom('access_requests')
      .select(['id', 'code', 'status'])
      .where('id', '=', input.requestId)
      .forUpdate()
      .executeTakeFirstOrThrow();
    if (locked.status !== 'awaiting_approval')
      return { ok: false as const, reason: 'already-decided' as const, code: locked.code, status: locked.status };
    const inserted = await trx
      .insertInto('approval_responses')
      .values(
        allowed.groups.map((group) => ({
          request_id: input.requestId,
          access_group_id: group.id,
          approver_user_id: input.userId,
          decision: input.decision,
          comment,
        })),
      )
      .onConflict((conflict) => conflict.columns(['request_id', 'access_group_id', 'approver_user_id']).doNothing())
      .returning('id')
      .execute();
    if (inserted.length === 0) return { ok: false as const, reason: 'already-responded' as const, code: locked.code };
    const { rows: tallies } = await sql<{ access_group_id: number; approvals: number; rejections: number }>`
      select access_group_id, count(*) filter (where decision = 'approve')::int as approvals,
             count(*) filter (where decision = 'reject')::int as rejections
        from approval_responses where request_id = ${input.requestId} group by access_group_id`.execute(trx);
    const tally = new Map(tallies.map((row) => [row.access_group_id, row]));
    const groups = all?.groups ?? allowed.groups;
    const rejected = groups.some((group) => (tally.get(group.id)?.rejections ?? 0) >= group.rejectionsToCancel);
    const approved =
      !rejected &&
      groups.length > 0 &&
      groups.every((group) => (tally.get(group.id)?.approvals ?? 0) >= group.approvalsRequired);
    const status: RequestStatus = rejected ? 'rejected' : approved ? 'approved' : 'awaiting_approval';
    if (status !== 'awaiting_approval') {
      await trx
        .updateTable('access_requests')
        .set({ status, decided_at: new Date(), updated_at: new Date() })
        .where('id', '=', input.requestId)
        .execute();
    }
    await recordAuditEvent(trx, {
      actor: input.userId,
      action: `request.${input.decision}d`,
      target: locked.code,
      details: { comment, groups: allowed.groups.map((group) => group.name), status },
    });
    await deps.jobs.enqueue(trx, requestDecidedQueue, {
      requestId: input.requestId,
      responseIds: inserted.map((row) => row.id),
      status,
    });
    if (status === 'approved')
      await deps.jobs.enqueue(
        trx,
        provisionRequestQueue,
        { requestId: input.requestId },
        { singletonKey: `provision-${input.requestId}` },
      );
    return { ok: true as const, code: locked.code, status, statusChanged: status !== 'awaiting_approval' };
  });
}
