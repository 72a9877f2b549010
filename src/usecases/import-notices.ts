// What people are told about an import once the database says where it stands: the check's outcome (in the
// modal for path A, in the file's thread for path B) and the summary (a direct message for path A, the file's
// thread for path B), each with the results spreadsheet when it helps. Each step records what it posted, so a
// job that runs twice posts nothing twice.
import {
  findEarlierImportOfHash,
  findImportById,
  listErrorLines,
  listImportLines,
  updateImport,
} from '../db/repos/import-repo.ts';
import { listAccessCodesByUser } from '../db/repos/access-repo.ts';
import { findRequestByImport } from '../db/repos/request-repo.ts';
import type { Db, Import } from '../db/schema.ts';
import type { ImportCounts } from '../domain/import-lines.ts';
import { PREVIEW_ERROR_LINES, SUMMARY_ERROR_LINES, resultsFileName } from '../domain/import-lines.ts';
import type { Logger } from '../logger.ts';
import type { CheckOutcome, Conversation, Notifier, PreviewInput } from './notifier.ts';
import { exclusionNotes } from './request-exclusions.ts';
import type { Spreadsheets } from './spreadsheets.ts';

export interface NoticeDeps {
  db: Db;
  notifier: Notifier;
  now: () => Date;
  spreadsheets: Spreadsheets;
}

export function countsOf(record: Import): ImportCounts {
  return {
    lines: record.line_count,
    created: record.created_count,
    created_inactive: record.created_inactive_count,
    existing: record.existing_count,
    error: record.error_count,
  };
}

/**
 * Every line with its outcome, errors and, once provisioned, its access id (README: the results spreadsheet); an
 * `excluded` line says in its Errors column who excluded it and why.
 */
export async function resultsWorkbook(
  deps: Pick<NoticeDeps, 'db' | 'spreadsheets'>,
  record: Import,
  requestId?: number,
): Promise<Buffer> {
  const lines = await listImportLines(deps.db, record.id);
  const [accessByUser, notes] =
    requestId === undefined
      ? [new Map<number, string>(), new Map<number, string>()]
      : await Promise.all([listAccessCodesByUser(deps.db, requestId), exclusionNotes(deps.db, requestId)]);
  return deps.spreadsheets.writeResults({
    originalHeaders: record.headers,
    lines: lines.map((line) => {
      const note = line.outcome === 'excluded' ? notes.get(line.lineNumber) : undefined;
      return {
        lineNumber: line.lineNumber,
        outcome: line.outcome,
        accessId: line.userId !== null ? (accessByUser.get(line.userId) ?? null) : null,
        errors: line.errors,
        cells: line.cells,
        ...(note ? { note } : {}),
      };
    }),
  });
}

export async function buildPreviewInput(
  deps: Pick<NoticeDeps, 'db'>,
  record: Import,
  resultsAttached: boolean,
): Promise<PreviewInput> {
  const errorLines = await listErrorLines(deps.db, record.id, PREVIEW_ERROR_LINES);
  const earlierImport = record.file_hash
    ? await findEarlierImportOfHash(deps.db, record.file_hash, record.id)
    : undefined;
  return { import: record, counts: countsOf(record), errorLines, earlierImport, resultsAttached };
}

/** Where an import's messages go: the file's thread for path B, a direct message to the importer for path A. */
function conversationOf(record: Import): Conversation {
  if (record.source === 'upload' && record.channel_id)
    return { channel: record.channel_id, threadTs: record.thread_ts };
  return { channel: record.importer_user_id, threadTs: null };
}

function resultsFile(deps: Pick<NoticeDeps, 'db' | 'spreadsheets'>, record: Import) {
  return async () => ({
    fileName: resultsFileName(record.code),
    bytes: await resultsWorkbook(deps, record),
    title: `${record.code}: every line of ${record.file_name}`,
  });
}

/**
 * The outcome of the check: the preview, or why the file was refused. Path A shows it in the modal that
 * said "Checking…"; if the user closed that modal, or for path B, it is posted as a message instead.
 */
export async function publishPreview(deps: NoticeDeps, importId: number, logger: Logger): Promise<void> {
  const record = await findImportById(deps.db, importId);
  if (!record || record.preview_ts || record.source === 'cli') return;
  if (record.status !== 'ready' && record.status !== 'failed') return;
  const refusal = record.status === 'failed' ? (record.failure_reason ?? 'The file could not be read.') : undefined;
  const manyErrors = !refusal && record.error_count > PREVIEW_ERROR_LINES;
  const outcome = async (resultsAttached: boolean): Promise<CheckOutcome> =>
    refusal
      ? { kind: 'refused', importCode: record.code, fileName: record.file_name, reason: refusal }
      : {
          kind: 'preview',
          preview: await buildPreviewInput(deps, record, resultsAttached),
          autoAccessChosen: record.auto_access,
        };
  const file = resultsFile(deps, record);
  if (record.source === 'modal' && record.view_id) {
    if ((await deps.notifier.showCheckOutcome(record.view_id, await outcome(false))) === 'shown') {
      await updateImport(deps.db, record.id, { previewTs: 'modal' }, deps.now());
      if (manyErrors) await deps.notifier.uploadFile({ channel: conversationOf(record).channel }, await file());
      return;
    }
    logger.info('the import modal was closed; sending the outcome as a direct message', { import: record.code });
  }
  const where = conversationOf(record);
  const posted = await deps.notifier.postCheckOutcome(where, await outcome(manyErrors));
  // Recorded before the file upload: a retry after this point must not post the preview again.
  await updateImport(deps.db, record.id, { previewTs: posted.ts }, deps.now());
  if (manyErrors)
    await deps.notifier.uploadFile({ channel: posted.channel, threadTs: where.threadTs ?? posted.ts }, await file());
}

/** The summary of an import without a request: path B in the file's thread, path A as a direct message. */
export async function publishImportSummary(deps: NoticeDeps, importId: number): Promise<void> {
  const record = await findImportById(deps.db, importId);
  if (!record || record.status !== 'done' || record.summary_ts || record.source === 'cli') return;
  // With a request, the summary comes when provisioning ends, with the accesses ("Processing" in README).
  if (await findRequestByImport(deps.db, importId)) return;
  const where = conversationOf(record);
  const errorLines = await listErrorLines(deps.db, record.id, SUMMARY_ERROR_LINES);
  const posted = await deps.notifier.postImportSummary(where, {
    import: record,
    counts: countsOf(record),
    errorLines,
    resultsAttached: true,
  });
  await updateImport(deps.db, record.id, { summaryTs: posted.ts }, deps.now());
  await deps.notifier.uploadFile(
    { channel: posted.channel, threadTs: where.threadTs ?? posted.ts },
    await resultsFile(deps, record)(),
  );
}

/** Replaces the buttons of a path-B preview with what happened, so nobody clicks them again. */
export async function markPreviewDecided(deps: NoticeDeps, importId: number, outcome: string): Promise<void> {
  const record = await findImportById(deps.db, importId);
  // Only path B's preview lives in a channel we know; a path-A preview sent by DM keeps its buttons, which
  // answer "already running" or "cancelled" if clicked again.
  if (record?.source !== 'upload' || !record.channel_id || !record.preview_ts) return;
  await deps.notifier.markPreviewDecided(
    { channel: record.channel_id, ts: record.preview_ts },
    await buildPreviewInput(deps, record, false),
    outcome,
  );
}
