// Path B: a spreadsheet uploaded in a channel where the bot is a member starts an import, previewed in the
// file's thread. To never spam a channel, the bot reacts only to files that
//   - are named .xlsx, .xls, .ods or .csv,
//   - were uploaded by someone who may import (importer, requester or admin),
//   - were not uploaded by the bot itself (its results files), and
//   - have not started an import already (Slack sends several events per upload, and retries them).
import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import { getRoles } from '../../usecases/get-roles.ts';
import { startImportFromUpload } from '../../usecases/import-lifecycle.ts';
import type { AppDeps } from '../../app-deps.ts';
import { getSlackFileInfo } from '../slack-files.ts';

const SPREADSHEET_NAME = /\.(xlsx|xls|ods|csv)$/i;

export function createFileSharedListener(deps: AppDeps) {
  return async ({
    event,
    context,
    client,
    logger,
  }: SlackEventMiddlewareArgs<'file_shared'> & AllMiddlewareArgs): Promise<void> => {
    if (event.user_id === context.botUserId) return;
    const roles = await getRoles({ db: deps.db, adminUserIds: deps.config.adminUserIds }, event.user_id);
    if (!roles.canImport) return;
    const file = await getSlackFileInfo(client, event.file_id);
    if (!SPREADSHEET_NAME.test(file.name) || file.userId === context.botUserId) return;
    const created = await startImportFromUpload(deps, {
      fileName: file.name,
      importerUserId: event.user_id,
      source: 'upload',
      slackFileId: file.id,
      channelId: event.channel_id,
      threadTs: file.shareTs[event.channel_id] ?? null,
    });
    if (created) logger.info(`import ${created.code} started from an upload`);
  };
}
