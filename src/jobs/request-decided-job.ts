// request.decided: the card updated in place (buttons gone once decided), each decision announced once in
// the thread, and the requester told once of each status change.
import type { AppDeps } from '../slack/deps.ts';
import { announceDecisions } from '../slack/request-publisher.ts';
import type { JobHandler } from './job-queue.ts';

export function requestDecidedJob(deps: AppDeps): JobHandler<{ requestId: number; responseIds: number[] }> {
  return async ({ requestId }) => {
    await announceDecisions(deps, requestId);
  };
}
