// What people are told of an extension (`/domum extend`), in the request's thread: the card of a later end, posted
// once and kept up to date (its Approve and Reject gone once decided); each decision said once; how it ended said
// once; whoever asked told of the outcome of an ask that needed approval, and the requester told when someone else
// changed their accesses' end. The request's own card shows the schedule as it now stands. What was posted is
// recorded before moving on, so a job that runs again says nothing twice.
import { countAccessesOfRequest } from '../db/repos/access-repo.ts';
import {
  findExtensionForNotice,
  listExtensionResponses,
  markExtensionResponseAnnounced,
  updateExtension,
} from '../db/repos/extension-repo.ts';
import type { ExtensionForNotice, ExtensionResponseRow } from '../db/repos/extension-repo.ts';
import { findRequestGroups } from '../db/repos/request-repo.ts';
import type { RequestGroup } from '../db/repos/request-repo.ts';
import type { Db, ExtensionStatus } from '../db/schema.ts';
import { groupStillNeedsApprovals, tallyDecision } from '../domain/approval.ts';
import { requestThread } from '../domain/request-thread.ts';
import type { Conversation, ExtensionCardInput, ExtensionOutcomeInput, Notifier } from './notifier.ts';
import { refreshRequestCard } from './request-notices.ts';

export interface ExtensionNoticeDeps {
  db: Db;
  notifier: Notifier;
  now: () => Date;
}

/** The status words of §4a, for an extension: applied is what its approval did. */
export const EXTENSION_STATUS_WORDS: Record<ExtensionStatus, string> = {
  awaiting_approval: 'Awaiting approval',
  approved: 'Approved',
  applied: 'Approved',
  rejected: 'Rejected',
  expired: 'Expired',
  cancelled: 'Cancelled',
};

/** Approvers still to decide: listed ones who have not (never the requester or the asker), and user groups. */
function approversToMention(
  extension: ExtensionForNotice,
  groups: readonly RequestGroup[],
  responses: readonly ExtensionResponseRow[],
): ExtensionCardInput['approvers'] {
  const tally = tallyDecision(groups, responses);
  const userIds = new Set<string>();
  const usergroupIds = new Set<string>();
  for (const group of groups) {
    const groupTally = tally.groups.find((entry) => entry.id === group.id);
    if (!groupTally || !groupStillNeedsApprovals(groupTally)) continue;
    const responded = new Set(responses.filter((r) => r.groupId === group.id).map((r) => r.approverUserId));
    for (const userId of group.approverUserIds)
      if (!responded.has(userId) && userId !== extension.requester_user_id && userId !== extension.requested_by)
        userIds.add(userId);
    if (group.approverUsergroupId) usergroupIds.add(group.approverUsergroupId);
  }
  return { userIds: [...userIds], usergroupIds: [...usergroupIds] };
}

async function accessCountOf(db: Db, extension: ExtensionForNotice): Promise<number> {
  return extension.access_count ?? countAccessesOfRequest(db, extension.request_id, ['scheduled', 'active', 'error']);
}

function outcomeOf(
  extension: ExtensionForNotice,
  accesses: number,
  responses: readonly ExtensionResponseRow[],
): ExtensionOutcomeInput | undefined {
  const { status } = extension;
  if (status !== 'applied' && status !== 'rejected' && status !== 'expired' && status !== 'cancelled') return undefined;
  const rejection = [...responses].reverse().find((response) => response.decision === 'reject');
  return {
    requestCode: extension.request_code,
    fileName: extension.file_name,
    askedBy: extension.requested_by,
    outcome: status,
    needsApproval: extension.needs_approval,
    previousEnd: extension.previous_end,
    newEnd: extension.new_end,
    timeZone: extension.time_zone,
    accesses,
    reason: extension.reason,
    ...(status === 'rejected' && rejection
      ? { rejectedBy: { userId: rejection.approverUserId, comment: rejection.comment } }
      : {}),
  };
}

export async function announceExtension(deps: ExtensionNoticeDeps, extensionId: number): Promise<void> {
  const extension = await findExtensionForNotice(deps.db, extensionId);
  if (!extension) return;
  const [groups, responses, accesses] = await Promise.all([
    findRequestGroups(deps.db, extension.request_id),
    listExtensionResponses(deps.db, extensionId),
    accessCountOf(deps.db, extension),
  ]);
  const thread = requestThread({
    channel_id: extension.channel_id,
    thread_ts: extension.thread_ts,
    card_channel_id: extension.request_card_channel_id,
    card_ts: extension.request_card_ts,
  });
  if (extension.needs_approval && thread)
    await showCardAndDecisions(deps, { extension, groups, responses, accesses, thread });
  const outcome = outcomeOf(extension, accesses, responses);
  if (!outcome) return;
  // The request's card shows the schedule as it now stands.
  if (outcome.outcome === 'applied') await refreshRequestCard(deps, extension.request_id);
  if (thread && !extension.outcome_ts) {
    const posted = await deps.notifier.postExtensionOutcome(thread, outcome);
    await updateExtension(deps.db, extensionId, { outcome_ts: posted.ts }, deps.now());
  }
  // Whoever asked waited for the approvers; a cancelled request's requester was told of the cancellation.
  if (extension.needs_approval && outcome.outcome !== 'cancelled' && !extension.asker_notified_at) {
    await deps.notifier.tellExtensionOutcome(extension.requested_by, outcome, 'asker');
    await updateExtension(deps.db, extensionId, { asker_notified_at: deps.now() }, deps.now());
  }
  if (
    outcome.outcome === 'applied' &&
    extension.requested_by !== extension.requester_user_id &&
    !extension.requester_notified_at
  ) {
    await deps.notifier.tellExtensionOutcome(extension.requester_user_id, outcome, 'requester');
    await updateExtension(deps.db, extensionId, { requester_notified_at: deps.now() }, deps.now());
  }
}

/** The card of a later end, posted once then updated as it stands; each decision said once in the thread. */
async function showCardAndDecisions(
  deps: ExtensionNoticeDeps,
  input: {
    extension: ExtensionForNotice;
    groups: RequestGroup[];
    responses: ExtensionResponseRow[];
    accesses: number;
    thread: Conversation;
  },
): Promise<void> {
  const { extension, groups, responses, thread } = input;
  const statusWord = EXTENSION_STATUS_WORDS[extension.status];
  const awaiting = extension.status === 'awaiting_approval';
  const card: ExtensionCardInput = {
    extensionId: extension.id,
    requestCode: extension.request_code,
    askedBy: extension.requested_by,
    fileName: extension.file_name,
    accesses: input.accesses,
    previousEnd: extension.previous_end,
    newEnd: extension.new_end,
    timeZone: extension.time_zone,
    reason: extension.reason,
    statusWord,
    groups: tallyDecision(groups, responses).groups,
    approvalDeadline: extension.approval_deadline,
    decisions: responses.map((response) => ({
      approverId: response.approverUserId,
      decision: response.decision,
      comment: response.comment,
      at: response.at,
      groupName: response.groupName,
    })),
    awaitingDecision: awaiting,
    approvers: awaiting ? approversToMention(extension, groups, responses) : { userIds: [], usergroupIds: [] },
  };
  if (extension.card_ts && extension.card_channel_id) {
    await deps.notifier.updateExtensionCard({ channel: extension.card_channel_id, ts: extension.card_ts }, card);
  } else {
    const posted = await deps.notifier.postExtensionCard(thread, card);
    await updateExtension(deps.db, extension.id, { card_ts: posted.ts, card_channel_id: posted.channel }, deps.now());
  }
  for (const response of responses) {
    if (response.announcedTs) continue;
    const posted = await deps.notifier.postExtensionDecisionReply(thread, {
      approverId: response.approverUserId,
      decision: response.decision,
      requestCode: extension.request_code,
      comment: response.comment,
      statusWord,
      groupName: response.groupName,
    });
    await markExtensionResponseAnnounced(deps.db, response.id, posted.ts);
  }
}

/** What an extension's Approve and Reject modals repeat about it. */
export async function extensionSummary(
  db: Db,
  extensionId: number,
): Promise<
  | { requestCode: string; accesses: number; previousEnd: Date; newEnd: Date; timeZone: string; reason: string }
  | undefined
> {
  const extension = await findExtensionForNotice(db, extensionId);
  if (!extension) return undefined;
  return {
    requestCode: extension.request_code,
    accesses: await accessCountOf(db, extension),
    previousEnd: extension.previous_end,
    newEnd: extension.new_end,
    timeZone: extension.time_zone,
    reason: extension.reason,
  };
}
