// `/domum extend <W…>` (issue 17): acked at once, then a modal asks for a New end (or a duration to Add) and a
// Reason (views/extend-modal.ts asks for it). A code the caller may not extend gets the same answer as an unknown
// one, so nobody learns which codes exist.
import { escapeMrkdwn } from '../blocks/mrkdwn.ts';
import { cutText } from '../blocks/request-card.ts';
import { buildExtendModal, extensionRefusalText, EXTEND_USAGE_TEXT } from '../blocks/extension-blocks.ts';
import { parseItemCode } from '../../domain/codes.ts';
import { parseExtendTarget, planExtension } from '../../usecases/extend-request.ts';
import { getRoles } from '../../usecases/get-roles.ts';
import type { Subcommand } from './subcommand.ts';

export const extendSubcommand: Subcommand = {
  name: 'extend',
  usage: 'extend <W…>',
  description:
    "give a request's accesses a new end: later (approved again by its approvers) or earlier (at once); asks for a reason (the requester or an admin)",
  run: async ({ ack, command, client, respond }, rest, deps) => {
    const code = parseExtendTarget(rest);
    if (!code) {
      const access = parseItemCode(rest)?.kind === 'access';
      const given = rest
        ? access
          ? `\`${escapeMrkdwn(cutText(rest, 40))}\` is one access: extend works on a whole request. `
          : `\`${escapeMrkdwn(cutText(rest, 40))}\` is not the code of a request. `
        : '';
      await ack({ response_type: 'ephemeral', text: `${given}${EXTEND_USAGE_TEXT}` });
      return;
    }
    await ack();
    const roles = await getRoles({ db: deps.db, adminUserIds: deps.config.adminUserIds }, command.user_id);
    const plan = await planExtension(deps.db, code, { userId: command.user_id, isAdmin: roles.isAdmin }, deps.now());
    if (!plan.ok) {
      await respond({ response_type: 'ephemeral', text: extensionRefusalText(plan) });
      return;
    }
    await client.views.open({ trigger_id: command.trigger_id, view: buildExtendModal(plan) });
  },
};
