// Approve / Reject on the request card (README, "Approval"): the buttons open a small modal (optional Comment,
// or a required Reason); the decision is applied when the modal is submitted (views/decision-modals.ts).
// Anyone not allowed is answered privately and nothing changes.
import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { AppDeps } from '../../app-deps.ts';
import { mayDecide } from '../../usecases/decide-request.ts';
import { answerPrivately, decisionDeps, refusalText } from '../decisions.ts';
import { approveSummaryLine, buildApproveModal, buildRejectModal } from '../blocks/approval-blocks.ts';
import { requestSummary } from '../../usecases/request-notices.ts';

type ButtonArgs = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;

export function createDecisionButton(deps: AppDeps, decision: 'approve' | 'reject') {
  return async (args: ButtonArgs): Promise<void> => {
    const { ack, body, action, client } = args;
    await ack();
    const requestId = Number(action.value);
    const valid = Number.isInteger(requestId) && requestId > 0;
    // Both reads at once: the trigger id lasts three seconds.
    const [allowed, summary] = valid
      ? await Promise.all([mayDecide(decisionDeps(deps), requestId, body.user.id), requestSummary(deps.db, requestId)])
      : [{ ok: false, reason: 'not-found' } as const, undefined];
    if (!allowed.ok) {
      await answerPrivately(args, refusalText(allowed));
      return;
    }
    const input = { requestId, code: allowed.code, ...(summary ? { summary: approveSummaryLine(summary) } : {}) };
    const view = decision === 'approve' ? buildApproveModal(input) : buildRejectModal(input);
    // From a request's detail (a modal), the decision modal goes on top of it; from a message or App Home, it opens.
    if (body.view?.type === 'modal') await client.views.push({ trigger_id: body.trigger_id, view });
    else await client.views.open({ trigger_id: body.trigger_id, view });
  };
}
