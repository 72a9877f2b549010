// The access lifecycle (SPEC §2, issue 8): accesses move scheduled → active → finished at their instants, and
// the requester is reminded once, a day before a request's accesses end. Run by the `access.lifecycle` job every
// minute, with the app's clock (deps.now). Safe to run twice or at the same time in two processes: rows are
// claimed with FOR UPDATE SKIP LOCKED and every update re-checks the status it moves from, so an access moves
// once and is audited once; a missed minute is caught up by the next tick. Cancelled and error accesses are
// never touched.
import { sql } from 'kysely';
import type { Db } from '../db/schema.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import { remindAccessesEndQueue } from '../jobs/queues.ts';

/** Accesses moved per statement: a 50,000-user batch that starts at one instant takes a few short statements. */
export const LIFECYCLE_BATCH = 2_000;
/** How long before the end the requester is reminded; accesses that last no longer than this get no reminder. */
export const END_REMINDER_NOTICE_MS = 24 * 3600 * 1000;
const REMINDER_BATCH = 500;

export interface LifecycleDeps {
  db: Db;
  jobs: JobQueue;
  now: () => Date;
}

export interface LifecycleOutcome {
  started: number;
  finished: number;
  reminders: number;
}

async function moveAccesses(db: Db, step: 'finish' | 'start', now: Date): Promise<number> {
  const details = JSON.stringify({ at: now.toISOString() });
  let moved = 0;
  for (;;) {
    // An access whose end has passed finishes even if its start was never seen (a tick missed for long, or a
    // start and end inside one minute); its token is forgotten, as the link no longer leads anywhere.
    const { rows } =
      step === 'finish'
        ? await sql<{ count: number }>`
            with moved as (
              update accesses set status = 'finished', token_hash = null, token_expires_at = null, updated_at = now()
               where id in (select id from accesses
                             where status in ('scheduled', 'active') and ends_at <= ${now}
                             order by id limit ${LIFECYCLE_BATCH} for update skip locked)
                 and status in ('scheduled', 'active')
               returning code),
            audited as (
              insert into audit_events (actor, action, target, details)
              select 'domum', 'access.finished', code, ${details}::jsonb from moved
              returning 1)
            select count(*)::int as count from audited`.execute(db)
        : await sql<{ count: number }>`
            with moved as (
              update accesses set status = 'active', updated_at = now()
               where id in (select id from accesses
                             where status = 'scheduled' and starts_at <= ${now} and ends_at > ${now}
                             order by id limit ${LIFECYCLE_BATCH} for update skip locked)
                 and status = 'scheduled'
               returning code),
            audited as (
              insert into audit_events (actor, action, target, details)
              select 'domum', 'access.started', code, ${details}::jsonb from moved
              returning 1)
            select count(*)::int as count from audited`.execute(db);
    const count = rows[0]?.count ?? 0;
    moved += count;
    if (count < LIFECYCLE_BATCH) return moved;
  }
}

/**
 * Requests with accesses in force that end within a day (and that last longer than a day) get their reminder
 * job, once: end_reminded_at is set in the same transaction that enqueues it.
 */
async function claimEndReminders(deps: LifecycleDeps, now: Date): Promise<number> {
  const horizon = new Date(now.getTime() + END_REMINDER_NOTICE_MS);
  let claimed = 0;
  for (;;) {
    const count = await deps.db.transaction().execute(async (trx) => {
      const { rows } = await sql<{ id: number; code: string }>`
        select r.id, r.code from access_requests r
         where r.end_reminded_at is null
           and exists (select 1 from accesses a
                        where a.request_id = r.id and a.status in ('scheduled', 'active')
                          and a.ends_at > ${now} and a.ends_at <= ${horizon}
                          and a.ends_at - a.starts_at > ${`${END_REMINDER_NOTICE_MS} milliseconds`}::interval)
         order by r.id limit ${REMINDER_BATCH}
         for update of r skip locked`.execute(trx);
      for (const request of rows) {
        await trx
          .updateTable('access_requests')
          .set({ end_reminded_at: now, updated_at: now })
          .where('id', '=', request.id)
          .where('end_reminded_at', 'is', null)
          .execute();
        await deps.jobs.enqueue(
          trx,
          remindAccessesEndQueue,
          { requestId: request.id },
          { singletonKey: `end-reminder-${request.id}` },
        );
      }
      if (rows.length > 0) {
        await trx
          .insertInto('audit_events')
          .values(
            rows.map((request) => ({
              actor: 'domum',
              action: 'request.end_reminded',
              target: request.code,
              details: JSON.stringify({ at: now.toISOString() }),
            })),
          )
          .execute();
      }
      return rows.length;
    });
    claimed += count;
    if (count < REMINDER_BATCH) return claimed;
  }
}

export async function advanceAccessLifecycle(deps: LifecycleDeps): Promise<LifecycleOutcome> {
  const now = deps.now();
  const finished = await moveAccesses(deps.db, 'finish', now);
  const started = await moveAccesses(deps.db, 'start', now);
  const reminders = await claimEndReminders(deps, now);
  return { started, finished, reminders };
}

export interface EndReminder {
  requestCode: string;
  requesterUserId: string;
  fileName: string;
  timeZone: string;
  count: number;
  endsAt: Date;
}

/**
 * What the reminder says, or undefined when there is nothing to say any more: already posted, or the accesses
 * were cancelled or ended since the tick claimed it.
 */
export async function endReminderFor(db: Db, requestId: number, now: Date): Promise<EndReminder | undefined> {
  const request = await db
    .selectFrom('access_requests as r')
    .innerJoin('imports as i', 'i.id', 'r.import_id')
    .select(['r.code', 'r.requester_user_id', 'r.time_zone', 'r.end_reminder_ts', 'i.file_name'])
    .where('r.id', '=', requestId)
    .executeTakeFirst();
  if (!request || request.end_reminder_ts) return undefined;
  const open = await db
    .selectFrom('accesses')
    .select((eb) => [eb.fn.countAll<string>().as('count'), eb.fn.min('ends_at').as('ends_at')])
    .where('request_id', '=', requestId)
    .where('status', 'in', ['scheduled', 'active'])
    .where('ends_at', '>', now)
    .executeTakeFirstOrThrow();
  const count = Number(open.count);
  if (count === 0 || !open.ends_at) return undefined;
  return {
    requestCode: request.code,
    requesterUserId: request.requester_user_id,
    fileName: request.file_name,
    timeZone: request.time_zone,
    count,
    endsAt: new Date(open.ends_at),
  };
}

export async function markEndReminderPosted(db: Db, requestId: number, ts: string, now: Date): Promise<void> {
  await db
    .updateTable('access_requests')
    .set({ end_reminder_ts: ts, updated_at: now })
    .where('id', '=', requestId)
    .execute();
}
