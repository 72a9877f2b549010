// request.remind and request.expire (scheduled at Create for half the approval TTL and the TTL).
import type { AppDeps } from '../app-deps.ts';
import { remindApprovers } from '../usecases/request-notices.ts';
import { expireRequest } from '../usecases/request-deadlines.ts';
import type { JobHandler } from './job-queue.ts';

export function remindApproversJob(deps: AppDeps): JobHandler<{ requestId: number }> {
  return async ({ requestId }) => {
    await remindApprovers(deps, requestId);
  };
}

export function expireRequestJob(deps: AppDeps): JobHandler<{ requestId: number }> {
  return async ({ requestId }, context) => {
    if (await expireRequest(deps, requestId)) context.logger.info('request expired', { accessRequestId: requestId });
  };
}
