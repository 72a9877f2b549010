// The email a day before an access ends (README "Importing users" → Lifecycle): which accesses of a request are
// still to be told, and what became of each email.
import type { Executor } from '../schema.ts';

/**
 * Up to `limit` accesses of a request, after `afterId` in id order, that are in force past `now`, whose user
 * got the link email, and that have not been warned yet (nor refused for good by the mail server).
 */
export async function listAccessIdsToWarnOfEnd(
  db: Executor,
  due: { requestId: number; afterId: number; now: Date; limit: number },
): Promise<number[]> {
  const rows = await db
    .selectFrom('accesses')
    .select('id')
    .where('request_id', '=', due.requestId)
    .where('id', '>', due.afterId)
    .where('status', 'in', ['scheduled', 'active'])
    .where('ends_at', '>', due.now)
    .where('link_email_sent_at', 'is not', null)
    .where('end_warning_sent_at', 'is', null)
    .where('end_warning_error', 'is', null)
    .orderBy('id')
    .limit(due.limit)
    .execute();
  return rows.map((row) => row.id);
}

/** The mail server took the warning of one access. */
export async function markEndWarningSent(db: Executor, accessId: number, now: Date): Promise<void> {
  await db
    .updateTable('accesses')
    .set({ end_warning_sent_at: now, updated_at: now })
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
