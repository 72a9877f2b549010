// The request card (README, "Approval"): the access request posted in the channel after Create, in words, for
// the requester and the approvers. Pure. While the request awaits a decision (and its id is known) the card
// ends with the Approve, "Approve except…" and Reject buttons; once decided it has none, and lists the decisions
// instead.
//
// Everything the requester or the catalog wrote is escaped (escapeMrkdwn). Lists stop after LIST_ITEMS
// entries and within a character budget, with "…and N more", because a request can hold thousands of devices
// while a section takes 3,000 characters and Slack refuses a message whose blocks JSON passes about 13,000.
import type { KnownBlock, Overflow } from '@slack/types';
import {
  APPROVE_ACTION,
  APPROVE_EXCEPT_ACTION,
  CARD_MENU_ACTION,
  DECISION_ACTIONS_BLOCK,
  REJECT_ACTION,
  cancelOptionValue,
} from '../ids.ts';
import { escapeMrkdwn } from './mrkdwn.ts';
import type { GrantInWords, RequestCardInput, DecisionInWords } from '../../usecases/notifier.ts';
export type { GrantInWords, RequestCardInput, DecisionInWords };

/** How many devices or credentials a list shows before "…and N more". */
export const LIST_ITEMS = 20;
/** Slack's limit on a section's text. */
const SECTION_TEXT_MAX = 3000;
/** Characters of one list item before it is cut: long names still leave room for LIST_ITEMS of them. */
const ITEM_MAX = 100;
/** What a list may take of a modal section, leaving room for its heading and the "…and N more" line. */
const LIST_BUDGET = 2400;
/** A message's lists share Slack's ~13,000-character blocks JSON limit (bolt-js#2509), so each takes less. */
const CARD_LIST_BUDGET = 1500;
const CARD_JUSTIFICATION_MAX = 2000;
const HEADER_TEXT_MAX = 150;
/** How many decisions the card lists before "…and N more". */
export const DECISION_ITEMS = 10;
/** Characters of one decision's comment or reason on the card (escaped). */
const DECISION_COMMENT_MAX = 120;
const DECISIONS_BUDGET = 1500;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "25 Nov 2026 14:05 UTC": always UTC, whatever the server's locale and zone. */
export function utcTimeWords(at: Date): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${at.getUTCDate()} ${MONTHS[at.getUTCMonth()]} ${at.getUTCFullYear()} ${pad(at.getUTCHours())}:${pad(at.getUTCMinutes())} UTC`;
}

/** At most `max` characters (code points), ending in "…" when cut. Works on raw text, before escaping. */
export function cutText(text: string, max: number): string {
  const points = [...text];
  return points.length <= max ? text : `${points.slice(0, max - 1).join('')}…`;
}

/**
 * Escaped for mrkdwn and at most `max` characters once escaped (an escaped & takes five), ending in "…" when
 * cut. Cutting before escaping never splits an entity such as &amp;.
 */
export function mrkdwnText(text: string, max: number = ITEM_MAX): string {
  const escaped = escapeMrkdwn(text);
  if ([...escaped].length <= max) return escaped;
  let kept = '';
  let used = 0;
  for (const point of text) {
    const piece = escapeMrkdwn(point);
    if (used + piece.length > max - 1) break;
    kept += piece;
    used += piece.length;
  }
  return `${kept}…`;
}

/** "Start session, View password" — the permission words the wizard's Credentials step offers. */
export function permissionWords(grant: Pick<GrantInWords, 'startSession' | 'viewPassword'>): string {
  const words = [grant.startSession ? 'Start session' : null, grant.viewPassword ? 'View password' : null];
  const chosen = words.filter((word): word is string => word !== null);
  return chosen.length > 0 ? chosen.join(', ') : 'no permission';
}

/** "postgres @ db-prod-01 — Start session, View password", escaped. */
export function grantLine(grant: GrantInWords): string {
  return `${mrkdwnText(grant.label)} — ${permissionWords(grant)}`;
}

export function plural(count: number, singular: string, pluralWord = `${singular}s`): string {
  return `${count.toLocaleString('en-US')} ${count === 1 ? singular : pluralWord}`;
}

/**
 * Bulleted lines, at most LIST_ITEMS and LIST_BUDGET characters, then "…and N more". `lines` are already
 * mrkdwn (escaped).
 */
export function bulletList(lines: string[], empty = '—', budget = LIST_BUDGET): string {
  if (lines.length === 0) return empty;
  const shown: string[] = [];
  let used = 0;
  for (const line of lines) {
    const bullet = `• ${line}`;
    if (shown.length >= LIST_ITEMS || used + bullet.length + 1 > budget) break;
    shown.push(bullet);
    used += bullet.length + 1;
  }
  const rest = lines.length - shown.length;
  if (rest > 0) shown.push(`…and ${rest.toLocaleString('en-US')} more`);
  return shown.join('\n');
}

/**
 * A Slack date token: each reader sees the instant in their own time zone ("Dec 7th at 14:00"); clients that
 * cannot show it, and notifications, get the UTC words.
 */
export function slackDate(at: Date): string {
  return `<!date^${Math.floor(at.getTime() / 1000)}^{date_short_pretty} at {time}|${utcTimeWords(at)}>`;
}

/** How many vendors a line names before "…and N more". */
const VENDOR_ITEMS = 10;

/** "Acme (12), Globex (3)", escaped, at most VENDOR_ITEMS of them then "…and N more"; "—" for none. */
export function vendorsText(vendors: ReadonlyArray<{ name: string; users: number }>): string {
  if (vendors.length === 0) return '—';
  const shown = vendors
    .slice(0, VENDOR_ITEMS)
    .map((vendor) => `${mrkdwnText(vendor.name, 60)} (${vendor.users.toLocaleString('en-US')})`);
  const rest = vendors.length - VENDOR_ITEMS;
  return `${shown.join(', ')}${rest > 0 ? ` …and ${rest.toLocaleString('en-US')} more` : ''}`;
}

/** The users line of §4a: number and words on one line, with how many approvers excluded, if any. */
export function usersLine(users: number, excluded = 0): string {
  return `${plural(users, 'user')} to be given access${excluded > 0 ? ` · ${excluded.toLocaleString('en-US')} excluded` : ''}`;
}

/** A section whose text is cut to Slack's limit as a last resort (callers keep well below it). */
export function mrkdwnSection(text: string, blockId?: string): KnownBlock {
  const cut = [...text].length > SECTION_TEXT_MAX ? `${[...text].slice(0, SECTION_TEXT_MAX - 1).join('')}…` : text;
  return { type: 'section', ...(blockId ? { block_id: blockId } : {}), text: { type: 'mrkdwn', text: cut } };
}

export function mention(userId: string): string {
  // Slack user ids are letters and digits; anything else is shown as text rather than allowed to form markup.
  return /^[UW][A-Z0-9]+$/.test(userId) ? `<@${userId}>` : escapeMrkdwn(userId);
}

/** "Vendor approvers: 1 of 2 approvals, 1 rejection", escaped. */
export function groupLine(group: RequestCardInput['groups'][number]): string {
  const rejections = group.rejections ? `, ${plural(group.rejections, 'rejection')}` : '';
  return `${mrkdwnText(group.name)}: ${group.approvals.toLocaleString('en-US')} of ${plural(group.required, 'approval')}${rejections}`;
}

/**
 * `<@U…> approved · 25 Nov 2026 14:05 UTC · "comment" (Vendor approvers)`, escaped; an "Approve except…" reads
 * `<@U…> approved except 2 users · … · "reason" (…)`.
 */
export function decisionLine(decision: DecisionInWords): string {
  const verb =
    decision.decision === 'reject'
      ? 'rejected'
      : `approved${decision.excludedUsers ? ` except ${plural(decision.excludedUsers, 'user')}` : ''}`;
  const comment = decision.comment?.trim() ? ` · "${mrkdwnText(decision.comment.trim(), DECISION_COMMENT_MAX)}"` : '';
  return `${mention(decision.approverId)} ${verb} · ${utcTimeWords(decision.at)}${comment} (${mrkdwnText(decision.groupName, 60)})`;
}

/** The "Decisions" text: oldest first, at most DECISION_ITEMS lines within a budget, then "…and N more". */
export function decisionsText(decisions: DecisionInWords[]): string {
  const ordered = [...decisions].sort((a, b) => a.at.getTime() - b.at.getTime());
  const shown: string[] = [];
  let used = 0;
  for (const decision of ordered) {
    const line = decisionLine(decision);
    if (shown.length >= DECISION_ITEMS || used + line.length + 1 > DECISIONS_BUDGET) break;
    shown.push(line);
    used += line.length + 1;
  }
  const rest = ordered.length - shown.length;
  if (rest > 0) shown.push(`…and ${rest.toLocaleString('en-US')} more`);
  return `*Decisions*\n${shown.join('\n')}`;
}

/**
 * The card's Approve, "Approve except…" and Reject buttons; their value is the request id. The card in a channel is the same
 * message for everyone, so it carries the requester's "Cancel request" menu too (anyone else who picks it is
 * told they cannot); views drawn for one person (App Home, a status detail) leave the menu out unless that
 * person may cancel (`cancel: false`).
 */
export function decisionButtons(requestId: number, options: { cancel?: boolean } = {}): KnownBlock {
  const value = String(requestId);
  const cancelMenu = options.cancel ?? true;
  return {
    type: 'actions',
    block_id: DECISION_ACTIONS_BLOCK,
    elements: [
      {
        type: 'button',
        action_id: APPROVE_ACTION,
        style: 'primary',
        text: { type: 'plain_text', text: 'Approve' },
        value,
      },
      {
        type: 'button',
        action_id: APPROVE_EXCEPT_ACTION,
        text: { type: 'plain_text', text: 'Approve except…' },
        value,
      },
      {
        type: 'button',
        action_id: REJECT_ACTION,
        style: 'danger',
        text: { type: 'plain_text', text: 'Reject' },
        value,
      },
      // The requester (or an admin) withdraws a pending request here; anyone else is told they cannot.
      ...(cancelMenu ? [cancelRequestMenu(value)] : []),
    ],
  };
}

/** The "Cancel request" menu, with its confirmation; its option's value carries the request id. */
export function cancelRequestMenu(value: string): Overflow {
  return {
    type: 'overflow',
    action_id: CARD_MENU_ACTION,
    options: [{ text: { type: 'plain_text', text: 'Cancel request' }, value: cancelOptionValue(value) }],
    confirm: {
      title: { type: 'plain_text', text: 'Cancel this request?' },
      text: { type: 'plain_text', text: 'Approvers can no longer decide on it, and no access is given.' },
      confirm: { type: 'plain_text', text: 'Cancel request' },
      deny: { type: 'plain_text', text: 'Keep it' },
    },
  };
}

export function buildRequestCard(input: RequestCardInput): { text: string; blocks: KnownBlock[] } {
  const header = cutText(`Access request ${input.code} · ${input.statusWord}`, HEADER_TEXT_MAX);
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: header, emoji: true } },
    mrkdwnSection(
      [
        `*Requester:* ${mention(input.requesterId)}`,
        `*File:* ${mrkdwnText(input.fileName, 200)}`,
        usersLine(input.counts.users, input.counts.excluded),
        `*Vendors:* ${vendorsText(input.vendors)}`,
      ].join('\n'),
    ),
    mrkdwnSection(`*Justification*\n${mrkdwnText(input.justification, CARD_JUSTIFICATION_MAX)}`),
    mrkdwnSection(
      [
        `*Reason:* ${mrkdwnText(input.reasonName, 200)}`,
        `*Governance code:* ${input.governanceCode ? mrkdwnText(input.governanceCode, 200) : '—'}`,
      ].join('\n'),
    ),
    mrkdwnSection(
      `*Devices* (${input.devices.length.toLocaleString('en-US')})\n${bulletList(
        input.devices.map((device) => mrkdwnText(device)),
        '—',
        CARD_LIST_BUDGET,
      )}`,
    ),
    mrkdwnSection(
      `*Credentials* (${input.grants.length.toLocaleString('en-US')})\n${bulletList(input.grants.map(grantLine), '—', CARD_LIST_BUDGET)}`,
    ),
    mrkdwnSection(
      `*Access limitation*\n${mrkdwnText(input.limitationText, 1000)}\n*Schedule:* ${mrkdwnText(input.scheduleText, 300)}`,
    ),
    mrkdwnSection(
      `*Approvals*\n${bulletList(input.groups.map(groupLine), 'No approval group', CARD_LIST_BUDGET)}` +
        (input.awaitingDecision === true && input.approvalDeadline
          ? `\n*Decide by:* ${slackDate(input.approvalDeadline)} (it expires if not decided by then)`
          : ''),
    ),
  ];
  if (input.decisions && input.decisions.length > 0) blocks.push(mrkdwnSection(decisionsText(input.decisions)));
  if (input.awaitingDecision === true && input.requestId !== undefined) blocks.push(decisionButtons(input.requestId));
  const text = `Access request ${input.code} from ${mention(input.requesterId)}: ${input.statusWord}`;
  return { text, blocks };
}
