// "Retry failed lines" on a provisioning summary (README, "Provisioning"): the requester or an admin sends the
// refused emails again; anyone else is told privately.
import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { AppDeps } from '../../app-deps.ts';
import { getRoles } from '../../usecases/get-roles.ts';
import { retryFailedLines } from '../../usecases/provision-request.ts';
import { refreshRequestCard } from '../../usecases/request-notices.ts';

type ButtonArgs = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;

export function createRetryFailed(deps: AppDeps) {
  return async (args: ButtonArgs): Promise<void> => {
    const { ack, body, action } = args;
    await ack();
    const roles = await getRoles({ db: deps.db, adminUserIds: deps.config.adminUserIds }, body.user.id);
    const requestId = Number(action.value);
    const result = await retryFailedLines(deps, { requestId, userId: body.user.id, isAdmin: roles.isAdmin });
    // The card says Processing again until the retried lines are done (the email jobs redraw it at the end).
    if (result.ok) return refreshRequestCard(deps, requestId);
    const text =
      result.reason === 'not-allowed'
        ? `Only the requester or an admin can retry the failed lines of ${result.code ?? 'this request'}.`
        : result.reason === 'nothing-to-retry'
          ? `${result.code ?? 'This request'} has no failed lines to retry right now.`
          : 'This request no longer exists.';
    await args.respond({ response_type: 'ephemeral', replace_original: false, text });
  };
}
