// What the users of a request's accesses are told of their end by email (README "Importing users" → Lifecycle,
// and `/domum extend`): the warning a day before it, and the notice that it moved after they were told of it.
// Which accesses are still to be told, and what became of each email.
import { sql } from 'kysely';
import type { Executor } from '../schema.ts';

export interface AccessToTellOfEnd {
  id: number;
  /** The end this access's user was last told of, when it is no longer its end: they are told it moved. */
  movedFrom: Date | null;
}

/**
 * Up to `limit` accesses of a request, in id order, in force past `now`, whose user got the link email and whose
 * warning the mail server never refused for good, and that are either:
 * - told of an end that is no longer theirs (the end moved since): to be told the new one, or
 * - never warned, ending by `horizon`, and lasting longer than `minimumDurationMs`: the warning a day before.
 */
export async function listAccessesToTellOfEnd(
  db: Executor,
  due: { requestId: number; now: Date; horizon: Date; minimumDurationMs: number; limit: number },
): Promise<AccessToTellOfEnd[]> {
  const { rows } = await sql<{ id: number; moved_from: Date | null }>`
    select id, case when end_warned_for is not null and end_warned_for <> ends_at then end_warned_for end as moved_from
      from accesses
     where request_id = ${due.requestId}
       and status in ('scheduled', 'active')
       and ends_at > ${due.now}
       and link_email_sent_at is not null
       and end_warning_error is null
       and ((end_warned_for is not null and end_warned_for <> ends_at)
            or (end_warning_sent_at is null and ends_at <= ${due.horizon}
                and ends_at - starts_at > ${`${due.minimumDurationMs} milliseconds`}::interval))
     order by id
     limit ${due.limit}`.execute(db);
  return rows.map((row) => ({ id: row.id, movedFrom: row.moved_from ? new Date(row.moved_from) : null }));
}

/**
 * The mail server took an email telling this access's user that it ends at `toldEnd`. `warned`: it was (or, for
 * a notice that the end moved, it counts as) the warning a day before that end, so no other follows for it.
 */
export async function markEndToldOf(
  db: Executor,
  accessId: number,
  told: { toldEnd: Date; warned: boolean; now: Date },
): Promise<void> {
  await db
    .updateTable('accesses')
    .set({ end_warned_for: told.toldEnd, end_warning_sent_at: told.warned ? told.now : null, updated_at: told.now })
    .where('id', '=', accessId)
    .execute();
}

/** The mail server refused the warning for good: kept with its reply, and not sent again. */
export async function markEndWarningRefused(db: Executor, accessId: number, reply: string, now: Date): Promise<void> {
  await db
    .updateTable('accesses')
    .set({ end_warning_error: reply, updated_at: now })
    .where('id', '=', accessId)
    .execute();
}
