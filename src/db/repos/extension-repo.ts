// Extensions of a request's accesses (`/domum extend`, migration 0011): the asks, the approvers' decisions on
// them, and the new end written to the request and its accesses.
import type { Transaction } from 'kysely';
import type { AccessLimitation } from '../../domain/access-limitation.ts';
import type { DatabaseSchema, Executor, ExtensionStatus, RequestExtensionsTable } from '../schema.ts';
import type { Selectable, Updateable } from 'kysely';

export type ExtensionRow = Selectable<RequestExtensionsTable>;

/** A request by its code, with what an extension needs to know of it; `forUpdate` locks the request's row. */
export async function findRequestToExtend(db: Executor, code: string, options: { forUpdate?: boolean } = {}) {
  const row = await db
    .selectFrom('access_requests as r')
    .innerJoin('imports as i', 'i.id', 'r.import_id')
    .select(['r.id', 'r.code', 'r.status', 'r.requester_user_id', 'r.limitation', 'r.import_id', 'i.file_name'])
    .where('r.code', '=', code)
    .$if(options.forUpdate === true, (query) => query.forUpdate('r'))
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    id: row.id,
    code: row.code,
    status: row.status,
    requesterUserId: row.requester_user_id,
    limitation: row.limitation,
    importId: row.import_id,
    fileName: row.file_name,
  };
}

/** The extension of a request still open (awaiting approval, or approved and not yet applied), if any. */
export async function findOpenExtension(db: Executor, requestId: number): Promise<ExtensionRow | undefined> {
  return db
    .selectFrom('request_extensions')
    .selectAll()
    .where('request_id', '=', requestId)
    .where('status', 'in', ['awaiting_approval', 'approved'])
    .executeTakeFirst();
}

export async function insertExtension(
  db: Executor,
  extension: {
    requestId: number;
    requestedBy: string;
    reason: string;
    previousEnd: Date;
    newEnd: Date;
    needsApproval: boolean;
    approvalDeadline: Date | null;
  },
  now: Date,
): Promise<number> {
  const row = await db
    .insertInto('request_extensions')
    .values({
      request_id: extension.requestId,
      requested_by: extension.requestedBy,
      reason: extension.reason,
      previous_end: extension.previousEnd,
      new_end: extension.newEnd,
      needs_approval: extension.needsApproval,
      status: extension.needsApproval ? 'awaiting_approval' : 'approved',
      approval_deadline: extension.approvalDeadline,
      decided_at: extension.needsApproval ? null : now,
      updated_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function findExtension(
  db: Executor,
  extensionId: number,
  options: { forUpdate?: boolean } = {},
): Promise<ExtensionRow | undefined> {
  return db
    .selectFrom('request_extensions')
    .selectAll()
    .where('id', '=', extensionId)
    .$if(options.forUpdate === true, (query) => query.forUpdate())
    .executeTakeFirst();
}

/** An extension with what its card and messages show of its request: code, requester, file, zone, places. */
export async function findExtensionForNotice(db: Executor, extensionId: number) {
  return db
    .selectFrom('request_extensions as e')
    .innerJoin('access_requests as r', 'r.id', 'e.request_id')
    .innerJoin('imports as i', 'i.id', 'r.import_id')
    .selectAll('e')
    .select([
      'r.code as request_code',
      'r.requester_user_id',
      'r.time_zone',
      'r.channel_id',
      'r.thread_ts',
      'r.card_channel_id as request_card_channel_id',
      'r.card_ts as request_card_ts',
      'i.file_name',
    ])
    .where('e.id', '=', extensionId)
    .executeTakeFirst();
}

export type ExtensionForNotice = NonNullable<Awaited<ReturnType<typeof findExtensionForNotice>>>;

export type ExtensionColumns = Partial<
  Pick<
    Updateable<RequestExtensionsTable>,
    | 'card_channel_id'
    | 'card_ts'
    | 'outcome_ts'
    | 'asker_notified_at'
    | 'requester_notified_at'
    | 'access_count'
    | 'applied_at'
    | 'decided_at'
  >
>;

export async function updateExtension(
  db: Executor,
  extensionId: number,
  columns: ExtensionColumns & { status?: ExtensionStatus },
  now: Date,
): Promise<void> {
  await db
    .updateTable('request_extensions')
    .set({ ...columns, updated_at: now })
    .where('id', '=', extensionId)
    .execute();
}

/** One approver's response for each of the groups given; one already given for a group is kept. New ids. */
export async function insertExtensionResponses(
  db: Executor,
  response: {
    extensionId: number;
    groupIds: readonly number[];
    approverUserId: string;
    decision: 'approve' | 'reject';
    comment: string | null;
  },
): Promise<number[]> {
  const rows = await db
    .insertInto('extension_responses')
    .values(
      response.groupIds.map((groupId) => ({
        extension_id: response.extensionId,
        access_group_id: groupId,
        approver_user_id: response.approverUserId,
        decision: response.decision,
        comment: response.comment,
      })),
    )
    .onConflict((conflict) => conflict.columns(['extension_id', 'access_group_id', 'approver_user_id']).doNothing())
    .returning('id')
    .execute();
  return rows.map((row) => row.id);
}

export interface ExtensionResponseRow {
  id: number;
  groupId: number;
  groupName: string;
  approverUserId: string;
  decision: 'approve' | 'reject';
  comment: string | null;
  at: Date;
  announcedTs: string | null;
}

/** Every approver's response to an extension, oldest first, with its group's name. */
export async function listExtensionResponses(db: Executor, extensionId: number): Promise<ExtensionResponseRow[]> {
  const rows = await db
    .selectFrom('extension_responses as x')
    .innerJoin('access_groups as g', 'g.id', 'x.access_group_id')
    .select([
      'x.id',
      'x.access_group_id',
      'x.approver_user_id',
      'x.decision',
      'x.comment',
      'x.created_at',
      'x.announced_ts',
      'g.name as group_name',
    ])
    .where('x.extension_id', '=', extensionId)
    .orderBy('x.id')
    .execute();
  return rows.map((row) => ({
    id: row.id,
    groupId: row.access_group_id,
    groupName: row.group_name,
    approverUserId: row.approver_user_id,
    decision: row.decision,
    comment: row.comment,
    at: row.created_at,
    announcedTs: row.announced_ts,
  }));
}

export async function markExtensionResponseAnnounced(db: Executor, responseId: number, ts: string): Promise<void> {
  await db.updateTable('extension_responses').set({ announced_ts: ts }).where('id', '=', responseId).execute();
}

/**
 * The new end, written where every reader of a schedule finds it: the request's limitation and every access of
 * it not finished or cancelled (an access in error too, so a retry gives it the new end). The request's end
 * reminder is cleared, so the requester is reminded a day before the new end. Returns how many accesses.
 */
export async function writeNewEnd(
  trx: Transaction<DatabaseSchema>,
  change: { requestId: number; endsAt: Date; limitation: AccessLimitation; now: Date },
): Promise<number> {
  const limitation = JSON.stringify(change.limitation);
  await trx
    .updateTable('access_requests')
    .set({ limitation, end_reminded_at: null, end_reminder_ts: null, updated_at: change.now })
    .where('id', '=', change.requestId)
    .execute();
  const result = await trx
    .updateTable('accesses')
    .set({ ends_at: change.endsAt, limitation, updated_at: change.now })
    .where('request_id', '=', change.requestId)
    .where('status', 'in', ['scheduled', 'active', 'error'])
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
