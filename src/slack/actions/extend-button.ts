// "Extend" on the requester's reminder that their accesses end (issue 17): opens the same modal as
// `/domum extend W…`, or answers privately why the request cannot be extended (any more).
import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { AppDeps } from '../../app-deps.ts';
import { parseExtendTarget, planExtension } from '../../usecases/extend-request.ts';
import { getRoles } from '../../usecases/get-roles.ts';
import { buildExtendModal, extensionRefusalText } from '../blocks/extension-blocks.ts';
import { answerPrivately } from '../decisions.ts';

type ButtonArgs = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;

export function createExtendButton(deps: AppDeps) {
  return async (args: ButtonArgs): Promise<void> => {
    const { ack, body, action, client } = args;
    await ack();
    const code = parseExtendTarget(action.value ?? '');
    if (!code) return;
    const roles = await getRoles({ db: deps.db, adminUserIds: deps.config.adminUserIds }, body.user.id);
    const plan = await planExtension(deps.db, code, { userId: body.user.id, isAdmin: roles.isAdmin }, deps.now());
    if (!plan.ok) {
      await answerPrivately(args, extensionRefusalText(plan));
      return;
    }
    await client.views.open({ trigger_id: body.trigger_id, view: buildExtendModal(plan) });
  };
}
