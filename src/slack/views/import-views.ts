// The import modal's submissions (SPEC §4): the file modal ("Check") and the preview modal ("Continue",
// or closing it, which cancels an import started from /domum import).
import type { AllMiddlewareArgs, SlackViewMiddlewareArgs } from '@slack/bolt';
import { z } from 'zod';
import { findImportById } from '../../db/repos/import-repo.ts';
import { getRoles } from '../../usecases/get-roles.ts';
import { isKnownTimeZone } from '../../domain/access-limitation.ts';
import { cancelImport, continueImport, startImport } from '../../usecases/import-lifecycle.ts';
import { beginRequestDraft, DRAFT_REFUSAL_TEXT } from '../../usecases/request-wizard.ts';
import { buildStepView, messageView, wizardDeps } from '../wizard/wizard-handlers.ts';
import type { DecisionResult } from '../../usecases/import-lifecycle.ts';
import { buildCheckingModal, buildImportingModal } from '../blocks/import-blocks.ts';
import type { AppDeps } from '../../app-deps.ts';
import {
  AUTO_ACCESS_ACTION,
  AUTO_ACCESS_BLOCK,
  CARD_CHANNEL_ACTION,
  CARD_CHANNEL_BLOCK,
  IMPORT_FILE_ACTION,
  IMPORT_FILE_BLOCK,
} from '../ids.ts';
import { botCanPostIn, NO_IMPORT_ROLE_TEXT } from '../commands/import-command.ts';
import { markPreviewDecided } from '../../usecases/import-notices.ts';
import { escapeMrkdwn } from '../blocks/mrkdwn.ts';

type ViewArgs = SlackViewMiddlewareArgs & AllMiddlewareArgs;

const SPREADSHEET_NAME = /\.(xlsx|xls|ods|csv)$/i;
const submittedFiles = z.array(
  z.object({ id: z.string().min(1), name: z.string().optional(), title: z.string().optional() }),
);
const previewMetadata = z.object({ importId: z.number().int().positive() });
const importModalMetadata = z.object({
  channelId: z
    .string()
    .regex(/^[CGD][A-Z0-9]+$/)
    .nullable(),
  askChannel: z.boolean().optional(),
});

export function createImportModalSubmission(deps: AppDeps) {
  return async ({ ack, body, view, client }: ViewArgs): Promise<void> => {
    const userId = body.user.id;
    const roles = await getRoles({ db: deps.db, adminUserIds: deps.config.adminUserIds }, userId);
    if (!roles.canImport) {
      await ack({ response_action: 'errors', errors: { [IMPORT_FILE_BLOCK]: NO_IMPORT_ROLE_TEXT } });
      return;
    }
    const files = submittedFiles.safeParse(view.state.values[IMPORT_FILE_BLOCK]?.[IMPORT_FILE_ACTION]?.files ?? []);
    const file = files.success ? files.data[0] : undefined;
    if (!file) {
      await ack({ response_action: 'errors', errors: { [IMPORT_FILE_BLOCK]: 'Choose a spreadsheet to import.' } });
      return;
    }
    const fileName = file.name ?? file.title ?? 'spreadsheet';
    if (!SPREADSHEET_NAME.test(fileName)) {
      await ack({
        response_action: 'errors',
        errors: { [IMPORT_FILE_BLOCK]: `${fileName} is not a spreadsheet: use an xlsx, xls, ods or csv file.` },
      });
      return;
    }
    const metadata = importModalMetadata.safeParse(safeJson(view.private_metadata));
    // Only a requester's Yes counts: the option is not shown to others, and a replayed payload is not trusted.
    const autoAccess =
      roles.canRequest && view.state.values[AUTO_ACCESS_BLOCK]?.[AUTO_ACCESS_ACTION]?.selected_option?.value === 'yes';
    let channelId = metadata.success ? metadata.data.channelId : null;
    const asked = metadata.success && metadata.data.askChannel === true;
    if (autoAccess && asked) {
      const chosen = view.state.values[CARD_CHANNEL_BLOCK]?.[CARD_CHANNEL_ACTION]?.selected_conversation ?? null;
      if (!chosen) {
        await ack({
          response_action: 'errors',
          errors: { [CARD_CHANNEL_BLOCK]: 'Choose the channel where the request is posted for approval.' },
        });
        return;
      }
      if (!(await botCanPostIn(client, chosen))) {
        await ack({
          response_action: 'errors',
          errors: {
            [CARD_CHANNEL_BLOCK]:
              'I am not a member of that channel: invite me with /invite @Domum, or choose another.',
          },
        });
        return;
      }
      channelId = chosen;
    }
    await startImport(deps, {
      fileName,
      importerUserId: userId,
      source: 'modal',
      slackFileId: file.id,
      viewId: view.id,
      channelId,
      autoAccess,
    });
    await ack({ response_action: 'update', view: buildCheckingModal(fileName) });
  };
}

function decisionProblem(result: Extract<DecisionResult, { ok: false }>): string {
  switch (result.reason) {
    case 'not-found':
      return 'This import no longer exists.';
    case 'not-yours':
      return `Only <@${result.import?.importer_user_id ?? ''}>, who started this import, can continue or cancel it.`;
    case 'already-importing':
      return 'This import is already running.';
    case 'already-done':
      return 'This import is already done.';
    case 'cancelled':
      return 'This import was cancelled.';
    case 'failed':
      return 'This file could not be imported.';
    case 'not-ready':
      return 'This file is still being checked.';
  }
}

export function createPreviewModalSubmission(deps: AppDeps) {
  return async ({ ack, body, view, client }: ViewArgs): Promise<void> => {
    const metadata = previewMetadata.safeParse(safeJson(view.private_metadata));
    if (!metadata.success) {
      await ack({ response_action: 'clear' });
      return;
    }
    const record = await findImportById(deps.db, metadata.data.importId);
    const askedHere = view.state.values[AUTO_ACCESS_BLOCK]?.[AUTO_ACCESS_ACTION]?.selected_option?.value;
    const autoAccess = askedHere !== undefined ? askedHere === 'yes' : record?.auto_access === true;
    if (record && autoAccess) {
      // "Automatically provide access after import": the wizard collects the request before anything is
      // imported; Create then imports the users and posts the request.
      const timeZone = await requesterTimeZone(client, body.user.id, deps.config.defaultTimeZone);
      const access = await beginRequestDraft(wizardDeps(deps), { importId: record.id, userId: body.user.id, timeZone });
      if (!access.ok) {
        await ack({ response_action: 'update', view: messageView(DRAFT_REFUSAL_TEXT[access.reason]) });
        return;
      }
      await ack({ response_action: 'update', view: await buildStepView(deps, access, 'general') });
      return;
    }
    const result = await continueImport(deps, metadata.data.importId, body.user.id);
    if (!result.ok) {
      await ack({
        response_action: 'update',
        view: {
          type: 'modal',
          title: { type: 'plain_text', text: 'Import users' },
          close: { type: 'plain_text', text: 'Close' },
          blocks: [
            {
              type: 'section',
              text: { type: 'mrkdwn', text: escapeMrkdwn(decisionProblem(result)).replace(/&lt;@(\w+)&gt;/g, '<@$1>') },
            },
          ],
        },
      });
      return;
    }
    const continued = result.import;
    const where = continued.source === 'upload' ? 'in the file’s thread' : 'to you as a direct message';
    await ack({ response_action: 'update', view: buildImportingModal(continued.file_name, continued.code, where) });
    if (continued.source === 'upload')
      await markPreviewDecided(deps, continued.id, `Continued by <@${body.user.id}>: importing…`);
  };
}

export function createPreviewModalClosed(deps: AppDeps) {
  return async ({ ack, body, view }: ViewArgs): Promise<void> => {
    await ack();
    const metadata = previewMetadata.safeParse(safeJson(view.private_metadata));
    if (!metadata.success) return;
    const record = await findImportById(deps.db, metadata.data.importId);
    // Closing the modal cancels an import started from /domum import; an uploaded file keeps its preview
    // and buttons in the thread, so closing the modal there only closes the modal.
    if (record?.source === 'modal') await cancelImport(deps, record.id, body.user.id);
  };
}

/** The requester's Slack time zone (SPEC §2: days and times are evaluated in it); the default if unknown. */
async function requesterTimeZone(
  client: AllMiddlewareArgs['client'],
  userId: string,
  fallback: string,
): Promise<string> {
  try {
    const info = await client.users.info({ user: userId });
    const timeZone = info.user?.tz;
    return timeZone && isKnownTimeZone(timeZone) ? timeZone : fallback;
  } catch {
    return fallback;
  }
}

function safeJson(text: string | undefined): unknown {
  try {
    return JSON.parse(text ?? '');
  } catch {
    return undefined;
  }
}
