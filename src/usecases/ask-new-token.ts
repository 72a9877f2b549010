// "Send me a new token" as the landing page takes it (README "Importing users" → "Send me a new token"). The
// page must not reveal whether a link exists, yet a press refused by the rate limit should say so and when to
// try again. So the page never looks the link up: it counts presses per link id as typed in the URL, in
// new_token_presses, with the same limits as the access's own (one a minute, five in 24 hours), and an unknown
// id is counted exactly like a known one. The same statements run for every id, and the answer depends only on
// the presses of that id. An accepted press queues the access.new-token job, which looks the link up and applies
// the access's limits again (they also count the admin resends from Slack): that job's outcome is never shown.
import { forgetPressesBefore, insertPress, listPressesSince, lockPressesOf } from '../db/repos/new-token-press-repo.ts';
import type { Db } from '../db/schema.ts';
import { RESEND_WINDOW_MS, resendLimitReached } from '../domain/token-resend-limits.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import { sendNewTokenQueue } from '../jobs/queues.ts';

export type NewTokenPress = { accepted: true } | { accepted: false; limit: 'minute' | 'day'; retryAt: Date };

export async function askForNewToken(
  deps: { db: Db; jobs: Pick<JobQueue, 'enqueue'>; now: () => Date },
  linkId: string,
): Promise<NewTokenPress> {
  return deps.db.transaction().execute(async (trx): Promise<NewTokenPress> => {
    await lockPressesOf(trx, linkId);
    const now = deps.now();
    const windowStart = new Date(now.getTime() - RESEND_WINDOW_MS);
    await forgetPressesBefore(trx, windowStart);
    const presses = await listPressesSince(trx, linkId, windowStart);
    const limited = resendLimitReached(
      presses.map((createdAt) => ({ createdAt, error: null })),
      now,
    );
    // Presses are never failed attempts, so the ten-attempts limit cannot be the one reached here.
    if (limited && limited.limit !== 'attempts')
      return { accepted: false, limit: limited.limit, retryAt: limited.retryAt };
    await insertPress(trx, linkId, now);
    // One job per link at most, waiting or running (the queue's policy).
    await deps.jobs.enqueue(trx, sendNewTokenQueue, { linkId }, { singletonKey: linkId });
    return { accepted: true };
  });
}
