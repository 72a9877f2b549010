// New tokens sent after the first one (token_resends): one row per attempt, reserved before its email leaves,
// with when the mail server took it or why not. Functions take the executor first.
import type { Executor } from '../schema.ts';

/** The attempts a job (access.new-token) made for an access, in any of its runs. */
export async function listResendsOfJob(
  db: Executor,
  accessId: number,
  jobId: string,
): Promise<Array<{ id: string; sentAt: Date | null; error: string | null }>> {
  const rows = await db
    .selectFrom('token_resends')
    .select(['id', 'sent_at', 'error'])
    .where('access_id', '=', accessId)
    .where('job_id', '=', jobId)
    .execute();
  return rows.map((row) => ({ id: row.id, sentAt: row.sent_at, error: row.error }));
}

/** An access's attempts made after `since`, oldest first, with the error of those that failed. */
export async function listResendAttemptsSince(
  db: Executor,
  accessId: number,
  since: Date,
): Promise<Array<{ createdAt: Date; error: string | null }>> {
  const rows = await db
    .selectFrom('token_resends')
    .select(['created_at', 'error'])
    .where('access_id', '=', accessId)
    .where('created_at', '>', since)
    .orderBy('created_at')
    .execute();
  return rows.map((row) => ({ createdAt: row.created_at, error: row.error }));
}

/** Reserves an attempt. Returns its id. */
export async function insertResend(
  db: Executor,
  resend: { accessId: number; requestedBy: string; withLink: boolean; jobId: string | null },
  now: Date,
): Promise<string> {
  const row = await db
    .insertInto('token_resends')
    .values({
      access_id: resend.accessId,
      requested_by: resend.requestedBy,
      with_link: resend.withLink,
      created_at: now,
      job_id: resend.jobId,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** These attempts failed, for `error` (none: nothing is written). */
export async function recordResendError(db: Executor, resendIds: readonly string[], error: string): Promise<void> {
  if (resendIds.length === 0) return;
  await db
    .updateTable('token_resends')
    .set({ error })
    .where('id', 'in', [...resendIds])
    .execute();
}

/** The mail server took the attempt's email. False when the attempt was meanwhile given an error instead. */
export async function markResendSent(db: Executor, resendId: string, now: Date): Promise<boolean> {
  const recorded = await db
    .updateTable('token_resends')
    .set({ sent_at: now })
    .where('id', '=', resendId)
    .where('error', 'is', null)
    .executeTakeFirst();
  return recorded.numUpdatedRows > 0n;
}
