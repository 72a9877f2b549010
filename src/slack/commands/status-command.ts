// `/domum status` (SPEC §4, §4a): privately, the caller's recent imports and requests — newest first, ten at a
// time with a More button — and what awaits their decision; `/domum status <IMP-…|W…|EXT-…>` shows one in
// detail, in a modal. The command is acknowledged at once and answered through its response_url, so the
// answer never races Slack's 3 seconds.
import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { KnownBlock } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import { getRoles } from '../../usecases/get-roles.ts';
import { parseItemCode } from '../../domain/codes.ts';
import { findStatusDetail, listAwaitingMyDecision, listMyItems } from '../../usecases/status-report.ts';
import type { StatusDetail, Viewer } from '../../usecases/status-report.ts';
import { accessResendButton } from '../actions/access-resend.ts';
import {
  buildStatusDetailMessage,
  buildStatusDetailModal,
  buildStatusList,
  describeStatusDetail,
  mrkdwnStyle,
  notVisibleText,
} from '../blocks/status-blocks.ts';
import { cutText } from '../blocks/request-card.ts';
import { escapeMrkdwn } from '../blocks/mrkdwn.ts';
import type { AppDeps } from '../../app-deps.ts';
import { statusServices } from '../status-services.ts';
import type { Subcommand } from './subcommand.ts';

export async function viewerOf(deps: AppDeps, userId: string): Promise<Viewer> {
  return { userId, roles: await getRoles({ db: deps.db, adminUserIds: deps.config.adminUserIds }, userId) };
}

/** The list message for one page; the awaiting-decision part on the first page only. */
export async function statusListMessage(deps: AppDeps, client: WebClient, viewer: Viewer, offset: number) {
  const services = statusServices(deps);
  const [mine, awaiting] = await Promise.all([
    listMyItems(deps.db, viewer.userId, { offset }),
    offset === 0
      ? listAwaitingMyDecision({ db: deps.db, usergroupMembers: services.usergroupMembers }, viewer.userId)
      : Promise.resolve([]),
  ]);
  const permalinks = await services.permalinks(client, [...mine.items, ...awaiting]);
  return buildStatusList({ items: mine.items, awaiting, more: mine.more, offset, now: deps.now(), permalinks });
}

/** Buttons under a detail: an admin can resend an access's link (SPEC §5 rate limits apply). */
function detailActions(detail: StatusDetail, viewer: Viewer): KnownBlock[] {
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

type MoreArgs = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;

/** "More" under the list: the next page replaces the message. */
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
