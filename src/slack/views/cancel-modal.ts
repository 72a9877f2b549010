// The `/domum cancel` modal's submission (issue 8): an empty reason is answered under the field; otherwise the
// cancellation is applied (once, whoever submits twice) and the modal shows what was done, or why nothing was.
import type { AllMiddlewareArgs, SlackViewMiddlewareArgs } from '@slack/bolt';
import { cancelAccesses, parseCancelTarget } from '../../usecases/cancel-accesses.ts';
import { getRoles } from '../../usecases/get-roles.ts';
import {
  buildCancelResultView,
  cancelDoneText,
  cancelRefusalText,
  CANCEL_REASON_REQUIRED_TEXT,
  CANCEL_REASON_TOO_LONG_TEXT,
} from '../blocks/cancel-blocks.ts';
import { CANCEL_REASON_ACTION, CANCEL_REASON_BLOCK } from '../ids.ts';
import type { AppDeps } from '../../app-deps.ts';
import { cancelMetadata, readPrivateMetadata } from '../private-metadata.ts';

type ViewArgs = SlackViewMiddlewareArgs & AllMiddlewareArgs;

export function createCancelSubmission(deps: AppDeps) {
  return async ({ ack, body, view }: ViewArgs): Promise<void> => {
    const target = parseCancelTarget(readPrivateMetadata(cancelMetadata, view.private_metadata)?.code ?? '');
    if (!target) {
      // Not a view this app built: nothing to cancel, nothing to say.
      await ack({ response_action: 'clear' });
      return;
    }
    const reason = view.state.values[CANCEL_REASON_BLOCK]?.[CANCEL_REASON_ACTION]?.value ?? '';
    if (!reason.trim()) {
      await ack({ response_action: 'errors', errors: { [CANCEL_REASON_BLOCK]: CANCEL_REASON_REQUIRED_TEXT } });
      return;
    }
    const roles = await getRoles({ db: deps.db, adminUserIds: deps.config.adminUserIds }, body.user.id);
    const result = await cancelAccesses(deps, {
      target,
      actor: { userId: body.user.id, isAdmin: roles.isAdmin },
      reason,
    });
    if (result.ok) {
      await ack({ response_action: 'update', view: buildCancelResultView(result.code, cancelDoneText(result)) });
      return;
    }
    if (result.reason === 'reason-required' || result.reason === 'reason-too-long') {
      await ack({
        response_action: 'errors',
        errors: {
          [CANCEL_REASON_BLOCK]:
            result.reason === 'reason-required' ? CANCEL_REASON_REQUIRED_TEXT : CANCEL_REASON_TOO_LONG_TEXT,
        },
      });
      return;
    }
    await ack({ response_action: 'update', view: buildCancelResultView(target.code, cancelRefusalText(result)) });
  };
}
