// Accesses (one per new active user of an approved request) and what happens to them: their emails and tokens,
// their first access, their schedule, their cancellations. Functions take the executor (the database or a
// transaction) first.
import { sql } from 'kysely';
import type { Transaction } from 'kysely';
import type { AccessLimitation } from '../../domain/access-limitation.ts';
import type { AccessStatus, DatabaseSchema, Executor, FirstAccessState } from '../schema.ts';
import type { AccessGrantSnapshot } from './request-repo.ts';

/** Whether a request has lines a retry can fix: accesses whose emails the mail server refused. */
export async function hasRetryableAccesses(db: Executor, requestId: number): Promise<boolean> {
  const row = await db
    .selectFrom('accesses')
    .select('id')
    .where('request_id', '=', requestId)
    .where('email_error', 'is not', null)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** A cancellation with what its announcement says and where: the request's thread, the access's user. */
export async function findCancellation(db: Executor, cancellationId: number) {
  return db
    .selectFrom('cancellations as c')
    .innerJoin('access_requests as r', 'r.id', 'c.request_id')
    .innerJoin('imports as i', 'i.id', 'r.import_id')
    .leftJoin('accesses as a', 'a.id', 'c.access_id')
    .leftJoin('third_party_users as u', 'u.id', 'a.user_id')
    .leftJoin('vendors as v', 'v.id', 'u.vendor_id')
    .select([
      'c.id',
      'c.request_id',
      'c.access_id',
      'c.cancelled_by',
      'c.reason',
      'c.previous_status',
      'c.access_count',
      'c.announced_ts',
      'c.requester_notified_at',
      'r.code as request_code',
      'r.requester_user_id',
      'r.channel_id',
      'r.thread_ts',
      'r.card_channel_id',
      'r.card_ts',
      'i.file_name',
      'a.code as access_code',
      'u.name as user_name',
      'v.name as vendor_name',
    ])
    .where('c.id', '=', cancellationId)
    .executeTakeFirst();
}

export async function markCancellationAnnounced(db: Executor, cancellationId: number, ts: string): Promise<void> {
  await db.updateTable('cancellations').set({ announced_ts: ts }).where('id', '=', cancellationId).execute();
}

export async function markRequesterNotified(db: Executor, cancellationId: number, now: Date): Promise<void> {
  await db.updateTable('cancellations').set({ requester_notified_at: now }).where('id', '=', cancellationId).execute();
}

/** Accesses (`a`) with their user (`u`) and the user's vendor (`v`). */
function accessesWithUser(db: Executor) {
  return db
    .selectFrom('accesses as a')
    .innerJoin('third_party_users as u', 'u.id', 'a.user_id')
    .innerJoin('vendors as v', 'v.id', 'u.vendor_id');
}

/** Link ids are 22 characters; anything longer is cut before the lookup (and then not found). */
const MAX_LINK_ID_LENGTH = 64;

/** An access as the landing page and a token resend see it: with its user's name and email, and its vendor. */
export interface AccessForPage {
  id: number;
  code: string;
  userName: string;
  email: string;
  vendorName: string;
  linkId: string;
  status: AccessStatus;
  firstAccessState: FirstAccessState;
  startsAt: Date;
  endsAt: Date;
  timeZone: string;
  /** The request's requester (a Slack user id) and justification: what the emails say about who asked and why. */
  requesterUserId: string;
  justification: string;
  grants: unknown;
  limitation: unknown;
  tokenHash: string | null;
  tokenExpiresAt: Date | null;
  tokenEmailSentAt: Date | null;
  failedTokenAttempts: number;
}

/**
 * One query whatever the link: a malformed or unknown id is looked up like any other (and not found), so its
 * answer takes the same time. `forUpdate` locks the access row (only it, not the user or vendor).
 */
export async function findAccessByLink(
  db: Executor,
  linkId: string,
  options: { forUpdate?: boolean } = {},
): Promise<AccessForPage | undefined> {
  let query = accessesWithUser(db)
    .innerJoin('access_requests as r', 'r.id', 'a.request_id')
    .select([
      'r.requester_user_id',
      'r.justification',
      'a.id',
      'a.code',
      'u.name',
      'u.email',
      'v.name as vendor_name',
      'a.link_id',
      'a.status',
      'a.first_access_state',
      'a.starts_at',
      'a.ends_at',
      'a.time_zone',
      'a.grants',
      'a.limitation',
      'a.token_hash',
      'a.token_expires_at',
      'a.token_email_sent_at',
      'a.failed_token_attempts',
    ])
    .where('a.link_id', '=', linkId.slice(0, MAX_LINK_ID_LENGTH));
  if (options.forUpdate) query = query.forUpdate('a');
  const row = await query.executeTakeFirst();
  if (!row) return undefined;
  return {
    id: row.id,
    code: row.code,
    userName: row.name,
    email: row.email,
    vendorName: row.vendor_name,
    linkId: row.link_id,
    status: row.status,
    firstAccessState: row.first_access_state,
    startsAt: row.starts_at,
    endsAt: row.ends_at,
    timeZone: row.time_zone,
    requesterUserId: row.requester_user_id,
    justification: row.justification,
    grants: row.grants,
    limitation: row.limitation,
    tokenHash: row.token_hash,
    tokenExpiresAt: row.token_expires_at,
    tokenEmailSentAt: row.token_email_sent_at,
    failedTokenAttempts: row.failed_token_attempts,
  };
}

/** An access's id, request and link id by its code (`EXT-…`). */
export async function findAccessByCode(
  db: Executor,
  code: string,
): Promise<{ id: number; requestId: number; linkId: string } | undefined> {
  const row = await db
    .selectFrom('accesses')
    .select(['id', 'request_id', 'link_id'])
    .where('code', '=', code)
    .executeTakeFirst();
  return row ? { id: row.id, requestId: row.request_id, linkId: row.link_id } : undefined;
}

export async function findAccessStatus(db: Executor, accessId: number): Promise<AccessStatus | undefined> {
  const row = await db.selectFrom('accesses').select('status').where('id', '=', accessId).executeTakeFirst();
  return row?.status;
}

/** How many accesses a request has, or how many of them are in one of `statuses`. */
export async function countAccessesOfRequest(
  db: Executor,
  requestId: number,
  statuses?: readonly AccessStatus[],
): Promise<number> {
  const row = await db
    .selectFrom('accesses')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('request_id', '=', requestId)
    .$if(statuses !== undefined, (query) => query.where('status', 'in', [...(statuses ?? [])]))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** What one access's row holds for a new batch of them (see insertAccessesSkippingExisting). */
export interface NewAccesses {
  requestId: number;
  startsAt: Date;
  endsAt: Date;
  timeZone: string;
  grants: readonly AccessGrantSnapshot[];
  limitation: AccessLimitation;
  status: AccessStatus;
}

/**
 * One access per user, with its link id; a user who already has one for the request is skipped (the
 * (request, user) unique constraint), so a chunk that runs again creates nothing new. Returns how many it
 * created.
 */
export async function insertAccessesSkippingExisting(
  db: Executor,
  accesses: NewAccesses,
  users: ReadonlyArray<{ userId: number; linkId: string }>,
): Promise<number> {
  const userIds = users.map((user) => user.userId);
  const linkIds = users.map((user) => user.linkId);
  const { rows } = await sql<{ id: number }>`
    insert into accesses (user_id, request_id, starts_at, ends_at, time_zone, grants, limitation, status, link_id)
    select user_id, ${accesses.requestId}, ${accesses.startsAt}, ${accesses.endsAt}, ${accesses.timeZone},
           ${JSON.stringify(accesses.grants)}::jsonb, ${JSON.stringify(accesses.limitation)}::jsonb,
           ${accesses.status}, link_id
      from unnest(${userIds}::int[], ${linkIds}::text[]) as t(user_id, link_id)
    on conflict (request_id, user_id) do nothing
    returning id`.execute(db);
  return rows.length;
}

/** The ids of a request's accesses, in creation order. */
export async function listAccessIdsOfRequest(db: Executor, requestId: number): Promise<number[]> {
  const rows = await db.selectFrom('accesses').select('id').where('request_id', '=', requestId).orderBy('id').execute();
  return rows.map((row) => row.id);
}

/** An access with what its two emails say and where they go, and how far they got. */
export interface AccessToEmail {
  id: number;
  code: string;
  linkId: string;
  timeZone: string;
  startsAt: Date;
  endsAt: Date;
  requesterUserId: string;
  justification: string;
  status: AccessStatus;
  linkEmailSentAt: Date | null;
  tokenEmailSentAt: Date | null;
  emailError: string | null;
  userId: number;
  userName: string;
  email: string;
  vendorName: string;
  importId: number;
}

/** The accesses of one email chunk, in id order. */
export async function listAccessesToEmail(db: Executor, accessIds: readonly number[]): Promise<AccessToEmail[]> {
  const rows = await accessesWithUser(db)
    .innerJoin('access_requests as r', 'r.id', 'a.request_id')
    .select([
      'a.id',
      'a.code',
      'a.link_id',
      'a.time_zone',
      'a.starts_at',
      'a.ends_at',
      'r.requester_user_id',
      'r.justification',
      'a.status',
      'a.link_email_sent_at',
      'a.token_email_sent_at',
      'a.email_error',
      'u.name',
      'u.email',
      'u.id as user_id',
      'v.name as vendor_name',
      'r.import_id',
    ])
    .where('a.id', 'in', accessIds.length ? [...accessIds] : [0])
    .orderBy('a.id')
    .execute();
  return rows.map((row) => ({
    id: row.id,
    code: row.code,
    linkId: row.link_id,
    timeZone: row.time_zone,
    startsAt: row.starts_at,
    endsAt: row.ends_at,
    requesterUserId: row.requester_user_id,
    justification: row.justification,
    status: row.status,
    linkEmailSentAt: row.link_email_sent_at,
    tokenEmailSentAt: row.token_email_sent_at,
    emailError: row.email_error,
    userId: row.user_id,
    userName: row.name,
    email: row.email,
    vendorName: row.vendor_name,
    importId: row.import_id,
  }));
}

/** A one-time token as it is stored: only its hash, and when it stops working. */
export interface StoredToken {
  hash: string;
  expiresAt: Date;
}

/** A new token's columns; it starts with no wrong attempts (which also unlocks a locked access). */
function tokenColumns(token: StoredToken) {
  return { token_hash: token.hash, token_expires_at: token.expiresAt, failed_token_attempts: 0 };
}

/** The link email left; `newToken`, the token its token email will carry, is stored with that record. */
export async function markLinkEmailSent(
  db: Executor,
  accessId: number,
  now: Date,
  newToken?: StoredToken,
): Promise<void> {
  await db
    .updateTable('accesses')
    .set({ link_email_sent_at: now, ...(newToken ? tokenColumns(newToken) : {}), updated_at: now })
    .where('id', '=', accessId)
    .execute();
}

export async function storeAccessToken(db: Executor, accessId: number, token: StoredToken, now: Date): Promise<void> {
  await db
    .updateTable('accesses')
    .set({ ...tokenColumns(token), updated_at: now })
    .where('id', '=', accessId)
    .execute();
}

export async function markTokenEmailSent(db: Executor, accessId: number, now: Date): Promise<void> {
  await db
    .updateTable('accesses')
    .set({ token_email_sent_at: now, updated_at: now })
    .where('id', '=', accessId)
    .execute();
}

/** One email the mail server accepted: its access, which of the two, when, and the token a link email stores. */
export interface SentEmailRecord {
  accessId: number;
  kind: 'link' | 'token';
  at: Date;
  /** With a link email: the token its access's token email will carry (see markLinkEmailSent). */
  newToken?: StoredToken | undefined;
}

/**
 * Several emails recorded as sent in one statement (a group commit: src/usecases/email-lanes.ts), which also
 * reads which of `watched` have been cancelled meanwhile, so the lanes stop sending to them. At most one
 * record per access: each lane records an email before its access's next one leaves.
 */
export async function recordSentEmails(
  db: Executor,
  records: readonly SentEmailRecord[],
  watched: readonly number[],
): Promise<number[]> {
  const ids = records.map((record) => record.accessId);
  const iso = (date: Date | undefined) => date?.toISOString() ?? null;
  const linkAt = records.map((record) => (record.kind === 'link' ? iso(record.at) : null));
  const tokenAt = records.map((record) => (record.kind === 'token' ? iso(record.at) : null));
  const tokenHash = records.map((record) => record.newToken?.hash ?? null);
  const tokenExpiresAt = records.map((record) => iso(record.newToken?.expiresAt));
  const at = records.map((record) => iso(record.at));
  // The update is a data-modifying WITH: PostgreSQL runs it whether or not the final select reads it. The
  // `a.id = any(…)` lets the planner reach the rows by primary key: joined with the unnest alone, it may choose
  // to scan the whole table, which holds every access ever made.
  const { rows: cancelled } = await sql<{ id: number }>`
    with sent as (
      select * from unnest(${ids}::integer[], ${linkAt}::timestamptz[], ${tokenAt}::timestamptz[],
                           ${tokenHash}::text[], ${tokenExpiresAt}::timestamptz[], ${at}::timestamptz[])
        as s(id, link_at, token_at, token_hash, token_expires_at, at)
    ), written as (
      update accesses a set
        link_email_sent_at = coalesce(s.link_at, a.link_email_sent_at),
        token_email_sent_at = coalesce(s.token_at, a.token_email_sent_at),
        token_hash = coalesce(s.token_hash, a.token_hash),
        token_expires_at = coalesce(s.token_expires_at, a.token_expires_at),
        failed_token_attempts = case when s.token_hash is null then a.failed_token_attempts else 0 end,
        updated_at = s.at
      from sent s
      where a.id = s.id and a.id = any(${ids}::integer[])
      returning a.id
    )
    select id from accesses where id = any(${[...watched]}::integer[]) and status = 'cancelled'
  `.execute(db);
  return cancelled.map((row) => Number(row.id));
}

/** The mail server refused the access's email for good: the access is in error, with the server's reply. */
export async function markAccessEmailRefused(db: Executor, accessId: number, reply: string, now: Date): Promise<void> {
  await db
    .updateTable('accesses')
    .set({ email_error: reply, status: 'error', updated_at: now })
    .where('id', '=', accessId)
    .execute();
}

/**
 * How far a request's emails are, counted by the database: every email job asks when it ends, and reading a
 * 45,000-access request's rows each time (225 jobs) cost more CPU than sending its emails.
 */
export async function countEmailProgress(
  db: Executor,
  requestId: number,
): Promise<{ total: number; done: number; emailsSent: number; errors: number }> {
  const { rows } = await sql<{ total: number; done: number; emails_sent: number; errors: number }>`
    select count(*)::int as total,
           -- A cancelled access gets no (more) email: it counts as done, so progress reaches its end.
           count(*) filter (where status = 'cancelled' or coalesce(email_error, '') <> ''
                              or (link_email_sent_at is not null and token_email_sent_at is not null))::int as done,
           (count(link_email_sent_at) + count(token_email_sent_at))::int as emails_sent,
           count(*) filter (where coalesce(email_error, '') <> '')::int as errors
      from accesses where request_id = ${requestId}`.execute(db);
  const { total = 0, done = 0, emails_sent: emailsSent = 0, errors = 0 } = rows[0] ?? {};
  return { total, done, emailsSent, errors };
}

/** A request's accesses in error because the mail server refused their email, in id order. */
export async function listAccessesRefusedByMail(
  db: Executor,
  requestId: number,
): Promise<Array<{ id: number; userId: number; startsAt: Date }>> {
  const rows = await db
    .selectFrom('accesses')
    .select(['id', 'user_id', 'starts_at'])
    .where('request_id', '=', requestId)
    .where('email_error', 'is not', null)
    .where('status', '=', 'error')
    .orderBy('id')
    .execute();
  return rows.map((row) => ({ id: row.id, userId: row.user_id, startsAt: row.starts_at }));
}

/** An access refused by the mail server goes back to `status`, without its error, for its emails to be sent. */
export async function clearAccessEmailError(
  db: Executor,
  accessId: number,
  status: 'scheduled' | 'active',
  now: Date,
): Promise<void> {
  await db
    .updateTable('accesses')
    .set({ email_error: null, status, updated_at: now })
    .where('id', '=', accessId)
    .execute();
}

/**
 * The new token replaces the old one at once, and a locked access (five wrong tokens) unlocks. Still only
 * while the first access is open: a user who activated meanwhile keeps their activated access as it is.
 */
export async function replaceTokenOfOpenAccess(
  db: Executor,
  accessId: number,
  token: StoredToken,
  now: Date,
): Promise<void> {
  await db
    .updateTable('accesses')
    .set({ ...tokenColumns(token), updated_at: now })
    .where('id', '=', accessId)
    .where('first_access_state', '=', 'link_sent')
    .where('status', 'in', ['scheduled', 'active'])
    .execute();
}

/** A correct token was entered: the first access is activated and the token forgotten. */
export async function markFirstAccessActivated(db: Executor, accessId: number, now: Date): Promise<void> {
  await db
    .updateTable('accesses')
    .set({
      first_access_state: 'activated',
      activated_at: now,
      token_hash: null,
      token_expires_at: null,
      updated_at: now,
    })
    .where('id', '=', accessId)
    .execute();
}

export async function setFailedTokenAttempts(db: Executor, accessId: number, attempts: number): Promise<void> {
  await db.updateTable('accesses').set({ failed_token_attempts: attempts }).where('id', '=', accessId).execute();
}

/** An access with what cancelling it shows: its user and vendor. `forUpdate` locks the access row only. */
export async function findAccessForCancellation(
  db: Executor,
  accessId: number,
  options: { forUpdate?: boolean } = {},
): Promise<{ id: number; code: string; status: AccessStatus; userName: string; vendorName: string }> {
  const row = await accessesWithUser(db)
    .select(['a.id', 'a.code', 'a.status', 'u.name as user_name', 'v.name as vendor_name'])
    .where('a.id', '=', accessId)
    .$if(options.forUpdate === true, (query) => query.forUpdate('a'))
    .executeTakeFirstOrThrow();
  return { id: row.id, code: row.code, status: row.status, userName: row.user_name, vendorName: row.vendor_name };
}

/**
 * Every access of the request not yet finished or cancelled (OPEN_ACCESS_STATUSES in
 * usecases/cancel-accesses.ts) becomes cancelled: its link stops working (the landing page refuses a cancelled
 * access) and its token is forgotten. One audit event per access, written by
 * the same statement, so a batch of 50,000 costs one round trip. Returns how many were cancelled.
 */
export async function cancelOpenAccesses(
  trx: Transaction<DatabaseSchema>,
  input: { requestId: number; actor: string; now: Date; details: Record<string, unknown> },
): Promise<number> {
  const { rows } = await sql<{ count: number }>`
    with cancelled as (
      update accesses
         set status = 'cancelled', cancelled_at = ${input.now}, token_hash = null, token_expires_at = null, updated_at = now()
       where request_id = ${input.requestId} and status in ('scheduled', 'active', 'error')
       returning code),
    audited as (
      insert into audit_events (actor, action, target, details)
      select ${input.actor}, 'access.cancelled', code, ${JSON.stringify(input.details)}::jsonb from cancelled
      returning 1)
    select count(*)::int as count from audited`.execute(trx);
  return rows[0]?.count ?? 0;
}

/** One access becomes cancelled: its link stops working and its token is forgotten. */
export async function cancelAccess(db: Executor, accessId: number, now: Date): Promise<void> {
  await db
    .updateTable('accesses')
    .set({
      status: 'cancelled',
      cancelled_at: now,
      token_hash: null,
      token_expires_at: null,
      updated_at: now,
    })
    .where('id', '=', accessId)
    .execute();
}

/** Records a `/domum cancel` (accessId null: the whole request). Returns the cancellation's id. */
export async function insertCancellation(
  db: Executor,
  cancellation: {
    requestId: number;
    accessId: number | null;
    cancelledBy: string;
    reason: string;
    previousStatus: string;
    accessCount: number;
  },
): Promise<number> {
  const row = await db
    .insertInto('cancellations')
    .values({
      request_id: cancellation.requestId,
      access_id: cancellation.accessId,
      cancelled_by: cancellation.cancelledBy,
      reason: cancellation.reason,
      previous_status: cancellation.previousStatus,
      access_count: cancellation.accessCount,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/**
 * Accesses whose end has passed become finished, `limit` at a time (rows another process holds are skipped),
 * each with its audit event written by the same statement. An access whose end has passed finishes even if
 * its start was never seen (a tick missed for long, or a start and end inside one minute); its token is
 * forgotten, as the link no longer leads anywhere. Returns how many it moved.
 */
export async function finishEndedAccesses(db: Executor, now: Date, limit: number): Promise<number> {
  const { rows } = await sql<{ count: number }>`
    with moved as (
      update accesses set status = 'finished', token_hash = null, token_expires_at = null, updated_at = now()
       where id in (select id from accesses
                     where status in ('scheduled', 'active') and ends_at <= ${now}
                     order by id limit ${limit} for update skip locked)
         and status in ('scheduled', 'active')
       returning code),
    audited as (
      insert into audit_events (actor, action, target, details)
      select 'domum', 'access.finished', code, ${lifecycleDetails(now)}::jsonb from moved
      returning 1)
    select count(*)::int as count from audited`.execute(db);
  return rows[0]?.count ?? 0;
}

/** Scheduled accesses whose start has come become active, like finishEndedAccesses. */
export async function startDueAccesses(db: Executor, now: Date, limit: number): Promise<number> {
  const { rows } = await sql<{ count: number }>`
    with moved as (
      update accesses set status = 'active', updated_at = now()
       where id in (select id from accesses
                     where status = 'scheduled' and starts_at <= ${now} and ends_at > ${now}
                     order by id limit ${limit} for update skip locked)
         and status = 'scheduled'
       returning code),
    audited as (
      insert into audit_events (actor, action, target, details)
      select 'domum', 'access.started', code, ${lifecycleDetails(now)}::jsonb from moved
      returning 1)
    select count(*)::int as count from audited`.execute(db);
  return rows[0]?.count ?? 0;
}

function lifecycleDetails(now: Date): string {
  return JSON.stringify({ at: now.toISOString() });
}

/** How many of a request's accesses are still in force after `now`, and the first instant one of them ends. */
export async function summariseAccessesInForce(
  db: Executor,
  requestId: number,
  now: Date,
): Promise<{ count: number; firstEnd: Date | null }> {
  const row = await db
    .selectFrom('accesses')
    .select((eb) => [eb.fn.countAll<string>().as('count'), eb.fn.min('ends_at').as('ends_at')])
    .where('request_id', '=', requestId)
    .where('status', 'in', ['scheduled', 'active'])
    .where('ends_at', '>', now)
    .executeTakeFirstOrThrow();
  return { count: Number(row.count), firstEnd: row.ends_at ? new Date(row.ends_at) : null };
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
