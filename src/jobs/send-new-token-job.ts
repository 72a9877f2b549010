// access.new-token: "Send me a new token" from the landing page, which only enqueued this job (one answer
// for every link, whatever its state). The use case checks the link, applies the limits, sends and stores the
// new token; a transient mail error fails the job and pg-boss retries it with backoff. Safe to run twice: a
// job whose token went out sends no second one (src/usecases/resend-token.ts).
import { accessMailDeps } from '../app-deps.ts';
import type { AppDeps } from '../app-deps.ts';
import { requestNewToken } from '../usecases/resend-token.ts';
import type { JobHandler } from './job-queue.ts';

export function sendNewTokenJob(deps: AppDeps): JobHandler<{ linkId: string }> {
  return async ({ linkId }, context) => {
    const result = await requestNewToken(accessMailDeps(deps), linkId, {
      jobId: context.jobId,
      signal: context.signal,
    });
    // Never the link id: it opens the user's page. The access's code names it (none for an unknown link).
    context.logger.info('new token', {
      outcome: result.outcome,
      ...(result.outcome === 'not-sent' ? { reason: result.reason } : {}),
      ...(result.outcome === 'mail-refused' ? { reply: result.reply } : {}),
      ...(result.accessCode ? { accessCode: result.accessCode } : {}),
    });
  };
}
