// The Notifier port (src/usecases/notifier.ts) on Slack: renders with the pure block builders and posts with
// the background Web API client. It reads and writes no database: what was posted goes back to the use case,
// which records it.
import type { WebClient } from '@slack/web-api';
import type { Notifier, Posted } from '../usecases/notifier.ts';
import { CannotPostError } from '../usecases/notifier.ts';
import {
  approverNoticeText,
  approverReminderText,
  decisionReplyText,
  statusChangeDmText,
} from './blocks/approval-blocks.ts';
import { cancellationDmText, cancellationReplyText } from './blocks/cancel-blocks.ts';
import {
  buildEndReminderMessage,
  buildExtensionCard,
  extensionDecisionReplyText,
  extensionOutcomeDmText,
  extensionOutcomeText,
} from './blocks/extension-blocks.ts';
import {
  buildCheckFailedMessage,
  buildCheckFailedModal,
  buildDecidedPreviewMessage,
  buildPreviewMessage,
  buildPreviewModal,
  buildProvisioningSummaryMessage,
  buildSummaryMessage,
  progressText,
  provisioningDoneText,
} from './blocks/import-blocks.ts';
import { buildRequestCard } from './blocks/request-card.ts';
import { openDirectMessage, uploadFile } from './slack-files.ts';

function slackError(error: unknown): string | undefined {
  return (error as { data?: { error?: string } }).data?.error;
}

const CANNOT_POST = new Set(['not_in_channel', 'channel_not_found', 'is_archived', 'restricted_action']);
/** A direct message that can never be delivered: the user is gone, deactivated or a bot. */
const CANNOT_DM = new Set(['user_not_found', 'user_disabled', 'cannot_dm_bot', 'channel_not_found', 'not_allowed']);
const VIEW_GONE = new Set(['not_found', 'view_not_found']);

// eslint-disable-next-line max-lines-per-function -- one short method per notice of the port: a table, read whole.
export function createSlackNotifier(client: WebClient): Notifier {
  /** A user id is a direct message: Slack wants the DM's own channel id for it. */
  const conversationId = async (channel: string): Promise<string> =>
    /^[UW]/.test(channel) ? openDirectMessage(client, channel) : channel;
  const post = async (
    where: { channel: string; threadTs?: string | null | undefined },
    message: { text: string; blocks?: unknown[] },
  ): Promise<Posted> => {
    const channel = await conversationId(where.channel);
    const posted = await client.chat.postMessage({
      channel,
      ...(where.threadTs ? { thread_ts: where.threadTs } : {}),
      ...(message as { text: string }),
    });
    return { channel: posted.channel ?? channel, ts: posted.ts ?? 'posted' };
  };
  const tell = async (userId: string, text: string): Promise<Posted> => post({ channel: userId }, { text });

  return {
    async postRequestCard(where, card) {
      try {
        return await post(where, buildRequestCard(card));
      } catch (error) {
        if (CANNOT_POST.has(slackError(error) ?? '')) throw new CannotPostError(where.channel);
        throw error;
      }
    },
    async sendUndeliveredCard(userId, input, card) {
      const dm = await conversationId(userId);
      const where = input.channelId ? `<#${input.channelId}>` : 'the channel';
      await post(
        { channel: dm },
        {
          text: `I could not post request ${input.code} in ${where}: I am not a member there. Invite me with /invite @Domum, or run /domum import from a channel where I am. Here is the request:`,
        },
      );
      return post({ channel: dm }, buildRequestCard(card));
    },
    async updateRequestCard(at, card) {
      await client.chat.update({ channel: at.channel, ts: at.ts, ...buildRequestCard(card) });
    },
    postDecisionReply: (where, input) => post(where, { text: decisionReplyText(input) }),
    async tellStatusChange(userId, input) {
      await tell(userId, statusChangeDmText(input));
    },
    async remindApprovers(where, input) {
      await post(where, { text: approverReminderText(input) });
    },
    async tellApprover(userId, input) {
      let permalink: string | undefined;
      try {
        if (input.card)
          permalink = (await client.chat.getPermalink({ channel: input.card.channel, message_ts: input.card.ts }))
            .permalink;
      } catch {
        // The message says the code without a link rather than not at all.
      }
      try {
        return await tell(userId, approverNoticeText(input, permalink));
      } catch (error) {
        if (CANNOT_DM.has(slackError(error) ?? '')) throw new CannotPostError(userId);
        throw error;
      }
    },
    postCancellationReply: (where, cancellation) => post(where, { text: cancellationReplyText(cancellation) }),
    async tellCancellation(userId, cancellation) {
      await tell(userId, cancellationDmText(cancellation));
    },
    tellAccessesEnd: (userId, input) => post({ channel: userId }, buildEndReminderMessage(input)),
    postExtensionCard: (where, card) => post(where, buildExtensionCard(card)),
    async updateExtensionCard(at, card) {
      await client.chat.update({ channel: at.channel, ts: at.ts, ...buildExtensionCard(card) });
    },
    postExtensionDecisionReply: (where, input) => post(where, { text: extensionDecisionReplyText(input) }),
    postExtensionOutcome: (where, input) => post(where, { text: extensionOutcomeText(input) }),
    async tellExtensionOutcome(userId, input, audience) {
      await tell(userId, extensionOutcomeDmText(input, audience));
    },
    postProgress: (where, input) => post(where, { text: progressText(input) }),
    async updateProgress(at, input) {
      await client.chat.update({ channel: at.channel, ts: at.ts, text: progressText(input) });
    },
    postProvisioningSummary: (where, input) => post(where, buildProvisioningSummaryMessage(input)),
    async tellProvisioningDone(userId, input) {
      await tell(userId, provisioningDoneText(input));
    },
    async uploadFile(where, file) {
      await uploadFile(client, {
        channelId: await conversationId(where.channel),
        threadTs: where.threadTs,
        fileName: file.fileName,
        bytes: file.bytes,
        ...(file.title ? { title: file.title } : {}),
      });
    },
    async showCheckOutcome(viewId, outcome) {
      const view =
        outcome.kind === 'refused'
          ? buildCheckFailedModal(outcome.fileName, outcome.reason)
          : buildPreviewModal(outcome.preview, { autoAccessChosen: outcome.autoAccessChosen });
      try {
        await client.views.update({ view_id: viewId, view });
        return 'shown';
      } catch (error) {
        if (VIEW_GONE.has(slackError(error) ?? '')) return 'gone';
        throw error;
      }
    },
    postCheckOutcome: (where, outcome) =>
      post(
        where,
        outcome.kind === 'refused'
          ? buildCheckFailedMessage(outcome.fileName, outcome.importCode, outcome.reason)
          : buildPreviewMessage(outcome.preview),
      ),
    postImportSummary: (where, input) => post(where, buildSummaryMessage(input)),
    async markPreviewDecided(at, preview, outcome) {
      await client.chat.update({ channel: at.channel, ts: at.ts, ...buildDecidedPreviewMessage(preview, outcome) });
    },
  };
}
