// The approval feature's texts and modals (README, "Approval"): Approve opens a small modal with an optional
// Comment, Reject one with a required Reason; after a decision the bot replies in the card's thread and tells
// the requester by DM. Pure. Everything a person wrote (comment, reason, file name, group name) is escaped.
import type { KnownBlock, ModalView } from '@slack/types';
import {
  APPROVE_EXCEPT_MODAL_CALLBACK,
  APPROVE_MODAL_CALLBACK,
  COMMENT_BLOCK,
  DECISION_TEXT_ACTION,
  EXCLUDED_USERS_BLOCK,
  EXCLUDED_USERS_SELECT_ACTION,
  REASON_BLOCK,
  REJECT_MODAL_CALLBACK,
} from '../ids.ts';
import type { CatalogOptions } from '../../usecases/search-catalog.ts';
import { toSlackOptions } from './catalog-options.ts';
import { decisionMetadata, readPrivateMetadata, writePrivateMetadata } from '../private-metadata.ts';
import { formatDuration } from '../../domain/instant-words.ts';
import { mention, mrkdwnSection, mrkdwnText, plural, slackDate, vendorsText } from './request-card.ts';
import type {
  ApproverNoticeInput,
  ApproverReminderInput,
  DecisionReplyInput,
  StatusChangeDmInput,
} from '../../usecases/notifier.ts';
export type { ApproverNoticeInput, ApproverReminderInput, DecisionReplyInput, StatusChangeDmInput };

/** Slack's limit on a plain_text_input, and what the modals allow for a comment or reason. */
export const DECISION_TEXT_MAX = 3000;
/** Characters of a comment or reason quoted in the thread reply or the DM (escaped). */
export const QUOTED_COMMENT_MAX = 500;

export interface DecisionModalInput {
  requestId: number;
  code: string;
  /** One line on what is decided (users, vendors, schedule), already mrkdwn: approveSummaryLine. */
  summary?: string;
}

function plain(text: string): { type: 'plain_text'; text: string } {
  return { type: 'plain_text', text };
}

function textInput(blockId: string, label: string, optional: boolean, placeholder: string): KnownBlock {
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

function decisionModal(
  callbackId: string,
  title: string,
  submit: string,
  input: DecisionModalInput,
  blocks: KnownBlock[],
): ModalView {
  return {
    type: 'modal',
    callback_id: callbackId,
    private_metadata: writePrivateMetadata(decisionMetadata, { requestId: input.requestId }),
    title: plain(title),
    submit: plain(submit),
    close: plain('Cancel'),
    blocks,
  };
}

export function buildApproveModal(input: DecisionModalInput): ModalView {
  return decisionModal(APPROVE_MODAL_CALLBACK, 'Approve request', 'Approve', input, [
    mrkdwnSection(`Approve ${mrkdwnText(input.code, 100)}?${input.summary ? `\n${input.summary}` : ''}`),
    textInput(COMMENT_BLOCK, 'Comment', true, 'Optional: a note for the requester'),
  ]);
}

export function buildRejectModal(input: DecisionModalInput): ModalView {
  return decisionModal(REJECT_MODAL_CALLBACK, 'Reject request', 'Reject', input, [
    mrkdwnSection(`Reject ${mrkdwnText(input.code, 100)}?${input.summary ? `\n${input.summary}` : ''}`),
    textInput(REASON_BLOCK, 'Reason', false, 'Why this request is rejected'),
  ]);
}

export interface ApproveExceptModalInput extends DecisionModalInput {
  /** The users the request is to give access to, as options (the first 100; `truncated` when there are more). */
  users: CatalogOptions;
}

/**
 * "Approve except…": the users to leave out and a required Reason. A request with at most 100 users lists them
 * all in a static select (Slack filters it as one types); a larger one searches them with an external select.
 */
export function buildApproveExceptModal(input: ApproveExceptModalInput): ModalView {
  const options = toSlackOptions(input.users).options;
  const placeholder = plain('Search by name, email or vendor');
  const element =
    input.users.truncated || options.length === 0
      ? {
          type: 'multi_external_select' as const,
          action_id: EXCLUDED_USERS_SELECT_ACTION,
          min_query_length: 0,
          placeholder,
        }
      : { type: 'multi_static_select' as const, action_id: EXCLUDED_USERS_SELECT_ACTION, options, placeholder };
  return decisionModal(APPROVE_EXCEPT_MODAL_CALLBACK, 'Approve except…', 'Approve', input, [
    mrkdwnSection(
      `Approve ${mrkdwnText(input.code, 100)} for every user but those you choose: they get no access and no email.` +
        `${input.summary ? `\n${input.summary}` : ''}`,
    ),
    {
      type: 'input',
      block_id: EXCLUDED_USERS_BLOCK,
      label: plain('Users to exclude'),
      element,
      hint: plain(
        input.users.truncated
          ? 'Type part of a name, email or vendor: at most 100 matches are shown at a time.'
          : 'Type part of a name, email or vendor to find a user.',
      ),
    },
    textInput(REASON_BLOCK, 'Reason', false, 'Why these users get no access'),
  ]);
}

/** The part of Bolt's view.state.values the "Approve except…" parser reads. */
export type ExcludedUsersStateValues = Record<
  string,
  Record<string, { selected_options?: Array<{ value?: string }> | null } | undefined> | undefined
>;

/** The option values chosen in the "Approve except…" modal's users select (parsed by the use case's rules). */
export function parseExcludedUserValues(values: ExcludedUsersStateValues): string[] {
  const chosen = values[EXCLUDED_USERS_BLOCK]?.[EXCLUDED_USERS_SELECT_ACTION]?.selected_options ?? [];
  return chosen.map((option) => option.value ?? '');
}

/**
 * The request id a decision modal carries, or null when it is not ours: the builders' round trip, which
 * test/unit/approval-blocks.test.ts checks; the listener reads the same schema through readPrivateMetadata.
 */
export function parseDecisionMetadata(privateMetadata: string | undefined): number | null {
  return readPrivateMetadata(decisionMetadata, privateMetadata)?.requestId ?? null;
}

function quoted(comment: string | null | undefined): string | null {
  const trimmed = comment?.trim();
  return trimmed ? `"${mrkdwnText(trimmed, QUOTED_COMMENT_MAX)}"` : null;
}

/**
 * `<@U…> approved W000001 (Vendor approvers): "looks fine". Status: Approved.` — the card's thread reply; an
 * "Approve except…" says how many users it leaves out, and the reason: `… (Vendor approvers) except 2 users:
 * "left the company". …`.
 */
export function decisionReplyText(input: DecisionReplyInput): string {
  const verb = input.decision === 'approve' ? 'approved' : 'rejected';
  const comment = quoted(input.comment);
  const except = input.excludedUsers ? ` except ${plural(input.excludedUsers, 'user')}` : '';
  return (
    `${mention(input.approverId)} ${verb} ${mrkdwnText(input.code, 100)} (${mrkdwnText(input.groupName, 200)})` +
    `${except}${comment ? `: ${comment}` : ''}. Status: ${input.statusWord}.`
  );
}

/**
 * The one line a decision modal repeats: "20 users of Acme (12), Globex (8) · from 7 Dec 2026 09:00 to 8 Dec
 * 2026 09:00 UTC", escaped.
 */
export function approveSummaryLine(input: {
  users: number;
  vendors: ApproverNoticeInput['vendors'];
  scheduleText: string;
}): string {
  return `${plural(input.users, 'user')} of ${vendorsText(input.vendors)} · ${mrkdwnText(input.scheduleText, 300)}`;
}

/**
 * The direct message an approver gets when a card awaits them: "<@U…> asks you to approve W000001: 20 users
 * of Acme (12), Globex (8), from people.xlsx. Decide by …; after that it expires." The code links to the card.
 */
export function approverNoticeText(input: ApproverNoticeInput, permalink: string | undefined): string {
  const code = mrkdwnText(input.code, 100);
  const linked = permalink ? `<${permalink}|${code}>` : code;
  const deadline = input.deadline ? ` Decide by ${slackDate(input.deadline)}; after that it expires.` : '';
  return (
    `${mention(input.requesterId)} asks you to approve access request ${linked}: ` +
    `${plural(input.users, 'user')} of ${vendorsText(input.vendors)}, from ${mrkdwnText(input.fileName, 200)}.` +
    `${deadline} ${permalink ? 'Open the request, or my App Home,' : 'Open my App Home'} to read its justification, devices and schedule, and to Approve or Reject it.`
  );
}

/** The reminder at half the approval TTL, in the card's thread, saying how long is left. */
export function approverReminderText(input: ApproverReminderInput): string {
  const group = (id: string) => (/^S[A-Z0-9]+$/.test(id) ? `<!subteam^${id}>` : mrkdwnText(id, 40));
  const mentions = [...input.userIds.map(mention), ...input.usergroupIds.map(group)];
  const from = mentions.length ? ` from ${mentions.join(', ')}` : '';
  const left = input.deadline
    ? ` It expires in ${formatDuration(input.deadline.getTime() - input.now.getTime())}, at ${slackDate(input.deadline)}, if nobody decides.`
    : ' It expires if nobody decides in time.';
  return `Reminder: ${mrkdwnText(input.code, 100)} is awaiting approval${from}.${left}`;
}

/** "Your request W000001 for users.xlsx is now Rejected by <@U…>: "reason"." — the requester's DM. */
export function statusChangeDmText(input: StatusChangeDmInput): string {
  const by = input.byUserId ? ` by ${mention(input.byUserId)}` : '';
  const comment = quoted(input.comment);
  const excluded = input.excludedUsers
    ? ` The approvers excluded ${plural(input.excludedUsers, 'user')}, who ${input.excludedUsers === 1 ? 'gets' : 'get'} no access: \`/domum status ${mrkdwnText(input.code, 100)}\` says who and why.`
    : '';
  return (
    `Your request ${mrkdwnText(input.code, 100)} for ${mrkdwnText(input.fileName, 200)} is now ${input.statusWord}` +
    `${by}${comment ? `: ${comment}` : ''}.${excluded}`
  );
}

/** The part of Bolt's view.state.values this parser reads; Bolt's type is assignable to it. */
export type DecisionStateValues = Record<string, Record<string, { value?: string | null } | undefined> | undefined>;

/** The trimmed Comment or Reason of a decision modal, or null when empty. */
export function parseDecisionText(values: DecisionStateValues, blockId: string): string | null {
  const text = values[blockId]?.[DECISION_TEXT_ACTION]?.value?.trim();
  return text ? text : null;
}
