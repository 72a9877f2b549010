// The access lifecycle (README, "Importing users" → Lifecycle; issue 8): accesses move scheduled → active →
// finished at their instants, and the requester is reminded once, a day before a request's accesses end (and
// each of their users is told by email). Run by
// the `access.lifecycle` job every minute, with the app's clock (deps.now). Safe to run twice or at the same
// time in two processes: rows are claimed with FOR UPDATE SKIP LOCKED and every update re-checks the status it
// moves from, so an access moves once and is audited once; a missed minute is caught up by the next tick.
// Cancelled and error accesses are never touched.
import { finishEndedAccesses, startDueAccesses, summariseAccessesInForce } from '../db/repos/access-repo.ts';
import { recordAuditEvents } from '../db/repos/audit-repo.ts';
import { findRequestForCard, lockRequestsDueEndReminder, markEndReminded } from '../db/repos/request-repo.ts';
import type { Db } from '../db/schema.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import { accessEndNoticesQueue, remindAccessesEndQueue } from '../jobs/queues.ts';

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
  let moved = 0;
  for (;;) {
    const count =
      step === 'finish'
        ? await finishEndedAccesses(db, now, LIFECYCLE_BATCH)
        : await startDueAccesses(db, now, LIFECYCLE_BATCH);
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
      const rows = await lockRequestsDueEndReminder(trx, {
        now,
        horizon,
        minimumDurationMs: END_REMINDER_NOTICE_MS,
        limit: REMINDER_BATCH,
      });
      for (const request of rows) {
        await markEndReminded(trx, request.id, now);
        await deps.jobs.enqueue(
          trx,
          remindAccessesEndQueue,
          { requestId: request.id },
          { singletonKey: `end-reminder-${request.id}` },
        );
        // And each of their users gets one email (src/usecases/access-end-warnings.ts).
        await deps.jobs.enqueue(
          trx,
          accessEndNoticesQueue,
          { requestId: request.id },
          { singletonKey: `end-notices-${request.id}` },
        );
      }
      await recordAuditEvents(
        trx,
        rows.map((request) => ({
          actor: 'domum',
          action: 'request.end_reminded',
          target: request.code,
          details: { at: now.toISOString() },
        })),
      );
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
  const request = await findRequestForCard(db, requestId);
  if (!request || request.end_reminder_ts) return undefined;
  const inForce = await summariseAccessesInForce(db, requestId, now);
  if (inForce.count === 0 || !inForce.firstEnd) return undefined;
  return {
    requestCode: request.code,
    requesterUserId: request.requester_user_id,
    fileName: request.file_name,
    timeZone: request.time_zone,
    count: inForce.count,
    endsAt: inForce.firstEnd,
  };
}
