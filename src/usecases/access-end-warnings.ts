// A day before an access ends, its user gets one email saying when, and whom to ask for more time (README
// "Importing users" → Lifecycle); when the end moves after that (`/domum extend`), they get one email saying the
// new end, at once, and the warning a day before the new end if that is more than a day away. The lifecycle tick
// that claims a request's end reminder queues `access.end-notices` for it, and so does an applied extension; each
// run sends a chunk, recording every email right after the mail server took it (or refused it for good), then
// queues the next run. A run that repeats sends only what was not recorded: at most the one email in flight when
// it stopped. The queue runs one job per request at a time, so two runs never send the same email.
import { listAccessesToTellOfEnd, markEndToldOf, markEndWarningRefused } from '../db/repos/end-warning-repo.ts';
import { listAccessesToEmail } from '../db/repos/access-repo.ts';
import type { Db } from '../db/schema.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import { accessEndNoticesQueue } from '../jobs/queues.ts';
import type { Mailer } from '../mail/mailer.ts';
import { PermanentMailError } from '../mail/mailer.ts';
import { accessEndingMail, accessEndMovedMail } from '../mail/templates.ts';
import { accessMailContext } from './access-emails.ts';
import type { AccessMailSources } from './access-emails.ts';
import { END_REMINDER_NOTICE_MS } from './access-lifecycle.ts';
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
  /** Warnings a day before the end. */
  sent: number;
  /** Notices that the end moved. */
  moved: number;
  refused: number;
  /** Whether another run was queued for what this one had no room for. */
  more: boolean;
}

/** The key of an email: its Message-ID and outbox file, one per access, kind and end. */
function mailKey(code: string, kind: 'end-warning' | 'end-moved', endsAt: Date): string {
  return `${code}:${kind}:${Math.floor(endsAt.getTime() / 1000)}`;
}

export async function tellAccessesOfTheirEnd(
  deps: EndWarningDeps,
  requestId: number,
  signal: AbortSignal | undefined,
): Promise<EndWarningOutcome> {
  const now = deps.now();
  const horizon = new Date(now.getTime() + END_REMINDER_NOTICE_MS);
  const due = await listAccessesToTellOfEnd(deps.db, {
    requestId,
    now,
    horizon,
    minimumDurationMs: END_REMINDER_NOTICE_MS,
    limit: END_WARNING_CHUNK,
  });
  const movedFrom = new Map(due.map((access) => [access.id, access.movedFrom]));
  const outcome: EndWarningOutcome = { sent: 0, moved: 0, refused: 0, more: false };
  for (const access of await listAccessesToEmail(
    deps.db,
    due.map((entry) => entry.id),
  )) {
    const context = await accessMailContext(deps, access);
    const mail = {
      ...context,
      to: access.email,
      userName: access.userName,
      vendorName: access.vendorName,
      accessCode: access.code,
      endsAt: access.endsAt,
      timeZone: access.timeZone,
    };
    const previousEnd = movedFrom.get(access.id) ?? null;
    const content = previousEnd ? accessEndMovedMail({ ...mail, previousEnd }) : accessEndingMail(mail);
    const key = mailKey(access.code, previousEnd ? 'end-moved' : 'end-warning', access.endsAt);
    // A run that lost its job must not send as well.
    if (signal?.aborted) throw new JobNoLongerHeldError();
    try {
      await deps.mailer.send({ to: access.email, ...content, idempotencyKey: key });
    } catch (error) {
      // A temporary refusal or an unreachable server fails the run: the job is retried with backoff.
      if (!(error instanceof PermanentMailError)) throw error;
      await markEndWarningRefused(deps.db, access.id, error.reply, deps.now());
      outcome.refused += 1;
      continue;
    }
    // A notice of a new end that comes within the day is that end's warning; a later one gets its own.
    const warned = previousEnd === null || access.endsAt <= horizon;
    await markEndToldOf(deps.db, access.id, { toldEnd: access.endsAt, warned, now: deps.now() });
    if (previousEnd) outcome.moved += 1;
    else outcome.sent += 1;
  }
  if (due.length === END_WARNING_CHUNK) {
    outcome.more = true;
    await requestEndNotices(deps, requestId);
  }
  return outcome;
}

/** Queues the request's end notices: at most one run waits, and it picks up whatever the running one leaves. */
export async function requestEndNotices(deps: { db: Db; jobs: JobQueue }, requestId: number): Promise<void> {
  await deps.db
    .transaction()
    .execute((trx) =>
      deps.jobs.enqueue(trx, accessEndNoticesQueue, { requestId }, { singletonKey: `end-notices-${requestId}` }),
    );
}
