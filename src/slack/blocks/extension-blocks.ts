// The words and views of `/domum extend` (README, "Extending"): the modal (a New end, or a duration to Add, and
// a Reason), its answers, the card of a later end with Approve and Reject, their modals, the thread replies, the
// DMs, and the requester's reminder before the end with its Extend button. Pure. Everything a person or the
// catalog wrote (reason, comment, file and group names) is escaped; codes were matched by a pattern before coming
// here. Ends are said in the request's zone with the UTC offset ("5 Dec 2026 17:00 America/Sao_Paulo (UTC−03:00)").
import type { KnownBlock, ModalView, PlainTextOption } from '@slack/types';
import { DURATION_UNITS } from '../../domain/access-limitation.ts';
import type { DurationUnit } from '../../domain/access-limitation.ts';
import type { ExtensionAsk } from '../../domain/access-extension.ts';
import { formatInstantWithZone } from '../../domain/instant-words.ts';
import type { ExtendResult, ExtensionPlan, ExtensionRefusal } from '../../usecases/extend-request.ts';
import { EXTENSION_REASON_MAX } from '../../usecases/extend-request.ts';
import type {
  EndReminderInput,
  ExtensionCardInput,
  ExtensionDecisionReplyInput,
  ExtensionOutcomeInput,
} from '../../usecases/notifier.ts';
import {
  COMMENT_BLOCK,
  DECISION_TEXT_ACTION,
  EXTEND_ACTION,
  EXTEND_ACTIONS_BLOCK,
  EXTEND_DURATION_BLOCK,
  EXTEND_MODAL_CALLBACK,
  EXTEND_NEW_END_BLOCK,
  EXTEND_REASON_BLOCK,
  EXTEND_UNIT_BLOCK,
  EXTEND_VALUE_ACTION,
  EXTENSION_APPROVE_ACTION,
  EXTENSION_APPROVE_MODAL_CALLBACK,
  EXTENSION_DECISION_BLOCK,
  EXTENSION_REJECT_ACTION,
  EXTENSION_REJECT_MODAL_CALLBACK,
  REASON_BLOCK,
} from '../ids.ts';
import { extendMetadata, extensionDecisionMetadata, writePrivateMetadata } from '../private-metadata.ts';
import { DECISION_TEXT_MAX } from './approval-blocks.ts';
import { endReminderText } from './cancel-blocks.ts';
import {
  cutText,
  decisionsText,
  groupLine,
  mention,
  mrkdwnSection,
  mrkdwnText,
  plural,
  slackDate,
} from './request-card.ts';

/** Slack's limit on a modal title. */
const TITLE_MAX = 24;
/** Characters of a reason or comment quoted in a reply, a DM or a modal (escaped). */
const QUOTED_MAX = 500;
/** Characters of the reason on the card (escaped). */
const CARD_REASON_MAX = 1500;

const UNIT_LABELS: Record<DurationUnit, string> = {
  minutes: 'Minutes',
  hours: 'Hours',
  days: 'Days',
  months: 'Months',
};

export const EXTEND_USAGE_TEXT =
  'Give the code of a request: `/domum extend W000123` gives its accesses a new end — later (its approvers approve it again) or earlier (at once). `/domum cancel` ends them now.';

function plain(text: string): { type: 'plain_text'; text: string } {
  return { type: 'plain_text', text };
}

function quoted(text: string): string {
  return `"${mrkdwnText(text.trim(), QUOTED_MAX)}"`;
}

/** "5 Dec 2026 17:00 America/Sao_Paulo (UTC−03:00)". */
function endWords(at: Date, timeZone: string): string {
  return formatInstantWithZone(at, timeZone);
}

/** "The 3 accesses of W000123 (people.xlsx)" / "The access of W000123 (people.xlsx)", escaped. */
function accessesOf(count: number, code: string, fileName: string | undefined): string {
  const file = fileName === undefined ? '' : ` (${mrkdwnText(fileName, 200)})`;
  return count === 1
    ? `The access of ${code}${file}`
    : `The ${count.toLocaleString('en-US')} accesses of ${code}${file}`;
}

/** The private answer when the request cannot be extended. */
export function extensionRefusalText(refusal: ExtensionRefusal): string {
  switch (refusal.reason) {
    case 'not-found':
      return `No request ${refusal.code} that you can extend.`;
    case 'provisioning':
      return `${refusal.code} is ${refusal.statusWord}: its accesses are still being created. Extend it once its Summary is in the thread.`;
    case 'no-accesses':
      return refusal.status === 'awaiting_approval'
        ? `${refusal.code} is ${refusal.statusWord}: nobody has access yet, there is nothing to extend.`
        : refusal.status === 'cancelled'
          ? `${refusal.code} is ${refusal.statusWord}: its links no longer work, there is nothing to extend. A new request gives new access.`
          : `${refusal.code} is ${refusal.statusWord}: nobody got access, there is nothing to extend.`;
    case 'nothing-in-force':
      return `The accesses of ${refusal.code} have all ended or were cancelled: there is nothing left to extend. A new request gives new access.`;
    case 'extension-open':
      return refusal.status === 'awaiting_approval'
        ? `${refusal.code} already has an extension awaiting approval, to ${endWords(refusal.newEnd, refusal.timeZone)}: its card is in the request's thread. Ask again once it is decided.`
        : `${refusal.code} has a new end, ${endWords(refusal.newEnd, refusal.timeZone)}, being applied: ask again in a minute.`;
  }
}

function unitOptions(): PlainTextOption[] {
  return DURATION_UNITS.map((unit) => ({ text: plain(UNIT_LABELS[unit]), value: unit }));
}

/** The modal's four inputs: New end, or Add and Unit, and Reason. */
function extendInputs(): KnownBlock[] {
  const units = unitOptions();
  const days = units.find((option) => option.value === 'days');
  return [
    {
      type: 'input',
      block_id: EXTEND_NEW_END_BLOCK,
      label: plain('New end'),
      optional: true,
      hint: plain('In your own time zone. Or leave it empty and add a duration below.'),
      element: { type: 'datetimepicker', action_id: EXTEND_VALUE_ACTION },
    },
    {
      type: 'input',
      block_id: EXTEND_DURATION_BLOCK,
      label: plain('Add'),
      optional: true,
      hint: plain('Added to the current end, instead of a new end.'),
      element: { type: 'number_input', action_id: EXTEND_VALUE_ACTION, is_decimal_allowed: false, min_value: '1' },
    },
    {
      type: 'input',
      block_id: EXTEND_UNIT_BLOCK,
      label: plain('Unit'),
      element: {
        type: 'static_select',
        action_id: EXTEND_VALUE_ACTION,
        options: units,
        ...(days ? { initial_option: days } : {}),
      },
    },
    {
      type: 'input',
      block_id: EXTEND_REASON_BLOCK,
      label: plain('Reason'),
      element: {
        type: 'plain_text_input',
        action_id: EXTEND_VALUE_ACTION,
        multiline: true,
        max_length: EXTENSION_REASON_MAX,
        placeholder: plain('Why the accesses need a new end'),
      },
    },
  ];
}

export function buildExtendModal(plan: ExtensionPlan): ModalView {
  const now = `${accessesOf(plan.accesses, plan.code, plan.fileName)} ${plan.accesses === 1 ? 'ends' : 'end'} ${endWords(plan.currentEnd, plan.timeZone)}.`;
  const blocks: KnownBlock[] = [
    mrkdwnSection(now),
    {
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: `A later end is approved again by the request's approvers, on a card in its thread; an earlier end applies at once. To end them now, use \`/domum cancel ${plan.code}\`.`,
        },
      ],
    },
    ...extendInputs(),
  ];
  return {
    type: 'modal',
    callback_id: EXTEND_MODAL_CALLBACK,
    private_metadata: writePrivateMetadata(extendMetadata, { code: plan.code }),
    title: plain(cutText(`Extend ${plan.code}`, TITLE_MAX)),
    submit: plain('Extend'),
    close: plain('Cancel'),
    blocks,
  };
}

/** The part of Bolt's view.state.values this parser reads; Bolt's type is assignable to it. */
export type ExtendStateValues = Record<
  string,
  | Record<
      string,
      | {
          value?: string | null;
          selected_date_time?: number | null;
          selected_option?: { value: string } | null;
        }
      | undefined
    >
  | undefined
>;

/** What the modal asks, read from its inputs: a field the person must fix is answered under it. */
export function parseExtendValues(
  values: ExtendStateValues,
): { ok: true; ask: ExtensionAsk; reason: string } | { ok: false; blockId: string; message: string } {
  const field = (blockId: string) => values[blockId]?.[EXTEND_VALUE_ACTION];
  const seconds = field(EXTEND_NEW_END_BLOCK)?.selected_date_time;
  const text = (value: unknown): string => (typeof value === 'string' ? value : '');
  const amountText = text(field(EXTEND_DURATION_BLOCK)?.value).trim();
  const unit = DURATION_UNITS.find((candidate) => candidate === field(EXTEND_UNIT_BLOCK)?.selected_option?.value);
  let add: ExtensionAsk['add'] = null;
  if (amountText) {
    if (!/^\d{1,9}$/.test(amountText) || Number(amountText) < 1)
      return { ok: false, blockId: EXTEND_DURATION_BLOCK, message: 'Add a whole number of at least 1' };
    if (!unit) return { ok: false, blockId: EXTEND_UNIT_BLOCK, message: 'Choose a unit' };
    add = { amount: Number(amountText), unit };
  }
  const newEnd = typeof seconds === 'number' && Number.isFinite(seconds) ? new Date(seconds * 1000) : null;
  return { ok: true, ask: { newEnd, add }, reason: text(field(EXTEND_REASON_BLOCK)?.value) };
}

/** The block a use case's field problem goes under. */
export function extendBlockOf(field: 'new_end' | 'duration' | 'reason'): string {
  return field === 'new_end'
    ? EXTEND_NEW_END_BLOCK
    : field === 'duration'
      ? EXTEND_DURATION_BLOCK
      : EXTEND_REASON_BLOCK;
}

/** What the modal shows once the new end was asked for (or why nothing was done). */
export function buildExtendResultView(code: string, text: string): ModalView {
  return {
    type: 'modal',
    callback_id: EXTEND_MODAL_CALLBACK,
    title: plain(cutText(`Extend ${code}`, TITLE_MAX)),
    close: plain('Done'),
    blocks: [mrkdwnSection(text)],
  };
}

export function extendDoneText(done: Extract<ExtendResult, { ok: true }>): string {
  const what = accessesOf(done.accesses, done.code, undefined);
  const previous = endWords(done.previousEnd, done.timeZone);
  const next = endWords(done.newEnd, done.timeZone);
  if (!done.needsApproval)
    return `${what} now ${done.accesses === 1 ? 'ends' : 'end'} ${next} instead of ${previous}. The request's thread says so, and users already told of the old end are told by email.`;
  const deadline = done.approvalDeadline
    ? ` If nobody decides by ${slackDate(done.approvalDeadline)}, it expires.`
    : '';
  return `Asked the approvers of ${done.code} to extend its accesses to ${next}: the card is in the request's thread. Until they approve, the accesses end ${previous}.${deadline} You will get a message when it is decided.`;
}

// ---------------------------------------------------------------------------------------------------------
// The card of a later end, and its decisions

function extensionButtons(extensionId: number): KnownBlock {
  const value = String(extensionId);
  return {
    type: 'actions',
    block_id: EXTENSION_DECISION_BLOCK,
    elements: [
      { type: 'button', action_id: EXTENSION_APPROVE_ACTION, style: 'primary', text: plain('Approve'), value },
      { type: 'button', action_id: EXTENSION_REJECT_ACTION, style: 'danger', text: plain('Reject'), value },
    ],
  };
}

function approverMentions(approvers: ExtensionCardInput['approvers']): string {
  const group = (id: string) => (/^S[A-Z0-9]+$/.test(id) ? `<!subteam^${id}>` : mrkdwnText(id, 40));
  return [...approvers.userIds.map(mention), ...approvers.usergroupIds.map(group)].join(', ');
}

export function buildExtensionCard(input: ExtensionCardInput): { text: string; blocks: KnownBlock[] } {
  const header = cutText(`Extension of ${input.requestCode} · ${input.statusWord}`, 150);
  const mentions = input.awaitingDecision ? approverMentions(input.approvers) : '';
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: header, emoji: true } },
    mrkdwnSection(
      [
        `*Asked by:* ${mention(input.askedBy)}`,
        `*Request:* ${input.requestCode} · ${mrkdwnText(input.fileName, 200)} · ${plural(input.accesses, 'access', 'accesses')}`,
        `*Now ends:* ${endWords(input.previousEnd, input.timeZone)}`,
        `*New end:* ${endWords(input.newEnd, input.timeZone)}`,
      ].join('\n'),
    ),
    mrkdwnSection(`*Reason*\n${mrkdwnText(input.reason, CARD_REASON_MAX)}`),
    mrkdwnSection(
      `*Approvals*\n${input.groups.length ? input.groups.map((group) => `• ${groupLine(group)}`).join('\n') : 'No approval group'}` +
        (input.awaitingDecision && input.approvalDeadline
          ? `\n*Decide by:* ${slackDate(input.approvalDeadline)} (it expires if not decided by then)`
          : ''),
    ),
  ];
  if (mentions) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `Approvers: ${mentions}` }] });
  if (input.decisions.length > 0) blocks.push(mrkdwnSection(decisionsText(input.decisions)));
  if (input.awaitingDecision) blocks.push(extensionButtons(input.extensionId));
  const text =
    `Extension of ${input.requestCode} from ${mention(input.askedBy)}: ${input.statusWord}` +
    (mentions ? ` · ${mentions}` : '');
  return { text, blocks };
}

export interface ExtensionDecisionModalInput {
  extensionId: number;
  requestCode: string;
  /** One line on what is decided, already mrkdwn: extensionSummaryLine. */
  summary?: string;
}

/** "3 accesses · now end … · new end …", escaped. */
export function extensionSummaryLine(input: {
  accesses: number;
  previousEnd: Date;
  newEnd: Date;
  timeZone: string;
  reason: string;
}): string {
  return `${plural(input.accesses, 'access', 'accesses')} · now end ${endWords(input.previousEnd, input.timeZone)} · new end ${endWords(input.newEnd, input.timeZone)} · Reason: ${quoted(input.reason)}`;
}

function decisionInput(blockId: string, label: string, optional: boolean, placeholder: string): KnownBlock {
  return {
    type: 'input',
    block_id: blockId,
    label: plain(label),
    optional,
    element: {
      type: 'plain_text_input',
      action_id: DECISION_TEXT_ACTION,
      multiline: true,
      max_length: DECISION_TEXT_MAX,
      placeholder: plain(placeholder),
    },
  };
}

function extensionDecisionModal(decision: 'approve' | 'reject', input: ExtensionDecisionModalInput): ModalView {
  const approve = decision === 'approve';
  const summary = input.summary ? `\n${input.summary}` : '';
  return {
    type: 'modal',
    callback_id: approve ? EXTENSION_APPROVE_MODAL_CALLBACK : EXTENSION_REJECT_MODAL_CALLBACK,
    private_metadata: writePrivateMetadata(extensionDecisionMetadata, { extensionId: input.extensionId }),
    title: plain(approve ? 'Approve extension' : 'Reject extension'),
    submit: plain(approve ? 'Approve' : 'Reject'),
    close: plain('Cancel'),
    blocks: [
      mrkdwnSection(`${approve ? 'Approve' : 'Reject'} the extension of ${input.requestCode}?${summary}`),
      approve
        ? decisionInput(COMMENT_BLOCK, 'Comment', true, 'Optional: a note for whoever asked')
        : decisionInput(REASON_BLOCK, 'Reason', false, 'Why this extension is rejected'),
    ],
  };
}

export function buildExtensionApproveModal(input: ExtensionDecisionModalInput): ModalView {
  return extensionDecisionModal('approve', input);
}

export function buildExtensionRejectModal(input: ExtensionDecisionModalInput): ModalView {
  return extensionDecisionModal('reject', input);
}

/** `<@U…> approved the extension of W000001 (Vendor approvers): "fine". Status: Approved.` */
export function extensionDecisionReplyText(input: ExtensionDecisionReplyInput): string {
  const verb = input.decision === 'approve' ? 'approved' : 'rejected';
  const comment = input.comment?.trim() ? `: ${quoted(input.comment)}` : '';
  return `${mention(input.approverId)} ${verb} the extension of ${input.requestCode} (${mrkdwnText(input.groupName, 200)})${comment}. Status: ${input.statusWord}.`;
}

/** How an extension ended, in the request's thread. */
export function extensionOutcomeText(input: ExtensionOutcomeInput): string {
  const its = input.accesses === 1 ? 'its access' : `its ${input.accesses.toLocaleString('en-US')} accesses`;
  const verb = input.accesses === 1 ? 'ends' : 'end';
  const previous = endWords(input.previousEnd, input.timeZone);
  const next = endWords(input.newEnd, input.timeZone);
  switch (input.outcome) {
    case 'applied':
      return input.needsApproval
        ? `${input.requestCode} is extended: ${its} now ${verb} ${next} instead of ${previous}, as ${mention(input.askedBy)} asked.`
        : `${mention(input.askedBy)} moved the end of ${input.requestCode} earlier: ${its} now ${verb} ${next} instead of ${previous}. Reason: ${quoted(input.reason)}.`;
    case 'rejected':
      return `The extension of ${input.requestCode} to ${next} is rejected: its accesses still end ${previous}.`;
    case 'expired':
      return `The extension of ${input.requestCode} to ${next} expired without a decision: its accesses still end ${previous}.`;
    case 'cancelled':
      return `The extension of ${input.requestCode} to ${next} was withdrawn: the request was cancelled.`;
  }
}

/** The direct message to whoever asked (the outcome of their ask), or to the requester when someone else asked. */
export function extensionOutcomeDmText(input: ExtensionOutcomeInput, audience: 'asker' | 'requester'): string {
  const what = accessesOf(input.accesses, input.requestCode, input.fileName);
  const verb = input.accesses === 1 ? 'ends' : 'end';
  const previous = endWords(input.previousEnd, input.timeZone);
  const next = endWords(input.newEnd, input.timeZone);
  if (audience === 'requester')
    return `${mention(input.askedBy)} changed the end of your request ${input.requestCode}: ${what.charAt(0).toLowerCase()}${what.slice(1)} now ${verb} ${next} instead of ${previous}. Reason: ${quoted(input.reason)}.`;
  switch (input.outcome) {
    case 'applied':
      return `The extension you asked for is approved: ${what.charAt(0).toLowerCase()}${what.slice(1)} now ${verb} ${next}.`;
    case 'rejected': {
      const by = input.rejectedBy ? ` by ${mention(input.rejectedBy.userId)}` : '';
      const why = input.rejectedBy?.comment?.trim() ? `: ${quoted(input.rejectedBy.comment)}` : '';
      return `The extension of ${input.requestCode} to ${next} you asked for is rejected${by}${why}. Its accesses still end ${previous}.`;
    }
    case 'expired':
      return `The extension of ${input.requestCode} to ${next} you asked for expired without a decision. Its accesses still end ${previous}.`;
    case 'cancelled':
      return `The extension of ${input.requestCode} to ${next} you asked for was withdrawn: the request was cancelled.`;
  }
}

// ---------------------------------------------------------------------------------------------------------
// The reminder before the end

/** The requester's reminder that their accesses end, with Extend (which opens `/domum extend`'s modal). */
export function buildEndReminderMessage(input: EndReminderInput): { text: string; blocks: KnownBlock[] } {
  const text = endReminderText(input);
  return {
    text,
    blocks: [
      mrkdwnSection(text),
      {
        type: 'actions',
        block_id: EXTEND_ACTIONS_BLOCK,
        elements: [{ type: 'button', action_id: EXTEND_ACTION, text: plain('Extend'), value: input.requestCode }],
      },
    ],
  };
}
