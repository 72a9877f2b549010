// Approve / Reject on the request card (SPEC §4, §4a): the buttons open a small modal (optional Comment, or a
// required Reason); the decision is applied when the modal is submitted. Anyone not allowed is answered
// privately and nothing changes.
import type {
  AllMiddlewareArgs,
  BlockAction,
  ButtonAction,
  OverflowAction,
  SlackActionMiddlewareArgs,
  SlackViewMiddlewareArgs,
} from '@slack/bolt';
import { z } from 'zod';
import { decideRequest, mayDecide } from '../usecases/decide-request.ts';
import { getRoles } from '../usecases/get-roles.ts';
import { retryFailedLines } from '../usecases/provision-request.ts';
import { cancelRequest } from '../usecases/request-deadlines.ts';
import type { MayDecide } from '../usecases/decide-request.ts';
import { COMMENT_BLOCK, REASON_BLOCK } from './approval-ids.ts';
import { buildApproveModal, buildRejectModal, parseDecisionText } from './blocks/approval-blocks.ts';
import type { AppDeps } from '../app-deps.ts';
import type { UsergroupMembers } from './usergroup-members.ts';
import type { RequestStatus } from '../db/schema.ts';
import { publishHome } from './events/app-home.ts';
import { REQUEST_STATUS_WORDS } from '../domain/status-words.ts';

type ButtonArgs = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;
type ViewArgs = SlackViewMiddlewareArgs & AllMiddlewareArgs;

export function refusalText(
  refusal: Extract<MayDecide, { ok: false }> | { reason: 'already-responded' | 'reason-required'; code?: string },
): string {
  const code = refusal.code ?? 'This request';
  switch (refusal.reason) {
    case 'not-found':
      return 'This request no longer exists.';
    case 'own-request':
      return `You cannot decide on ${code}: it is your own request.`;
    case 'not-approver':
      return `You cannot decide on ${code}: only approvers of its vendors' access groups can.`;
    case 'already-decided':
      return `${code} was already decided: ${REQUEST_STATUS_WORDS[(refusal as { status?: RequestStatus }).status ?? 'awaiting_approval'] ?? 'it is no longer awaiting approval'}.`;
    case 'already-responded':
      return `You already decided on ${code}.`;
    case 'reason-required':
      return 'Give a reason to reject.';
  }
}

/**
 * A private answer to a click: through the message's response_url, or — for a click in the App Home, which has
 * none — as a direct message from the bot.
 */
export async function answerPrivately(
  args: Pick<ButtonArgs | MenuArgs, 'body' | 'client' | 'respond'>,
  text: string,
): Promise<void> {
  if ((args.body as { response_url?: string }).response_url) {
    await args.respond({ response_type: 'ephemeral', replace_original: false, text });
    return;
  }
  await args.client.chat.postMessage({ channel: args.body.user.id, text });
}

/** currentMembers reads Slack at each call (createCurrentUsergroupMembers), never a cache. */
function decisionDeps(deps: AppDeps, currentMembers: UsergroupMembers) {
  return { db: deps.db, jobs: deps.jobs, now: deps.now, usergroupMembers: currentMembers };
}

export function createDecisionButton(deps: AppDeps, currentMembers: UsergroupMembers, decision: 'approve' | 'reject') {
  return async (args: ButtonArgs): Promise<void> => {
    const { ack, body, action, client } = args;
    await ack();
    const requestId = Number(action.value);
    const allowed =
      Number.isInteger(requestId) && requestId > 0
        ? await mayDecide(decisionDeps(deps, currentMembers), requestId, body.user.id)
        : ({ ok: false, reason: 'not-found' } as const);
    if (!allowed.ok) {
      await answerPrivately(args, refusalText(allowed));
      return;
    }
    const view =
      decision === 'approve'
        ? buildApproveModal({ requestId, code: allowed.code })
        : buildRejectModal({ requestId, code: allowed.code });
    await client.views.open({ trigger_id: body.trigger_id, view });
  };
}

const metadataSchema = z.object({ requestId: z.number().int().positive() });

export function createDecisionSubmission(
  deps: AppDeps,
  currentMembers: UsergroupMembers,
  decision: 'approve' | 'reject',
) {
  return async (args: ViewArgs): Promise<void> => {
    const { ack, body, view } = args;
    let metadata: unknown;
    try {
      metadata = JSON.parse(view.private_metadata);
    } catch {
      metadata = undefined;
    }
    const parsed = metadataSchema.safeParse(metadata);
    if (!parsed.success) {
      await ack({ response_action: 'clear' });
      return;
    }
    const values = view.state.values as Parameters<typeof parseDecisionText>[0];
    const comment = parseDecisionText(values, decision === 'approve' ? COMMENT_BLOCK : REASON_BLOCK);
    if (decision === 'reject' && !comment) {
      await ack({ response_action: 'errors', errors: { [REASON_BLOCK]: 'Give a reason to reject.' } });
      return;
    }
    const result = await decideRequest(decisionDeps(deps, currentMembers), {
      requestId: parsed.data.requestId,
      userId: body.user.id,
      decision,
      comment,
    });
    if (!result.ok) {
      const block = decision === 'approve' ? COMMENT_BLOCK : REASON_BLOCK;
      await ack({ response_action: 'errors', errors: { [block]: refusalText(result) } });
      return;
    }
    await ack({ response_action: 'clear' });
    // What awaits this approver has changed: their App Home follows (best effort; the decision stands).
    await publishHome(deps, args.client, body.user.id).catch((error: unknown) =>
      deps.logger.warn('could not refresh the App Home', { error: (error as Error).message }),
    );
  };
}

type MenuArgs = SlackActionMiddlewareArgs<BlockAction<OverflowAction>> & AllMiddlewareArgs;

/** "Cancel request" in the card's overflow menu: the requester or an admin; anyone else is told privately. */
export function createCardMenu(deps: AppDeps) {
  return async (args: MenuArgs): Promise<void> => {
    const { ack, body, action } = args;
    await ack();
    const match = /^cancel:(\d{1,9})$/.exec(action.selected_option?.value ?? '');
    if (!match) return;
    const roles = await getRoles({ db: deps.db, adminUserIds: deps.config.adminUserIds }, body.user.id);
    const result = await cancelRequest(deps, {
      requestId: Number(match[1]),
      userId: body.user.id,
      isAdmin: roles.isAdmin,
    });
    if (result.ok) return;
    const text =
      result.reason === 'not-allowed'
        ? `Only the requester or an admin can cancel ${result.code ?? 'this request'}.`
        : result.reason === 'already-decided'
          ? `${result.code ?? 'This request'} was already decided: ${REQUEST_STATUS_WORDS[(result.status ?? 'awaiting_approval') as RequestStatus] ?? 'it is no longer awaiting approval'}.`
          : 'This request no longer exists.';
    await answerPrivately(args, text);
  };
}

/** "Retry failed lines" on the summary: the requester or an admin; anyone else is told privately. */
export function createRetryFailed(deps: AppDeps) {
  return async (args: ButtonArgs): Promise<void> => {
    const { ack, body, action } = args;
    await ack();
    const roles = await getRoles({ db: deps.db, adminUserIds: deps.config.adminUserIds }, body.user.id);
    const result = await retryFailedLines(deps, {
      requestId: Number(action.value),
      userId: body.user.id,
      isAdmin: roles.isAdmin,
    });
    if (result.ok) return;
    const text =
      result.reason === 'not-allowed'
        ? `Only the requester or an admin can retry the failed lines of ${result.code ?? 'this request'}.`
        : result.reason === 'nothing-to-retry'
          ? `${result.code ?? 'This request'} has no failed lines to retry right now.`
          : 'This request no longer exists.';
    await args.respond({ response_type: 'ephemeral', replace_original: false, text });
  };
}
