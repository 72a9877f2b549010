// cancellation.announce: after `/domum cancel`, the thread reply, the card and the requester's DM, each once.
import type { AppDeps } from '../app-deps.ts';
import { announceCancellation } from '../usecases/lifecycle-notices.ts';
import type { JobHandler } from './job-queue.ts';

export function announceCancellationJob(deps: AppDeps): JobHandler<{ cancellationId: number }> {
  return async ({ cancellationId }) => {
    await announceCancellation(deps, cancellationId);
  };
}
