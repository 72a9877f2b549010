// request.provision (accesses, the progress message, then one access.emails job per chunk) and access.emails
// (the two emails per access, progress in the thread, and the summary from the job that finished the request).
// Both may run again after a crash or a lost database connection: every step below is safe to repeat.
import { accessMailDeps } from '../app-deps.ts';
import type { AppDeps } from '../app-deps.ts';
import { publishProgress, publishProvisioningSummary } from '../usecases/provisioning-notices.ts';
import {
  completeProvisioning,
  isFinisher,
  prepareProvisioning,
  sendAccessEmails,
  startProvisioning,
} from '../usecases/provision-request.ts';
import { refreshRequestCard } from '../usecases/request-notices.ts';
import type { JobContext, JobHandler } from './job-queue.ts';

export function provisionRequestJob(deps: AppDeps): JobHandler<{ requestId: number }> {
  return async ({ requestId }, context) => {
    const prepared = await prepareProvisioning(deps, requestId);
    context.logger.info('provisioning', { accessRequestId: requestId, outcome: prepared });
    if (prepared !== 'ready') return;
    // The "Processing" message goes up before any email job exists, so only this job ever posts it; the
    // email jobs edit it in place.
    await publishProgress(deps, requestId, { force: true });
    if (await startProvisioning(deps, requestId))
      context.logger.info('provisioning started', { accessRequestId: requestId });
    // The card's status word says Processing (again, if this job runs twice: it draws what is stored).
    await refreshRequestCard(deps, requestId);
    // A request whose import created no active user has nothing to send: it completes at once.
    await finishIfDone(deps, requestId, context);
  };
}

export function sendAccessEmailsJob(deps: AppDeps): JobHandler<{ requestId: number; accessIds: number[] }> {
  return async ({ requestId, accessIds }, context) => {
    const result = await sendAccessEmails(accessMailDeps(deps), accessIds, context.signal);
    context.logger.info('access emails', { accessRequestId: requestId, ...result });
    await publishProgress(deps, requestId);
    await finishIfDone(deps, requestId, context);
  };
}

/** Completes the request when every access is final; the job that does so (now or in an earlier run) posts the summary. */
async function finishIfDone(deps: AppDeps, requestId: number, context: JobContext): Promise<void> {
  const status = await completeProvisioning(deps, requestId, context.jobId);
  if (status) context.logger.info('provisioning finished', { accessRequestId: requestId, status });
  if (status || (await isFinisher(deps.db, requestId, context.jobId))) {
    await refreshRequestCard(deps, requestId);
    await publishProvisioningSummary(deps, requestId);
  }
}
