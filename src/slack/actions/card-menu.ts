// "Cancel request" in the request card's overflow menu (README, "Approval"): the requester or an admin
// withdraws a pending request; anyone else is told privately.
import type { AllMiddlewareArgs, BlockAction, OverflowAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { AppDeps } from '../../app-deps.ts';
import type { RequestStatus } from '../../db/schema.ts';
import { REQUEST_STATUS_WORDS } from '../../domain/status-words.ts';
import { getRoles } from '../../usecases/get-roles.ts';
import { cancelRequest } from '../../usecases/request-deadlines.ts';
import { answerPrivately } from '../decisions.ts';
import { requestIdOfCancelOption } from '../ids.ts';

type MenuArgs = SlackActionMiddlewareArgs<BlockAction<OverflowAction>> & AllMiddlewareArgs;

export function createCardMenu(deps: AppDeps) {
  return async (args: MenuArgs): Promise<void> => {
    const { ack, body, action } = args;
    await ack();
    const requestId = requestIdOfCancelOption(action.selected_option?.value ?? '');
    if (requestId === undefined) return;
    const roles = await getRoles({ db: deps.db, adminUserIds: deps.config.adminUserIds }, body.user.id);
    const result = await cancelRequest(deps, {
      requestId,
      userId: body.user.id,
      isAdmin: roles.isAdmin,
    });
    if (result.ok) return;
    const text =
      result.reason === 'not-allowed'
        ? `Only the requester or an admin can cancel ${result.code ?? 'this request'}.`
        : result.reason === 'already-decided'
          ? `${result.code ?? 'This request'} was already decided: ${REQUEST_STATUS_WORDS[(result.status ?? 'awaiting_approval') as RequestStatus] ?? 'it is no longer awaiting approval'}.`
          : 'This request no longer exists.';
    await answerPrivately(args, text);
  };
}
