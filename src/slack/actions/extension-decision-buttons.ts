// Approve / Reject on an extension's card (issue 17): as on a request's card, the buttons open a small modal
// (optional Comment, or a required Reason) and the decision is applied when it is submitted
// (views/extension-decision-modals.ts). Anyone not allowed is answered privately and nothing changes.
import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { AppDeps } from '../../app-deps.ts';
import { mayDecideExtension } from '../../usecases/extend-request.ts';
import { extensionSummary } from '../../usecases/extension-notices.ts';
import {
  buildExtensionApproveModal,
  buildExtensionRejectModal,
  extensionSummaryLine,
} from '../blocks/extension-blocks.ts';
import { answerPrivately, decisionDeps, extensionDecisionRefusalText } from '../decisions.ts';

type ButtonArgs = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;

export function createExtensionDecisionButton(deps: AppDeps, decision: 'approve' | 'reject') {
  return async (args: ButtonArgs): Promise<void> => {
    const { ack, body, action, client } = args;
    await ack();
    const extensionId = Number(action.value);
    const valid = Number.isInteger(extensionId) && extensionId > 0;
    // Both reads at once: the trigger id lasts three seconds.
    const [allowed, summary] = valid
      ? await Promise.all([
          mayDecideExtension(decisionDeps(deps), extensionId, body.user.id),
          extensionSummary(deps.db, extensionId),
        ])
      : [{ ok: false, reason: 'not-found' } as const, undefined];
    if (!allowed.ok) {
      await answerPrivately(args, extensionDecisionRefusalText(allowed));
      return;
    }
    const input = {
      extensionId,
      requestCode: allowed.code,
      ...(summary ? { summary: extensionSummaryLine(summary) } : {}),
    };
    const view = decision === 'approve' ? buildExtensionApproveModal(input) : buildExtensionRejectModal(input);
    await client.views.open({ trigger_id: body.trigger_id, view });
  };
}
