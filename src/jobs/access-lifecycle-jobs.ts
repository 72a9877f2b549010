// access.lifecycle (every minute, a pg-boss schedule): accesses start and finish at their instants, and the
// requests whose accesses end within a day get request.end-reminder, the requester's one DM, and
// access.end-warnings, one email to each of their users.
import type { AppDeps } from '../app-deps.ts';
import { remindAccessesEnd } from '../usecases/lifecycle-notices.ts';
import { advanceAccessLifecycle } from '../usecases/access-lifecycle.ts';
import { warnAccessesEnding } from '../usecases/access-end-warnings.ts';
import type { JobHandler } from './job-queue.ts';

/** Every minute, in UTC: an access starts or ends at most a minute late (the wizard's instants are quarter hours). */
export const ACCESS_LIFECYCLE_CRON = '* * * * *';

export function accessLifecycleJob(deps: AppDeps): JobHandler<Record<string, never>> {
  return async (_payload, context) => {
    const outcome = await advanceAccessLifecycle(deps);
    if (outcome.started + outcome.finished + outcome.reminders > 0)
      context.logger.info('access lifecycle', { ...outcome });
  };
}

export function remindAccessesEndJob(deps: AppDeps): JobHandler<{ requestId: number }> {
  return async ({ requestId }) => {
    await remindAccessesEnd(deps, requestId);
  };
}

export function warnAccessesEndingJob(deps: AppDeps): JobHandler<{ requestId: number; afterId: number }> {
  return async (chunk, context) => {
    const outcome = await warnAccessesEnding(
      {
        db: deps.db,
        jobs: deps.jobs,
        mailer: deps.mailer,
        now: deps.now,
        describeRequester: deps.describeRequester,
        supportContact: deps.config.supportContact,
      },
      chunk,
      context.signal,
    );
    if (outcome.sent + outcome.refused > 0)
      context.logger.info('accesses told they end', { accessRequestId: chunk.requestId, ...outcome });
  };
}
