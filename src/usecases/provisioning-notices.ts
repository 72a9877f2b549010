// Provisioning in the request's thread (README "Importing users", Provisioning): one message that starts with
// "Processing", edited in place at most every few seconds, then a separate reply that starts with "Summary",
// the results spreadsheet and a direct message to the requester. Each is done once: its ts is recorded.
import { findImportById, listErrorLinesOfRequest, listLineOutcomes } from '../db/repos/import-repo.ts';
import { hasRetryableAccesses } from '../db/repos/access-repo.ts';
import { findRequestById, updateRequest } from '../db/repos/request-repo.ts';
import type { AccessRequest } from '../db/schema.ts';
import type { ImportCounts } from '../domain/import-lines.ts';
import { countFinalOutcomes } from '../domain/import-counts.ts';
import { excludedLinesOf } from './request-exclusions.ts';
import { SUMMARY_ERROR_LINES, resultsFileName } from '../domain/import-lines.ts';
import { requestThread } from '../domain/request-thread.ts';
import { REQUEST_STATUS_WORDS } from '../domain/status-words.ts';
import { resultsWorkbook } from './import-notices.ts';
import type { NoticeDeps } from './import-notices.ts';
import type { Conversation } from './notifier.ts';
import { provisioningProgress } from './provision-request.ts';

export type ProvisioningNoticeDeps = NoticeDeps & { now: () => Date };

export const PROGRESS_INTERVAL_MS = 3_000;

export async function publishProgress(
  deps: ProvisioningNoticeDeps,
  requestId: number,
  options: { force?: boolean } = {},
): Promise<void> {
  const request = await findRequestById(deps.db, requestId);
  const thread = request && requestThread(request);
  if (!request || !thread || request.summary_ts) return;
  const now = deps.now();
  if (
    !options.force &&
    request.progress_updated_at &&
    now.getTime() - request.progress_updated_at.getTime() < PROGRESS_INTERVAL_MS
  )
    return;
  const progress = await provisioningProgress(deps.db, requestId);
  const input = { code: request.code, ...progress };
  if (request.progress_ts) {
    await deps.notifier.updateProgress({ channel: thread.channel, ts: request.progress_ts }, input);
    await updateRequest(deps.db, requestId, { progress_updated_at: now }, now);
    return;
  }
  const posted = await deps.notifier.postProgress(thread, input);
  await updateRequest(deps.db, requestId, { progress_ts: posted.ts, progress_updated_at: now }, now);
}

/**
 * The summary, the results spreadsheet and the requester's DM are three Slack calls, each recorded once done:
 * a job retried after Slack refused one of them (a 429 storm outlasting the client's own retries) does what
 * is left, and nothing twice.
 */
export async function publishProvisioningSummary(deps: ProvisioningNoticeDeps, requestId: number): Promise<void> {
  const request = await findRequestById(deps.db, requestId);
  if (!request || (request.status !== 'completed' && request.status !== 'completed_with_errors')) return;
  const record = await findImportById(deps.db, request.import_id);
  const thread = requestThread(request);
  if (!record || !thread) return;
  const counts = countFinalOutcomes(await listLineOutcomes(deps.db, record.id));
  const progress = await provisioningProgress(deps.db, requestId);
  const accessesCreated = progress.total - progress.errors;
  let summary: Conversation & { ts: string } = { ...thread, ts: request.summary_ts ?? '' };
  if (!request.summary_ts) {
    await publishProgress(deps, requestId, { force: true });
    const lines = { importId: record.id, requestId, limit: SUMMARY_ERROR_LINES };
    const refused = await listErrorLinesOfRequest(deps.db, { ...lines, refusedByMail: true });
    const posted = await deps.notifier.postProvisioningSummary(thread, {
      import: record,
      requestCode: request.code,
      counts,
      errorLines: (await listErrorLinesOfRequest(deps.db, { ...lines, refusedByMail: false })).lines,
      refusedLines: refused.lines,
      refusedCount: refused.total,
      resultsAttached: true,
      extraLines: [
        `Accesses created: ${accessesCreated}`,
        `Emails sent: ${progress.emailsSent}`,
        `Status: ${REQUEST_STATUS_WORDS[request.status]}`,
      ],
      ...((await hasRetryableAccesses(deps.db, requestId)) ? { retryRequestId: requestId } : {}),
      ...(counts.excluded > 0
        ? { excludedLines: (await excludedLinesOf(deps.db, requestId, SUMMARY_ERROR_LINES)).lines }
        : {}),
    });
    summary = { channel: posted.channel, threadTs: thread.threadTs, ts: posted.ts };
    await updateRequest(deps.db, requestId, { summary_ts: posted.ts }, deps.now());
  }
  if (request.results_posted_for !== summary.ts) {
    await deps.notifier.uploadFile(
      { channel: summary.channel, threadTs: summary.threadTs ?? summary.ts },
      { fileName: resultsFileName(record.code), bytes: await resultsWorkbook(deps, record, requestId) },
    );
    await updateRequest(deps.db, requestId, { results_posted_for: summary.ts }, deps.now());
  }
  if (request.notified_status !== request.status)
    await tellRequester(deps, request, record.file_name, progress, counts);
}

async function tellRequester(
  deps: ProvisioningNoticeDeps,
  request: AccessRequest,
  fileName: string,
  progress: { total: number; errors: number; emailsSent: number },
  counts: ImportCounts,
): Promise<void> {
  await deps.notifier.tellProvisioningDone(request.requester_user_id, {
    code: request.code,
    fileName,
    statusWord: REQUEST_STATUS_WORDS[request.status],
    accesses: progress.total - progress.errors,
    emailsSent: progress.emailsSent,
    errorLines: counts.error,
  });
  await updateRequest(deps.db, request.id, { notified_status: request.status }, deps.now());
}
