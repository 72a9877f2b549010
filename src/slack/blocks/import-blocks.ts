// Pure builders for the import flow: the modals (file, checking, preview, importing) and the preview and
// summary messages. Words, counts and error lines are those README's "Importing users" and "Provisioning" show.
import type { KnownBlock, ModalView, MrkdwnElement } from '@slack/types';
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
  RETRY_FAILED_ACTION,
  WIZARD_RESUME_ACTION,
} from '../ids.ts';
import { importModalMetadata, previewMetadata, writePrivateMetadata } from '../private-metadata.ts';
import { escapeMrkdwn } from './mrkdwn.ts';
import { excludedLinesText, mrkdwnStyle } from './status-blocks.ts';
import type {
  PreviewInput,
  ProgressInput,
  ProvisioningDoneInput,
  ProvisioningSummaryInput,
  SummaryInput,
} from '../../usecases/notifier.ts';
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

type ErrorLines = PreviewInput['errorLines'];

/** Characters an error list may take of its section (3,000), leaving room for its heading and "…and N more". */
const ERROR_LIST_BUDGET = 2600;
/** Characters of one error line once escaped: a mail server's reply can be long. */
const ERROR_LINE_MAX = 300;

/**
 * The first error lines as `line 14 · Email · "bob@" · not a valid email`, escaped, at most `limit` of them and
 * within the section's budget, then "…and N more" for the lines of `total` not shown. A line with several
 * errors shows each; it counts as shown once all of them are.
 */
export function errorListText(
  errorLines: ErrorLines,
  total: number,
  limit: number,
  more = '',
): { text: string; shown: number } {
  const texts: string[] = [];
  let used = 0;
  let linesShown = 0;
  for (const line of errorLines) {
    let complete = true;
    for (const error of line.errors) {
      const text = truncate(
        escapeMrkdwn(formatErrorLine(line.lineNumber, { ...error, value: truncate(error.value, 60) })),
        ERROR_LINE_MAX,
      );
      if (texts.length >= limit || used + text.length + 1 > ERROR_LIST_BUDGET) {
        complete = false;
        break;
      }
      texts.push(text);
      used += text.length + 1;
    }
    if (!complete) break;
    linesShown += 1;
  }
  const shown = texts.length;
  const rest = total - linesShown;
  if (rest > 0) texts.push(`…and ${rest} more${more}`);
  return { text: texts.join('\n'), shown };
}

/** The preview's counts: the lines, then what becomes of them, each count a number of spreadsheet lines. */
function previewCountsText(input: PreviewInput): string {
  const [lines, ...parts] = describeDryRunCounts(input.counts);
  return `*${input.import.code}* · ${escapeMrkdwn(input.import.file_name)}\n*${lines}:*\n${parts.map((part) => `• ${part}`).join('\n')}`;
}

function previewBlocks(input: PreviewInput): KnownBlock[] {
  const { counts } = input;
  const blocks: KnownBlock[] = [section(previewCountsText(input))];
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
    const where = `: every line is in ${resultsFileName(input.import.code)}${input.resultsAttached ? ', attached' : ''}.`;
    const list = errorListText(input.errorLines, counts.error, PREVIEW_ERROR_LINES, where);
    blocks.push(section(`*Errors*\n${list.text}`));
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
    text: `Preview of ${escapeMrkdwn(input.import.file_name)} (${input.import.code}): ${describeDryRunCounts(input.counts).join(', ')}`,
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
  return { text: `${input.import.code} · ${escapeMrkdwn(input.import.file_name)}: ${outcome}`, blocks };
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
  const text = `${escapeMrkdwn(fileName)} cannot be imported (${code}): ${escapeMrkdwn(reason)}`;
  return {
    text,
    blocks: [
      section(`*${escapeMrkdwn(fileName)}* cannot be imported (${code}).\n${escapeMrkdwn(reason)}`),
      context('Nothing was written.'),
    ],
  };
}

/** Block Kit's limit on a section's fields. */
const SECTION_FIELDS_MAX = 10;

function fieldsSection(texts: readonly string[]): KnownBlock {
  const fields: MrkdwnElement[] = texts
    .slice(0, SECTION_FIELDS_MAX)
    .map((text) => ({ type: 'mrkdwn', text: truncate(text, 2000) }));
  return { type: 'section', fields };
}

function summaryHead(input: SummaryInput & { requestCode?: string }, fileName: string): string {
  return `Summary · ${input.requestCode ? `${input.requestCode} · ` : ''}${input.import.code} · ${fileName}`;
}

function summaryMessage(
  input: SummaryInput & { requestCode?: string; extraLines?: string[] },
  errorSections: KnownBlock[],
): { text: string; blocks: KnownBlock[] } {
  const countLines = [...describeFinalCounts(input.counts), ...(input.extraLines ?? [])];
  const blocks: KnownBlock[] = [
    section(`*${summaryHead(input, escapeMrkdwn(input.import.file_name))}*`),
    fieldsSection(countLines),
    ...errorSections,
  ];
  if (input.resultsAttached)
    blocks.push(context(`Every line, with its outcome: ${resultsFileName(input.import.code)}.`));
  return {
    text: `${summaryHead(input, escapeMrkdwn(input.import.file_name))}: ${countLines.join(', ')}`,
    blocks,
  };
}

/**
 * The summary of an import without a request (README "Importing users"): starts with "Summary", the counts of
 * lines as fields ("Created: 8"; they add up to Lines), up to 20 error lines.
 */
export function buildSummaryMessage(input: SummaryInput): { text: string; blocks: KnownBlock[] } {
  const { counts } = input;
  const errors =
    counts.error > 0
      ? [section(`*Errors*\n${errorListText(input.errorLines, counts.error, SUMMARY_ERROR_LINES).text}`)]
      : [];
  return summaryMessage(input, errors);
}

/**
 * The provisioning summary (README, "Provisioning"): the counts as fields, then the lines a retry can fix (the
 * mail server refused their email) apart from the errors in the spreadsheet's data, at most 20 lines in all,
 * the users approvers excluded (at most 20, with who and why), and "Retry failed lines" when there are lines a
 * retry can fix.
 */
export function buildProvisioningSummaryMessage(input: ProvisioningSummaryInput): {
  text: string;
  blocks: KnownBlock[];
} {
  const dataErrors = input.counts.error - input.refusedCount;
  const sections: KnownBlock[] = [];
  let room = SUMMARY_ERROR_LINES;
  if (input.refusedCount > 0) {
    const list = errorListText(input.refusedLines, input.refusedCount, room);
    room -= list.shown;
    sections.push(
      section(
        `*Refused by the mail server: ${input.refusedCount}* · Retry failed lines sends their emails again\n${list.text}`,
      ),
    );
  }
  if (dataErrors > 0) {
    const list = errorListText(input.errorLines, dataErrors, room);
    sections.push(section(`*Errors in the data: ${dataErrors}* · fix these lines and import them again\n${list.text}`));
  }
  const excluded = input.counts.excluded ?? 0;
  if (excluded > 0 && input.excludedLines) {
    const list = excludedLinesText(input.excludedLines.slice(0, SUMMARY_ERROR_LINES), excluded, mrkdwnStyle);
    sections.push(section(`*Excluded by the approvers: ${excluded}* · no access, no email\n${list}`));
  }
  const message = summaryMessage(input, sections);
  if (input.retryRequestId !== undefined) {
    message.blocks.push({
      type: 'actions',
      elements: [
        {
          type: 'button',
          action_id: RETRY_FAILED_ACTION,
          text: plain('Retry failed lines'),
          value: String(input.retryRequestId),
        },
      ],
    });
  }
  return message;
}

/**
 * The one progress message of a request's thread, edited in place (README, "Provisioning"): it starts with
 * "Processing" and counts users (one access each), not lines.
 */
export function progressText(input: ProgressInput): string {
  const users = `${input.done} of ${input.total} ${input.total === 1 ? 'user' : 'users'} done`;
  const emails = `${input.emailsSent} ${input.emailsSent === 1 ? 'email' : 'emails'} sent`;
  const refused = input.errors > 0 ? ` · ${input.errors} refused by the mail server` : '';
  return `Processing ${input.code} · ${users} · ${emails}${refused}`;
}

/** The requester's direct message when provisioning ends. */
export function provisioningDoneText(input: ProvisioningDoneInput): string {
  const lines = `${input.errorLines} ${input.errorLines === 1 ? 'line' : 'lines'} in error`;
  return `Your request ${input.code} for ${escapeMrkdwn(input.fileName)} is now ${input.statusWord}: ${input.accesses} accesses, ${input.emailsSent} emails sent, ${lines}.`;
}
