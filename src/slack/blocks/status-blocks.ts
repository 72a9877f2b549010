// What `/domum status`, the App Home and `domum status` show (README, "Where things stand"): every item with
// its code, status word, progress and a permalink to its thread; one item in detail. The same words serve
// Slack (mrkdwn, escaped) and the command line (plain text), through a TextStyle.
import { formatDistanceStrict } from 'date-fns/formatDistanceStrict';
import { scheduleTextOf } from '../../domain/instant-words.ts';
import type { KnownBlock, ModalView } from '@slack/types';
import { describeLimitation, formatInstant } from '../../domain/access-limitation.ts';
import { describeFinalCounts } from '../../domain/import-counts.ts';
import { formatErrorLine } from '../../domain/import-lines.ts';
import { ACCESS_STATUS_WORDS, IMPORT_STATUS_WORDS, REQUEST_STATUS_WORDS } from '../../domain/status-words.ts';
import type { ImportStatus, RequestStatus } from '../../db/schema.ts';
import type { ExcludedLineInWords } from '../../usecases/notifier.ts';
import type {
  AccessDetail,
  Cancellation,
  CatalogCounts,
  ImportDetail,
  RequestDetail,
  StatusDetail,
  StatusItem,
} from '../../usecases/status-report.ts';
import { STATUS_MORE_ACTION, STATUS_DETAIL_CALLBACK, homeDecisionBlockId } from '../ids.ts';
import { escapeMrkdwn } from './mrkdwn.ts';
import { cutText, decisionButtons, mention, permissionWords, slackDate, utcTimeWords } from './request-card.ts';

export interface TextStyle {
  /** User-supplied text, made safe. */
  text(value: string): string;
  bold(value: string): string;
  user(userId: string): string;
  /** A link when there is a URL, else the label alone. `label` is already styled. */
  link(url: string | undefined, label: string): string;
  /** An instant: in Slack, in each reader's own time zone; elsewhere in UTC. */
  date(at: Date): string;
}

export const mrkdwnStyle: TextStyle = {
  text: escapeMrkdwn,
  bold: (value) => `*${value}*`,
  user: mention,
  link: (url, label) => (url ? `<${url}|${label}>` : label),
  date: slackDate,
};

export const plainStyle: TextStyle = {
  text: (value) => value,
  bold: (value) => value,
  user: (userId) => userId,
  link: (url, label) => (url ? `${label} (${url})` : label),
  date: utcTimeWords,
};

export function statusWord(item: Pick<StatusItem, 'kind' | 'status'>): string {
  return item.kind === 'import'
    ? IMPORT_STATUS_WORDS[item.status as ImportStatus]
    : REQUEST_STATUS_WORDS[item.status as RequestStatus];
}

/** An import counts spreadsheet lines; a request counts its users (whose first access is dealt with). */
export function progressWords(item: Pick<StatusItem, 'kind' | 'done' | 'total'>): string {
  return `${item.done.toLocaleString('en-US')}/${item.total.toLocaleString('en-US')} ${item.kind === 'request' ? 'users' : 'lines'}`;
}

export function ageWords(createdAt: Date, now: Date): string {
  return formatDistanceStrict(createdAt, now, { addSuffix: true });
}

/** `W000123 · Completed · 40/40 users · people.xlsx · 3 hours ago` (the code links to its thread). */
export function itemLine(item: StatusItem, now: Date, style: TextStyle, permalink: string | undefined): string {
  const code = style.link(permalink, style.bold(item.code));
  const where = item.thread ? '' : ' · no thread yet';
  return `${code} · ${statusWord(item)} · ${progressWords(item)} · ${style.text(cutText(item.fileName, 80))} · ${ageWords(item.createdAt, now)}${where}`;
}

export interface StatusListInput {
  items: StatusItem[];
  awaiting: StatusItem[];
  more: boolean;
  offset: number;
  now: Date;
  permalinks: Map<string, string>;
}

function section(text: string): KnownBlock {
  return { type: 'section', text: { type: 'mrkdwn', text: cutText(text, 3000) } };
}

function header(text: string): KnownBlock {
  return { type: 'header', text: { type: 'plain_text', text: cutText(text, 150) } };
}

const LIST_EMPTY = 'You have no imports or requests yet. Start one with `/domum import`.';

/** The private answer to `/domum status` (and each "More" page). */
export function buildStatusList(input: StatusListInput): { text: string; blocks: KnownBlock[] } {
  const blocks: KnownBlock[] = [];
  const lines = input.items.map((item) => itemLine(item, input.now, mrkdwnStyle, input.permalinks.get(item.code)));
  const title =
    input.offset === 0 ? '*Your imports and requests*' : `*Your imports and requests* (from ${input.offset + 1})`;
  blocks.push(
    section(`${title}\n${lines.length ? lines.join('\n') : input.offset === 0 ? LIST_EMPTY : 'Nothing more.'}`),
  );
  if (input.more) {
    blocks.push({
      type: 'actions',
      elements: [
        {
          type: 'button',
          action_id: STATUS_MORE_ACTION,
          text: { type: 'plain_text', text: 'More' },
          value: String(input.offset + input.items.length),
        },
      ],
    });
  }
  if (input.offset === 0 && input.awaiting.length > 0) {
    const awaiting = input.awaiting.map(
      (item) =>
        `${itemLine(item, input.now, mrkdwnStyle, input.permalinks.get(item.code))} · from ${mention(item.requesterUserId ?? '')}`,
    );
    blocks.push(section(`*Awaiting your decision*\n${awaiting.join('\n')}`));
  }
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: 'Details: `/domum status <IMP-…|W…|EXT-…>`' }] });
  const text = `Your imports and requests: ${input.items.length ? input.items.map((item) => `${item.code} ${statusWord(item)}`).join(', ') : 'none yet'}`;
  return { text, blocks };
}

/** What an excluded-users list may take of its section (3,000 characters), leaving room for its heading. */
const EXCLUDED_LIST_BUDGET = 2400;

/**
 * `line 14 · Bob Smith · bob@acme.example · Acme Corp — excluded by <@U…>: "left the company"`, every approver
 * who excluded the line with their reason; names and reasons made safe by `style`.
 */
export function excludedLineWords(line: ExcludedLineInWords, style: Pick<TextStyle, 'text' | 'user'>): string {
  const who = [line.name, line.email, line.vendorName]
    .filter((part) => part !== '')
    .map((part) => style.text(cutText(part, 100)))
    .join(' · ');
  const by = line.exclusions
    .map((exclusion) => `${style.user(exclusion.excludedBy)}: "${style.text(cutText(exclusion.reason, 200))}"`)
    .join('; ');
  return `line ${line.lineNumber} · ${who} — excluded by ${by}`;
}

/** The first excluded lines within a section's budget, then "…and N more" for the rest of `total`. */
export function excludedLinesText(
  lines: readonly ExcludedLineInWords[],
  total: number,
  style: Pick<TextStyle, 'text' | 'user'>,
): string {
  const shown: string[] = [];
  let used = 0;
  for (const line of lines) {
    const text = excludedLineWords(line, style);
    if (used + text.length + 1 > EXCLUDED_LIST_BUDGET) break;
    shown.push(text);
    used += text.length + 1;
  }
  const rest = total - shown.length;
  if (rest > 0) shown.push(`…and ${rest.toLocaleString('en-US')} more`);
  return shown.join('\n');
}

function cancellationWords(cancellation: Cancellation | null, style: TextStyle): string | undefined {
  if (!cancellation) return undefined;
  return `Cancelled by ${style.user(cancellation.by)} · ${utcTimeWords(cancellation.at)} · "${style.text(cutText(cancellation.reason, 300))}"`;
}

export interface DetailText {
  title: string;
  paragraphs: string[];
}

function countsWords(detail: ImportDetail): string {
  return describeFinalCounts(detail.counts).join(' · ');
}

function importText(detail: ImportDetail, now: Date, style: TextStyle, permalink: string | undefined): DetailText {
  const item = detail.item;
  const paragraphs = [
    `${style.link(permalink, style.bold(item.code))} · ${statusWord(item)} · ${progressWords(item)}`,
    `File: ${style.text(cutText(item.fileName, 200))}\nImported by ${style.user(detail.importerUserId)} ${ageWords(item.createdAt, now)}` +
      (detail.requestCode ? `\nRequest: ${detail.requestCode}` : ''),
  ];
  if (detail.failureReason) paragraphs.push(`Refused: ${style.text(cutText(detail.failureReason, 500))}`);
  else paragraphs.push(countsWords(detail));
  if (detail.errorLines.length) {
    const lines = detail.errorLines.flatMap((line) =>
      line.errors.map((error) => style.text(formatErrorLine(line.lineNumber, error))),
    );
    const rest = detail.counts.error - detail.errorLines.length;
    paragraphs.push(
      `${style.bold('Errors')}\n${lines.slice(0, 20).join('\n')}${rest > 0 ? `\n…and ${rest.toLocaleString('en-US')} more lines in error` : ''}`,
    );
  }
  return { title: item.code, paragraphs };
}

/** How many vendors, devices or credentials a brief names before "…and N more". */
const BRIEF_ITEMS = 10;

function briefList(items: string[], style: TextStyle, separator = ', '): string {
  if (items.length === 0) return '—';
  const shown = items.slice(0, BRIEF_ITEMS).map((item) => style.text(cutText(item, 100)));
  const rest = items.length - shown.length;
  return `${shown.join(separator)}${rest > 0 ? ` …and ${rest.toLocaleString('en-US')} more` : ''}`;
}

/**
 * What an approver reads before deciding, in the status detail and in App Home: the justification, the vendors
 * and how many users each, the devices, the credentials with their permissions, the schedule from … to … and,
 * while it awaits a decision, the deadline.
 */
export function requestBrief(detail: RequestDetail, style: TextStyle): string {
  const vendors = detail.vendors.map((vendor) => `${vendor.name} (${vendor.users.toLocaleString('en-US')})`);
  const grants = detail.grants.map((grant) => `${grant.label} — ${permissionWords(grant)}`);
  const lines = [
    `${style.bold('Justification:')} ${style.text(cutText(detail.justification, 500))}`,
    `${style.bold('Vendors:')} ${briefList(vendors, style)}`,
    `${style.bold(`Devices (${detail.devices.length.toLocaleString('en-US')}):`)} ${briefList(detail.devices, style)}`,
    `${style.bold(`Credentials (${detail.grants.length.toLocaleString('en-US')}):`)} ${briefList(grants, style, '; ')}`,
    `${style.bold('Schedule:')} ${style.text(describeLimitation(detail.limitation))}; ${style.text(scheduleTextOf(detail.limitation))}`,
  ];
  if (detail.item.status === 'awaiting_approval' && detail.approvalDeadline)
    lines.push(`${style.bold('Decide by:')} ${style.date(detail.approvalDeadline)}`);
  return lines.join('\n');
}

function requestText(detail: RequestDetail, now: Date, style: TextStyle, permalink: string | undefined): DetailText {
  const item = detail.item;
  const groups = detail.groups.map(
    (group) =>
      `${style.text(group.name)}: ${group.approvals} of ${group.required} ${group.required === 1 ? 'approval' : 'approvals'}${group.rejections ? `, ${group.rejections} ${group.rejections === 1 ? 'rejection' : 'rejections'}` : ''}`,
  );
  const decisions = detail.decisions.map((decision) => {
    const comment = decision.comment?.trim() ? ` · "${style.text(cutText(decision.comment.trim(), 200))}"` : '';
    const verb =
      decision.decision === 'reject'
        ? 'rejected'
        : `approved${decision.excludedUsers ? ` except ${decision.excludedUsers} ${decision.excludedUsers === 1 ? 'user' : 'users'}` : ''}`;
    return `${style.user(decision.approverId)} ${verb} · ${utcTimeWords(decision.at)}${comment} (${style.text(decision.groupName)})`;
  });
  const paragraphs = [
    `${style.link(permalink, style.bold(item.code))} · ${statusWord(item)} · ${progressWords(item)}`,
    `Requested by ${style.user(detail.requesterUserId)} ${ageWords(item.createdAt, now)}\nImport: ${detail.importCode} (${style.text(cutText(item.fileName, 200))})`,
    requestBrief(detail, style),
    `${style.bold('Approval')}\n${groups.length ? groups.join('\n') : '—'}`,
    `${style.bold('Decisions')}\n${decisions.length ? decisions.slice(0, 20).join('\n') : 'none yet'}`,
  ];
  if (detail.exclusions.total > 0)
    paragraphs.push(
      `${style.bold(`Excluded: ${detail.exclusions.total}`)} · no access, no email\n${excludedLinesText(detail.exclusions.lines, detail.exclusions.total, style)}`,
    );
  const cancelled = cancellationWords(detail.cancellation, style);
  if (cancelled) paragraphs.push(cancelled);
  if (detail.progress.total > 0) {
    const statuses = Object.entries(detail.accessStatuses)
      .map(([status, count]) => `${ACCESS_STATUS_WORDS[status as keyof typeof ACCESS_STATUS_WORDS]}: ${count}`)
      .join(' · ');
    paragraphs.push(
      `${style.bold('Accesses')}\nUsers done: ${detail.progress.done}/${detail.progress.total} · Emails sent: ${detail.progress.emailsSent} · Errors: ${detail.progress.errors}\n${statuses} · Activated: ${detail.activated}`,
    );
  }
  return { title: item.code, paragraphs };
}

function accessText(detail: AccessDetail, now: Date, style: TextStyle, permalink: string | undefined): DetailText {
  const first =
    detail.firstAccessState === 'activated'
      ? `Activated${detail.activatedAt ? ` ${utcTimeWords(detail.activatedAt)}` : ''}`
      : detail.emailError
        ? `Link not sent: the mail server refused it (${style.text(cutText(detail.emailError, 300))})`
        : detail.linkEmailSentAt
          ? `Link sent ${utcTimeWords(detail.linkEmailSentAt)}, not activated yet${detail.lockedOut ? ' (locked after 5 wrong tokens: send a new token)' : ''}`
          : 'Link not sent yet';
  const sessions =
    detail.limitation.sessions === 'unlimited'
      ? `${detail.sessionsUsed} (unlimited)`
      : `${detail.sessionsUsed} of ${detail.limitation.sessions.maximum}`;
  const starts =
    detail.startsAt.getTime() > now.getTime()
      ? `Starts ${formatInstant(detail.startsAt, detail.timeZone)} (${detail.timeZone})\n`
      : '';
  const paragraphs = [
    `${style.bold(detail.code)} · ${ACCESS_STATUS_WORDS[detail.status]}`,
    `User: ${style.text(cutText(detail.userName, 200))} <${style.text(detail.email)}>\nVendor: ${style.text(cutText(detail.vendorName, 200))}\nRequest: ${style.link(permalink, detail.requestCode)}`,
    `Schedule: ${style.text(describeLimitation(detail.limitation))}\n${starts}Ends ${formatInstant(detail.endsAt, detail.timeZone)} (${detail.timeZone})`,
    `First access: ${first}\nSessions used: ${sessions}`,
  ];
  const cancelled = cancellationWords(detail.cancellation, style);
  if (cancelled) paragraphs.push(cancelled);
  return { title: detail.code, paragraphs };
}

export function describeStatusDetail(
  detail: StatusDetail,
  now: Date,
  style: TextStyle,
  permalink?: string,
): DetailText {
  if (detail.kind === 'import') return importText(detail, now, style, permalink);
  if (detail.kind === 'request') return requestText(detail, now, style, permalink);
  return accessText(detail, now, style, permalink);
}

/** The detail as a modal (when the command came with a trigger); extra blocks (e.g. buttons) follow. */
export function buildStatusDetailModal(text: DetailText, extra: KnownBlock[] = []): ModalView {
  return {
    type: 'modal',
    callback_id: STATUS_DETAIL_CALLBACK,
    title: { type: 'plain_text', text: cutText(text.title, 24) },
    close: { type: 'plain_text', text: 'Close' },
    blocks: [...text.paragraphs.map(section), ...extra],
  };
}

export function buildStatusDetailMessage(
  text: DetailText,
  extra: KnownBlock[] = [],
): { text: string; blocks: KnownBlock[] } {
  return { text: `${text.title}: ${text.paragraphs[0] ?? ''}`, blocks: [...text.paragraphs.map(section), ...extra] };
}

export function notVisibleText(code: string): string {
  return `I found nothing called ${escapeMrkdwn(cutText(code, 40))} that you can see. Codes look like IMP-000123 (an import), W000123 (a request) or EXT-26-000123 (an access).`;
}

export interface HomeInput {
  items: StatusItem[];
  more: boolean;
  awaiting: StatusItem[];
  /** The awaiting requests in detail (justification, vendors, devices, credentials, schedule), by code. */
  briefs: Map<string, RequestDetail>;
  /** Admins may also cancel a request from here; other approvers only decide. */
  viewerIsAdmin: boolean;
  admin?: { counts: CatalogCounts; latestImports: StatusItem[] };
  now: Date;
  permalinks: Map<string, string>;
}

/** The App Home tab: my imports and requests, what awaits my approval (with the card's buttons), admin figures. */
export function buildHomeView(input: HomeInput): { type: 'home'; blocks: KnownBlock[] } {
  const line = (item: StatusItem) => itemLine(item, input.now, mrkdwnStyle, input.permalinks.get(item.code));
  const blocks: KnownBlock[] = [header('My imports and requests')];
  blocks.push(section(input.items.length ? input.items.map(line).join('\n') : LIST_EMPTY));
  if (input.more)
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: 'Older ones: `/domum status`, then More.' }] });
  blocks.push({ type: 'divider' }, header('Awaiting my approval'));
  if (input.awaiting.length === 0) blocks.push(section('Nothing awaits your approval.'));
  for (const item of input.awaiting) {
    blocks.push(section(`${line(item)} · from ${mention(item.requesterUserId ?? '')}`));
    const brief = input.briefs.get(item.code);
    if (brief) blocks.push(section(requestBrief(brief, mrkdwnStyle)));
    // Block ids are unique within a view: each card's buttons get their own.
    if (item.requestId)
      blocks.push({
        ...decisionButtons(item.requestId, { cancel: input.viewerIsAdmin }),
        block_id: homeDecisionBlockId(item.requestId),
      });
  }
  if (input.admin) {
    const counts = input.admin.counts;
    blocks.push({ type: 'divider' }, header('Catalog'));
    blocks.push(
      section(
        [
          `Vendors: ${counts.vendors}`,
          `Access groups: ${counts.accessGroups}`,
          `Devices: ${counts.devices}`,
          `Credentials: ${counts.credentials}`,
          `Reasons: ${counts.reasons}`,
          `Third-party users: ${counts.users}`,
        ].join(' · '),
      ),
    );
    blocks.push(header('Latest imports'));
    blocks.push(
      section(input.admin.latestImports.length ? input.admin.latestImports.map(line).join('\n') : 'No imports yet.'),
    );
  }
  return { type: 'home', blocks };
}
