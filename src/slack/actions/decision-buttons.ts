// Approve / Reject on the request card (README, "Approval"): the buttons open a small modal (optional Comment,
// or a required Reason); the decision is applied when the modal is submitted (views/decision-modals.ts).
// Anyone not allowed is answered privately and nothing changes.
import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { AppDeps } from '../../app-deps.ts';
import { mayDecide } from '../../usecases/decide-request.ts';
import { answerPrivately, decisionDeps, refusalText } from '../decisions.ts';
import { buildApproveModal, buildRejectModal } from '../blocks/approval-blocks.ts';

type ButtonArgs = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;

export function createDecisionButton(deps: AppDeps, decision: 'approve' | 'reject') {
  return async (args: ButtonArgs): Promise<void> => {
    const { ack, body, action, client } = args;
    await ack();
    const requestId = Number(action.value);
    const allowed =
      Number.isInteger(requestId) && requestId > 0
        ? await mayDecide(decisionDeps(deps), requestId, body.user.id)
        : ({ ok: false, reason: 'not-found' } as const);
    if (!allowed.ok) {
      await answerPrivately(args, refusalText(allowed));
      return;
    }
    const view =
      decision === 'approve'
        ? buildApproveModal({ requestId, code: allowed.code })
        : buildRejectModal({ requestId, code: allowed.code });
    await client.views.open({ trigger_id: body.trigger_id, view });
  };
}
