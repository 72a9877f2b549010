// The Approve, "Approve except…" and Reject modals' submissions (README, "Approval"): the decision is applied,
// or the modal says under its field why not (a Reject without a reason, no user chosen to exclude, every user
// excluded, someone no longer allowed, a request already decided or already being provisioned).
import type { AllMiddlewareArgs, SlackViewMiddlewareArgs } from '@slack/bolt';
import type { AppDeps } from '../../app-deps.ts';
import { decideRequest } from '../../usecases/decide-request.ts';
import { parseExcludedLineValue } from '../../usecases/request-exclusions.ts';
import { parseDecisionText, parseExcludedUserValues } from '../blocks/approval-blocks.ts';
import type { ExcludedUsersStateValues } from '../blocks/approval-blocks.ts';
import { decisionDeps, refusalText } from '../decisions.ts';
import { COMMENT_BLOCK, EXCLUDED_USERS_BLOCK, REASON_BLOCK } from '../ids.ts';
import { decisionMetadata, readPrivateMetadata } from '../private-metadata.ts';
import { publishHome } from '../status-services.ts';

type ViewArgs = SlackViewMiddlewareArgs & AllMiddlewareArgs;

export function createDecisionSubmission(deps: AppDeps, decision: 'approve' | 'reject') {
  return async (args: ViewArgs): Promise<void> => {
    const { ack, body, view } = args;
    const metadata = readPrivateMetadata(decisionMetadata, view.private_metadata);
    if (!metadata) {
      await ack({ response_action: 'clear' });
      return;
    }
    const values = view.state.values as Parameters<typeof parseDecisionText>[0];
    const comment = parseDecisionText(values, decision === 'approve' ? COMMENT_BLOCK : REASON_BLOCK);
    if (decision === 'reject' && !comment) {
      await ack({ response_action: 'errors', errors: { [REASON_BLOCK]: 'Give a reason to reject.' } });
      return;
    }
    const result = await decideRequest(decisionDeps(deps), {
      requestId: metadata.requestId,
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

/** Refusals about the users chosen go under the users select; the others under the Reason. */
const USERS_REFUSALS: readonly string[] = ['none-chosen', 'unknown-users', 'everyone-excluded'];

export function createApproveExceptSubmission(deps: AppDeps) {
  return async (args: ViewArgs): Promise<void> => {
    const { ack, body, view } = args;
    const metadata = readPrivateMetadata(decisionMetadata, view.private_metadata);
    if (!metadata) {
      await ack({ response_action: 'clear' });
      return;
    }
    const values = view.state.values as Parameters<typeof parseDecisionText>[0] & ExcludedUsersStateValues;
    const reason = parseDecisionText(values, REASON_BLOCK);
    const chosen = parseExcludedUserValues(values).map(parseExcludedLineValue);
    // A value this modal never offered (a crafted payload): the same answer as a user no longer in the request.
    const lines = chosen.filter((line): line is number => line !== undefined);
    // Both empty fields are shown at once, rather than one after the other.
    const missing = {
      ...(chosen.length === 0 ? { [EXCLUDED_USERS_BLOCK]: refusalText({ reason: 'none-chosen' }) } : {}),
      ...(!reason ? { [REASON_BLOCK]: refusalText({ reason: 'exclusion-reason-required' }) } : {}),
    };
    if (Object.keys(missing).length > 0) {
      await ack({ response_action: 'errors', errors: missing });
      return;
    }
    const result =
      lines.length < chosen.length
        ? ({ ok: false, reason: 'unknown-users' } as const)
        : await decideRequest(decisionDeps(deps), {
            requestId: metadata.requestId,
            userId: body.user.id,
            decision: 'approve',
            comment: reason,
            excludeLines: lines,
          });
    if (!result.ok) {
      const block = USERS_REFUSALS.includes(result.reason) ? EXCLUDED_USERS_BLOCK : REASON_BLOCK;
      await ack({ response_action: 'errors', errors: { [block]: refusalText(result) } });
      return;
    }
    await ack({ response_action: 'clear' });
    await publishHome(deps, args.client, body.user.id).catch((error: unknown) =>
      deps.logger.warn('could not refresh the App Home', { error: (error as Error).message }),
    );
  };
}
