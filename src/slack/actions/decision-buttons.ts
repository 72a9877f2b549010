// Approve / "Approve except…" / Reject on the request card (README, "Approval"): the buttons open a small modal
// (optional Comment; the users to leave out and a required Reason; a required Reason); the decision is applied
// when the modal is submitted (views/decision-modals.ts). Anyone not allowed is answered privately and nothing
// changes.
import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { ModalView } from '@slack/types';
import type { AppDeps } from '../../app-deps.ts';
import { mayDecide, refusalOfExclusion } from '../../usecases/decide-request.ts';
import { searchExcludableUsers } from '../../usecases/request-exclusions.ts';
import type { CatalogOptions } from '../../usecases/search-catalog.ts';
import { answerPrivately, decisionDeps, refusalText } from '../decisions.ts';
import {
  approveSummaryLine,
  buildApproveExceptModal,
  buildApproveModal,
  buildRejectModal,
} from '../blocks/approval-blocks.ts';
import type { DecisionModalInput } from '../blocks/approval-blocks.ts';
import { requestSummary } from '../../usecases/request-notices.ts';

type ButtonArgs = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;

export type DecisionKind = 'approve' | 'approve-except' | 'reject';

const NO_USERS: CatalogOptions = { options: [], truncated: false };

export function createDecisionButton(deps: AppDeps, decision: DecisionKind) {
  return async (args: ButtonArgs): Promise<void> => {
    const { ack, body, action, client } = args;
    await ack();
    const requestId = Number(action.value);
    const valid = Number.isInteger(requestId) && requestId > 0;
    // Every read at once: the trigger id lasts three seconds. "Approve except…" also reads the request's first
    // users, to list them all when there are few.
    const [allowed, summary, users] = valid
      ? await Promise.all([
          mayDecide(decisionDeps(deps), requestId, body.user.id),
          requestSummary(deps.db, requestId),
          decision === 'approve-except' ? searchExcludableUsers(deps.db, { requestId, text: '' }) : NO_USERS,
        ])
      : [{ ok: false, reason: 'not-found' } as const, undefined, NO_USERS];
    if (!allowed.ok) {
      await answerPrivately(args, refusalText(decision === 'approve-except' ? refusalOfExclusion(allowed) : allowed));
      return;
    }
    const input = { requestId, code: allowed.code, ...(summary ? { summary: approveSummaryLine(summary) } : {}) };
    const view = decisionModal(decision, input, users);
    // From a request's detail (a modal), the decision modal goes on top of it; from a message or App Home, it opens.
    if (body.view?.type === 'modal') await client.views.push({ trigger_id: body.trigger_id, view });
    else await client.views.open({ trigger_id: body.trigger_id, view });
  };
}

function decisionModal(decision: DecisionKind, input: DecisionModalInput, users: CatalogOptions): ModalView {
  if (decision === 'approve') return buildApproveModal(input);
  if (decision === 'reject') return buildRejectModal(input);
  return buildApproveExceptModal({ ...input, users });
}
