// Drafts of batch access requests, the requests themselves, and what a request needs from the catalog.
import { sql } from 'kysely';
import type { Transaction } from 'kysely';
import type { AccessLimitation } from '../../domain/access-limitation.ts';
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
      sql<string>`(select count(*) from excluded_users x where x.request_id = a.request_id and x.excluded_by = a.approver_user_id)`.as(
        'excluded_users',
      ),
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
    excludedUsers: Number(row.excluded_users),
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
  /** How many users this approver excluded from the request ("Approve except…"; the comment is the reason). */
  excludedUsers: number;
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

/**
 * A request with what its card and notices show of it: its import's file and counts, its reason, and how many
 * of the users it was to give access to approvers excluded (lines still `created`, or already `excluded`).
 */
export async function findRequestForCard(db: Executor, requestId: number) {
  return db
    .selectFrom('access_requests as r')
    .innerJoin('imports as i', 'i.id', 'r.import_id')
    .innerJoin('reasons as reason', 'reason.id', 'r.reason_id')
    .selectAll('r')
    .select(['i.file_name', 'i.created_count', 'i.code as import_code', 'reason.name as reason_name'])
    .select(
      // Driven from the few exclusions, not the import's lines (a card is drawn again at every decision).
      sql<string>`(select count(distinct x.line_number) from excluded_users x join import_lines l on l.import_id = r.import_id and l.line_number = x.line_number where x.request_id = r.id and coalesce(l.outcome, l.predicted_outcome) in ('created', 'excluded'))`.as(
        'excluded_count',
      ),
    )
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

/**
 * The vendors of the users a request gives access to (its import's new active users, but those approvers
 * excluded), by how many, then name.
 */
export async function listRequestVendors(
  db: Executor,
  requestId: number,
): Promise<Array<{ name: string; users: number }>> {
  const rows = await db
    .selectFrom('access_requests as r')
    .innerJoin('import_lines as l', 'l.import_id', 'r.import_id')
    .innerJoin('vendors as v', 'v.id', 'l.vendor_id')
    .select(['v.name', (eb) => eb.fn.countAll<string>().as('users')])
    .where('r.id', '=', requestId)
    .where('l.predicted_outcome', '=', 'created')
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('excluded_users as x')
            .select('x.line_number')
            .whereRef('x.request_id', '=', 'r.id')
            .whereRef('x.line_number', '=', 'l.line_number'),
        ),
      ),
    )
    .groupBy('v.name')
    .orderBy('users', 'desc')
    .orderBy('v.name')
    .execute();
  return rows.map((row) => ({ name: row.name, users: Number(row.users) }));
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
    | 'provisioning_released_at'
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

/**
 * Locks a request's row until the transaction ends, and reads it. Every writer of a request and its accesses
 * takes this lock first (then an access's), so two clicks or two processes at once act one after the other.
 */
export async function lockRequest(trx: Transaction<DatabaseSchema>, requestId: number) {
  return findRequestById(trx, requestId, { forUpdate: true });
}

/** A request by its code (`W…`) with its import's file name; `forUpdate` locks the request's row only. */
export async function findRequestForCancellation(
  db: Executor,
  code: string,
  options: { forUpdate?: boolean } = {},
): Promise<{ id: number; code: string; status: RequestStatus; requesterUserId: string; fileName: string } | undefined> {
  const row = await db
    .selectFrom('access_requests as r')
    .innerJoin('imports as i', 'i.id', 'r.import_id')
    .select(['r.id', 'r.code', 'r.status', 'r.requester_user_id', 'i.file_name'])
    .where('r.code', '=', code)
    .$if(options.forUpdate === true, (query) => query.forUpdate('r'))
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    id: row.id,
    code: row.code,
    status: row.status,
    requesterUserId: row.requester_user_id,
    fileName: row.file_name,
  };
}

/** What a new request holds besides its devices, grants and groups. */
export interface NewRequest {
  importId: number;
  requesterUserId: string;
  justification: string;
  reasonId: number;
  governanceCode: string | null;
  limitation: AccessLimitation;
  channelId: string | null;
  threadTs: string | null;
  /** When it expires undecided: now plus APPROVAL_TTL_HOURS. */
  approvalDeadline: Date;
}

export async function insertRequest(
  db: Executor,
  request: NewRequest,
  now: Date,
): Promise<{ id: number; code: string }> {
  return db
    .insertInto('access_requests')
    .values({
      import_id: request.importId,
      requester_user_id: request.requesterUserId,
      justification: request.justification,
      reason_id: request.reasonId,
      governance_code: request.governanceCode,
      limitation: JSON.stringify(request.limitation),
      time_zone: request.limitation.timeZone,
      channel_id: request.channelId,
      thread_ts: request.threadTs,
      approval_deadline: request.approvalDeadline,
      updated_at: now,
    })
    .returning(['id', 'code'])
    .executeTakeFirstOrThrow();
}

export async function insertRequestDevices(
  db: Executor,
  requestId: number,
  deviceIds: readonly number[],
): Promise<void> {
  await db
    .insertInto('access_request_devices')
    .values(deviceIds.map((deviceId) => ({ request_id: requestId, device_id: deviceId })))
    .execute();
}

export async function insertRequestGrants(
  db: Executor,
  requestId: number,
  grants: ReadonlyArray<{ credentialId: number; startSession: boolean; viewPassword: boolean }>,
): Promise<void> {
  await db
    .insertInto('access_request_grants')
    .values(
      grants.map((grant) => ({
        request_id: requestId,
        credential_id: grant.credentialId,
        start_session: grant.startSession,
        view_password: grant.viewPassword,
      })),
    )
    .execute();
}

/** The access groups that decide a request (none: nothing is written). */
export async function insertRequestGroups(db: Executor, requestId: number, groupIds: readonly number[]): Promise<void> {
  if (groupIds.length === 0) return;
  await db
    .insertInto('access_request_groups')
    .values(groupIds.map((groupId) => ({ request_id: requestId, access_group_id: groupId })))
    .execute();
}

/** A credential grant as an access keeps it, whatever the catalog becomes afterwards. */
export interface AccessGrantSnapshot {
  credentialId: number;
  credentialExternalId: string;
  username: string;
  deviceName: string;
  startSession: boolean;
  viewPassword: boolean;
}

/** A request's credential grants as its accesses keep them, in credential order. */
export async function listGrantSnapshots(db: Executor, requestId: number): Promise<AccessGrantSnapshot[]> {
  const rows = await db
    .selectFrom('access_request_grants as g')
    .innerJoin('credentials as c', 'c.id', 'g.credential_id')
    .innerJoin('devices as d', 'd.id', 'c.device_id')
    .select(['c.id', 'c.external_id', 'c.username', 'd.name as device_name', 'g.start_session', 'g.view_password'])
    .where('g.request_id', '=', requestId)
    .orderBy('c.id')
    .execute();
  return rows.map((row) => ({
    credentialId: row.id,
    credentialExternalId: row.external_id,
    username: row.username,
    deviceName: row.device_name,
    startSession: row.start_session,
    viewPassword: row.view_password,
  }));
}

/**
 * One approver's response, for each of the groups given; a response the approver already gave for a group is
 * kept and not counted again. Returns the ids of the responses this call inserted.
 */
export async function insertApprovalResponses(
  db: Executor,
  response: {
    requestId: number;
    groupIds: readonly number[];
    approverUserId: string;
    decision: 'approve' | 'reject';
    comment: string | null;
  },
): Promise<number[]> {
  const rows = await db
    .insertInto('approval_responses')
    .values(
      response.groupIds.map((groupId) => ({
        request_id: response.requestId,
        access_group_id: groupId,
        approver_user_id: response.approverUserId,
        decision: response.decision,
        comment: response.comment,
      })),
    )
    .onConflict((conflict) => conflict.columns(['request_id', 'access_group_id', 'approver_user_id']).doNothing())
    .returning('id')
    .execute();
  return rows.map((row) => row.id);
}

/** Approvers were reminded (once: a second call changes nothing). */
export async function markApproversReminded(db: Executor, requestId: number, now: Date): Promise<void> {
  await db
    .updateTable('access_requests')
    .set({ reminded_at: now, updated_at: now })
    .where('id', '=', requestId)
    .where('reminded_at', 'is', null)
    .execute();
}

/**
 * Requests not yet reminded with accesses in force that end in (now, horizon] and last longer than
 * `minimumDurationMs`, at most `limit`, locked; rows another process holds are skipped.
 */
export async function lockRequestsDueEndReminder(
  trx: Transaction<DatabaseSchema>,
  due: { now: Date; horizon: Date; minimumDurationMs: number; limit: number },
): Promise<Array<{ id: number; code: string }>> {
  const { rows } = await sql<{ id: number; code: string }>`
    select r.id, r.code from access_requests r
     where r.end_reminded_at is null
       and exists (select 1 from accesses a
                    where a.request_id = r.id and a.status in ('scheduled', 'active')
                      and a.ends_at > ${due.now} and a.ends_at <= ${due.horizon}
                      and a.ends_at - a.starts_at > ${`${due.minimumDurationMs} milliseconds`}::interval)
     order by r.id limit ${due.limit}
     for update of r skip locked`.execute(trx);
  return rows;
}

/** The end reminder of a request was decided on (once: a second call changes nothing). */
export async function markEndReminded(db: Executor, requestId: number, now: Date): Promise<void> {
  await db
    .updateTable('access_requests')
    .set({ end_reminded_at: now, updated_at: now })
    .where('id', '=', requestId)
    .where('end_reminded_at', 'is', null)
    .execute();
}

/** The approvers already sent the direct message about a request's card. */
export async function listApproverNoticeUserIds(db: Executor, requestId: number): Promise<Set<string>> {
  const rows = await db.selectFrom('approver_notices').select('user_id').where('request_id', '=', requestId).execute();
  return new Set(rows.map((row) => row.user_id));
}

export async function recordApproverNotice(
  db: Executor,
  notice: { requestId: number; userId: string; channel: string; ts: string; at: Date },
): Promise<void> {
  await db
    .insertInto('approver_notices')
    .values({
      request_id: notice.requestId,
      user_id: notice.userId,
      channel_id: notice.channel,
      ts: notice.ts,
      sent_at: notice.at,
    })
    .onConflict((conflict) => conflict.columns(['request_id', 'user_id']).doNothing())
    .execute();
}
