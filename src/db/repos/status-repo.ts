// What `/domum status`, the App Home and `domum status` read: imports and requests with their progress, the
// catalog's size, an access with its user, cancellations. Functions take the executor first.
import { sql } from 'kysely';
import type { AccessStatus, Executor } from '../schema.ts';

function importsQuery(db: Executor) {
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

export type ImportStatusRow = Awaited<ReturnType<ReturnType<typeof importsQuery>['executeTakeFirstOrThrow']>>;

function requestsQuery(db: Executor) {
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
      // Users the request is to give access to: an excluded one ("Approve except…") is not.
      sql<number>`(SELECT count(*) FROM import_lines l WHERE l.import_id = i.id AND coalesce(l.outcome, l.predicted_outcome) = 'created' AND NOT EXISTS (SELECT 1 FROM excluded_users x WHERE x.request_id = r.id AND x.line_number = l.line_number))`.as(
        'users_to_access',
      ),
    ]);
}

export type RequestStatusRow = Awaited<ReturnType<ReturnType<typeof requestsQuery>['executeTakeFirstOrThrow']>>;

export interface CatalogCounts {
  vendors: number;
  accessGroups: number;
  devices: number;
  credentials: number;
  users: number;
  reasons: number;
}

export async function catalogCounts(db: Executor): Promise<CatalogCounts> {
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

/** The cancellation of one access, or of its whole request (`accessId` null: the request's own). */
export async function findCancellationOf(
  db: Executor,
  requestId: number,
  accessId: number | null,
): Promise<{ by: string; at: Date; reason: string } | null> {
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

/** How many of a request's accesses are in each status, and how many of those are activated. */
export async function countAccessesByStatus(
  db: Executor,
  requestId: number,
): Promise<Array<{ status: AccessStatus; count: number; activated: number }>> {
  const rows = await db
    .selectFrom('accesses')
    .select([
      'status',
      (eb) => eb.fn.countAll<number>().as('count'),
      sql<number>`count(*) FILTER (WHERE first_access_state = 'activated')`.as('activated'),
    ])
    .where('request_id', '=', requestId)
    .groupBy('status')
    .execute();
  return rows.map((row) => ({ status: row.status, count: Number(row.count), activated: Number(row.activated) }));
}

/** An access with its user, vendor and request, as its detail shows it. */
export async function findAccessForStatus(db: Executor, code: string) {
  return db
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
}

/** An importer's imports (not the command line's), newest first. */
export function listImportRowsOf(db: Executor, importerUserId: string, limit: number): Promise<ImportStatusRow[]> {
  return importsQuery(db)
    .where('i.importer_user_id', '=', importerUserId)
    .where('i.source', '<>', 'cli')
    .orderBy('i.created_at', 'desc')
    .orderBy('i.id', 'desc')
    .limit(limit)
    .execute();
}

/** A requester's requests, newest first. */
export function listRequestRowsOf(db: Executor, requesterUserId: string, limit: number): Promise<RequestStatusRow[]> {
  return requestsQuery(db)
    .where('r.requester_user_id', '=', requesterUserId)
    .orderBy('r.created_at', 'desc')
    .orderBy('r.id', 'desc')
    .limit(limit)
    .execute();
}

/** Everyone's latest imports. */
export function listLatestImportRows(db: Executor, limit: number): Promise<ImportStatusRow[]> {
  return importsQuery(db).orderBy('i.created_at', 'desc').orderBy('i.id', 'desc').limit(limit).execute();
}

/** Requests awaiting approval that this user did not make, oldest first. */
export function listPendingRequestRowsNotOf(db: Executor, userId: string, limit: number): Promise<RequestStatusRow[]> {
  return requestsQuery(db)
    .where('r.status', '=', 'awaiting_approval')
    .where('r.requester_user_id', '<>', userId)
    .orderBy('r.created_at', 'asc')
    .orderBy('r.id', 'asc')
    .limit(limit)
    .execute();
}

/** One import by its code, with its counts, failure and request. */
export function findImportDetailRow(db: Executor, code: string) {
  return importsQuery(db)
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
}

/** One request by its code, with its limitation, time zone and import's code. */
export function findRequestDetailRow(db: Executor, code: string) {
  return requestsQuery(db)
    .select(['r.limitation', 'r.time_zone', 'i.code as import_code', 'r.justification', 'r.approval_deadline'])
    .where('r.code', '=', code)
    .executeTakeFirst();
}
