// Accesses (one per new active user of an approved request) and what happens to them: their emails, their
// cancellations. Functions take the executor (the database or a transaction) first.
import type { Executor } from '../schema.ts';

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
