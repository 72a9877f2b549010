// request.card: post a new request's card (once: the card's ts is recorded), then tell each approver by
// direct message (once each: every message sent is recorded).
import type { AppDeps } from '../app-deps.ts';
import { publishRequestCard, tellApprovers } from '../usecases/request-notices.ts';
import type { JobHandler } from './job-queue.ts';

export function postRequestCardJob(deps: AppDeps): JobHandler<{ requestId: number }> {
  return async ({ requestId }, context) => {
    await publishRequestCard(deps, requestId, context.logger);
    await tellApprovers({ ...deps, usergroupMembers: deps.approverGroups.current }, requestId, context.logger);
  };
}
