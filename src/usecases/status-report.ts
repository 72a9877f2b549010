// Where things stand (SPEC §4 `/domum status`, the App Home, `domum status`): the caller's recent imports and
// requests, what awaits their decision, and one import, request or access in detail. Who may see what: the
// importer or requester, approvers of the request's access groups, and admins. Anyone else learns nothing —
// not even whether a code exists.
import { sql } from 'kysely';
import type { AccessStatus, Db, ImportStatus, LineError, RequestStatus } from '../db/schema.ts';
import { listErrorLines } from '../db/repos/import-repo.ts';
import { accessLimitationSchema } from '../domain/access-limitation.ts';
import type { AccessLimitation } from '../domain/access-limitation.ts';
import type { ImportCounts } from '../domain/import-lines.ts';
import type { ItemCode } from '../domain/codes.ts';
import type { Roles } from '../domain/roles.ts';
import { groupsApprovedBy, involvedGroups } from './decide-request.ts';
import type { InvolvedGroup } from './decide-request.ts';
import { provisioningProgress } from './provision-request.ts';
import type { ProvisioningProgress } from './provision-request.ts';

export const STATUS_PAGE_SIZE = 10;
export const DETAIL_ERROR_LINES = 20;

/** A Slack message a thread starts at (or a direct message), for its permalink. */
export interface ThreadRef {
  channel: string;
  ts: string;
}

/** Where an import's messages went when the importer got them by direct message (path A). */
export interface DirectMessageRef {
  userId: string;
  ts: string;
}

export interface StatusItem {
  kind: 'import' | 'request';
  code: string;
  fileName: string;
  status: ImportStatus | RequestStatus;
  /** Lines done / total: imported lines for an import, users whose first access is dealt with for a request. */
  done: number;
  total: number;
  createdAt: Date;
  thread: ThreadRef | DirectMessageRef | null;
  /** The request's id, for its card's buttons (requests only). */
  requestId?: number;
  requesterUserId?: string;
}

export interface Viewer {
  userId: string;
  roles: Roles;
}

export interface StatusDeps {
  db: Db;
  usergroupMembers: (usergroupId: string) => Promise<string[]>;
}

const SLACK_TS = /^\d+\.\d+$/;

function threadOf(channel: string | null, ts: string | null): ThreadRef | null {
  return channel && ts && SLACK_TS.test(ts) ? { channel, ts } : null;
}

interface ImportRow {
  id: number;
  code: string;
  file_name: string;
  status: ImportStatus;
  source: 'modal' | 'upload' | 'cli';
  importer_user_id: string;
  channel_id: string | null;
  thread_ts: string | null;
  preview_ts: string | null;
  summary_ts: string | null;
  line_count: number;
  created_at: Date;
  lines_done: number;
  request_channel: string | null;
  request_ts: string | null;
}

function importItem(row: ImportRow): StatusItem {
  // An upload's messages are in the file's thread; a request's import is followed in the request's thread;
  // otherwise the preview and the summary went to the importer by direct message.
  const requestThread = threadOf(row.request_channel, row.request_ts);
  let thread: StatusItem['thread'] = null;
  if (row.source === 'upload') thread = threadOf(row.channel_id, row.thread_ts);
  else if (requestThread) thread = requestThread;
  else if (row.source === 'modal') {
    const ts = [row.summary_ts, row.preview_ts].find((candidate) => candidate && SLACK_TS.test(candidate));
    if (ts) thread = { userId: row.importer_user_id, ts };
  }
  const done = row.status === 'done' ? row.line_count : Number(row.lines_done);
  return {
    kind: 'import',
    code: row.code,
    fileName: row.file_name,
    status: row.status,
    done,
    total: row.line_count,
    createdAt: row.created_at,
    thread,
  };
}

function importsQuery(db: Db) {
  return db
    .selectFrom('imports as i')
    .leftJoin('access_requests as r', 'r.import_id', 'i.id')
    .select([
      'i.id',
      'i.code',
      'i.file_name',
      'i.status',
      'i.source',
      'i.importer_user_id',
      'i.channel_id',
      'i.thread_ts',
      'i.preview_ts',
      'i.summary_ts',
      'i.line_count',
      'i.created_at',
      'r.card_channel_id as request_channel',
      'r.card_ts as request_ts',
      // Lines already given their outcome; only counted while the import runs.
      sql<number>`CASE WHEN i.status = 'importing' THEN (SELECT count(*) FROM import_lines l WHERE l.import_id = i.id AND l.outcome IS NOT NULL) ELSE 0 END`.as(
        'lines_done',
      ),
    ]);
}

interface RequestRow {
  id: number;
  code: string;
  status: RequestStatus;
  requester_user_id: string;
  card_channel_id: string | null;
  card_ts: string | null;
  created_at: Date;
  file_name: string;
  accesses: number;
  accesses_done: number;
  users_to_access: number;
}

function requestItem(row: RequestRow): StatusItem {
  // Before provisioning, the users the request is for; then the accesses whose first access is dealt with.
  const total = Number(row.accesses) > 0 ? Number(row.accesses) : Number(row.users_to_access);
  return {
    kind: 'request',
    code: row.code,
    fileName: row.file_name,
    status: row.status,
    done: Number(row.accesses) > 0 ? Number(row.accesses_done) : 0,
    total,
    createdAt: row.created_at,
    thread: threadOf(row.card_channel_id, row.card_ts),
    requestId: row.id,
    requesterUserId: row.requester_user_id,
  };
}

function requestsQuery(db: Db) {
  return db
    .selectFrom('access_requests as r')
    .innerJoin('imports as i', 'i.id', 'r.import_id')
    .select([
      'r.id',
      'r.code',
      'r.status',
      'r.requester_user_id',
      'r.card_channel_id',
      'r.card_ts',
      'r.created_at',
      'i.file_name',
      sql<number>`(SELECT count(*) FROM accesses a WHERE a.request_id = r.id)`.as('accesses'),
      sql<number>`(SELECT count(*) FROM accesses a WHERE a.request_id = r.id AND (a.email_error IS NOT NULL OR a.status = 'cancelled' OR (a.link_email_sent_at IS NOT NULL AND a.token_email_sent_at IS NOT NULL)))`.as(
        'accesses_done',
      ),
      sql<number>`(SELECT count(*) FROM import_lines l WHERE l.import_id = i.id AND coalesce(l.outcome, l.predicted_outcome) = 'created')`.as(
        'users_to_access',
      ),
    ]);
}

function newestFirst(a: StatusItem, b: StatusItem): number {
  return b.createdAt.getTime() - a.createdAt.getTime() || b.code.localeCompare(a.code);
}

/** The caller's imports and requests, newest first, one page at a time; `more` when another page follows. */
export async function listMyItems(
  db: Db,
  userId: string,
  page: { offset: number; limit?: number },
): Promise<{ items: StatusItem[]; more: boolean }> {
  const limit = page.limit ?? STATUS_PAGE_SIZE;
  const wanted = page.offset + limit + 1;
  const [imports, requests] = await Promise.all([
    importsQuery(db)
      .where('i.importer_user_id', '=', userId)
      .where('i.source', '<>', 'cli')
      .orderBy('i.created_at', 'desc')
      .orderBy('i.id', 'desc')
      .limit(wanted)
      .execute(),
    requestsQuery(db)
      .where('r.requester_user_id', '=', userId)
      .orderBy('r.created_at', 'desc')
      .orderBy('r.id', 'desc')
      .limit(wanted)
      .execute(),
  ]);
  const all = [...imports.map((row) => importItem(row)), ...requests.map((row) => requestItem(row))].sort(newestFirst);
  return { items: all.slice(page.offset, page.offset + limit), more: all.length > page.offset + limit };
}

/** Everyone's latest imports (the admins' App Home). */
export async function listLatestImports(db: Db, limit = STATUS_PAGE_SIZE): Promise<StatusItem[]> {
  const rows = await importsQuery(db).orderBy('i.created_at', 'desc').orderBy('i.id', 'desc').limit(limit).execute();
  return rows.map((row) => importItem(row));
}

async function approverOf(deps: StatusDeps, groups: readonly InvolvedGroup[], userId: string): Promise<boolean> {
  return (await groupsApprovedBy(deps.usergroupMembers, groups, userId)).length > 0;
}

/** Requests awaiting approval on which this user may still decide (not theirs, not decided by them yet). */
export async function listAwaitingMyDecision(
  deps: StatusDeps,
  userId: string,
  limit = STATUS_PAGE_SIZE,
): Promise<StatusItem[]> {
  const pending = await requestsQuery(deps.db)
    .where('r.status', '=', 'awaiting_approval')
    .where('r.requester_user_id', '<>', userId)
    .orderBy('r.created_at', 'asc')
    .orderBy('r.id', 'asc')
    .limit(200)
    .execute();
  if (pending.length === 0) return [];
  const responded = new Set(
    (
      await deps.db
        .selectFrom('approval_responses')
        .select(['request_id'])
        .where('approver_user_id', '=', userId)
        .where(
          'request_id',
          'in',
          pending.map((row) => row.id),
        )
        .execute()
    ).map((row) => row.request_id),
  );
  const mine: StatusItem[] = [];
  for (const row of pending) {
    if (mine.length >= limit) break;
    if (responded.has(row.id)) continue;
    const found = await involvedGroups(deps.db, row.id);
    if (found && (await approverOf(deps, found.groups, userId))) mine.push(requestItem(row));
  }
  return mine;
}

export interface CatalogCounts {
  vendors: number;
  accessGroups: number;
  devices: number;
  credentials: number;
  users: number;
  reasons: number;
}

export async function catalogCounts(db: Db): Promise<CatalogCounts> {
  const row = await db
    .selectNoFrom([
      sql<number>`(SELECT count(*) FROM vendors)`.as('vendors'),
      sql<number>`(SELECT count(*) FROM access_groups)`.as('access_groups'),
      sql<number>`(SELECT count(*) FROM devices)`.as('devices'),
      sql<number>`(SELECT count(*) FROM credentials)`.as('credentials'),
      sql<number>`(SELECT count(*) FROM third_party_users)`.as('users'),
      sql<number>`(SELECT count(*) FROM reasons WHERE enabled)`.as('reasons'),
    ])
    .executeTakeFirstOrThrow();
  return {
    vendors: Number(row.vendors),
    accessGroups: Number(row.access_groups),
    devices: Number(row.devices),
    credentials: Number(row.credentials),
    users: Number(row.users),
    reasons: Number(row.reasons),
  };
}

// ---------------------------------------------------------------------------------------------------------
// One item in detail.

export interface ImportDetail {
  kind: 'import';
  item: StatusItem;
  importerUserId: string;
  counts: ImportCounts;
  failureReason: string | null;
  errorLines: Array<{ lineNumber: number; errors: LineError[] }>;
  requestCode: string | null;
}

export interface RequestDetail {
  kind: 'request';
  item: StatusItem;
  requesterUserId: string;
  importCode: string;
  limitation: AccessLimitation;
  timeZone: string;
  groups: Array<{ name: string; required: number; approvals: number; rejections: number }>;
  decisions: Array<{
    approverId: string;
    decision: 'approve' | 'reject';
    comment: string | null;
    at: Date;
    groupName: string;
  }>;
  progress: ProvisioningProgress;
  accessStatuses: Partial<Record<AccessStatus, number>>;
  activated: number;
  cancellation: Cancellation | null;
}

/** Who cancelled (with `/domum cancel`), when, and why. */
export interface Cancellation {
  by: string;
  at: Date;
  reason: string;
}

export interface AccessDetail {
  kind: 'access';
  code: string;
  userName: string;
  email: string;
  vendorName: string;
  status: AccessStatus;
  firstAccessState: 'link_sent' | 'activated';
  activatedAt: Date | null;
  lockedOut: boolean;
  startsAt: Date;
  endsAt: Date;
  timeZone: string;
  limitation: AccessLimitation;
  sessionsUsed: number;
  emailError: string | null;
  linkEmailSentAt: Date | null;
  requestCode: string;
  thread: ThreadRef | null;
  cancellation: Cancellation | null;
}

export type StatusDetail = ImportDetail | RequestDetail | AccessDetail;

/** The cancellation of one access, or of its whole request (`accessId` null: the request's own). */
async function findCancellation(db: Db, requestId: number, accessId: number | null): Promise<Cancellation | null> {
  let query = db
    .selectFrom('cancellations')
    .select(['cancelled_by', 'created_at', 'reason'])
    .where('request_id', '=', requestId);
  query =
    accessId === null
      ? query.where('access_id', 'is', null)
      : query.where((eb) => eb.or([eb('access_id', '=', accessId), eb('access_id', 'is', null)]));
  const row = await query.orderBy('access_id', 'desc').orderBy('id').executeTakeFirst();
  return row ? { by: row.cancelled_by, at: row.created_at, reason: row.reason } : null;
}

/** Who may see a request (and its import and accesses): its requester, approvers of its groups, admins. */
async function maySeeRequest(deps: StatusDeps, requestId: number, viewer: Viewer): Promise<boolean> {
  if (viewer.roles.isAdmin) return true;
  const found = await involvedGroups(deps.db, requestId);
  if (!found) return false;
  if (found.requesterUserId === viewer.userId) return true;
  return approverOf(deps, found.groups, viewer.userId);
}

/**
 * One import, request or access, or undefined when it does not exist OR the viewer may not see it — the
 * two are answered alike. `viewer: 'operator'` is the command line, which sees everything.
 */
export async function findStatusDetail(
  deps: StatusDeps,
  code: ItemCode,
  viewer: Viewer | 'operator',
): Promise<StatusDetail | undefined> {
  const allowed = async (requestId: number | null, ownerUserId: string | null) => {
    if (viewer === 'operator' || viewer.roles.isAdmin) return true;
    if (ownerUserId === viewer.userId) return true;
    return requestId !== null && maySeeRequest(deps, requestId, viewer);
  };
  if (code.kind === 'import') return importDetail(deps, code.code, allowed);
  if (code.kind === 'request') return requestDetail(deps, code.code, allowed);
  return accessDetail(deps, code.code, allowed);
}

type Allowed = (requestId: number | null, ownerUserId: string | null) => Promise<boolean>;

async function importDetail(deps: StatusDeps, code: string, allowed: Allowed): Promise<ImportDetail | undefined> {
  const row = await importsQuery(deps.db)
    .select([
      'i.created_count',
      'i.created_inactive_count',
      'i.existing_count',
      'i.error_count',
      'i.failure_reason',
      'r.id as request_id',
      'r.code as request_code',
    ])
    .where('i.code', '=', code)
    .executeTakeFirst();
  if (!row || !(await allowed(row.request_id ?? null, row.importer_user_id))) return undefined;
  return {
    kind: 'import',
    item: importItem(row),
    importerUserId: row.importer_user_id,
    counts: {
      lines: row.line_count,
      created: row.created_count,
      created_inactive: row.created_inactive_count,
      existing: row.existing_count,
      error: row.error_count,
    },
    failureReason: row.failure_reason,
    errorLines: await listErrorLines(deps.db, row.id, DETAIL_ERROR_LINES),
    requestCode: row.request_code ?? null,
  };
}

async function requestDetail(deps: StatusDeps, code: string, allowed: Allowed): Promise<RequestDetail | undefined> {
  const row = await requestsQuery(deps.db)
    .select(['r.limitation', 'r.time_zone', 'i.code as import_code'])
    .where('r.code', '=', code)
    .executeTakeFirst();
  if (!row || !(await allowed(row.id, row.requester_user_id))) return undefined;
  const found = await involvedGroups(deps.db, row.id);
  const responses = await deps.db
    .selectFrom('approval_responses as a')
    .innerJoin('access_groups as g', 'g.id', 'a.access_group_id')
    .select([
      'a.access_group_id',
      'a.approver_user_id',
      'a.decision',
      'a.comment',
      'a.created_at',
      'g.name as group_name',
    ])
    .where('a.request_id', '=', row.id)
    .orderBy('a.id')
    .execute();
  const statuses = await deps.db
    .selectFrom('accesses')
    .select([
      'status',
      (eb) => eb.fn.countAll<number>().as('count'),
      sql<number>`count(*) FILTER (WHERE first_access_state = 'activated')`.as('activated'),
    ])
    .where('request_id', '=', row.id)
    .groupBy('status')
    .execute();
  return {
    kind: 'request',
    item: requestItem(row),
    requesterUserId: row.requester_user_id,
    importCode: row.import_code,
    limitation: accessLimitationSchema.parse(row.limitation),
    timeZone: row.time_zone,
    groups: (found?.groups ?? []).map((group) => ({
      name: group.name,
      required: group.approvalsRequired,
      approvals: responses.filter(
        (response) => response.access_group_id === group.id && response.decision === 'approve',
      ).length,
      rejections: responses.filter(
        (response) => response.access_group_id === group.id && response.decision === 'reject',
      ).length,
    })),
    decisions: responses.map((response) => ({
      approverId: response.approver_user_id,
      decision: response.decision,
      comment: response.comment,
      at: response.created_at,
      groupName: response.group_name,
    })),
    progress: await provisioningProgress(deps.db, row.id),
    accessStatuses: Object.fromEntries(statuses.map((entry) => [entry.status, Number(entry.count)])),
    activated: statuses.reduce((sum, entry) => sum + Number(entry.activated), 0),
    cancellation: row.status === 'cancelled' ? await findCancellation(deps.db, row.id, null) : null,
  };
}

async function accessDetail(deps: StatusDeps, code: string, allowed: Allowed): Promise<AccessDetail | undefined> {
  const row = await deps.db
    .selectFrom('accesses as a')
    .innerJoin('third_party_users as u', 'u.id', 'a.user_id')
    .innerJoin('vendors as v', 'v.id', 'u.vendor_id')
    .innerJoin('access_requests as r', 'r.id', 'a.request_id')
    .select([
      'a.id',
      'a.code',
      'a.status',
      'a.first_access_state',
      'a.activated_at',
      'a.failed_token_attempts',
      'a.starts_at',
      'a.ends_at',
      'a.time_zone',
      'a.limitation',
      'a.sessions_used',
      'a.email_error',
      'a.link_email_sent_at',
      'u.name',
      'u.email',
      'v.name as vendor_name',
      'r.id as request_id',
      'r.code as request_code',
      'r.requester_user_id',
      'r.card_channel_id',
      'r.card_ts',
    ])
    .where('a.code', '=', code)
    .executeTakeFirst();
  if (!row || !(await allowed(row.request_id, row.requester_user_id))) return undefined;
  return {
    kind: 'access',
    code: row.code,
    userName: row.name,
    email: row.email,
    vendorName: row.vendor_name,
    status: row.status,
    firstAccessState: row.first_access_state,
    activatedAt: row.activated_at,
    lockedOut: row.failed_token_attempts >= 5,
    startsAt: row.starts_at,
    endsAt: row.ends_at,
    timeZone: row.time_zone,
    limitation: accessLimitationSchema.parse(row.limitation),
    sessionsUsed: row.sessions_used,
    emailError: row.email_error,
    linkEmailSentAt: row.link_email_sent_at,
    requestCode: row.request_code,
    thread: threadOf(row.card_channel_id, row.card_ts),
    cancellation: row.status === 'cancelled' ? await findCancellation(deps.db, row.request_id, row.id) : null,
  };
}
