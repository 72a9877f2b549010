// A day before an access ends, its user gets one email saying when, and whom to ask for more time (README
// "Importing users" → Lifecycle). The lifecycle tick that claims a request's end reminder also queues
// `access.end-warnings` for it; each run sends a chunk, recording every email right after the mail server took
// it (or refused it for good), then queues the next chunk. A run that repeats sends only what was not recorded:
// at most the one email in flight when it stopped.
import { listAccessIdsToWarnOfEnd, markEndWarningRefused, markEndWarningSent } from '../db/repos/end-warning-repo.ts';
import { listAccessesToEmail } from '../db/repos/access-repo.ts';
import type { Db } from '../db/schema.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import { accessEndWarningsQueue } from '../jobs/queues.ts';
import type { Mailer } from '../mail/mailer.ts';
import { PermanentMailError } from '../mail/mailer.ts';
import { accessEndingMail } from '../mail/templates.ts';
import { accessMailContext } from './access-emails.ts';
import type { AccessMailSources } from './access-emails.ts';
import { JobNoLongerHeldError } from './provision-request.ts';

/** Emails per job run: a big batch is told in several short jobs, never one that outlives its expiry. */
export const END_WARNING_CHUNK = 200;

export interface EndWarningDeps extends AccessMailSources {
  db: Db;
  jobs: JobQueue;
  mailer: Mailer;
  now: () => Date;
}

export interface EndWarningOutcome {
  sent: number;
  refused: number;
  /** Where the next chunk starts, when this one was full. */
  nextAfterId: number | undefined;
}

export async function warnAccessesEnding(
  deps: EndWarningDeps,
  chunk: { requestId: number; afterId: number },
  signal: AbortSignal | undefined,
): Promise<EndWarningOutcome> {
  const ids = await listAccessIdsToWarnOfEnd(deps.db, { ...chunk, now: deps.now(), limit: END_WARNING_CHUNK });
  let sent = 0;
  let refused = 0;
  for (const access of await listAccessesToEmail(deps.db, ids)) {
    const context = await accessMailContext(deps, access);
    const content = accessEndingMail({
      ...context,
      to: access.email,
      userName: access.userName,
      vendorName: access.vendorName,
      accessCode: access.code,
      endsAt: access.endsAt,
      timeZone: access.timeZone,
    });
    // A run that lost its job must not send as well.
    if (signal?.aborted) throw new JobNoLongerHeldError();
    try {
      await deps.mailer.send({ to: access.email, ...content, idempotencyKey: `${access.code}:end-warning` });
    } catch (error) {
      // A temporary refusal or an unreachable server fails the run: the job is retried with backoff.
      if (!(error instanceof PermanentMailError)) throw error;
      await markEndWarningRefused(deps.db, access.id, error.reply, deps.now());
      refused += 1;
      continue;
    }
    await markEndWarningSent(deps.db, access.id, deps.now());
    sent += 1;
  }
  const last = ids.at(-1);
  const nextAfterId = ids.length === END_WARNING_CHUNK && last !== undefined ? last : undefined;
  if (nextAfterId !== undefined)
    await deps.db
      .transaction()
      .execute((trx) =>
        deps.jobs.enqueue(
          trx,
          accessEndWarningsQueue,
          { requestId: chunk.requestId, afterId: nextAfterId },
          { singletonKey: `end-warnings-${chunk.requestId}-${nextAfterId}` },
        ),
      );
  return { sent, refused, nextAfterId };
}
