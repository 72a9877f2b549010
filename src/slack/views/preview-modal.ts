// The import preview modal (README, "Importing users"): Continue imports the checked file — or, with
// "Automatically provide access after import", opens the request wizard in the same modal first — and
// closing the modal cancels an import started from /domum import.
import type { AllMiddlewareArgs, SlackViewMiddlewareArgs } from '@slack/bolt';
import type { AppDeps } from '../../app-deps.ts';
import { isKnownTimeZone } from '../../domain/access-limitation.ts';
import { cancelImport, continueImport, findImport } from '../../usecases/import-lifecycle.ts';
import type { DecisionResult } from '../../usecases/import-lifecycle.ts';
import { beginRequestDraft, DRAFT_REFUSAL_TEXT } from '../../usecases/request-wizard.ts';
import { buildImportingModal } from '../blocks/import-blocks.ts';
import { escapeMrkdwn } from '../blocks/mrkdwn.ts';
import { AUTO_ACCESS_ACTION, AUTO_ACCESS_BLOCK, AUTO_ACCESS_YES_VALUE } from '../ids.ts';
import { markPreviewDecided } from '../../usecases/import-notices.ts';
import { previewMetadata, readPrivateMetadata } from '../private-metadata.ts';
import { buildStepView, messageView, wizardDeps } from '../wizard/wizard-step-view.ts';

type ViewArgs = SlackViewMiddlewareArgs & AllMiddlewareArgs;

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
    const metadata = readPrivateMetadata(previewMetadata, view.private_metadata);
    if (!metadata) {
      await ack({ response_action: 'clear' });
      return;
    }
    const record = await findImport(deps, metadata.importId);
    const askedHere = view.state.values[AUTO_ACCESS_BLOCK]?.[AUTO_ACCESS_ACTION]?.selected_option?.value;
    const autoAccess = askedHere !== undefined ? askedHere === AUTO_ACCESS_YES_VALUE : record?.auto_access === true;
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
    const result = await continueImport(deps, metadata.importId, body.user.id);
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
    const metadata = readPrivateMetadata(previewMetadata, view.private_metadata);
    if (!metadata) return;
    const record = await findImport(deps, metadata.importId);
    // Closing the modal cancels an import started from /domum import; an uploaded file keeps its preview
    // and buttons in the thread, so closing the modal there only closes the modal.
    if (record?.source === 'modal') await cancelImport(deps, record.id, body.user.id);
  };
}

/** The requester's Slack time zone (an access's days and times are evaluated in it); the default if unknown. */
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
