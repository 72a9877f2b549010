// The Approve and Reject modals of an extension (issue 17): the decision is applied, or the modal says under its
// field why not (a Reject without a reason, someone no longer allowed, an extension already decided or expired).
import type { AllMiddlewareArgs, SlackViewMiddlewareArgs } from '@slack/bolt';
import type { AppDeps } from '../../app-deps.ts';
import { decideExtension } from '../../usecases/extend-request.ts';
import { parseDecisionText } from '../blocks/approval-blocks.ts';
import { decisionDeps, extensionDecisionRefusalText } from '../decisions.ts';
import { COMMENT_BLOCK, REASON_BLOCK } from '../ids.ts';
import { extensionDecisionMetadata, readPrivateMetadata } from '../private-metadata.ts';

type ViewArgs = SlackViewMiddlewareArgs & AllMiddlewareArgs;

export function createExtensionDecisionSubmission(deps: AppDeps, decision: 'approve' | 'reject') {
  return async ({ ack, body, view }: ViewArgs): Promise<void> => {
    const metadata = readPrivateMetadata(extensionDecisionMetadata, view.private_metadata);
    if (!metadata) {
      await ack({ response_action: 'clear' });
      return;
    }
    const block = decision === 'approve' ? COMMENT_BLOCK : REASON_BLOCK;
    const comment = parseDecisionText(view.state.values, block);
    if (decision === 'reject' && !comment) {
      await ack({ response_action: 'errors', errors: { [REASON_BLOCK]: 'Give a reason to reject.' } });
      return;
    }
    const result = await decideExtension(decisionDeps(deps), {
      extensionId: metadata.extensionId,
      userId: body.user.id,
      decision,
      comment,
    });
    if (!result.ok) {
      await ack({ response_action: 'errors', errors: { [block]: extensionDecisionRefusalText(result) } });
      return;
    }
    await ack({ response_action: 'clear' });
  };
}
