// The Approve and Reject modals' submissions (README, "Approval"): the decision is applied, or the modal says
// under its field why not (a Reject without a reason, someone no longer allowed, a request already decided).
import type { AllMiddlewareArgs, SlackViewMiddlewareArgs } from '@slack/bolt';
import type { AppDeps } from '../../app-deps.ts';
import { decideRequest } from '../../usecases/decide-request.ts';
import { parseDecisionText } from '../blocks/approval-blocks.ts';
import { decisionDeps, refusalText } from '../decisions.ts';
import { COMMENT_BLOCK, REASON_BLOCK } from '../ids.ts';
import { decisionMetadata, readPrivateMetadata } from '../private-metadata.ts';
import { publishHome } from '../status-services.ts';

type ViewArgs = SlackViewMiddlewareArgs & AllMiddlewareArgs;

export function createDecisionSubmission(deps: AppDeps, decision: 'approve' | 'reject') {
  return async (args: ViewArgs): Promise<void> => {
    const { ack, body, view } = args;
    const metadata = readPrivateMetadata(decisionMetadata, view.private_metadata);
    if (!metadata) {
      await ack({ response_action: 'clear' });
      return;
    }
    const values = view.state.values as Parameters<typeof parseDecisionText>[0];
    const comment = parseDecisionText(values, decision === 'approve' ? COMMENT_BLOCK : REASON_BLOCK);
    if (decision === 'reject' && !comment) {
      await ack({ response_action: 'errors', errors: { [REASON_BLOCK]: 'Give a reason to reject.' } });
      return;
    }
    const result = await decideRequest(decisionDeps(deps), {
      requestId: metadata.requestId,
      userId: body.user.id,
      decision,
      comment,
    });
    if (!result.ok) {
      const block = decision === 'approve' ? COMMENT_BLOCK : REASON_BLOCK;
      await ack({ response_action: 'errors', errors: { [block]: refusalText(result) } });
      return;
    }
    await ack({ response_action: 'clear' });
    // What awaits this approver has changed: their App Home follows (best effort; the decision stands).
    await publishHome(deps, args.client, body.user.id).catch((error: unknown) =>
      deps.logger.warn('could not refresh the App Home', { error: (error as Error).message }),
    );
  };
}
