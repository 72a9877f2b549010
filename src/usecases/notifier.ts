// How use cases and jobs tell people what happened: a port taking plain data. The Slack adapter
// (src/slack/slack-notifier.ts) renders it with the pure block builders of src/slack/blocks/ and posts it; it
// never reads or writes the database. Use cases decide what to say and where, and record what was posted
// (a ts in a column) before moving on, so a job that runs twice says nothing twice.
import type { Import, LineError } from '../db/schema.ts';
import type { FinalCounts, ImportCounts } from '../domain/import-lines.ts';

/** Where a message goes: a channel, or a user id for a direct message, and the thread to reply in, if any. */
export interface Conversation {
  channel: string;
  threadTs?: string | null | undefined;
}

/** A message once posted: its conversation's id and its ts. */
export interface Posted {
  channel: string;
  ts: string;
}

/** The bot may not post in that channel (not a member, archived, restricted). */
export class CannotPostError extends Error {
  readonly channel: string;
  constructor(channel: string) {
    super(`cannot post in ${channel}`);
    this.name = 'CannotPostError';
    this.channel = channel;
  }
}

export interface GrantInWords {
  label: string;
  startSession: boolean;
  viewPassword: boolean;
}

export interface DecisionInWords {
  approverId: string;
  decision: 'approve' | 'reject';
  comment: string | null;
  at: Date;
  groupName: string;
  /** How many users this approver excluded ("Approve except…"); the comment is then the reason. */
  excludedUsers?: number;
}

/** A user approvers excluded from a request ("Approve except…"): the line, who they are, who excluded them and why. */
export interface ExcludedLineInWords {
  lineNumber: number;
  name: string;
  email: string;
  vendorName: string;
  exclusions: Array<{ excludedBy: string; reason: string }>;
}

export interface RequestCardInput {
  code: string;
  requesterId: string;
  fileName: string;
  /** The users to be given access, and how many approvers excluded ("Approve except…"). */
  counts: { users: number; excluded?: number };
  /** The vendors of those users, by how many users each. */
  vendors: Array<{ name: string; users: number }>;
  justification: string;
  reasonName: string;
  governanceCode: string | null;
  devices: string[];
  grants: GrantInWords[];
  limitationText: string;
  /** "from 7 Dec 2026 09:00 to 7 Feb 2027 09:00 BRT (UTC−03:00)": formatPeriodWithZone. */
  scheduleText: string;
  /** When the request expires undecided; null for requests made before it was recorded. */
  approvalDeadline: Date | null;
  statusWord: string;
  groups: Array<{ name: string; approvals: number; required: number; rejections?: number }>;
  /** Decisions so far, any order: shown oldest first ("newest last"). */
  decisions?: DecisionInWords[];
  /** The request's id: the buttons' value. */
  requestId?: number;
  /** True while the request awaits approval: the card then carries Approve and Reject (needs requestId). */
  awaitingDecision?: boolean;
}

export interface DecisionReplyInput {
  approverId: string;
  decision: 'approve' | 'reject';
  code: string;
  comment: string | null;
  statusWord: string;
  groupName: string;
  /** How many users this approval leaves out ("Approve except…"); the comment is then the reason. */
  excludedUsers?: number;
}

export interface StatusChangeDmInput {
  code: string;
  statusWord: string;
  fileName: string;
  byUserId?: string;
  comment?: string | null;
  /** On approval: how many users the approvers excluded, who get no access. */
  excludedUsers?: number;
}

export interface ApproverReminderInput {
  code: string;
  userIds: string[];
  usergroupIds: string[];
  /** When the request expires undecided, if known: the reminder says how long is left. */
  deadline: Date | null;
  now: Date;
}

/** The direct message telling one approver that a request awaits their decision. */
export interface ApproverNoticeInput {
  code: string;
  /** The card, linked from the code; null when it is not where approvers can see it. */
  card: Posted | null;
  requesterId: string;
  fileName: string;
  users: number;
  vendors: Array<{ name: string; users: number }>;
  deadline: Date | null;
}

export interface CancellationInWords {
  cancelledBy: string;
  reason: string;
  accessCount: number;
  previousStatus: string;
  requestCode: string;
  fileName: string;
  /** Set when one access was cancelled. */
  access?: { code: string; userName: string; vendorName: string };
}

export interface EndReminderInput {
  requestCode: string;
  fileName: string;
  count: number;
  endsAt: Date;
  timeZone: string;
  now: Date;
}

/** The card of an extension that waits for approval (`/domum extend` with a later end), in the request's thread. */
export interface ExtensionCardInput {
  extensionId: number;
  requestCode: string;
  askedBy: string;
  fileName: string;
  /** The accesses the new end is for. */
  accesses: number;
  previousEnd: Date;
  newEnd: Date;
  timeZone: string;
  reason: string;
  statusWord: string;
  groups: Array<{ name: string; approvals: number; required: number; rejections?: number }>;
  approvalDeadline: Date | null;
  decisions: DecisionInWords[];
  /** True while it awaits a decision: the card then carries Approve and Reject, and names who may decide. */
  awaitingDecision: boolean;
  approvers: { userIds: string[]; usergroupIds: string[] };
}

export interface ExtensionDecisionReplyInput {
  approverId: string;
  decision: 'approve' | 'reject';
  requestCode: string;
  comment: string | null;
  statusWord: string;
  groupName: string;
}

/** How an extension ended: said once in the thread, and to the people concerned. */
export interface ExtensionOutcomeInput {
  requestCode: string;
  fileName: string;
  askedBy: string;
  outcome: 'applied' | 'rejected' | 'expired' | 'cancelled';
  needsApproval: boolean;
  previousEnd: Date;
  newEnd: Date;
  timeZone: string;
  accesses: number;
  reason: string;
  /** Who rejected it, and why. */
  rejectedBy?: { userId: string; comment: string | null };
}

export interface PreviewInput {
  import: Pick<Import, 'id' | 'code' | 'file_name' | 'unknown_columns'>;
  counts: ImportCounts;
  errorLines: Array<{ lineNumber: number; errors: LineError[] }>;
  earlierImport?: Pick<Import, 'code' | 'created_at'> | undefined;
  resultsAttached: boolean;
}

/** The outcome of an import's check: its preview, or why the whole file was refused. */
export type CheckOutcome =
  | { kind: 'preview'; preview: PreviewInput; autoAccessChosen: boolean }
  | { kind: 'refused'; importCode: string; fileName: string; reason: string };

export interface SummaryInput {
  import: Pick<Import, 'code' | 'file_name'>;
  counts: FinalCounts;
  errorLines: Array<{ lineNumber: number; errors: LineError[] }>;
  resultsAttached: boolean;
}

export interface ProvisioningSummaryInput extends SummaryInput {
  requestCode: string;
  extraLines: string[];
  /**
   * Lines a retry can fix (the mail server refused their email): the first ones and how many in all. The
   * summary's `errorLines` are then the others, errors in the spreadsheet's data.
   */
  refusedLines: Array<{ lineNumber: number; errors: LineError[] }>;
  refusedCount: number;
  /** Set when lines a retry can fix (refused emails) exist: the summary offers "Retry failed lines". */
  retryRequestId?: number;
  /** The first lines whose users approvers excluded (counts.excluded in all), with who and why. */
  excludedLines?: ExcludedLineInWords[];
}

export interface ProgressInput {
  code: string;
  done: number;
  total: number;
  emailsSent: number;
  errors: number;
}

export interface ProvisioningDoneInput {
  code: string;
  fileName: string;
  statusWord: string;
  accesses: number;
  emailsSent: number;
  errorLines: number;
}

export interface ResultsFile {
  fileName: string;
  bytes: Buffer;
  title?: string;
}

export interface Notifier {
  /** Throws CannotPostError when the bot may not post there. */
  postRequestCard(where: Conversation, card: RequestCardInput): Promise<Posted>;
  /** The card by direct message, after a line saying why it is not in `channelId` and what to do about it. */
  sendUndeliveredCard(
    userId: string,
    input: { code: string; channelId: string | null },
    card: RequestCardInput,
  ): Promise<Posted>;
  updateRequestCard(at: Posted, card: RequestCardInput): Promise<void>;
  postDecisionReply(where: Conversation, input: DecisionReplyInput): Promise<Posted>;
  tellStatusChange(userId: string, input: StatusChangeDmInput): Promise<void>;
  remindApprovers(where: Conversation, input: ApproverReminderInput): Promise<void>;
  /** Throws CannotPostError when the user cannot get a direct message (deactivated, unknown, a bot). */
  tellApprover(userId: string, input: ApproverNoticeInput): Promise<Posted>;
  postCancellationReply(where: Conversation, cancellation: CancellationInWords): Promise<Posted>;
  tellCancellation(userId: string, cancellation: CancellationInWords): Promise<void>;
  /** The reminder carries an Extend button that opens `/domum extend`'s modal. */
  tellAccessesEnd(userId: string, input: EndReminderInput): Promise<Posted>;
  postExtensionCard(where: Conversation, card: ExtensionCardInput): Promise<Posted>;
  updateExtensionCard(at: Posted, card: ExtensionCardInput): Promise<void>;
  postExtensionDecisionReply(where: Conversation, input: ExtensionDecisionReplyInput): Promise<Posted>;
  postExtensionOutcome(where: Conversation, input: ExtensionOutcomeInput): Promise<Posted>;
  /** `audience`: whoever asked for it (the outcome of their ask), or the requester when someone else asked. */
  tellExtensionOutcome(userId: string, input: ExtensionOutcomeInput, audience: 'asker' | 'requester'): Promise<void>;
  postProgress(where: Conversation, input: ProgressInput): Promise<Posted>;
  updateProgress(at: Posted, input: ProgressInput): Promise<void>;
  postProvisioningSummary(where: Conversation, input: ProvisioningSummaryInput): Promise<Posted>;
  tellProvisioningDone(userId: string, input: ProvisioningDoneInput): Promise<void>;
  /** `where.channel` may be a user id: the file goes to their direct message. */
  uploadFile(where: Conversation, file: ResultsFile): Promise<void>;
  /** The check's outcome in the modal that said "Checking…"; 'gone' when the user has closed it. */
  showCheckOutcome(viewId: string, outcome: CheckOutcome): Promise<'shown' | 'gone'>;
  postCheckOutcome(where: Conversation, outcome: CheckOutcome): Promise<Posted>;
  postImportSummary(where: Conversation, input: SummaryInput): Promise<Posted>;
  /** A path-B preview's buttons replaced by what happened, so nobody clicks them again. */
  markPreviewDecided(at: Posted, preview: PreviewInput, outcome: string): Promise<void>;
}
