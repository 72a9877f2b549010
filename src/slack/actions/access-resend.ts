// "Resend access link" on an access's detail (`/domum status EXT-…`, issue 7 item 5): an admin sends the user
// the link email again and a fresh token (the previous one stops working), under the same per-access rate
// limit as "Send me a new token". The click is acknowledged at once; the answer is private: through the
// response_url under a message, or in place of the button in a modal.
import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { Button, KnownBlock } from '@slack/types';
import { ACCESS_STATUS_WORDS } from '../../domain/status-words.ts';
import type { AccessStatus } from '../../db/schema.ts';
import { resendAccessLink } from '../../usecases/resend-token.ts';
import type { AdminResendResult } from '../../usecases/resend-token.ts';
import { escapeMrkdwn } from '../blocks/mrkdwn.ts';
import { ACCESS_RESEND_ACTION } from '../ids.ts';
import { accessMailDeps } from '../../app-deps.ts';
import type { AppDeps } from '../../app-deps.ts';

type ButtonArgs = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;

/** The button for an access's detail view; its value is the access id (`EXT-26-000487`). */
export function accessResendButton(accessCode: string): Button {
  return {
    type: 'button',
    action_id: ACCESS_RESEND_ACTION,
    text: { type: 'plain_text', text: 'Resend access link' },
    value: accessCode,
    confirm: {
      title: { type: 'plain_text', text: 'Resend access link?' },
      text: {
        type: 'plain_text',
        text: `${accessCode}: the user gets the link email again and a new token. Their current token stops working.`,
      },
      confirm: { type: 'plain_text', text: 'Resend' },
      deny: { type: 'plain_text', text: 'Cancel' },
    },
  };
}

/** "in a minute", "in 12 minutes", "in about 5 hours". */
function waitInWords(milliseconds: number): string {
  const minutes = Math.max(1, Math.ceil(milliseconds / 60_000));
  if (minutes <= 1) return 'in a minute';
  if (minutes < 60) return `in ${minutes} minutes`;
  const hours = Math.max(1, Math.round(minutes / 60));
  return `in about ${hours} ${hours === 1 ? 'hour' : 'hours'}`;
}

export function accessResendText(result: AdminResendResult, now: Date): string {
  if (result.ok) return `Sent the access link and a new token to ${escapeMrkdwn(result.email)} for ${result.code}.`;
  switch (result.reason) {
    case 'not-admin':
      return 'Only admins can resend an access link.';
    case 'not-found':
      return `There is no access ${escapeMrkdwn(result.code)}.`;
    case 'not-resendable':
      switch (result.state) {
        case 'activated':
          return `${result.code} is already activated: there is nothing to resend.`;
        case 'emails-pending':
          return `The first emails of ${result.code} are still being sent: nothing to resend yet.`;
        case 'on-hold':
          return `${result.code} is Error: the mail server refused its emails. Use Retry failed lines on its request's summary.`;
        default:
          // cancelled, finished (also an access past its end that no job has marked yet), or unknown
          return `${result.code} is ${result.state === 'finished' ? ACCESS_STATUS_WORDS.finished : (ACCESS_STATUS_WORDS[result.status as AccessStatus] ?? result.status)}: its link no longer works.`;
      }
    case 'rate-limited': {
      const wait = waitInWords(result.retryAt.getTime() - now.getTime());
      if (result.limit === 'minute') return `${result.code} got a new token less than a minute ago. Try again ${wait}.`;
      if (result.limit === 'day')
        return `${result.code} already got 5 new tokens in the last 24 hours. Try again ${wait}.`;
      return `${result.code} had 10 attempts to send a new token in the last 24 hours, some of them not taken by the mail server. Try again ${wait}.`;
    }
    case 'mail-failed':
      return `Could not send the emails to ${escapeMrkdwn(result.email)} for ${result.code}: ${escapeMrkdwn(result.reply)}. Nothing changed; try again later.`;
  }
}

/**
 * Where the answer goes: a message (ephemeral or not) has a response_url; a modal (the usual home of
 * `/domum status EXT-…`) has none, so the button's row in the modal is replaced by the answer.
 */
async function answer(args: ButtonArgs, text: string): Promise<void> {
  const { body, client } = args;
  if (body.response_url) {
    await args.respond({ response_type: 'ephemeral', replace_original: false, text });
    return;
  }
  const view = body.view;
  if (view && view.type === 'modal') {
    const blocks = (view.blocks as KnownBlock[]).map((block): KnownBlock =>
      block.block_id === args.action.block_id ? { type: 'context', elements: [{ type: 'mrkdwn', text }] } : block,
    );
    await client.views.update({
      view_id: view.id,
      hash: view.hash,
      view: {
        type: 'modal',
        callback_id: view.callback_id,
        title: view.title,
        ...(view.close ? { close: view.close } : {}),
        ...(view.submit ? { submit: view.submit } : {}),
        private_metadata: view.private_metadata,
        blocks,
      },
    });
    return;
  }
  await client.chat.postMessage({ channel: body.user.id, text });
}

export function createAccessResendAction(deps: AppDeps) {
  return async (args: ButtonArgs): Promise<void> => {
    const { ack, body, action } = args;
    await ack();
    // Admin first, then the lookup: someone else learns nothing about which access ids exist.
    const result = await resendAccessLink(
      { ...accessMailDeps(deps), adminUserIds: deps.config.adminUserIds },
      { accessCode: String(action.value ?? '').slice(0, 32), userId: body.user.id },
    );
    await answer(args, accessResendText(result, deps.now()));
  };
}
