// request.provision (accesses, then one access.emails job per chunk) and access.emails (the two emails per
// access, progress in the thread, and the summary when the last chunk finishes).
import type { AppDeps } from '../slack/deps.ts';
import { publishProgress, publishProvisioningSummary } from '../slack/provisioning-publisher.ts';
import { completeProvisioning, sendAccessEmails, startProvisioning } from '../usecases/provision-request.ts';
import type { JobHandler } from './job-queue.ts';

export function provisionRequestJob(deps: AppDeps): JobHandler<{ requestId: number }> {
  return async ({ requestId }, context) => {
    const outcome = await startProvisioning(deps, requestId);
    context.logger.info('provisioning', { requestId, outcome });
    if (outcome !== 'started') return;
    await publishProgress(deps, requestId, { force: true });
    // A request whose import created no active user has nothing to send: it completes at once.
    if (await completeProvisioning(deps.db, requestId)) await publishProvisioningSummary(deps, requestId);
  };
}

export function sendAccessEmailsJob(deps: AppDeps): JobHandler<{ requestId: number; accessIds: number[] }> {
  return async ({ requestId, accessIds }, context) => {
    const result = await sendAccessEmails(
      {
        db: deps.db,
        mailer: deps.mailer,
        now: deps.now,
        secretKey: deps.config.secretKey ?? '',
        publicBaseUrl: deps.config.publicBaseUrl,
        tokenTtlMinutes: deps.config.tokenTtlMinutes,
      },
      accessIds,
    );
    context.logger.info('access emails', { requestId, ...result });
    await completeProvisioning(deps.db, requestId);
    await publishProgress(deps, requestId);
    await publishProvisioningSummary(deps, requestId);
  };
}
