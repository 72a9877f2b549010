// What people are told about a batch access request (README "Importing users", Approval): its card, posted once
// in the import's channel (threaded under the upload when there was one) or, when the bot cannot post there,
// sent to the requester; each decision announced once in the card's thread; the requester told once of each
// status change; the one reminder at half the approval TTL. What was posted is recorded before moving on.
import {
  findRequestForCard,
  findRequestGroups,
  listApprovalResponses,
  listRequestDeviceNames,
  listRequestGrants,
  listApproverNoticeUserIds,
  listRequestVendors,
  markApproversReminded,
  recordApproverNotice,
  markResponseAnnounced,
  updateRequest,
} from '../db/repos/request-repo.ts';
import type { ApprovalResponseRow, RequestForCard } from '../db/repos/request-repo.ts';
import type { Db, RequestStatus } from '../db/schema.ts';
import { accessLimitationSchema, describeLimitation } from '../domain/access-limitation.ts';
import { scheduleTextOf } from '../domain/instant-words.ts';
import { tallyDecision } from '../domain/approval.ts';
import { requestThread } from '../domain/request-thread.ts';
import { REQUEST_STATUS_WORDS } from '../domain/status-words.ts';
import type { Logger } from '../logger.ts';
import { CannotPostError } from './notifier.ts';
import type { Notifier, RequestCardInput } from './notifier.ts';
import { approversToRemind } from './request-deadlines.ts';
import { credentialLabel } from './search-catalog.ts';

export interface RequestNoticeDeps {
  db: Db;
  notifier: Notifier;
  now: () => Date;
}

export interface RequestCard {
  request: RequestForCard;
  card: RequestCardInput;
  responses: ApprovalResponseRow[];
}

/** What a decision modal repeats about a request: its users, their vendors and its schedule. */
export async function requestSummary(
  db: Db,
  requestId: number,
): Promise<{ users: number; vendors: Array<{ name: string; users: number }>; scheduleText: string } | undefined> {
  const [request, vendors] = await Promise.all([findRequestForCard(db, requestId), listRequestVendors(db, requestId)]);
  if (!request) return undefined;
  return {
    users: usersToBeGivenAccess(request),
    vendors,
    scheduleText: scheduleTextOf(accessLimitationSchema.parse(request.limitation)),
  };
}

/** The users a request gives access to: its import's new active users, but those approvers excluded. */
function usersToBeGivenAccess(request: RequestForCard): number {
  return Math.max(0, request.created_count - Number(request.excluded_count));
}

/** The card of a request as it stands: its answers, its access groups' progress and every decision. */
export async function buildRequestCard(db: Db, requestId: number): Promise<RequestCard | undefined> {
  const request = await findRequestForCard(db, requestId);
  if (!request) return undefined;
  const [devices, grants, groups, responses, vendors] = await Promise.all([
    listRequestDeviceNames(db, requestId),
    listRequestGrants(db, requestId),
    findRequestGroups(db, requestId),
    listApprovalResponses(db, requestId),
    listRequestVendors(db, requestId),
  ]);
  const tally = tallyDecision(groups, responses);
  const limitation = accessLimitationSchema.parse(request.limitation);
  const card: RequestCardInput = {
    code: request.code,
    requesterId: request.requester_user_id,
    fileName: request.file_name,
    counts: { users: usersToBeGivenAccess(request), excluded: Number(request.excluded_count) },
    vendors,
    justification: request.justification,
    reasonName: request.reason_name,
    governanceCode: request.governance_code,
    devices,
    grants: grants.map((grant) => ({
      label: credentialLabel(grant),
      startSession: grant.start_session,
      viewPassword: grant.view_password,
    })),
    limitationText: describeLimitation(limitation),
    scheduleText: scheduleTextOf(limitation),
    approvalDeadline: request.approval_deadline,
    statusWord: REQUEST_STATUS_WORDS[request.status],
    groups: tally.groups,
    decisions: responses.map((response) => ({
      approverId: response.approverUserId,
      decision: response.decision,
      comment: response.comment,
      at: response.at,
      groupName: response.groupName,
      excludedUsers: response.excludedUsers,
    })),
    requestId: request.id,
    awaitingDecision: request.status === 'awaiting_approval',
  };
  return { request, card, responses };
}

/**
 * Every approver who can decide the request (listed in one of its access groups, or a member of a group's
 * Slack user group, resolved as deciding resolves it), except the requester, gets one direct message linking
 * to the card. Each is recorded once sent, so a job that runs again tells only those not yet told. A user who
 * cannot get a direct message (deactivated, a bot) is logged and skipped; a user group Slack will not list
 * (no paid plan, deleted) is logged, and its listed approvers are still told.
 */
export async function tellApprovers(
  deps: RequestNoticeDeps & { usergroupMembers: (usergroupId: string) => Promise<string[]> },
  requestId: number,
  logger: Logger,
): Promise<void> {
  const built = await buildRequestCard(deps.db, requestId);
  const cardAt = built?.request.card_ts && built.request.card_channel_id;
  if (!built || !cardAt || built.request.status !== 'awaiting_approval') return;
  const { request, card } = built;
  // A card the bot could not post in its channel went to the requester: approvers cannot open that one.
  const cardInChannel = request.card_channel_id === request.channel_id;
  const approvers = new Set<string>();
  for (const group of await findRequestGroups(deps.db, requestId)) {
    for (const userId of group.approverUserIds) approvers.add(userId);
    if (!group.approverUsergroupId) continue;
    try {
      for (const userId of await deps.usergroupMembers(group.approverUsergroupId)) approvers.add(userId);
    } catch (error) {
      logger.warn('could not list an approver user group; its members are not told', {
        request: request.code,
        usergroup: group.approverUsergroupId,
        error,
      });
    }
  }
  approvers.delete(request.requester_user_id);
  const told = await listApproverNoticeUserIds(deps.db, requestId);
  const notice = {
    code: request.code,
    card: cardInChannel && request.card_ts ? { channel: cardAt, ts: request.card_ts } : null,
    requesterId: request.requester_user_id,
    fileName: request.file_name,
    users: card.counts.users,
    vendors: card.vendors,
    deadline: request.approval_deadline,
  };
  for (const userId of approvers) {
    if (told.has(userId)) continue;
    try {
      const posted = await deps.notifier.tellApprover(userId, notice);
      await recordApproverNotice(deps.db, { requestId, userId, ...posted, at: deps.now() });
    } catch (error) {
      if (!(error instanceof CannotPostError)) throw error;
      logger.warn('an approver cannot get a direct message; skipped', { request: request.code, user: userId });
    }
  }
}

export async function publishRequestCard(deps: RequestNoticeDeps, requestId: number, logger: Logger): Promise<void> {
  const built = await buildRequestCard(deps.db, requestId);
  if (!built || built.request.card_ts) return;
  const { request, card } = built;
  if (request.channel_id) {
    try {
      const posted = await deps.notifier.postRequestCard(
        { channel: request.channel_id, threadTs: request.thread_ts },
        card,
      );
      await updateRequest(deps.db, requestId, { card_ts: posted.ts, card_channel_id: posted.channel }, deps.now());
      return;
    } catch (error) {
      if (!(error instanceof CannotPostError)) throw error;
      logger.info('cannot post the request card in its channel; telling the requester', { request: request.code });
    }
  }
  const posted = await deps.notifier.sendUndeliveredCard(
    request.requester_user_id,
    { code: request.code, channelId: request.channel_id },
    card,
  );
  await updateRequest(deps.db, requestId, { card_ts: posted.ts, card_channel_id: posted.channel }, deps.now());
}

/**
 * The card redrawn as the request stands, so its status word follows provisioning (Processing, Completed,
 * Completed with errors). Safe to run any number of times.
 */
export async function refreshRequestCard(deps: RequestNoticeDeps, requestId: number): Promise<void> {
  const built = await buildRequestCard(deps.db, requestId);
  if (!built?.request.card_ts || !built.request.card_channel_id) return;
  await deps.notifier.updateRequestCard(
    { channel: built.request.card_channel_id, ts: built.request.card_ts },
    built.card,
  );
}

/** Whether the requester is still to be told that their request is now `announced`. */
function requesterToBeTold(notified: RequestStatus | null, announced: RequestStatus): boolean {
  if (announced === 'awaiting_approval' || notified === announced) return false;
  // "Approved" is old news once the requester heard of what came after it (processing, completed…).
  return !(announced === 'approved' && notified && notified !== 'awaiting_approval');
}

/**
 * After a decision: the card updated in place (its buttons removed once decided), each decision announced
 * once in the thread, and the requester told once of a status change. Safe to run twice: what was posted is
 * recorded (announced_ts, notified_status) before moving on.
 */
export async function announceDecisions(
  deps: RequestNoticeDeps,
  requestId: number,
  decidedStatus?: RequestStatus,
): Promise<void> {
  const built = await buildRequestCard(deps.db, requestId);
  if (!built) return;
  const { request, card, responses } = built;
  // What the decision did (approved, rejected…), even if provisioning has moved the request on since.
  const announced = decidedStatus && REQUEST_STATUS_WORDS[decidedStatus] ? decidedStatus : request.status;
  const statusWord = REQUEST_STATUS_WORDS[announced];
  const thread = requestThread(request);
  if (request.card_channel_id && request.card_ts && thread) {
    await deps.notifier.updateRequestCard({ channel: request.card_channel_id, ts: request.card_ts }, card);
    for (const response of responses) {
      if (response.announcedTs) continue;
      const posted = await deps.notifier.postDecisionReply(thread, {
        approverId: response.approverUserId,
        decision: response.decision,
        code: request.code,
        comment: response.comment,
        statusWord,
        groupName: response.groupName,
        excludedUsers: response.excludedUsers,
      });
      await markResponseAnnounced(deps.db, response.id, posted.ts);
    }
  }
  if (!requesterToBeTold(request.notified_status, announced)) return;
  const decisive = [...responses]
    .reverse()
    .find((response) => (announced === 'rejected' ? response.decision === 'reject' : response.decision === 'approve'));
  await deps.notifier.tellStatusChange(request.requester_user_id, {
    code: request.code,
    statusWord,
    fileName: request.file_name,
    ...(decisive ? { byUserId: decisive.approverUserId, comment: decisive.comment } : {}),
    ...(announced === 'approved' && card.counts.excluded ? { excludedUsers: card.counts.excluded } : {}),
  });
  await updateRequest(deps.db, requestId, { notified_status: announced }, deps.now());
}

/** The one reminder, in the card's thread, mentioning the approvers still missing. */
export async function remindApprovers(deps: RequestNoticeDeps, requestId: number): Promise<void> {
  const missing = await approversToRemind(deps.db, requestId);
  if (!missing) return;
  const thread = missing.request.card_ts ? requestThread(missing.request) : undefined;
  if (thread)
    await deps.notifier.remindApprovers(thread, {
      ...missing,
      deadline: missing.deadline,
      now: deps.now(),
    });
  await markApproversReminded(deps.db, requestId, deps.now());
}
