// What the request card's Approve/Reject buttons, its menu and the decision modals share: what a decision
// needs, the words of a refusal, and where a private answer to a click goes.
import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { AppDeps } from '../app-deps.ts';
import type { RequestStatus } from '../db/schema.ts';
import { REQUEST_STATUS_WORDS } from '../domain/status-words.ts';
import type { DecisionResult } from '../usecases/decide-request.ts';
import type { MayDecideExtension } from '../usecases/extend-request.ts';
import { EXTENSION_STATUS_WORDS } from '../usecases/extension-notices.ts';

/** Deciding reads user-group members from Slack each time: a cache would let a removed approver decide. */
export function decisionDeps(deps: AppDeps) {
  return { db: deps.db, jobs: deps.jobs, now: deps.now, usergroupMembers: deps.approverGroups.current };
}

export function refusalText(refusal: {
  ok?: false;
  reason: Extract<DecisionResult, { ok: false }>['reason'];
  code?: string;
  status?: RequestStatus;
}): string {
  const code = refusal.code ?? 'This request';
  switch (refusal.reason) {
    case 'not-found':
      return 'This request no longer exists.';
    case 'own-request':
      return `You cannot decide on ${code}: it is your own request.`;
    case 'not-approver':
      return `You cannot decide on ${code}: only approvers of its vendors' access groups can.`;
    case 'already-decided':
      return `${code} was already decided: ${REQUEST_STATUS_WORDS[refusal.status ?? 'awaiting_approval'] ?? 'it is no longer awaiting approval'}.`;
    case 'already-responded':
      return `You already decided on ${code}.`;
    case 'reason-required':
      return 'Give a reason to reject.';
    case 'none-chosen':
      return 'Choose at least one user to exclude, or use Approve.';
    case 'exclusion-reason-required':
      return 'Give a reason to exclude these users.';
    case 'unknown-users':
      return `Some of the chosen users are not among those ${code} gives access to: choose them again from the list.`;
    case 'everyone-excluded':
      return `Excluding every user of ${code} leaves nobody to give access to: use Reject instead.`;
    case 'provisioning-started':
      return `Too late to exclude users from ${code}: it was approved and its accesses are being given (${REQUEST_STATUS_WORDS[refusal.status ?? 'approved']}).`;
  }
}

/** Why someone may not decide on an extension (now), in words. */
export function extensionDecisionRefusalText(
  refusal:
    Extract<MayDecideExtension, { ok: false }> | { reason: 'already-responded' | 'reason-required'; code?: string },
): string {
  const code = refusal.code ?? 'this request';
  switch (refusal.reason) {
    case 'not-found':
      return 'This extension no longer exists.';
    case 'own-request':
      return `You cannot decide on the extension of ${code}: it is your own request, or you asked for it.`;
    case 'not-approver':
      return `You cannot decide on the extension of ${code}: only approvers of its vendors' access groups can.`;
    case 'already-decided': {
      const status = (refusal as { extensionStatus?: keyof typeof EXTENSION_STATUS_WORDS }).extensionStatus;
      return `The extension of ${code} was already decided: ${status ? EXTENSION_STATUS_WORDS[status] : 'it is no longer awaiting approval'}.`;
    }
    case 'already-responded':
      return `You already decided on the extension of ${code}.`;
    case 'reason-required':
      return 'Give a reason to reject.';
  }
}

type ClickArgs = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;

/**
 * A private answer to a click: through the message's response_url, or — for a click in the App Home, which has
 * none — as a direct message from the bot.
 */
export async function answerPrivately(
  args: Pick<ClickArgs, 'body' | 'client' | 'respond'>,
  text: string,
): Promise<void> {
  if ((args.body as { response_url?: string }).response_url) {
    await args.respond({ response_type: 'ephemeral', replace_original: false, text });
    return;
  }
  await args.client.chat.postMessage({ channel: args.body.user.id, text });
}
