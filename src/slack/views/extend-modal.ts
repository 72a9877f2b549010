// The `/domum extend` modal's submission (issue 17): a field to fix is answered under it; otherwise the new end is
// asked for (once, whoever submits twice) and the modal says what happens next, or why nothing did.
import type { AllMiddlewareArgs, SlackViewMiddlewareArgs } from '@slack/bolt';
import type { AppDeps } from '../../app-deps.ts';
import { extendRequest, parseExtendTarget } from '../../usecases/extend-request.ts';
import { getRoles } from '../../usecases/get-roles.ts';
import {
  buildExtendResultView,
  extendBlockOf,
  extendDoneText,
  extensionRefusalText,
  parseExtendValues,
} from '../blocks/extension-blocks.ts';
import { extendMetadata, readPrivateMetadata } from '../private-metadata.ts';

type ViewArgs = SlackViewMiddlewareArgs & AllMiddlewareArgs;

export function createExtendSubmission(deps: AppDeps) {
  return async ({ ack, body, view }: ViewArgs): Promise<void> => {
    const code = parseExtendTarget(readPrivateMetadata(extendMetadata, view.private_metadata)?.code ?? '');
    if (!code) {
      // Not a view this app built: nothing to extend, nothing to say.
      await ack({ response_action: 'clear' });
      return;
    }
    const parsed = parseExtendValues(view.state.values);
    if (!parsed.ok) {
      await ack({ response_action: 'errors', errors: { [parsed.blockId]: parsed.message } });
      return;
    }
    const roles = await getRoles({ db: deps.db, adminUserIds: deps.config.adminUserIds }, body.user.id);
    const result = await extendRequest(
      { db: deps.db, jobs: deps.jobs, now: deps.now, approvalTtlHours: deps.config.approvalTtlHours },
      { code, actor: { userId: body.user.id, isAdmin: roles.isAdmin }, ask: parsed.ask, reason: parsed.reason },
    );
    if (result.ok) {
      await ack({ response_action: 'update', view: buildExtendResultView(result.code, extendDoneText(result)) });
      return;
    }
    if (result.reason === 'invalid') {
      await ack({ response_action: 'errors', errors: { [extendBlockOf(result.field)]: result.message } });
      return;
    }
    await ack({ response_action: 'update', view: buildExtendResultView(code, extensionRefusalText(result)) });
  };
}
