// access.lifecycle (every minute, a pg-boss schedule): accesses start and finish at their instants, and the
// requests whose accesses end within a day get request.end-reminder, the requester's one DM, and
// access.end-notices, one email to each of their users (and, after an extension, the new end to those told the old).
import type { AppDeps } from '../app-deps.ts';
import { remindAccessesEnd } from '../usecases/lifecycle-notices.ts';
import { advanceAccessLifecycle } from '../usecases/access-lifecycle.ts';
import { requestEndNotices, tellAccessesOfTheirEnd } from '../usecases/access-end-warnings.ts';
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

export function tellAccessesOfTheirEndJob(deps: AppDeps): JobHandler<{ requestId: number }> {
  return async ({ requestId }, context) => {
    const outcome = await tellAccessesOfTheirEnd(
      {
        db: deps.db,
        jobs: deps.jobs,
        mailer: deps.mailer,
        now: deps.now,
        describeRequester: deps.describeRequester,
        supportContact: deps.config.supportContact,
      },
      requestId,
      context.signal,
    );
    if (outcome.sent + outcome.moved + outcome.refused > 0)
      context.logger.info('accesses told of their end', { accessRequestId: requestId, ...outcome });
  };
}

/** A job an older version queued on access.end-warnings: handed to access.end-notices, which does its work. */
export function handOverEndWarningsJob(deps: AppDeps): JobHandler<{ requestId: number; afterId: number }> {
  return async ({ requestId }) => {
    await requestEndNotices(deps, requestId);
  };
}
