// request.decided: the card updated in place (buttons gone once decided), each decision announced once in
// the thread, and the requester told once of each status change; then, for an approval, provisioning is let
// go, so its "Processing" message follows the approval reply.
import type { RequestStatus } from '../db/schema.ts';
import type { AppDeps } from '../app-deps.ts';
import { releaseProvisioning } from '../usecases/provision-request.ts';
import { announceDecisions } from '../usecases/request-notices.ts';
import type { JobHandler } from './job-queue.ts';

export function requestDecidedJob(
  deps: AppDeps,
): JobHandler<{ requestId: number; responseIds: number[]; status?: string | undefined }> {
  return async ({ requestId, status }) => {
    await announceDecisions(deps, requestId, status as RequestStatus | undefined);
    if (status === 'approved') await releaseProvisioning(deps, requestId);
  };
}
