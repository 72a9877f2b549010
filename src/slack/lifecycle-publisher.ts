// What the jobs of issue 8 post: after `/domum cancel`, the reply in the request's thread, the card updated
// (its buttons gone, its status Cancelled) and the requester's DM when someone else cancelled; a day before a
// request's accesses end, the requester's reminder. Each message is posted once: what was posted is recorded
// before moving on, so a job that runs again skips it.
import { endReminderFor, markEndReminderPosted } from '../usecases/access-lifecycle.ts';
import { cancellationDmText, cancellationReplyText, endReminderText } from './blocks/cancel-blocks.ts';
import type { CancellationInWords } from './blocks/cancel-blocks.ts';
import type { AppDeps } from '../app-deps.ts';
import { buildCardFor } from './request-publisher.ts';
import { openDirectMessage } from './slack-files.ts';

type PublishDeps = Pick<AppDeps, 'db' | 'slack'>;

export async function announceCancellation(deps: PublishDeps, cancellationId: number): Promise<void> {
  const row = await findCancellation(deps, cancellationId);
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
  if (row.card_channel_id && row.card_ts) await announceOnCard(deps, row, row.card_channel_id, row.card_ts, words);
  if (row.cancelled_by !== row.requester_user_id && !row.requester_notified_at) {
    const dm = await openDirectMessage(deps.slack, row.requester_user_id);
    await deps.slack.chat.postMessage({ channel: dm, text: cancellationDmText(words) });
    await deps.db
      .updateTable('cancellations')
      .set({ requester_notified_at: new Date() })
      .where('id', '=', row.id)
      .execute();
  }
  // The requester knows (they cancelled, or were just told): no other job tells them of this change again.
  if (row.access_id === null)
    await deps.db
      .updateTable('access_requests')
      .set({ notified_status: 'cancelled', updated_at: new Date() })
      .where('id', '=', row.request_id)
      .execute();
}

function findCancellation(deps: PublishDeps, cancellationId: number) {
  return deps.db
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

type Cancellation = NonNullable<Awaited<ReturnType<typeof findCancellation>>>;

/** A whole request's card says Cancelled; the reply goes in the card's thread once (announced_ts). */
async function announceOnCard(
  deps: PublishDeps,
  row: Cancellation,
  cardChannelId: string,
  cardTs: string,
  words: CancellationInWords,
): Promise<void> {
  if (row.access_id === null) {
    // The card says Cancelled, and loses Approve and Reject if it still had them.
    const built = await buildCardFor(deps, row.request_id);
    if (built) await deps.slack.chat.update({ channel: cardChannelId, ts: cardTs, ...built.card });
  }
  if (row.announced_ts) return;
  const threadTs = cardChannelId === row.channel_id && row.thread_ts ? row.thread_ts : cardTs;
  const posted = await deps.slack.chat.postMessage({
    channel: cardChannelId,
    thread_ts: threadTs,
    text: cancellationReplyText(words),
  });
  await deps.db
    .updateTable('cancellations')
    .set({ announced_ts: posted.ts ?? 'posted' })
    .where('id', '=', row.id)
    .execute();
}

export async function remindAccessesEnd(deps: Pick<AppDeps, 'db' | 'slack' | 'now'>, requestId: number): Promise<void> {
  const now = deps.now();
  const reminder = await endReminderFor(deps.db, requestId, now);
  if (!reminder) return;
  const dm = await openDirectMessage(deps.slack, reminder.requesterUserId);
  const posted = await deps.slack.chat.postMessage({ channel: dm, text: endReminderText({ ...reminder, now }) });
  await markEndReminderPosted(deps.db, requestId, posted.ts ?? 'posted');
}
