// Continue / Cancel on a path-B preview in a file's thread. Continue opens the same modal flow as
// /domum import (a button click carries a trigger id; the upload event did not).
import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { getRoles } from '../../usecases/get-roles.ts';
import { cancelImport, findImport } from '../../usecases/import-lifecycle.ts';
import { buildPreviewModal } from '../blocks/import-blocks.ts';
import type { AppDeps } from '../../app-deps.ts';
import { buildPreviewInput, markPreviewDecided } from '../../usecases/import-notices.ts';

type ButtonArgs = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;

async function tellPrivately(args: ButtonArgs, text: string): Promise<void> {
  await args.respond({ response_type: 'ephemeral', replace_original: false, text });
}

const STATUS_WORDS = {
  validating: 'being checked',
  ready: 'ready',
  importing: 'already running',
  done: 'already done',
  failed: 'failed',
  cancelled: 'cancelled',
} as const;

export function createContinueImportAction(deps: AppDeps) {
  return async (args: ButtonArgs): Promise<void> => {
    const { ack, body, action, client } = args;
    await ack();
    const record = await findImport(deps, Number(action.value));
    if (!record) return tellPrivately(args, 'This import no longer exists.');
    if (record.importer_user_id !== body.user.id) {
      return tellPrivately(
        args,
        `Only <@${record.importer_user_id}>, who uploaded the file, can continue this import.`,
      );
    }
    if (record.status !== 'ready')
      return tellPrivately(args, `This import (${record.code}) is ${STATUS_WORDS[record.status]}.`);
    const roles = await getRoles({ db: deps.db, adminUserIds: deps.config.adminUserIds }, body.user.id);
    await client.views.open({
      trigger_id: body.trigger_id,
      view: buildPreviewModal(await buildPreviewInput(deps, record, false), {
        askAutoAccess: { canRequest: roles.canRequest },
      }),
    });
  };
}

export function createCancelImportAction(deps: AppDeps) {
  return async (args: ButtonArgs): Promise<void> => {
    const { ack, body, action } = args;
    await ack();
    const result = await cancelImport(deps, Number(action.value), body.user.id);
    if (!result.ok) {
      if (result.reason === 'not-yours')
        return tellPrivately(
          args,
          `Only <@${result.import?.importer_user_id ?? ''}>, who uploaded the file, can cancel this import.`,
        );
      if (result.reason === 'not-found') return tellPrivately(args, 'This import no longer exists.');
      return tellPrivately(
        args,
        `This import (${result.import?.code ?? ''}) is ${result.import ? STATUS_WORDS[result.import.status] : 'gone'}.`,
      );
    }
    await markPreviewDecided(deps, result.import.id, `Cancelled by <@${body.user.id}>. Nothing was written.`);
  };
}
