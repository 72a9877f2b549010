// Provisioning in the request's thread (README "Importing users"): one message that starts with "Processing", edited in
// place at most every few seconds, then a separate reply that starts with "Summary", the results spreadsheet
// and a DM to the requester. Each is posted once: its ts is recorded.
import { recordAuditEvent } from '../db/repos/audit-repo.ts';
import { findImportById, listErrorLines } from '../db/repos/import-repo.ts';
import type { ImportCounts } from '../domain/import-lines.ts';
import type { Import } from '../db/schema.ts';
import { REQUEST_STATUS_WORDS } from '../domain/status-words.ts';
import { provisioningProgress } from '../usecases/provision-request.ts';
import type { ProvisioningProgress } from '../usecases/provision-request.ts';
import { buildSummaryMessage, resultsFileName, SUMMARY_ERROR_LINES } from './blocks/import-blocks.ts';
import { RETRY_FAILED_ACTION } from './approval-ids.ts';
import type { AppDeps } from '../app-deps.ts';
import { resultsWorkbook } from './import-publisher.ts';
import { openDirectMessage, uploadFile } from './slack-files.ts';

type PublishDeps = Pick<AppDeps, 'db' | 'slack' | 'now'>;

export const PROGRESS_INTERVAL_MS = 3_000;

async function threadOf(deps: PublishDeps, requestId: number) {
  const request = await deps.db
    .selectFrom('access_requests')
    .selectAll()
    .where('id', '=', requestId)
    .executeTakeFirstOrThrow();
  const channel = request.card_channel_id ?? request.channel_id;
  const threadTs =
    request.card_channel_id === request.channel_id && request.thread_ts ? request.thread_ts : request.card_ts;
  return { request, channel, threadTs };
}

export async function publishProgress(
  deps: PublishDeps,
  requestId: number,
  options: { force?: boolean } = {},
): Promise<void> {
  const { request, channel, threadTs } = await threadOf(deps, requestId);
  if (!channel || request.summary_ts) return;
  const now = deps.now();
  if (
    !options.force &&
    request.progress_updated_at &&
    now.getTime() - request.progress_updated_at.getTime() < PROGRESS_INTERVAL_MS
  )
    return;
  const progress = await provisioningProgress(deps.db, requestId);
  const text = `Processing ${request.code}: ${progress.done} of ${progress.total} lines done · ${progress.emailsSent} emails sent · ${progress.errors} ${progress.errors === 1 ? 'error' : 'errors'}`;
  if (request.progress_ts) {
    await deps.slack.chat.update({ channel, ts: request.progress_ts, text });
    await deps.db
      .updateTable('access_requests')
      .set({ progress_updated_at: now })
      .where('id', '=', requestId)
      .execute();
    return;
  }
  const posted = await deps.slack.chat.postMessage({ channel, ...(threadTs ? { thread_ts: threadTs } : {}), text });
  await deps.db
    .updateTable('access_requests')
    .set({ progress_ts: posted.ts ?? 'posted', progress_updated_at: now })
    .where('id', '=', requestId)
    .execute();
}

export async function publishProvisioningSummary(deps: PublishDeps, requestId: number): Promise<void> {
  const { request, channel, threadTs } = await threadOf(deps, requestId);
  if (request.status !== 'completed' && request.status !== 'completed_with_errors') return;
  const record = await findImportById(deps.db, request.import_id);
  if (!record || !channel) return;
  const counts = await countLineOutcomes(deps, record.id);
  const progress = await provisioningProgress(deps.db, requestId);
  const summary: ProvisioningSummary = { request, record, channel, threadTs, counts, progress };
  // The summary, the results spreadsheet and the requester's DM are three Slack calls, each recorded once
  // done: a job retried after Slack refused one of them (a 429 storm outlasting the client's own retries)
  // does what is left, and nothing twice.
  const posted = request.summary_ts ? { ts: request.summary_ts, channel: undefined } : await postSummary(deps, summary);
  if (!(await resultsUploaded(deps, request.code, posted.ts))) await uploadResults(deps, summary, posted);
  if (request.notified_status !== request.status) {
    const dm = await openDirectMessage(deps.slack, request.requester_user_id);
    await deps.slack.chat.postMessage({
      channel: dm,
      text: `Your request ${request.code} for ${record.file_name} is now ${REQUEST_STATUS_WORDS[request.status]}: ${accessesCreated(progress)} accesses, ${progress.emailsSent} emails sent, ${counts.error} lines in error.`,
    });
    await deps.db
      .updateTable('access_requests')
      .set({ notified_status: request.status })
      .where('id', '=', requestId)
      .execute();
  }
}

interface ProvisioningSummary {
  request: Awaited<ReturnType<typeof threadOf>>['request'];
  record: Import;
  channel: string;
  threadTs: string | null;
  counts: ImportCounts;
  progress: ProvisioningProgress;
}

/** Where the summary was posted: its ts, and its channel when Slack said (files go to that channel). */
interface PostedSummary {
  ts: string;
  channel: string | undefined;
}

function accessesCreated(progress: ProvisioningProgress): number {
  return progress.total - progress.errors;
}

async function countLineOutcomes(deps: PublishDeps, importId: number): Promise<ImportCounts> {
  const lines = await deps.db.selectFrom('import_lines').select('outcome').where('import_id', '=', importId).execute();
  const counts: ImportCounts = { lines: lines.length, created: 0, created_inactive: 0, existing: 0, error: 0 };
  for (const line of lines) if (line.outcome) counts[line.outcome] += 1;
  return counts;
}

/** The "Summary" reply, after the progress message's last edit; recorded in summary_ts. */
async function postSummary(deps: PublishDeps, summary: ProvisioningSummary): Promise<PostedSummary> {
  const { request, record, channel, threadTs, progress } = summary;
  await publishProgress(deps, request.id, { force: true });
  const errorLines = await listErrorLines(deps.db, record.id, SUMMARY_ERROR_LINES);
  const message = buildSummaryMessage({
    import: record,
    requestCode: request.code,
    counts: summary.counts,
    errorLines,
    resultsAttached: true,
    extraLines: [
      `Accesses created: ${accessesCreated(progress)}`,
      `Emails sent: ${progress.emailsSent}`,
      `Status: ${REQUEST_STATUS_WORDS[request.status]}`,
    ],
  });
  if (await hasRefusedEmails(deps, request.id)) {
    // Only lines a retry can fix (refused emails); invalid data needs a corrected file instead.
    message.blocks.push({
      type: 'actions',
      elements: [
        {
          type: 'button',
          action_id: RETRY_FAILED_ACTION,
          text: { type: 'plain_text', text: 'Retry failed lines' },
          value: String(request.id),
        },
      ],
    });
  }
  const posted = await deps.slack.chat.postMessage({
    channel,
    ...(threadTs ? { thread_ts: threadTs } : {}),
    ...message,
  });
  const summaryTs = posted.ts ?? 'posted';
  await deps.db.updateTable('access_requests').set({ summary_ts: summaryTs }).where('id', '=', request.id).execute();
  return { ts: summaryTs, channel: posted.channel };
}

async function hasRefusedEmails(deps: PublishDeps, requestId: number): Promise<boolean> {
  const refused = await deps.db
    .selectFrom('accesses')
    .select('id')
    .where('request_id', '=', requestId)
    .where('email_error', 'is not', null)
    .limit(1)
    .execute();
  return refused.length > 0;
}

/** The results spreadsheet in the summary's thread; recorded as an audit event naming the summary. */
async function uploadResults(deps: PublishDeps, summary: ProvisioningSummary, posted: PostedSummary): Promise<void> {
  const { request, record, channel, threadTs } = summary;
  // A card sent by DM has the requester's user id as its channel; files go to the DM's own id.
  const uploadChannel =
    posted.channel ?? (channel.startsWith('U') ? await openDirectMessage(deps.slack, channel) : channel);
  await uploadFile(deps.slack, {
    channelId: uploadChannel,
    threadTs: threadTs ?? posted.ts,
    fileName: resultsFileName(record.code),
    bytes: await resultsWorkbook(deps, record, request.id),
  });
  await recordAuditEvent(deps.db, {
    actor: 'domum',
    action: RESULTS_UPLOADED,
    target: request.code,
    details: { summaryTs: posted.ts },
  });
}

const RESULTS_UPLOADED = 'request.results_uploaded';

/** Whether the results of the summary posted at `summaryTs` are in the thread (a retried summary has its own). */
async function resultsUploaded(deps: PublishDeps, requestCode: string, summaryTs: string): Promise<boolean> {
  const events = await deps.db
    .selectFrom('audit_events')
    .select('details')
    .where('target', '=', requestCode)
    .where('action', '=', RESULTS_UPLOADED)
    .execute();
  return events.some((event) => (event.details as { summaryTs?: unknown }).summaryTs === summaryTs);
}
