// `/domum status` (README, "Where things stand"): privately, the caller's recent imports and requests — newest first, ten at a
// time with a More button — and what awaits their decision; `/domum status <IMP-…|W…|EXT-…>` shows one in
// detail, in a modal. The command is acknowledged at once and answered through its response_url, so the
// answer never races Slack's 3 seconds.
import type { KnownBlock } from '@slack/types';
import { parseItemCode } from '../../domain/codes.ts';
import { findStatusDetail } from '../../usecases/status-report.ts';
import type { StatusDetail, Viewer } from '../../usecases/status-report.ts';
import { accessResendButton } from '../actions/access-resend.ts';
import {
  buildStatusDetailMessage,
  buildStatusDetailModal,
  describeStatusDetail,
  mrkdwnStyle,
  notVisibleText,
} from '../blocks/status-blocks.ts';
import { cancelRequestMenu, cutText, decisionButtons } from '../blocks/request-card.ts';
import { escapeMrkdwn } from '../blocks/mrkdwn.ts';
import { statusListMessage, statusServices, viewerOf } from '../status-services.ts';
import type { Subcommand } from './subcommand.ts';

/** Buttons under a detail: an admin can resend an access's link (under the limits of "Send me a new token"). */
/**
 * What the viewer may do with what they see, and nothing else: Approve and Reject for an approver who has not
 * decided yet, Cancel request for its requester or an admin while it awaits approval, Resend for an admin.
 */
function detailActions(detail: StatusDetail, viewer: Viewer): KnownBlock[] {
  if (detail.kind === 'request') {
    const requestId = detail.item.requestId;
    if (detail.item.status !== 'awaiting_approval' || requestId === undefined) return [];
    const mayCancel = viewer.roles.isAdmin || detail.requesterUserId === viewer.userId;
    if (detail.viewerMayDecide) return [decisionButtons(requestId, { cancel: mayCancel })];
    return mayCancel ? [{ type: 'actions', elements: [cancelRequestMenu(String(requestId))] }] : [];
  }
  if (detail.kind !== 'access' || !viewer.roles.isAdmin) return [];
  if (detail.firstAccessState !== 'link_sent' || (detail.status !== 'scheduled' && detail.status !== 'active'))
    return [];
  return [{ type: 'actions', elements: [accessResendButton(detail.code)] }];
}

export const statusSubcommand: Subcommand = {
  name: 'status',
  usage: 'status [IMP-…|W…|EXT-…]',
  description: 'where your imports and requests stand (and what awaits your decision); with a code, that one in detail',
  run: async ({ ack, command, client, respond }, rest, deps) => {
    await ack();
    const reply = (message: { text: string; blocks?: KnownBlock[] }) =>
      respond({ response_type: 'ephemeral', ...message });
    const viewer = await viewerOf(deps, command.user_id);
    if (!rest) {
      await reply(await statusListMessage(deps, client, viewer, 0));
      return;
    }
    const code = parseItemCode(rest);
    if (!code) {
      await reply({
        text: `\`${escapeMrkdwn(cutText(rest, 40))}\` is not a code I know. Codes look like IMP-000123 (an import), W000123 (a request) or EXT-26-000123 (an access).`,
      });
      return;
    }
    const services = statusServices(deps);
    const detail = await findStatusDetail({ db: deps.db, usergroupMembers: services.usergroupMembers }, code, viewer);
    if (!detail) {
      await reply({ text: notVisibleText(code.code) });
      return;
    }
    const thread = detail.kind === 'access' ? detail.thread : detail.item.thread;
    const permalink = (await services.permalinks(client, [{ code: code.code, thread }])).get(code.code);
    const text = describeStatusDetail(detail, deps.now(), mrkdwnStyle, permalink);
    const actions = detailActions(detail, viewer);
    try {
      await client.views.open({ trigger_id: command.trigger_id, view: buildStatusDetailModal(text, actions) });
    } catch (error) {
      // The trigger lasts three seconds; past it, the detail comes as a private message instead.
      if ((error as { data?: { error?: string } }).data?.error !== 'expired_trigger_id') throw error;
      await reply(buildStatusDetailMessage(text, actions));
    }
  },
};
