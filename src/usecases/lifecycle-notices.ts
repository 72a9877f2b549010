// What people are told of an access's life after provisioning: after `/domum cancel`, the reply in the
// request's thread, the card updated (its buttons gone, its status Cancelled) and the requester's DM when
// someone else cancelled; a day before a request's accesses end, the requester's reminder. Each message is
// posted once: what was posted is recorded before moving on, so a job that runs again skips it.
import { findCancellation, markCancellationAnnounced, markRequesterNotified } from '../db/repos/access-repo.ts';
import { updateRequest } from '../db/repos/request-repo.ts';
import type { Db } from '../db/schema.ts';
import { requestThread } from '../domain/request-thread.ts';
import { endReminderFor } from './access-lifecycle.ts';
import type { CancellationInWords, Notifier } from './notifier.ts';
import { buildRequestCard } from './request-notices.ts';

export interface LifecycleNoticeDeps {
  db: Db;
  notifier: Notifier;
  now: () => Date;
}

export async function announceCancellation(deps: LifecycleNoticeDeps, cancellationId: number): Promise<void> {
  const row = await findCancellation(deps.db, cancellationId);
  if (!row) return;
  const words: CancellationInWords = {
    cancelledBy: row.cancelled_by,
    reason: row.reason,
    accessCount: row.access_count,
    previousStatus: row.previous_status,
    requestCode: row.request_code,
    fileName: row.file_name,
    ...(row.access_id !== null
      ? { access: { code: row.access_code ?? '', userName: row.user_name ?? '', vendorName: row.vendor_name ?? '' } }
      : {}),
  };
  const thread = row.card_ts ? requestThread(row) : undefined;
  if (row.card_channel_id && row.card_ts && thread) {
    if (row.access_id === null) {
      // The card says Cancelled, and loses Approve and Reject if it still had them.
      const built = await buildRequestCard(deps.db, row.request_id);
      if (built) await deps.notifier.updateRequestCard({ channel: row.card_channel_id, ts: row.card_ts }, built.card);
    }
    if (!row.announced_ts) {
      const posted = await deps.notifier.postCancellationReply(thread, words);
      await markCancellationAnnounced(deps.db, row.id, posted.ts);
    }
  }
  if (row.cancelled_by !== row.requester_user_id && !row.requester_notified_at) {
    await deps.notifier.tellCancellation(row.requester_user_id, words);
    await markRequesterNotified(deps.db, row.id, deps.now());
  }
  // The requester knows (they cancelled, or were just told): no other job tells them of this change again.
  if (row.access_id === null)
    await updateRequest(deps.db, row.request_id, { notified_status: 'cancelled' }, deps.now());
}

export async function remindAccessesEnd(deps: LifecycleNoticeDeps, requestId: number): Promise<void> {
  const now = deps.now();
  const reminder = await endReminderFor(deps.db, requestId, now);
  if (!reminder) return;
  const posted = await deps.notifier.tellAccessesEnd(reminder.requesterUserId, { ...reminder, now });
  await updateRequest(deps.db, requestId, { end_reminder_ts: posted.ts }, now);
}
