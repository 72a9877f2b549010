// Pure builders for the import flow: the modals (file, checking, preview, importing) and the preview and
// summary messages. Words, counts and error lines are those README's "Importing users" and "Provisioning" show.
import type { KnownBlock, ModalView } from '@slack/types';
import { describeDryRunCounts, describeFinalCounts } from '../../domain/import-counts.ts';
import { formatErrorLine } from '../../domain/import-lines.ts';
import {
  CARD_CHANNEL_ACTION,
  CARD_CHANNEL_BLOCK,
  AUTO_ACCESS_ACTION,
  AUTO_ACCESS_BLOCK,
  AUTO_ACCESS_NO_VALUE,
  AUTO_ACCESS_YES_VALUE,
  CANCEL_IMPORT_ACTION,
  CONTINUE_IMPORT_ACTION,
  IMPORT_FILE_ACTION,
  IMPORT_FILE_BLOCK,
  IMPORT_MODAL_CALLBACK,
  PREVIEW_MODAL_CALLBACK,
  PROGRESS_MODAL_CALLBACK,
  WIZARD_RESUME_ACTION,
} from '../ids.ts';
import { importModalMetadata, previewMetadata, writePrivateMetadata } from '../private-metadata.ts';
import { escapeMrkdwn } from './mrkdwn.ts';
import type { PreviewInput, SummaryInput } from '../../usecases/notifier.ts';
import { PREVIEW_ERROR_LINES, SUMMARY_ERROR_LINES, resultsFileName } from '../../domain/import-lines.ts';
export type { PreviewInput, SummaryInput };
export { PREVIEW_ERROR_LINES, SUMMARY_ERROR_LINES, resultsFileName };

const MODAL_TITLE = 'Import users';

function plain(text: string) {
  return { type: 'plain_text' as const, text, emoji: true };
}

function section(text: string): KnownBlock {
  return { type: 'section', text: { type: 'mrkdwn', text: truncate(text, 3000) } };
}

function context(text: string): KnownBlock {
  return { type: 'context', elements: [{ type: 'mrkdwn', text: truncate(text, 3000) }] };
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Why the "Automatically provide access after import" option is or is not offered to this user. */
export interface AutoAccessOffer {
  canRequest: boolean;
}

const AUTO_ACCESS_LABEL = 'Automatically provide access after import';
const NOT_A_REQUESTER = 'Only requesters can ask for access for the users they import; ask an admin if you need it.';

/** Yes/No for requesters; for everyone else, one line saying why the option is not there. */
export function autoAccessBlock(offer: AutoAccessOffer): KnownBlock {
  if (!offer.canRequest) return context(`*${AUTO_ACCESS_LABEL}:* No. ${NOT_A_REQUESTER}`);
  const no = { text: plain('No'), value: AUTO_ACCESS_NO_VALUE };
  return {
    type: 'input',
    block_id: AUTO_ACCESS_BLOCK,
    label: plain(AUTO_ACCESS_LABEL),
    element: {
      type: 'radio_buttons',
      action_id: AUTO_ACCESS_ACTION,
      options: [{ text: plain('Yes'), value: AUTO_ACCESS_YES_VALUE }, no],
      initial_option: no,
    },
    hint: plain('Yes: after the preview, describe the access (devices, credentials, schedule) for approval.'),
  };
}

export interface ResumableDraft {
  id: string;
  fileName: string;
  importCode: string;
}

/**
 * When /domum import runs where the bot cannot post (a DM, a channel without the bot), the modal
 * asks in which channel the request card goes. Slack cannot make one input required only when another says
 * Yes, so the app checks it on submit.
 */
export function cardChannelBlock(): KnownBlock {
  return {
    type: 'input',
    block_id: CARD_CHANNEL_BLOCK,
    optional: true,
    label: plain('Channel'),
    element: {
      type: 'conversations_select',
      action_id: CARD_CHANNEL_ACTION,
      filter: { include: ['public', 'private'], exclude_bot_users: true },
    },
    hint: plain(
      'Where the access request is posted for approval (I must be a member). Needed when you answer Yes above.',
    ),
  };
}

export function buildImportModal(
  offer: AutoAccessOffer,
  channelId?: string | null,
  resumable: readonly ResumableDraft[] = [],
  askChannel = false,
): ModalView {
  const resumeBlocks: KnownBlock[] = resumable.map((draft) => ({
    type: 'section',
    text: {
      type: 'mrkdwn',
      text: truncate(
        `You have an unfinished access request for *${escapeMrkdwn(draft.fileName)}* (${draft.importCode}).`,
        3000,
      ),
    },
    accessory: { type: 'button', action_id: WIZARD_RESUME_ACTION, text: plain('Resume'), value: draft.id },
  }));
  return {
    type: 'modal',
    callback_id: IMPORT_MODAL_CALLBACK,
    title: plain(MODAL_TITLE),
    submit: plain('Check'),
    close: plain('Cancel'),
    private_metadata: writePrivateMetadata(importModalMetadata, {
      channelId: channelId ?? null,
      askChannel: offer.canRequest && askChannel,
    }),
    blocks: [
      ...resumeBlocks,
      ...(resumeBlocks.length > 0 ? [{ type: 'divider' } as KnownBlock] : []),
      section(
        'Choose a spreadsheet of third-party users (xlsx, xls, ods or csv). Every line is checked first; nothing is written until you continue.',
      ),
      {
        type: 'input',
        block_id: IMPORT_FILE_BLOCK,
        label: plain('Spreadsheet'),
        element: {
          type: 'file_input',
          action_id: IMPORT_FILE_ACTION,
          filetypes: ['xlsx', 'xls', 'ods', 'csv'],
          max_files: 1,
        },
        hint: plain(
          'Columns: Vendor, Name, Email, Enabled (required); Phone, Document (optional). /domum template gives you a ready-made file.',
        ),
      },
      autoAccessBlock(offer),
      ...(offer.canRequest && askChannel ? [cardChannelBlock()] : []),
    ],
  };
}

export function buildCheckingModal(fileName: string): ModalView {
  return {
    type: 'modal',
    callback_id: PROGRESS_MODAL_CALLBACK,
    title: plain(MODAL_TITLE),
    close: plain('Close'),
    blocks: [
      section(`Checking *${escapeMrkdwn(fileName)}*…`),
      context(
        'Every line is checked against the catalog and the users already registered. If you close this window, the preview is sent to you as a direct message.',
      ),
    ],
  };
}

function errorLineTexts(errorLines: PreviewInput['errorLines'], limit: number): string[] {
  const texts: string[] = [];
  for (const line of errorLines) {
    for (const error of line.errors) {
      if (texts.length >= limit) return texts;
      texts.push(escapeMrkdwn(formatErrorLine(line.lineNumber, { ...error, value: truncate(error.value, 60) })));
    }
  }
  return texts;
}

function previewBlocks(input: PreviewInput): KnownBlock[] {
  const { counts } = input;
  const blocks: KnownBlock[] = [
    section(
      `*${input.import.code}* · ${escapeMrkdwn(input.import.file_name)}\n${describeDryRunCounts(counts).join('\n')}`,
    ),
  ];
  const warnings: string[] = [];
  if (input.import.unknown_columns.length > 0) {
    warnings.push(
      `Ignored columns: ${input.import.unknown_columns.map((name) => escapeMrkdwn(truncate(name, 40))).join(', ')}.`,
    );
  }
  if (input.earlierImport) {
    warnings.push(
      `This file was already imported as ${input.earlierImport.code}: users registered then will be existing.`,
    );
  }
  if (warnings.length > 0) blocks.push(context(`:warning: ${warnings.join(' ')}`));
  if (counts.error > 0) {
    const shown = errorLineTexts(input.errorLines, PREVIEW_ERROR_LINES);
    const more =
      counts.error > shown.length
        ? `\n…and more: every line is in ${resultsFileName(input.import.code)}${input.resultsAttached ? ', attached' : ''}.`
        : '';
    blocks.push(section(`*Errors*\n${shown.join('\n')}${more}`));
  }
  blocks.push(
    context(
      counts.error > 0
        ? 'Nothing is written until you continue. Lines with errors are skipped; fix them and import the file again.'
        : 'Nothing is written until you continue.',
    ),
  );
  return blocks;
}

/**
 * The preview as a modal. Path A chose "Automatically provide access" in the file modal already
 * (`autoAccessChosen`); path B asks here (`askAutoAccess`), since the upload had no modal before.
 */
export function buildPreviewModal(
  input: PreviewInput,
  options: { askAutoAccess?: AutoAccessOffer; autoAccessChosen?: boolean } = {},
): ModalView {
  const importable = input.counts.created + input.counts.created_inactive > 0;
  const extra: KnownBlock[] = [];
  if (!importable) extra.push(context('There is nothing new to import in this file.'));
  else if (options.askAutoAccess) extra.push(autoAccessBlock(options.askAutoAccess));
  else if (options.autoAccessChosen)
    extra.push(context('After Continue you describe the access to request for the new active users.'));
  return {
    type: 'modal',
    callback_id: PREVIEW_MODAL_CALLBACK,
    title: plain(MODAL_TITLE),
    ...(importable ? { submit: plain('Continue') } : {}),
    close: plain(importable ? 'Cancel' : 'Close'),
    notify_on_close: importable,
    private_metadata: writePrivateMetadata(previewMetadata, { importId: input.import.id }),
    blocks: [...previewBlocks(input), ...extra],
  };
}

export function buildPreviewMessage(input: PreviewInput): { text: string; blocks: KnownBlock[] } {
  const importable = input.counts.created + input.counts.created_inactive > 0;
  const blocks = previewBlocks(input);
  if (importable) {
    blocks.push({
      type: 'actions',
      elements: [
        {
          type: 'button',
          action_id: CONTINUE_IMPORT_ACTION,
          text: plain('Continue'),
          style: 'primary',
          value: String(input.import.id),
        },
        { type: 'button', action_id: CANCEL_IMPORT_ACTION, text: plain('Cancel'), value: String(input.import.id) },
      ],
    });
  }
  return {
    text: `Preview of ${input.import.file_name} (${input.import.code}): ${describeDryRunCounts(input.counts).join(', ')}`,
    blocks,
  };
}

/** Replaces the preview's buttons once a decision was taken, so nobody clicks them again. */
export function buildDecidedPreviewMessage(
  input: PreviewInput,
  outcome: string,
): { text: string; blocks: KnownBlock[] } {
  const blocks = previewBlocks(input);
  blocks.push(context(outcome));
  return { text: `${input.import.code}: ${outcome}`, blocks };
}

export function buildImportingModal(fileName: string, code: string, where: string): ModalView {
  return {
    type: 'modal',
    callback_id: PROGRESS_MODAL_CALLBACK,
    title: plain(MODAL_TITLE),
    close: plain('Close'),
    blocks: [
      section(`Importing *${escapeMrkdwn(fileName)}* (${code})…`),
      context(`The summary will be sent ${where}.`),
    ],
  };
}

export function buildCheckFailedModal(fileName: string, reason: string): ModalView {
  return {
    type: 'modal',
    callback_id: PROGRESS_MODAL_CALLBACK,
    title: plain(MODAL_TITLE),
    close: plain('Close'),
    blocks: [
      section(`*${escapeMrkdwn(fileName)}* cannot be imported.\n${escapeMrkdwn(reason)}`),
      context('Nothing was written. Fix the file and run /domum import again.'),
    ],
  };
}

export function buildCheckFailedMessage(
  fileName: string,
  code: string,
  reason: string,
): { text: string; blocks: KnownBlock[] } {
  const text = `${fileName} cannot be imported (${code}): ${reason}`;
  return {
    text,
    blocks: [
      section(`*${escapeMrkdwn(fileName)}* cannot be imported (${code}).\n${escapeMrkdwn(reason)}`),
      context('Nothing was written.'),
    ],
  };
}

/** The summary reply (README, "Provisioning"): starts with "Summary", counts as "Created: 8", up to 20 error lines. */
export function buildSummaryMessage(input: SummaryInput & { requestCode?: string; extraLines?: string[] }): {
  text: string;
  blocks: KnownBlock[];
} {
  const { counts } = input;
  const countLines = [...describeFinalCounts(counts), ...(input.extraLines ?? [])];
  const head = `Summary · ${input.requestCode ? `${input.requestCode} · ` : ''}${input.import.code} · ${escapeMrkdwn(input.import.file_name)}`;
  const blocks: KnownBlock[] = [section(`*${head}*\n${countLines.join('\n')}`)];
  if (counts.error > 0) {
    const shown = errorLineTexts(input.errorLines, SUMMARY_ERROR_LINES);
    blocks.push(section(`*Errors*\n${shown.join('\n')}${counts.error > shown.length ? '\n…and more.' : ''}`));
  }
  if (input.resultsAttached)
    blocks.push(context(`Every line, with its outcome: ${resultsFileName(input.import.code)}.`));
  return {
    text: `Summary · ${input.requestCode ? `${input.requestCode} · ` : ''}${input.import.code} · ${input.import.file_name}: ${countLines.join(', ')}`,
    blocks,
  };
}
