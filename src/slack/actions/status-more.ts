// "More" under the `/domum status` list: the next page replaces the message.
import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { AppDeps } from '../../app-deps.ts';
import { statusListMessage, viewerOf } from '../status-services.ts';

type MoreArgs = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;

export function createStatusMoreAction(deps: AppDeps) {
  return async ({ ack, action, body, client, respond }: MoreArgs): Promise<void> => {
    await ack();
    const offset = Number(action.value);
    const viewer = await viewerOf(deps, body.user.id);
    const message = await statusListMessage(
      deps,
      client,
      viewer,
      Number.isInteger(offset) && offset > 0 && offset < 100_000 ? offset : 0,
    );
    await respond({ response_type: 'ephemeral', replace_original: true, ...message });
  };
}
