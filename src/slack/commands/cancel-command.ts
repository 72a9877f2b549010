// `/domum cancel <W…|EXT-…>` (issue 8): acked at once, then a modal says what will happen and asks for a
// reason (views/cancel-modal.ts applies it). A code the caller may not cancel gets the same answer as an unknown
// one, so nobody learns which codes exist.
import { cancelRefusalText, CANCEL_USAGE_TEXT, buildCancelModal } from '../blocks/cancel-blocks.ts';
import { escapeMrkdwn } from '../blocks/mrkdwn.ts';
import { cutText } from '../blocks/request-card.ts';
import { parseCancelTarget, planCancellation } from '../../usecases/cancel-accesses.ts';
import { getRoles } from '../../usecases/get-roles.ts';
import type { Subcommand } from './subcommand.ts';

export const cancelSubcommand: Subcommand = {
  name: 'cancel',
  usage: 'cancel <W…|EXT-…>',
  description:
    'cancel every access of a request, or one access: their links stop working at once (the requester or an admin; asks for a reason)',
  run: async ({ ack, command, client, respond }, rest, deps) => {
    const target = parseCancelTarget(rest);
    if (!target) {
      const given = rest ? `\`${escapeMrkdwn(cutText(rest, 40))}\` is not the code of a request or an access. ` : '';
      await ack({ response_type: 'ephemeral', text: `${given}${CANCEL_USAGE_TEXT}` });
      return;
    }
    await ack();
    const roles = await getRoles({ db: deps.db, adminUserIds: deps.config.adminUserIds }, command.user_id);
    const plan = await planCancellation(deps.db, target, { userId: command.user_id, isAdmin: roles.isAdmin });
    if (!plan.ok) {
      await respond({ response_type: 'ephemeral', text: cancelRefusalText(plan) });
      return;
    }
    await client.views.open({ trigger_id: command.trigger_id, view: buildCancelModal(plan) });
  },
};
