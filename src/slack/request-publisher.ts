// The request card: posted once in the import's channel — threaded under the upload when there
// was one — and, when the bot cannot post there, sent to the requester with what to do about it.
import { findImportById } from '../db/repos/import-repo.ts';
import { findInvolvedVendors } from '../db/repos/request-repo.ts';
import type { InvolvedVendor } from '../db/repos/request-repo.ts';
import { columnKeyForHeader } from '../spreadsheet/columns.ts';
import { describeLimitation, accessLimitationSchema } from '../domain/access-limitation.ts';
import type { Logger } from '../logger.ts';
import { credentialLabel } from '../usecases/search-catalog.ts';
import { decisionReplyText, statusChangeDmText } from './blocks/approval-blocks.ts';
import { buildRequestCard } from './blocks/request-card.ts';
import type { GrantInWords, RequestCardInput } from './blocks/request-card.ts';
import type { AppDeps } from '../app-deps.ts';
import { approversToRemind, markReminded } from '../usecases/request-deadlines.ts';
import { openDirectMessage } from './slack-files.ts';
import { REQUEST_STATUS_WORDS } from '../domain/status-words.ts';
import type { RequestStatus } from '../db/schema.ts';

type PublishDeps = Pick<AppDeps, 'db' | 'slack'>;

export async function buildCardFor(deps: PublishDeps, requestId: number) {
  const request = await findRequestForCard(deps, requestId);
  if (!request) return undefined;
  const devices = await listDeviceNames(deps, requestId);
  const grants = await listGrantsInWords(deps, requestId);
  const vendors = await listInvolvedVendors(deps, request.import_id);
  const responses = await listApprovalResponses(deps, requestId);
  const limitation = accessLimitationSchema.parse(request.limitation);
  const card = buildRequestCard({
    code: request.code,
    requesterId: request.requester_user_id,
    fileName: request.file_name,
    counts: { users: request.created_count },
    justification: request.justification,
    reasonName: request.reason_name,
    governanceCode: request.governance_code,
    devices,
    grants,
    limitationText: describeLimitation(limitation),
    statusWord: REQUEST_STATUS_WORDS[request.status],
    groups: tallyGroups(vendors, responses),
    decisions: responses.map((row) => ({
      approverId: row.approver_user_id,
      decision: row.decision,
      comment: row.comment,
      at: row.created_at,
      groupName: row.group_name,
    })),
    requestId: request.id,
    awaitingDecision: request.status === 'awaiting_approval',
  });
  return { request, card, responses };
}

function findRequestForCard(deps: PublishDeps, requestId: number) {
  return deps.db
    .selectFrom('access_requests as r')
    .innerJoin('imports as i', 'i.id', 'r.import_id')
    .innerJoin('reasons as reason', 'reason.id', 'r.reason_id')
    .select([
      'r.id',
      'r.code',
      'r.requester_user_id',
      'r.justification',
      'r.governance_code',
      'r.limitation',
      'r.status',
      'r.channel_id',
      'r.thread_ts',
      'r.card_ts',
      'r.card_channel_id',
      'r.notified_status',
      'i.id as import_id',
      'i.file_name',
      'i.created_count',
      'reason.name as reason_name',
    ])
    .where('r.id', '=', requestId)
    .executeTakeFirst();
}

async function listDeviceNames(deps: PublishDeps, requestId: number): Promise<string[]> {
  const devices = await deps.db
    .selectFrom('access_request_devices as d')
    .innerJoin('devices', 'devices.id', 'd.device_id')
    .select(['devices.name'])
    .where('d.request_id', '=', requestId)
    .orderBy('devices.name')
    .execute();
  return devices.map((device) => device.name);
}

async function listGrantsInWords(deps: PublishDeps, requestId: number): Promise<GrantInWords[]> {
  const grants = await deps.db
    .selectFrom('access_request_grants as g')
    .innerJoin('credentials as c', 'c.id', 'g.credential_id')
    .innerJoin('devices as dev', 'dev.id', 'c.device_id')
    .select(['c.username', 'dev.name as device_name', 'g.start_session', 'g.view_password'])
    .where('g.request_id', '=', requestId)
    .orderBy('dev.name')
    .orderBy('c.username')
    .execute();
  return grants.map((grant) => ({
    label: credentialLabel(grant),
    startSession: grant.start_session,
    viewPassword: grant.view_password,
  }));
}

/** The vendors the import's lines name, read from its Vendor column. */
async function listInvolvedVendors(deps: PublishDeps, importId: number): Promise<InvolvedVendor[]> {
  const record = await findImportById(deps.db, importId);
  const vendorIndex = (record?.headers ?? []).findIndex((header) => columnKeyForHeader(header) === 'vendor');
  return vendorIndex >= 0 ? findInvolvedVendors(deps.db, importId, vendorIndex) : [];
}

function listApprovalResponses(deps: PublishDeps, requestId: number) {
  return deps.db
    .selectFrom('approval_responses as a')
    .innerJoin('access_groups as g', 'g.id', 'a.access_group_id')
    .select([
      'a.id',
      'a.access_group_id',
      'a.approver_user_id',
      'a.decision',
      'a.comment',
      'a.created_at',
      'a.announced_ts',
      'g.name as group_name',
    ])
    .where('a.request_id', '=', requestId)
    .orderBy('a.id')
    .execute();
}

type ApprovalResponse = Awaited<ReturnType<typeof listApprovalResponses>>[number];

/** Each involved access group once, with its approvals and rejections so far. */
function tallyGroups(vendors: InvolvedVendor[], responses: ApprovalResponse[]): RequestCardInput['groups'] {
  return [...new Map(vendors.map((vendor) => [vendor.accessGroupId, vendor])).values()].map((vendor) => ({
    name: vendor.accessGroupName,
    required: vendor.approvalsRequired,
    approvals: responses.filter((row) => row.access_group_id === vendor.accessGroupId && row.decision === 'approve')
      .length,
    rejections: responses.filter((row) => row.access_group_id === vendor.accessGroupId && row.decision === 'reject')
      .length,
  }));
}

function isCannotPost(error: unknown): boolean {
  const code = (error as { data?: { error?: string } }).data?.error;
  return (
    code === 'not_in_channel' || code === 'channel_not_found' || code === 'is_archived' || code === 'restricted_action'
  );
}

export async function publishRequestCard(deps: PublishDeps, requestId: number, logger: Logger): Promise<void> {
  const built = await buildCardFor(deps, requestId);
  if (!built || built.request.card_ts) return;
  const { request, card } = built;
  if (request.channel_id) {
    try {
      const posted = await deps.slack.chat.postMessage({
        channel: request.channel_id,
        ...(request.thread_ts ? { thread_ts: request.thread_ts } : {}),
        ...card,
      });
      await deps.db
        .updateTable('access_requests')
        .set({
          card_ts: posted.ts ?? 'posted',
          card_channel_id: posted.channel ?? request.channel_id,
          updated_at: new Date(),
        })
        .where('id', '=', requestId)
        .execute();
      return;
    } catch (error) {
      if (!isCannotPost(error)) throw error;
      logger.info('cannot post the request card in its channel; telling the requester', { request: request.code });
    }
  }
  const dm = await openDirectMessage(deps.slack, request.requester_user_id);
  const where = request.channel_id ? `<#${request.channel_id}>` : 'the channel';
  await deps.slack.chat.postMessage({
    channel: dm,
    text: `I could not post request ${request.code} in ${where}: I am not a member there. Invite me with /invite @Domum, or run /domum import from a channel where I am. Here is the request:`,
  });
  const posted = await deps.slack.chat.postMessage({ channel: dm, ...card });
  await deps.db
    .updateTable('access_requests')
    .set({ card_ts: posted.ts ?? 'posted', card_channel_id: posted.channel ?? dm, updated_at: new Date() })
    .where('id', '=', requestId)
    .execute();
}

/**
 * After a decision: the card updated in place (its buttons removed once decided), each decision announced
 * once in the thread, and the requester told once of a status change. Safe to run twice: what was posted is
 * recorded (announced_ts, notified_status) before moving on.
 */
export async function announceDecisions(
  deps: PublishDeps,
  requestId: number,
  decidedStatus?: RequestStatus,
): Promise<void> {
  const built = await buildCardFor(deps, requestId);
  if (!built) return;
  // What the decision did (approved, rejected…), even if provisioning has moved the request on since.
  const announced = decidedStatus && REQUEST_STATUS_WORDS[decidedStatus] ? decidedStatus : built.request.status;
  await announceDecisionsInThread(deps, built, REQUEST_STATUS_WORDS[announced]);
  if (requesterAwaitsNewsOf(announced, built.request.notified_status)) {
    await tellRequesterOfDecision(deps, built, announced);
  }
}

type BuiltCard = NonNullable<Awaited<ReturnType<typeof buildCardFor>>>;

/** The card updated in place, and a thread reply for each decision not yet announced. */
async function announceDecisionsInThread(deps: PublishDeps, built: BuiltCard, statusWord: string): Promise<void> {
  const { request, card, responses } = built;
  if (!request.card_channel_id || !request.card_ts) return;
  await deps.slack.chat.update({ channel: request.card_channel_id, ts: request.card_ts, ...card });
  const threadTs =
    request.card_channel_id === request.channel_id && request.thread_ts ? request.thread_ts : request.card_ts;
  for (const response of responses) {
    if (response.announced_ts) continue;
    const posted = await deps.slack.chat.postMessage({
      channel: request.card_channel_id,
      thread_ts: threadTs,
      text: decisionReplyText({
        approverId: response.approver_user_id,
        decision: response.decision,
        code: request.code,
        comment: response.comment,
        statusWord,
        groupName: response.group_name,
      }),
    });
    await deps.db
      .updateTable('approval_responses')
      .set({ announced_ts: posted.ts ?? 'posted' })
      .where('id', '=', response.id)
      .execute();
  }
}

/**
 * Whether the requester is still to hear of `announced`: a decided status they were not told of yet, and not
 * an approval once they were told of a status other than awaiting approval.
 */
function requesterAwaitsNewsOf(announced: RequestStatus, notifiedStatus: RequestStatus | null): boolean {
  return (
    announced !== 'awaiting_approval' &&
    notifiedStatus !== announced &&
    !(announced === 'approved' && notifiedStatus && notifiedStatus !== 'awaiting_approval')
  );
}

/** The requester's DM naming the status and who decided it last; recorded in notified_status. */
async function tellRequesterOfDecision(deps: PublishDeps, built: BuiltCard, announced: RequestStatus): Promise<void> {
  const { request, responses } = built;
  const decisive = [...responses]
    .reverse()
    .find((response) => (announced === 'rejected' ? response.decision === 'reject' : response.decision === 'approve'));
  const dm = await openDirectMessage(deps.slack, request.requester_user_id);
  await deps.slack.chat.postMessage({
    channel: dm,
    text: statusChangeDmText({
      code: request.code,
      statusWord: REQUEST_STATUS_WORDS[announced],
      fileName: request.file_name,
      ...(decisive ? { byUserId: decisive.approver_user_id, comment: decisive.comment } : {}),
    }),
  });
  await deps.db
    .updateTable('access_requests')
    .set({ notified_status: announced, updated_at: new Date() })
    .where('id', '=', request.id)
    .execute();
}

/** The one reminder, in the card's thread, mentioning the approvers still missing. */
export async function remindApprovers(deps: PublishDeps, requestId: number): Promise<void> {
  const missing = await approversToRemind(deps.db, requestId);
  if (!missing) return;
  const request = await deps.db
    .selectFrom('access_requests')
    .select(['card_channel_id', 'card_ts', 'channel_id', 'thread_ts'])
    .where('id', '=', requestId)
    .executeTakeFirstOrThrow();
  if (request.card_channel_id && request.card_ts) {
    const mentions = [
      ...missing.userIds.map((id) => `<@${id}>`),
      ...missing.usergroupIds.map((id) => `<!subteam^${id}>`),
    ];
    const threadTs =
      request.card_channel_id === request.channel_id && request.thread_ts ? request.thread_ts : request.card_ts;
    await deps.slack.chat.postMessage({
      channel: request.card_channel_id,
      thread_ts: threadTs,
      text: `Reminder: ${missing.code} is awaiting approval${mentions.length ? ` from ${mentions.join(', ')}` : ''}. It expires if nobody decides in time.`,
    });
  }
  await markReminded(deps.db, requestId);
}
