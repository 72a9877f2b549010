// Drafts of batch access requests, the requests themselves, and what a request needs from the catalog.
import type { Transaction } from 'kysely';
import type { AccessRequest, DatabaseSchema, Executor, RequestStatus } from '../schema.ts';
import { isDecision, mayMoveRequest } from '../../domain/request-status.ts';

export interface DraftRow {
  id: string;
  importId: number;
  requesterUserId: string;
  timeZone: string;
  data: unknown;
  expiresAt: Date;
}

function toDraft(row: {
  id: string;
  import_id: number;
  requester_user_id: string;
  time_zone: string;
  data: unknown;
  expires_at: Date;
}): DraftRow {
  return {
    id: row.id,
    importId: row.import_id,
    requesterUserId: row.requester_user_id,
    timeZone: row.time_zone,
    data: row.data,
    expiresAt: row.expires_at,
  };
}

/** One draft per import: starting the wizard again resumes it (and gives it a new expiry). */
export async function upsertDraft(
  db: Executor,
  input: { importId: number; requesterUserId: string; timeZone: string; expiresAt: Date },
  now: Date,
): Promise<DraftRow> {
  const row = await db
    .insertInto('request_drafts')
    .values({
      import_id: input.importId,
      requester_user_id: input.requesterUserId,
      time_zone: input.timeZone,
      expires_at: input.expiresAt,
      updated_at: now,
    })
    .onConflict((conflict) =>
      conflict.column('import_id').doUpdateSet({ expires_at: input.expiresAt, updated_at: now }),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
  return toDraft(row);
}

export async function findDraft(db: Executor, draftId: string): Promise<DraftRow | undefined> {
  if (!/^[0-9a-f-]{36}$/i.test(draftId)) return undefined;
  const row = await db.selectFrom('request_drafts').selectAll().where('id', '=', draftId).executeTakeFirst();
  return row ? toDraft(row) : undefined;
}

export async function updateDraftData(db: Executor, draftId: string, data: unknown, now: Date): Promise<void> {
  await db
    .updateTable('request_drafts')
    .set({ data: JSON.stringify(data), updated_at: now })
    .where('id', '=', draftId)
    .execute();
}

export async function deleteDraft(db: Executor, draftId: string): Promise<void> {
  await db.deleteFrom('request_drafts').where('id', '=', draftId).execute();
}

export interface InvolvedVendor {
  vendorId: number;
  vendorName: string;
  contractEnd: string | null;
  accessGroupId: number;
  accessGroupName: string;
  governanceRequired: boolean;
  approvalsRequired: number;
}

/**
 * The vendors of the users who will get access (lines predicted `created`), with their access groups. Each
 * line's vendor was resolved once, by the dry run (import_lines.vendor_id).
 */
export async function findInvolvedVendors(db: Executor, importId: number): Promise<InvolvedVendor[]> {
  const rows = await db
    .selectFrom('vendors as v')
    .innerJoin('access_groups as g', 'g.id', 'v.access_group_id')
    .select([
      'v.id as vendor_id',
      'v.name as vendor_name',
      'v.contract_end',
      'g.id as access_group_id',
      'g.name as access_group_name',
      'g.governance_required',
      'g.approvals_required',
    ])
    .where('v.id', 'in', (eb) =>
      eb
        .selectFrom('import_lines as l')
        .select('l.vendor_id')
        .where('l.import_id', '=', importId)
        .where('l.predicted_outcome', '=', 'created')
        .where('l.vendor_id', 'is not', null)
        .distinct(),
    )
    .orderBy('v.name')
    .execute();
  return rows.map((row) => ({
    vendorId: row.vendor_id,
    vendorName: row.vendor_name,
    contractEnd: row.contract_end,
    accessGroupId: row.access_group_id,
    accessGroupName: row.access_group_name,
    governanceRequired: row.governance_required,
    approvalsRequired: row.approvals_required,
  }));
}

/** The access groups of a request, as fixed when it was created, with their approvers and thresholds. */
export async function findRequestGroups(db: Executor, requestId: number): Promise<RequestGroup[]> {
  return (await findGroupsOfRequests(db, [requestId])).get(requestId) ?? [];
}

/** The access groups of several requests at once (one query for a whole list). */
export async function findGroupsOfRequests(
  db: Executor,
  requestIds: readonly number[],
): Promise<Map<number, RequestGroup[]>> {
  const byRequest = new Map<number, RequestGroup[]>();
  if (requestIds.length === 0) return byRequest;
  const rows = await db
    .selectFrom('access_request_groups as rg')
    .innerJoin('access_groups as g', 'g.id', 'rg.access_group_id')
    .selectAll('g')
    .select('rg.request_id')
    .where('rg.request_id', 'in', [...requestIds])
    .orderBy('g.name')
    .execute();
  for (const group of rows) {
    const list = byRequest.get(group.request_id) ?? [];
    list.push({
      id: group.id,
      name: group.name,
      approverUserIds: group.approver_user_ids,
      approverUsergroupId: group.approver_usergroup_id,
      approvalsRequired: group.approvals_required,
      rejectionsToCancel: group.rejections_to_cancel,
    });
    byRequest.set(group.request_id, list);
  }
  return byRequest;
}

/** Which of these requests the approver has already responded to. */
export async function findRequestsRespondedBy(
  db: Executor,
  approverUserId: string,
  requestIds: readonly number[],
): Promise<Set<number>> {
  if (requestIds.length === 0) return new Set();
  const rows = await db
    .selectFrom('approval_responses')
    .select('request_id')
    .where('approver_user_id', '=', approverUserId)
    .where('request_id', 'in', [...requestIds])
    .execute();
  return new Set(rows.map((row) => row.request_id));
}

export interface RequestGroup {
  id: number;
  name: string;
  approverUserIds: string[];
  approverUsergroupId: string | null;
  approvalsRequired: number;
  rejectionsToCancel: number;
}

/** Every approver's response to a request, oldest first, with its group's name. */
export async function listApprovalResponses(db: Executor, requestId: number): Promise<ApprovalResponseRow[]> {
  const rows = await db
    .selectFrom('approval_responses as a')
    .innerJoin('access_groups as g', 'g.id', 'a.access_group_id')
    .select([
      'a.id',
      'a.access_group_id',
      'a.approver_user_id',
      'a.decision',
      'a.comment',
      'a.created_at',
      'a.announced_ts',
      'g.name as group_name',
    ])
    .where('a.request_id', '=', requestId)
    .orderBy('a.id')
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

export interface ApprovalResponseRow {
  id: number;
  groupId: number;
  groupName: string;
  approverUserId: string;
  decision: 'approve' | 'reject';
  comment: string | null;
  at: Date;
  announcedTs: string | null;
}

export async function listEnabledReasons(db: Executor): Promise<Array<{ id: number; name: string }>> {
  return db.selectFrom('reasons').select(['id', 'name']).where('enabled', '=', true).orderBy('name').execute();
}

/** Unexpired drafts of a requester whose import still waits for its request, newest first. */
export async function findResumableDrafts(
  db: Executor,
  requesterUserId: string,
  now: Date,
): Promise<Array<{ id: string; fileName: string; importCode: string }>> {
  const rows = await db
    .selectFrom('request_drafts as d')
    .innerJoin('imports as i', 'i.id', 'd.import_id')
    .select(['d.id', 'i.file_name', 'i.code'])
    .where('d.requester_user_id', '=', requesterUserId)
    .where('d.expires_at', '>', now)
    .where('i.status', '=', 'ready')
    .where((eb) =>
      eb.not(eb.exists(eb.selectFrom('access_requests as r').select('r.id').whereRef('r.import_id', '=', 'i.id'))),
    )
    .orderBy('d.updated_at', 'desc')
    .limit(3)
    .execute();
  return rows.map((row) => ({ id: row.id, fileName: row.file_name, importCode: row.code }));
}

/** A request with what its card and notices show of it: its import's file and counts, and its reason. */
export async function findRequestForCard(db: Executor, requestId: number) {
  return db
    .selectFrom('access_requests as r')
    .innerJoin('imports as i', 'i.id', 'r.import_id')
    .innerJoin('reasons as reason', 'reason.id', 'r.reason_id')
    .selectAll('r')
    .select(['i.file_name', 'i.created_count', 'i.code as import_code', 'reason.name as reason_name'])
    .where('r.id', '=', requestId)
    .executeTakeFirst();
}

export type RequestForCard = NonNullable<Awaited<ReturnType<typeof findRequestForCard>>>;

/** The names of a request's devices, in name order. */
export async function listRequestDeviceNames(db: Executor, requestId: number): Promise<string[]> {
  const rows = await db
    .selectFrom('access_request_devices as d')
    .innerJoin('devices', 'devices.id', 'd.device_id')
    .select(['devices.name'])
    .where('d.request_id', '=', requestId)
    .orderBy('devices.name')
    .execute();
  return rows.map((row) => row.name);
}

/** A request's credential grants with their usernames and devices, in device then username order. */
export async function listRequestGrants(db: Executor, requestId: number) {
  return db
    .selectFrom('access_request_grants as g')
    .innerJoin('credentials as c', 'c.id', 'g.credential_id')
    .innerJoin('devices as dev', 'dev.id', 'c.device_id')
    .select(['c.username', 'dev.name as device_name', 'g.start_session', 'g.view_password'])
    .where('g.request_id', '=', requestId)
    .orderBy('dev.name')
    .orderBy('c.username')
    .execute();
}

export async function findRequestById(db: Executor, requestId: number, options: { forUpdate?: boolean } = {}) {
  let query = db.selectFrom('access_requests').selectAll().where('id', '=', requestId);
  if (options.forUpdate) query = query.forUpdate();
  return query.executeTakeFirst();
}

export async function findRequestByImport(db: Executor, importId: number) {
  return db.selectFrom('access_requests').selectAll().where('import_id', '=', importId).executeTakeFirst();
}

/** The columns a use case may set on a request besides its status (see transitionRequest for that). */
export type RequestNoticeColumns = Partial<
  Pick<
    AccessRequest,
    | 'card_ts'
    | 'card_channel_id'
    | 'notified_status'
    | 'reminded_at'
    | 'progress_ts'
    | 'progress_updated_at'
    | 'summary_ts'
    | 'results_posted_for'
    | 'end_reminder_ts'
  >
>;

export async function updateRequest(
  db: Executor,
  requestId: number,
  columns: RequestNoticeColumns,
  now: Date,
): Promise<void> {
  await db
    .updateTable('access_requests')
    .set({ ...columns, updated_at: now })
    .where('id', '=', requestId)
    .execute();
}

export async function markResponseAnnounced(db: Executor, responseId: number, ts: string): Promise<void> {
  await db.updateTable('approval_responses').set({ announced_ts: ts }).where('id', '=', responseId).execute();
}

/** The access code of each user of a request (for the results spreadsheet). */
export async function listAccessCodesByUser(db: Executor, requestId: number): Promise<Map<number, string>> {
  const rows = await db
    .selectFrom('accesses')
    .select(['user_id', 'code'])
    .where('request_id', '=', requestId)
    .execute();
  return new Map(rows.map((row) => [row.user_id, row.code]));
}

export class RequestTransitionError extends Error {
  constructor(code: string, from: RequestStatus, to: RequestStatus) {
    super(`request ${code} cannot go from ${from} to ${to}`);
    this.name = 'RequestTransitionError';
  }
}

/**
 * Moves a request to `to`, with its row locked (inside the caller's transaction, which may have locked it
 * already), after domain/request-status.ts says the move is allowed; records when it was decided. Returns the
 * status it left and the request's code; throws RequestTransitionError on a move the table does not list, since
 * callers check the status they expect first and a refusal here means a rule was forgotten.
 */
export async function transitionRequest(
  trx: Transaction<DatabaseSchema>,
  requestId: number,
  to: RequestStatus,
  now: Date,
  columns: Partial<Pick<AccessRequest, 'finished_by_job' | 'summary_ts' | 'progress_ts' | 'progress_updated_at'>> = {},
): Promise<{ from: RequestStatus; code: string }> {
  const locked = await trx
    .selectFrom('access_requests')
    .select(['code', 'status'])
    .where('id', '=', requestId)
    .forUpdate()
    .executeTakeFirstOrThrow();
  if (!mayMoveRequest(locked.status, to)) throw new RequestTransitionError(locked.code, locked.status, to);
  await trx
    .updateTable('access_requests')
    .set({ ...columns, status: to, updated_at: now, ...(isDecision(locked.status) ? { decided_at: now } : {}) })
    .where('id', '=', requestId)
    .execute();
  return { from: locked.status, code: locked.code };
}
