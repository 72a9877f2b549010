// `/domum import`: opens the import modal (README, "Importing users"). The modal is opened first and fast: a
// trigger id expires three seconds after the command was typed.
import { buildImportModal } from '../blocks/import-blocks.ts';
import { listResumableDrafts } from '../../usecases/request-wizard.ts';
import { getRoles } from '../../usecases/get-roles.ts';
import type { CommandArgs, Subcommand } from './subcommand.ts';

export const NO_IMPORT_ROLE_TEXT =
  'You cannot import users: only importers, requesters and admins can. Ask an admin to add you to the catalog.';

export const importSubcommand: Subcommand = {
  name: 'import',
  usage: 'import',
  description: 'import third-party users from a spreadsheet (or upload the spreadsheet in a channel where I am)',
  run: async ({ ack, command, client }, _rest, deps) => {
    const roles = await getRoles({ db: deps.db, adminUserIds: deps.config.adminUserIds }, command.user_id);
    if (!roles.canImport) {
      await ack({ response_type: 'ephemeral', text: NO_IMPORT_ROLE_TEXT });
      return;
    }
    await ack();
    const resumable = roles.canRequest ? await listResumableDrafts(deps, command.user_id) : [];
    const askChannel = roles.canRequest && !(await botCanPostIn(client, command.channel_id));
    await client.views.open({
      trigger_id: command.trigger_id,
      view: buildImportModal({ canRequest: roles.canRequest }, command.channel_id, resumable, askChannel),
    });
  },
};

/** A request card goes to a channel the bot is a member of; a DM with someone is not a place for it. */
export async function botCanPostIn(client: CommandArgs['client'], channelId: string | undefined): Promise<boolean> {
  if (!channelId || channelId.startsWith('D')) return false;
  try {
    const info = await client.conversations.info({ channel: channelId });
    return info.channel?.is_member === true && info.channel.is_archived !== true;
  } catch {
    return false;
  }
}
