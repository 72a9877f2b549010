// Table types for Kysely, mirroring migrations/. Columns the database fills in are `Generated<>`.
import type { ColumnType, Generated, Insertable, Kysely, Selectable, Transaction, Updateable } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type JsonValue = ColumnType<unknown, string, string>;
// Dates are kept as ISO strings (YYYY-MM-DD): a DATE has no time zone, and turning it into a JS Date at local
// midnight would shift it by a day for half the world.
type DateString = ColumnType<string, string, string>;

export type RoleName = 'admin' | 'importer' | 'requester';

export interface RoleAssignmentsTable {
  slack_user_id: string;
  role: RoleName;
}

export interface AccessGroupsTable {
  id: Generated<number>;
  name: string;
  approver_user_ids: ColumnType<string[], string[] | undefined, string[]>;
  approver_usergroup_id: string | null;
  approvals_required: Generated<number>;
  rejections_to_cancel: Generated<number>;
  governance_required: Generated<boolean>;
  created_at: Generated<Date>;
  updated_at: Timestamp;
}

export interface VendorsTable {
  id: Generated<number>;
  name: string;
  access_group_id: number;
  enabled: Generated<boolean>;
  contract_start: DateString;
  contract_end: ColumnType<string | null, string | null | undefined, string | null>;
  email_domains: string[] | null;
  created_at: Generated<Date>;
  updated_at: Timestamp;
}

export interface ReasonsTable {
  id: Generated<number>;
  name: string;
  enabled: Generated<boolean>;
}

export interface DevicesTable {
  id: Generated<number>;
  external_id: string;
  name: string;
  product: Generated<string>;
  device_type: Generated<string>;
  site: Generated<string>;
  domain: Generated<string>;
  updated_at: Timestamp;
}

export interface CredentialsTable {
  id: Generated<number>;
  external_id: string;
  device_id: number;
  credential_type: Generated<string>;
  username: string;
  domain: Generated<string>;
  updated_at: Timestamp;
}

export type ImportSource = 'modal' | 'upload' | 'cli';
export type ImportStatus = 'validating' | 'ready' | 'importing' | 'done' | 'failed' | 'cancelled';

export interface ImportsTable {
  id: Generated<number>;
  code: Generated<string>;
  file_name: string;
  file_hash: string | null;
  slack_file_id: string | null;
  importer_user_id: string;
  source: Generated<ImportSource>;
  locale: string | null;
  auto_access: Generated<boolean>;
  sheet_name: string | null;
  headers: ColumnType<string[], string | undefined, string>;
  unknown_columns: ColumnType<string[], string[] | undefined, string[]>;
  view_id: string | null;
  preview_ts: string | null;
  summary_ts: string | null;
  status: Generated<ImportStatus>;
  failure_reason: string | null;
  channel_id: string | null;
  thread_ts: string | null;
  line_count: Generated<number>;
  created_count: Generated<number>;
  created_inactive_count: Generated<number>;
  existing_count: Generated<number>;
  error_count: Generated<number>;
  created_at: Generated<Date>;
  updated_at: Timestamp;
  finished_at: Date | null;
}

export interface ThirdPartyUsersTable {
  id: Generated<number>;
  vendor_id: number;
  name: string;
  email: string;
  phone: string | null;
  document: string | null;
  enabled: boolean;
  import_id: number | null;
  created_at: Generated<Date>;
}

export type LineOutcome = 'created' | 'created_inactive' | 'existing' | 'error';
/**
 * What a line's `outcome` column can hold: what the import did with it, or `excluded` (0010) when an approver left
 * its user out of the request ("Approve except…") and provisioning gave that user no access.
 */
export type StoredLineOutcome = LineOutcome | 'excluded';
export interface LineError {
  column: string;
  value: string;
  message: string;
}

export interface ImportLinesTable {
  import_id: number;
  line_number: number;
  raw: JsonValue;
  predicted_outcome: LineOutcome;
  outcome: StoredLineOutcome | null;
  errors: ColumnType<LineError[], string | undefined, string>;
  user_id: number | null;
  /** The vendor of the user the line creates, from the dry run (0005); null for existing and error lines. */
  vendor_id: number | null;
}

export type RequestStatus =
  | 'awaiting_approval'
  | 'approved'
  | 'processing'
  | 'completed'
  | 'completed_with_errors'
  | 'rejected'
  | 'expired'
  | 'cancelled';

export interface AccessRequestsTable {
  id: Generated<number>;
  code: Generated<string>;
  import_id: number;
  requester_user_id: string;
  justification: string;
  reason_id: number;
  governance_code: string | null;
  limitation: JsonValue;
  time_zone: string;
  status: Generated<RequestStatus>;
  channel_id: string | null;
  thread_ts: string | null;
  card_channel_id: string | null;
  card_ts: string | null;
  notified_status: RequestStatus | null;
  reminded_at: Date | null;
  progress_ts: string | null;
  progress_updated_at: Date | null;
  summary_ts: string | null;
  created_at: Generated<Date>;
  updated_at: Timestamp;
  decided_at: Date | null;
  /** Set by the lifecycle tick when the "your accesses end tomorrow" DM was decided (0003). */
  end_reminded_at: Date | null;
  /** That DM, once posted. */
  end_reminder_ts: string | null;
  /** The job that moved the request to completed*: the one that posts the summary (0005). */
  finished_by_job: string | null;
  /** The summary (its ts) whose results spreadsheet was uploaded (0005). */
  results_posted_for: string | null;
  /** When an undecided request expires (0008); null for requests made before it. */
  approval_deadline: Date | null;
  /** When the approval was announced and provisioning let go, so "Processing" follows the approval reply (0008). */
  provisioning_released_at: Date | null;
}

/** The direct message each approver got when the request's card was posted (0008). */
export interface ApproverNoticesTable {
  request_id: number;
  user_id: string;
  channel_id: string;
  ts: string;
  sent_at: Date;
}

/**
 * A user an approver left out of a request with "Approve except…" (0010), by the import line that brings the user
 * in (the user may not exist yet when the approver decides). Two approvers may exclude the same line.
 */
export interface ExcludedUsersTable {
  request_id: number;
  line_number: number;
  excluded_by: string;
  reason: string;
  created_at: Generated<Date>;
}

/** The access groups that decide a request, fixed when it is created (0005). */
export interface AccessRequestGroupsTable {
  request_id: number;
  access_group_id: number;
}

export interface RequestDraftsTable {
  id: Generated<string>;
  import_id: number;
  requester_user_id: string;
  time_zone: string;
  data: ColumnType<unknown, string | undefined, string>;
  created_at: Generated<Date>;
  updated_at: Timestamp;
  expires_at: Date;
}

export interface AccessRequestDevicesTable {
  request_id: number;
  device_id: number;
}

export interface AccessRequestGrantsTable {
  request_id: number;
  credential_id: number;
  start_session: boolean;
  view_password: boolean;
}

export type AccessStatus = 'scheduled' | 'active' | 'finished' | 'cancelled' | 'error';
export type FirstAccessState = 'link_sent' | 'activated';

export interface AccessesTable {
  id: Generated<number>;
  code: Generated<string>;
  user_id: number;
  request_id: number;
  starts_at: Date;
  ends_at: Date;
  time_zone: string;
  grants: JsonValue;
  limitation: JsonValue;
  status: AccessStatus;
  first_access_state: Generated<FirstAccessState>;
  link_id: string;
  token_hash: string | null;
  token_expires_at: Date | null;
  failed_token_attempts: Generated<number>;
  sessions_used: Generated<number>;
  activated_at: Date | null;
  cancelled_at: Date | null;
  link_email_sent_at: Date | null;
  token_email_sent_at: Date | null;
  email_error: string | null;
  /** The email a day before the end: when the mail server took it, or its reply when it refused it for good. */
  end_warning_sent_at: Date | null;
  end_warning_error: string | null;
  /** The end the user was last told of by email: told again, once, when the end moves (0011). */
  end_warned_for: Date | null;
  created_at: Generated<Date>;
  updated_at: Timestamp;
}

export interface ApprovalResponsesTable {
  id: Generated<number>;
  request_id: number;
  access_group_id: number;
  approver_user_id: string;
  decision: 'approve' | 'reject';
  comment: string | null;
  announced_ts: string | null;
  created_at: Generated<Date>;
}

export interface AuditEventsTable {
  id: Generated<string>;
  actor: string;
  action: string;
  target: string | null;
  details: ColumnType<unknown, string | undefined, never>;
  created_at: Generated<Date>;
}

export interface TokenResendsTable {
  id: Generated<string>;
  access_id: number;
  /** 'third-party' (the landing page) or the admin's Slack user id. */
  requested_by: string;
  with_link: Generated<boolean>;
  created_at: Timestamp;
  sent_at: Date | null;
  error: string | null;
  /** The access.new-token job that made it (0004); null for an admin's resend from Slack. */
  job_id: string | null;
}

/** A "Send me a new token" press the page took, by link id as typed, known or not (0007). */
export interface NewTokenPressesTable {
  link_id: string;
  pressed_at: Date;
}

/** One `/domum cancel` (0003): a whole request (access_id null) or one access. */
export interface CancellationsTable {
  id: Generated<number>;
  request_id: number;
  access_id: number | null;
  cancelled_by: string;
  reason: string;
  previous_status: string;
  access_count: number;
  announced_ts: string | null;
  requester_notified_at: Date | null;
  created_at: Generated<Date>;
}

export type ExtensionStatus = 'awaiting_approval' | 'approved' | 'applied' | 'rejected' | 'expired' | 'cancelled';

/** One `/domum extend` (0011): a new end for every access in force of a request. */
export interface RequestExtensionsTable {
  id: Generated<number>;
  request_id: number;
  requested_by: string;
  reason: string;
  previous_end: Date;
  new_end: Date;
  status: ExtensionStatus;
  needs_approval: boolean;
  approval_deadline: Date | null;
  access_count: number | null;
  card_channel_id: string | null;
  card_ts: string | null;
  outcome_ts: string | null;
  asker_notified_at: Date | null;
  requester_notified_at: Date | null;
  created_at: Generated<Date>;
  decided_at: Date | null;
  applied_at: Date | null;
  updated_at: Timestamp;
}

/** An approver's decision on an extension (0011). */
export interface ExtensionResponsesTable {
  id: Generated<number>;
  extension_id: number;
  access_group_id: number;
  approver_user_id: string;
  decision: 'approve' | 'reject';
  comment: string | null;
  announced_ts: string | null;
  created_at: Generated<Date>;
}

export interface DatabaseSchema {
  role_assignments: RoleAssignmentsTable;
  access_groups: AccessGroupsTable;
  vendors: VendorsTable;
  reasons: ReasonsTable;
  devices: DevicesTable;
  credentials: CredentialsTable;
  imports: ImportsTable;
  third_party_users: ThirdPartyUsersTable;
  import_lines: ImportLinesTable;
  access_requests: AccessRequestsTable;
  request_drafts: RequestDraftsTable;
  access_request_devices: AccessRequestDevicesTable;
  access_request_grants: AccessRequestGrantsTable;
  access_request_groups: AccessRequestGroupsTable;
  accesses: AccessesTable;
  approval_responses: ApprovalResponsesTable;
  audit_events: AuditEventsTable;
  token_resends: TokenResendsTable;
  cancellations: CancellationsTable;
  new_token_presses: NewTokenPressesTable;
  approver_notices: ApproverNoticesTable;
  request_extensions: RequestExtensionsTable;
  extension_responses: ExtensionResponsesTable;
  excluded_users: ExcludedUsersTable;
}

/** The database or a transaction: repository functions take either, as their first argument. */
export type Executor = Kysely<DatabaseSchema> | Transaction<DatabaseSchema>;
export type Db = Kysely<DatabaseSchema>;

export type Vendor = Selectable<VendorsTable>;
export type AccessGroup = Selectable<AccessGroupsTable>;
export type Device = Selectable<DevicesTable>;
export type Credential = Selectable<CredentialsTable>;
export type Import = Selectable<ImportsTable>;
export type AccessRequest = Selectable<AccessRequestsTable>;
export type Access = Selectable<AccessesTable>;
export type NewImport = Insertable<ImportsTable>;
export type ImportUpdate = Updateable<ImportsTable>;
