// Where things stand (README "Importing users", Where things stand: `/domum status`, the App Home, `domum status`): the
// caller's recent imports and requests, what awaits their decision, and one import, request or access in detail. Who
// may see what: the importer or requester, approvers of the request's access groups, and admins. Anyone else learns
// nothing — not even whether a code exists.
import type { AccessStatus, Db, ImportStatus, LineError, RequestStatus } from '../db/schema.ts';
import { listErrorLines } from '../db/repos/import-repo.ts';
import {
  findGroupsOfRequests,
  findRequestGroups,
  findRequestsRespondedBy,
  listApprovalResponses,
  listRequestDeviceNames,
  listRequestGrants,
  listRequestVendors,
} from '../db/repos/request-repo.ts';
import {
  catalogCounts,
  countAccessesByStatus,
  findAccessForStatus,
  findCancellationOf,
  findImportDetailRow,
  findRequestDetailRow,
  listImportRowsOf,
  listLatestImportRows,
  listPendingRequestRowsNotOf,
  listRequestRowsOf,
} from '../db/repos/status-repo.ts';
import type { CatalogCounts, ImportStatusRow, RequestStatusRow } from '../db/repos/status-repo.ts';
import type { ApprovalResponseRow } from '../db/repos/request-repo.ts';
import { tallyDecision } from '../domain/approval.ts';

import { accessLimitationSchema } from '../domain/access-limitation.ts';
import type { AccessLimitation } from '../domain/access-limitation.ts';
import type { FinalCounts } from '../domain/import-lines.ts';
import { countExcludedLines } from '../db/repos/exclusion-repo.ts';
import type { ItemCode } from '../domain/codes.ts';
import type { Roles } from '../domain/roles.ts';
import { groupsApprovedBy, involvedGroups } from './decide-request.ts';
import type { InvolvedGroup } from './decide-request.ts';
import { provisioningProgress } from './provision-request.ts';
import { excludedLinesOf } from './request-exclusions.ts';
import type { ExcludedLine } from './request-exclusions.ts';
import { credentialLabel } from './search-catalog.ts';
import type { ProvisioningProgress } from './provision-request.ts';

export { catalogCounts };
export type { CatalogCounts };

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
  /** Done / total: imported lines for an import, users whose first access is dealt with for a request. */
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

function importItem(row: ImportStatusRow): StatusItem {
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

function requestItem(row: RequestStatusRow): StatusItem {
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
    listImportRowsOf(db, userId, wanted),
    listRequestRowsOf(db, userId, wanted),
  ]);
  const all = [...imports.map((row) => importItem(row)), ...requests.map((row) => requestItem(row))].sort(newestFirst);
  return { items: all.slice(page.offset, page.offset + limit), more: all.length > page.offset + limit };
}

/** Everyone's latest imports (the admins' App Home). */
export async function listLatestImports(db: Db, limit = STATUS_PAGE_SIZE): Promise<StatusItem[]> {
  const rows = await listLatestImportRows(db, limit);
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
  const pending = await listPendingRequestRowsNotOf(deps.db, userId, 200);
  if (pending.length === 0) return [];
  const ids = pending.map((row) => row.id);
  const [responded, groupsByRequest] = await Promise.all([
    findRequestsRespondedBy(deps.db, userId, ids),
    findGroupsOfRequests(deps.db, ids),
  ]);
  const mine: StatusItem[] = [];
  for (const row of pending) {
    if (mine.length >= limit) break;
    if (responded.has(row.id)) continue;
    if (await approverOf(deps, groupsByRequest.get(row.id) ?? [], userId)) mine.push(requestItem(row));
  }
  return mine;
}

// ---------------------------------------------------------------------------------------------------------
// One item in detail.

export interface ImportDetail {
  kind: 'import';
  item: StatusItem;
  importerUserId: string;
  counts: FinalCounts;
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
  /** What an approver reads before deciding: why, for whom, on what, and until when they may decide. */
  justification: string;
  vendors: Array<{ name: string; users: number }>;
  devices: string[];
  grants: Array<{ label: string; startSession: boolean; viewPassword: boolean }>;
  approvalDeadline: Date | null;
  /** Whether the one asking may Approve or Reject it now (an approver of one of its groups, not its requester). */
  viewerMayDecide: boolean;
  groups: Array<{ name: string; required: number; approvals: number; rejections: number }>;
  decisions: Array<{
    approverId: string;
    decision: 'approve' | 'reject';
    comment: string | null;
    at: Date;
    groupName: string;
    /** Users this approver excluded ("Approve except…"); the comment is then the reason. */
    excludedUsers: number;
  }>;
  /** The users approvers excluded: the first DETAIL_ERROR_LINES, with who and why, and how many in all. */
  exclusions: { lines: ExcludedLine[]; total: number };
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
  if (code.kind === 'request') return requestDetail(deps, code.code, allowed, viewer);
  return accessDetail(deps, code.code, allowed);
}

type Allowed = (requestId: number | null, ownerUserId: string | null) => Promise<boolean>;

async function importDetail(deps: StatusDeps, code: string, allowed: Allowed): Promise<ImportDetail | undefined> {
  const row = await findImportDetailRow(deps.db, code);
  if (!row || !(await allowed(row.request_id ?? null, row.importer_user_id))) return undefined;
  // The import created the users an approver later excluded; once provisioning left them out, their lines
  // count as Excluded, as in the request's summary.
  const excluded = row.request_id ? await countExcludedLines(deps.db, row.id) : 0;
  return {
    kind: 'import',
    item: importItem(row),
    importerUserId: row.importer_user_id,
    counts: {
      lines: row.line_count,
      created: row.created_count - excluded,
      created_inactive: row.created_inactive_count,
      existing: row.existing_count,
      excluded,
      error: row.error_count,
    },
    failureReason: row.failure_reason,
    errorLines: await listErrorLines(deps.db, row.id, DETAIL_ERROR_LINES),
    requestCode: row.request_code ?? null,
  };
}

function decisionOf(response: ApprovalResponseRow): RequestDetail['decisions'][number] {
  return {
    approverId: response.approverUserId,
    decision: response.decision,
    comment: response.comment,
    at: response.at,
    groupName: response.groupName,
    excludedUsers: response.excludedUsers,
  };
}

async function requestDetail(
  deps: StatusDeps,
  code: string,
  allowed: Allowed,
  viewer: Viewer | 'operator',
): Promise<RequestDetail | undefined> {
  const row = await findRequestDetailRow(deps.db, code);
  if (!row || !(await allowed(row.id, row.requester_user_id))) return undefined;
  const [groups, responses, statuses, vendors, devices, grants, exclusions] = await Promise.all([
    findRequestGroups(deps.db, row.id),
    listApprovalResponses(deps.db, row.id),
    countAccessesByStatus(deps.db, row.id),
    listRequestVendors(deps.db, row.id),
    listRequestDeviceNames(deps.db, row.id),
    listRequestGrants(deps.db, row.id),
    excludedLinesOf(deps.db, row.id, DETAIL_ERROR_LINES),
  ]);
  const viewerMayDecide =
    viewer !== 'operator' &&
    row.status === 'awaiting_approval' &&
    row.requester_user_id !== viewer.userId &&
    !responses.some((response) => response.approverUserId === viewer.userId) &&
    (await approverOf(deps, groups, viewer.userId));
  return {
    kind: 'request',
    item: requestItem(row),
    requesterUserId: row.requester_user_id,
    importCode: row.import_code,
    limitation: accessLimitationSchema.parse(row.limitation),
    timeZone: row.time_zone,
    justification: row.justification,
    vendors,
    devices,
    grants: grants.map((grant) => ({
      label: credentialLabel(grant),
      startSession: grant.start_session,
      viewPassword: grant.view_password,
    })),
    approvalDeadline: row.approval_deadline,
    viewerMayDecide,
    groups: tallyDecision(groups, responses).groups.map(({ name, required, approvals, rejections }) => ({
      name,
      required,
      approvals,
      rejections,
    })),
    decisions: responses.map(decisionOf),
    exclusions,
    progress: await provisioningProgress(deps.db, row.id),
    accessStatuses: Object.fromEntries(statuses.map((entry) => [entry.status, entry.count])),
    activated: statuses.reduce((sum, entry) => sum + entry.activated, 0),
    cancellation: row.status === 'cancelled' ? await findCancellationOf(deps.db, row.id, null) : null,
  };
}

async function accessDetail(deps: StatusDeps, code: string, allowed: Allowed): Promise<AccessDetail | undefined> {
  const row = await findAccessForStatus(deps.db, code);
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
    cancellation: row.status === 'cancelled' ? await findCancellationOf(deps.db, row.request_id, row.id) : null,
  };
}
