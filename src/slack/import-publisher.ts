// What the import jobs show in Slack once the database says where an import stands: the preview (in the
// modal for path A, in the file's thread for path B) and the summary (a direct message for path A, the
// file's thread for path B). Each step notes what it posted, so a job that runs twice does not post twice.
import {
  findEarlierImportOfHash,
  findImportById,
  listErrorLines,
  listImportLines,
  updateImport,
} from '../db/repos/import-repo.ts';
import type { Import } from '../db/schema.ts';
import type { ImportCounts } from '../domain/import-lines.ts';
import type { Logger } from '../logger.ts';
import { writeResultsWorkbook } from '../spreadsheet/write-results.ts';
import type { AppDeps } from '../app-deps.ts';
import {
  PREVIEW_ERROR_LINES,
  SUMMARY_ERROR_LINES,
  buildCheckFailedMessage,
  buildCheckFailedModal,
  buildDecidedPreviewMessage,
  buildPreviewMessage,
  buildPreviewModal,
  buildSummaryMessage,
  resultsFileName,
} from './blocks/import-blocks.ts';
import type { PreviewInput } from './blocks/import-blocks.ts';
import { openDirectMessage, uploadFile } from './slack-files.ts';

type PublishDeps = Pick<AppDeps, 'db' | 'slack' | 'logger'>;

export function countsOf(record: Import): ImportCounts {
  return {
    lines: record.line_count,
    created: record.created_count,
    created_inactive: record.created_inactive_count,
    existing: record.existing_count,
    error: record.error_count,
  };
}

/** Every line with its outcome, errors and, once provisioned, its access id. */
export async function resultsWorkbook(
  deps: Pick<PublishDeps, 'db'>,
  record: Import,
  requestId?: number,
): Promise<Buffer> {
  const lines = await listImportLines(deps.db, record.id);
  const accessByUser = new Map<number, string>();
  if (requestId !== undefined) {
    for (const access of await deps.db
      .selectFrom('accesses')
      .select(['user_id', 'code'])
      .where('request_id', '=', requestId)
      .execute())
      accessByUser.set(access.user_id, access.code);
  }
  return writeResultsWorkbook({
    originalHeaders: record.headers,
    lines: lines.map((line) => ({
      lineNumber: line.lineNumber,
      outcome: line.outcome,
      accessId: line.userId !== null ? (accessByUser.get(line.userId) ?? null) : null,
      errors: line.errors,
      cells: line.cells,
    })),
  });
}

export async function buildPreviewInput(
  deps: PublishDeps,
  record: Import,
  resultsAttached: boolean,
): Promise<PreviewInput> {
  const errorLines = await listErrorLines(deps.db, record.id, PREVIEW_ERROR_LINES);
  const earlierImport = record.file_hash
    ? await findEarlierImportOfHash(deps.db, record.file_hash, record.id)
    : undefined;
  return { import: record, counts: countsOf(record), errorLines, earlierImport, resultsAttached };
}

function isViewGone(error: unknown): boolean {
  const code = (error as { data?: { error?: string } }).data?.error;
  return code === 'not_found' || code === 'view_not_found';
}

/** Where an import's messages go: the file's thread for path B, a direct message to the importer for path A. */
async function conversationOf(
  deps: PublishDeps,
  record: Import,
): Promise<{ channel: string; threadTs: string | null }> {
  if (record.source === 'upload' && record.channel_id)
    return { channel: record.channel_id, threadTs: record.thread_ts };
  return { channel: await openDirectMessage(deps.slack, record.importer_user_id), threadTs: null };
}

/**
 * The outcome of the check: the preview, or why the file was refused. Path A shows it in the modal that
 * said "Checking…"; if the user closed that modal, or for path B, it is posted as a message instead.
 */
export async function publishPreview(deps: PublishDeps, importId: number, logger: Logger): Promise<void> {
  const record = await findImportById(deps.db, importId);
  if (!record || record.preview_ts || record.source === 'cli') return;
  if (record.status !== 'ready' && record.status !== 'failed') return;
  const refusal = record.status === 'failed' ? (record.failure_reason ?? 'The file could not be read.') : undefined;
  const manyErrors = !refusal && record.error_count > PREVIEW_ERROR_LINES;
  const attachResults = async (channel: string, threadTs: string | undefined) => {
    if (!manyErrors) return;
    await uploadFile(deps.slack, {
      channelId: channel,
      threadTs,
      fileName: resultsFileName(record.code),
      bytes: await resultsWorkbook(deps, record),
      title: `${record.code}: every line of ${record.file_name}`,
    });
  };
  if (record.source === 'modal' && record.view_id) {
    try {
      const view = refusal
        ? buildCheckFailedModal(record.file_name, refusal)
        : buildPreviewModal(await buildPreviewInput(deps, record, false), { autoAccessChosen: record.auto_access });
      await deps.slack.views.update({ view_id: record.view_id, view });
      await updateImport(deps.db, record.id, { previewTs: 'modal' });
      if (manyErrors) await attachResults((await conversationOf(deps, record)).channel, undefined);
      return;
    } catch (error) {
      if (!isViewGone(error)) throw error;
      logger.info('the import modal was closed; sending the outcome as a direct message', { import: record.code });
    }
  }
  const { channel, threadTs } = await conversationOf(deps, record);
  const message = refusal
    ? buildCheckFailedMessage(record.file_name, record.code, refusal)
    : buildPreviewMessage(await buildPreviewInput(deps, record, manyErrors));
  const posted = await deps.slack.chat.postMessage({
    channel,
    ...(threadTs ? { thread_ts: threadTs } : {}),
    ...message,
  });
  // Recorded before the file upload: a retry after this point must not post the preview again.
  await updateImport(deps.db, record.id, { previewTs: posted.ts ?? 'posted' });
  await attachResults(posted.channel ?? channel, threadTs ?? posted.ts);
}

/** The summary: path B in the file's thread, path A as a direct message, with the results file. */
export async function publishSummary(deps: PublishDeps, importId: number): Promise<void> {
  const record = await findImportById(deps.db, importId);
  if (!record || record.status !== 'done' || record.summary_ts || record.source === 'cli') return;
  // With a request, the summary comes when provisioning ends, with the accesses.
  const request = await deps.db
    .selectFrom('access_requests')
    .select('id')
    .where('import_id', '=', importId)
    .executeTakeFirst();
  if (request) return;
  const { channel, threadTs } = await conversationOf(deps, record);
  const errorLines = await listErrorLines(deps.db, record.id, SUMMARY_ERROR_LINES);
  const message = buildSummaryMessage({ import: record, counts: countsOf(record), errorLines, resultsAttached: true });
  const posted = await deps.slack.chat.postMessage({
    channel,
    ...(threadTs ? { thread_ts: threadTs } : {}),
    ...message,
  });
  await updateImport(deps.db, record.id, { summaryTs: posted.ts ?? 'posted' });
  await uploadFile(deps.slack, {
    channelId: posted.channel ?? channel,
    threadTs: threadTs ?? posted.ts,
    fileName: resultsFileName(record.code),
    bytes: await resultsWorkbook(deps, record),
    title: `${record.code}: every line of ${record.file_name}`,
  });
}

/** Replaces the buttons of a path-B preview with what happened, so nobody clicks them again. */
export async function markPreviewDecided(
  deps: PublishDeps,
  client: PublishDeps['slack'],
  importId: number,
  outcome: string,
): Promise<void> {
  const record = await findImportById(deps.db, importId);
  // Only path B's preview lives in a channel we know; a path-A preview sent by DM keeps its buttons, which
  // answer "already running" or "cancelled" if clicked again.
  if (record?.source !== 'upload' || !record.channel_id || !record.preview_ts) return;
  const input = await buildPreviewInput(deps, record, false);
  await client.chat.update({
    channel: record.channel_id,
    ts: record.preview_ts,
    ...buildDecidedPreviewMessage(input, outcome),
  });
}
