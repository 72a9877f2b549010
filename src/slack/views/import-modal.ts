// The file modal of /domum import (README, "Importing users"): Check starts checking the chosen spreadsheet and
// the modal says so; the preview replaces it when the check is done. A wrong file, or a missing channel for
// the request card when one is needed, is answered under its field.
import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewOutput } from '@slack/bolt';
import { z } from 'zod';
import type { AppDeps } from '../../app-deps.ts';
import { getRoles } from '../../usecases/get-roles.ts';
import { startImport } from '../../usecases/import-lifecycle.ts';
import { buildCheckingModal } from '../blocks/import-blocks.ts';
import { botCanPostIn, NO_IMPORT_ROLE_TEXT } from '../commands/import-command.ts';
import {
  AUTO_ACCESS_ACTION,
  AUTO_ACCESS_BLOCK,
  AUTO_ACCESS_YES_VALUE,
  CARD_CHANNEL_ACTION,
  CARD_CHANNEL_BLOCK,
  IMPORT_FILE_ACTION,
  IMPORT_FILE_BLOCK,
} from '../ids.ts';
import { importModalMetadata, readPrivateMetadata } from '../private-metadata.ts';

type ViewArgs = SlackViewMiddlewareArgs & AllMiddlewareArgs;
type StateValues = ViewOutput['state']['values'];
type Chosen<T> = ({ ok: true } & T) | { ok: false; error: string };

const SPREADSHEET_NAME = /\.(xlsx|xls|ods|csv)$/i;
const submittedFiles = z.array(
  z.object({ id: z.string().min(1), name: z.string().optional(), title: z.string().optional() }),
);

export function createImportModalSubmission(deps: AppDeps) {
  return async ({ ack, body, view, client }: ViewArgs): Promise<void> => {
    const userId = body.user.id;
    const roles = await getRoles({ db: deps.db, adminUserIds: deps.config.adminUserIds }, userId);
    if (!roles.canImport) {
      await ack({ response_action: 'errors', errors: { [IMPORT_FILE_BLOCK]: NO_IMPORT_ROLE_TEXT } });
      return;
    }
    const file = chosenSpreadsheet(view.state.values);
    if (!file.ok) {
      await ack({ response_action: 'errors', errors: { [IMPORT_FILE_BLOCK]: file.error } });
      return;
    }
    const metadata = readPrivateMetadata(importModalMetadata, view.private_metadata);
    // Only a requester's Yes counts: the option is not shown to others, and a replayed payload is not trusted.
    const autoAccess =
      roles.canRequest &&
      view.state.values[AUTO_ACCESS_BLOCK]?.[AUTO_ACCESS_ACTION]?.selected_option?.value === AUTO_ACCESS_YES_VALUE;
    let channelId = metadata?.channelId ?? null;
    if (autoAccess && metadata?.askChannel === true) {
      const channel = await chosenCardChannel(client, view.state.values);
      if (!channel.ok) {
        await ack({ response_action: 'errors', errors: { [CARD_CHANNEL_BLOCK]: channel.error } });
        return;
      }
      channelId = channel.channelId;
    }
    await startImport(deps, {
      fileName: file.fileName,
      importerUserId: userId,
      source: 'modal',
      slackFileId: file.id,
      viewId: view.id,
      channelId,
      autoAccess,
    });
    await ack({ response_action: 'update', view: buildCheckingModal(file.fileName) });
  };
}

/** The spreadsheet chosen in the file input, or what to say under it. */
function chosenSpreadsheet(values: StateValues): Chosen<{ id: string; fileName: string }> {
  const files = submittedFiles.safeParse(values[IMPORT_FILE_BLOCK]?.[IMPORT_FILE_ACTION]?.files ?? []);
  const file = files.success ? files.data[0] : undefined;
  if (!file) return { ok: false, error: 'Choose a spreadsheet to import.' };
  const fileName = file.name ?? file.title ?? 'spreadsheet';
  if (!SPREADSHEET_NAME.test(fileName))
    return { ok: false, error: `${fileName} is not a spreadsheet: use an xlsx, xls, ods or csv file.` };
  return { ok: true, id: file.id, fileName };
}

/** The channel chosen for the request card (asked where the bot cannot post), or what to say under it. */
async function chosenCardChannel(
  client: ViewArgs['client'],
  values: StateValues,
): Promise<Chosen<{ channelId: string }>> {
  const chosen = values[CARD_CHANNEL_BLOCK]?.[CARD_CHANNEL_ACTION]?.selected_conversation ?? null;
  if (!chosen) return { ok: false, error: 'Choose the channel where the request is posted for approval.' };
  if (!(await botCanPostIn(client, chosen)))
    return { ok: false, error: 'I am not a member of that channel: invite me with /invite @Domum, or choose another.' };
  return { ok: true, channelId: chosen };
}
