// The words of `/domum cancel` and of the access lifecycle (issue 8): the confirmation modal (a required
// Reason), its answers, the thread reply, the requester's DMs. Pure. Everything a person or the catalog wrote
// (reason, user and vendor names, file name) is escaped; codes were matched by a pattern before coming here.
import type { KnownBlock, ModalView } from '@slack/types';
import type { AccessStatus, RequestStatus } from '../../db/schema.ts';
import type { CancelPlan, CancelRefusal } from '../../usecases/cancel-accesses.ts';
import { CANCEL_REASON_MAX } from '../../usecases/cancel-accesses.ts';
import { CANCEL_MODAL_CALLBACK, CANCEL_REASON_ACTION, CANCEL_REASON_BLOCK } from '../ids.ts';
import { cancelMetadata, writePrivateMetadata } from '../private-metadata.ts';
import { cutText, mention, mrkdwnSection, mrkdwnText, plural } from './request-card.ts';
import type { CancellationInWords, EndReminderInput } from '../../usecases/notifier.ts';
export type { CancellationInWords, EndReminderInput };

/** Characters of a reason quoted in the thread reply or a DM (escaped). */
const QUOTED_REASON_MAX = 500;
/** Slack's limit on a modal title. */
const TITLE_MAX = 24;

export const CANCEL_USAGE_TEXT =
  'Give the code of a request or of one access: `/domum cancel W000123` cancels every access of that request, `/domum cancel EXT-26-000487` only that access.';

export const CANCEL_REASON_REQUIRED_TEXT = 'Give a reason for the cancellation: the requester and the thread are told.';
export const CANCEL_REASON_TOO_LONG_TEXT = `Keep the reason under ${CANCEL_REASON_MAX.toLocaleString('en-US')} characters.`;

function plain(text: string): { type: 'plain_text'; text: string } {
  return { type: 'plain_text', text };
}

function accessesWord(count: number): string {
  return plural(count, 'access', 'accesses');
}

/** The private answer when there is nothing the caller can cancel under that code. */
export function cancelRefusalText(refusal: CancelRefusal): string {
  switch (refusal.reason) {
    case 'not-found':
      return `No request or access ${refusal.code} that you can cancel.`;
    case 'already-cancelled':
      return `${refusal.code} is already cancelled: its links no longer work.`;
    case 'nothing-to-cancel':
      return refusal.kind === 'access'
        ? `${refusal.code} is ${refusal.statusWord}: the access has ended, there is nothing left to cancel.`
        : refusal.statusWord === 'Rejected' || refusal.statusWord === 'Expired'
          ? `${refusal.code} is ${refusal.statusWord}: nobody got access, there is nothing to cancel.`
          : `${refusal.code} is ${refusal.statusWord} and its accesses have all ended or were cancelled: there is nothing left to cancel.`;
  }
}

/** What confirming will do, in one sentence (mrkdwn, escaped). */
export function cancelPlanText(plan: CancelPlan): string {
  if (plan.kind === 'access') {
    return `This cancels ${plan.code} of ${mrkdwnText(plan.userName, 200)} (${mrkdwnText(plan.vendorName, 200)}), from request ${plan.requestCode}: its link stops working at once.`;
  }
  if (plan.status === 'awaiting_approval') {
    return `This cancels ${plan.code}, which is awaiting approval: approvers can no longer decide on it, and nobody gets access.`;
  }
  const provisioning = plan.status === 'approved' || plan.status === 'processing';
  if (plan.openAccesses === 0)
    return `This cancels ${plan.code} before its accesses are created: provisioning stops and nobody gets access.`;
  const accesses =
    plan.openAccesses === 1
      ? `This cancels the only access of ${plan.code} still in force: its link stops working at once.`
      : `This cancels the ${plan.openAccesses.toLocaleString('en-US')} accesses of ${plan.code}: their links stop working at once.`;
  return provisioning ? `${accesses} Provisioning stops: no more emails are sent.` : accesses;
}

export function buildCancelModal(plan: CancelPlan): ModalView {
  const about =
    plan.kind === 'request'
      ? `Request by ${mention(plan.requesterUserId)} · ${mrkdwnText(plan.fileName, 200)}`
      : `Request ${plan.requestCode} by ${mention(plan.requesterUserId)}`;
  const blocks: KnownBlock[] = [
    mrkdwnSection(cancelPlanText(plan)),
    { type: 'context', elements: [{ type: 'mrkdwn', text: about }] },
    {
      type: 'input',
      block_id: CANCEL_REASON_BLOCK,
      label: plain('Reason'),
      element: {
        type: 'plain_text_input',
        action_id: CANCEL_REASON_ACTION,
        multiline: true,
        max_length: CANCEL_REASON_MAX,
        placeholder: plain('Why these accesses are cancelled'),
      },
    },
    {
      type: 'context',
      elements: [{ type: 'mrkdwn', text: "The request's thread and its requester are told, with your reason." }],
    },
  ];
  return {
    type: 'modal',
    callback_id: CANCEL_MODAL_CALLBACK,
    private_metadata: writePrivateMetadata(cancelMetadata, { code: plan.code }),
    title: plain(cutText(`Cancel ${plan.code}`, TITLE_MAX)),
    // "Cancel" would read like the close button; Back leaves without cancelling anything.
    submit: plain('Confirm'),
    close: plain('Back'),
    blocks,
  };
}

export interface CancelDone {
  kind: 'request' | 'access';
  code: string;
  accessCount: number;
  previousStatus: RequestStatus | AccessStatus;
}

/** What the modal shows once the cancellation is done (or when it was done by someone else meanwhile). */
export function buildCancelResultView(code: string, text: string): ModalView {
  return {
    type: 'modal',
    callback_id: CANCEL_MODAL_CALLBACK,
    title: plain(cutText(`Cancel ${code}`, TITLE_MAX)),
    close: plain('Done'),
    blocks: [mrkdwnSection(text)],
  };
}

export function cancelDoneText(done: CancelDone): string {
  if (done.kind === 'access')
    return `${done.code} is cancelled: its link no longer works. The request's thread says so.`;
  if (done.previousStatus === 'awaiting_approval')
    return `${done.code} is cancelled: approvers can no longer decide on it. The thread says so.`;
  if (done.accessCount === 0)
    return `${done.code} is cancelled before its accesses were created: nobody gets access. The thread says so.`;
  return `${done.code} is cancelled: ${accessesWord(done.accessCount)} cancelled, their links no longer work. The thread says so.`;
}

function quotedReason(reason: string): string {
  return `"${mrkdwnText(reason.trim(), QUOTED_REASON_MAX)}"`;
}

function whatWasCancelled(cancellation: CancellationInWords, requestWords: string): string {
  if (cancellation.access) {
    const { code, userName, vendorName } = cancellation.access;
    return `${code} (${mrkdwnText(userName, 200)}, ${mrkdwnText(vendorName, 200)}) of ${requestWords}: its link no longer works`;
  }
  if (cancellation.previousStatus === 'awaiting_approval') return `${requestWords} while it was awaiting approval`;
  if (cancellation.accessCount === 0) return `${requestWords} before its accesses were created`;
  return `${requestWords}: ${accessesWord(cancellation.accessCount)} cancelled, their links no longer work`;
}

/** The reply in the request's thread: who cancelled what, how many accesses, and why. */
export function cancellationReplyText(cancellation: CancellationInWords): string {
  const status = cancellation.access ? '' : ' Status: Cancelled.';
  return `${mention(cancellation.cancelledBy)} cancelled ${whatWasCancelled(cancellation, cancellation.requestCode)}. Reason: ${quotedReason(cancellation.reason)}.${status}`;
}

/** The requester's DM when someone else cancelled. */
export function cancellationDmText(cancellation: CancellationInWords): string {
  const requestWords = `your request ${cancellation.requestCode} for ${mrkdwnText(cancellation.fileName, 200)}`;
  return `${mention(cancellation.cancelledBy)} cancelled ${whatWasCancelled(cancellation, requestWords)}. Reason: ${quotedReason(cancellation.reason)}.`;
}

// ---------------------------------------------------------------------------------------------------------
// The lifecycle's reminder

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const wallFormatters = new Map<string, Intl.DateTimeFormat>();

function wallClock(instant: Date, timeZone: string): { year: number; month: number; day: number; time: string } {
  let formatter = wallFormatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      calendar: 'gregory',
      numberingSystem: 'latn',
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
    });
    wallFormatters.set(timeZone, formatter);
  }
  const parts: Record<string, string> = {};
  for (const part of formatter.formatToParts(instant)) parts[part.type] = part.value;
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    time: `${parts.hour}:${parts.minute}`,
  };
}

/** "today", "tomorrow" or "on 3 Dec 2026", on the zone's calendar, seen from `now`. */
function dayInWords(now: Date, instant: Date, timeZone: string): string {
  const today = wallClock(now, timeZone);
  const day = wallClock(instant, timeZone);
  const dayNumber = (wall: { year: number; month: number; day: number }) =>
    Date.UTC(wall.year, wall.month - 1, wall.day) / 86_400_000;
  const difference = dayNumber(day) - dayNumber(today);
  if (difference === 0) return 'today';
  if (difference === 1) return 'tomorrow';
  return `on ${day.day} ${MONTHS[day.month - 1] ?? '?'} ${day.year}`;
}

/** "The 30 accesses of W000123 (people.xlsx) end tomorrow at 17:00 (26 Nov 2026, America/Sao_Paulo)…" */
export function endReminderText(input: EndReminderInput): string {
  const wall = wallClock(input.endsAt, input.timeZone);
  const when = `${dayInWords(input.now, input.endsAt, input.timeZone)} at ${wall.time} (${wall.day} ${MONTHS[wall.month - 1] ?? '?'} ${wall.year}, ${input.timeZone})`;
  const what =
    input.count === 1
      ? `The access of ${input.requestCode} (${mrkdwnText(input.fileName, 200)}) ends ${when}. Its link stops working then`
      : `The ${input.count.toLocaleString('en-US')} accesses of ${input.requestCode} (${mrkdwnText(input.fileName, 200)}) end ${when}. Their links stop working then`;
  return `${what}; Extend (or \`/domum extend ${input.requestCode}\`) gives ${input.count === 1 ? 'it' : 'them'} more time.`;
}
