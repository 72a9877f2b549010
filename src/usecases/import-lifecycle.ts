// An import from the moment a file is handed over to the moment its users exist (the import statuses:
// validating → ready → importing → done | failed | cancelled). Slack listeners, jobs and the CLI call these.
import diagnostics_channel from 'node:diagnostics_channel';
import type { Transaction } from 'kysely';
import { recordAuditEvent } from '../db/repos/audit-repo.ts';
import {
  findImportById,
  findUserIdsByEmail,
  findUsersCreatedByImport,
  insertImport,
  insertUploadImportOnce,
  insertUsersSkippingRegistered,
  listImportLines,
  replaceImportLines,
  updateImport,
  updateLineOutcomes,
} from '../db/repos/import-repo.ts';
import type { NewImportRecord } from '../db/repos/import-repo.ts';
import type { DatabaseSchema, Db, Executor, Import, LineError, LineOutcome } from '../db/schema.ts';
import type { ImportCounts, ValidatedLine } from '../domain/import-lines.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import { checkImportQueue, runImportQueue } from '../jobs/queues.ts';
import { columnKeyForHeader } from '../domain/columns.ts';
import { dryRunSpreadsheet, toLineInputs, validateAgainstDatabase } from './dry-run-import.ts';
import type { DryRun, ImportLimits } from './dry-run-import.ts';
import type { Spreadsheets } from './spreadsheets.ts';

export interface ImportDeps {
  db: Db;
  jobs: JobQueue;
  now: () => Date;
}

/** Path A (the modal) and the CLI: a new import, checked by a job. */
export async function startImport(deps: ImportDeps, record: NewImportRecord): Promise<Import> {
  return deps.db.transaction().execute(async (trx) => {
    const created = await insertImport(trx, record, deps.now());
    await deps.jobs.enqueue(trx, checkImportQueue, { importId: created.id });
    return created;
  });
}

/** Path B: an uploaded file starts at most one import, however many events Slack sends for it. */
export async function startImportFromUpload(deps: ImportDeps, record: NewImportRecord): Promise<Import | undefined> {
  return deps.db.transaction().execute(async (trx) => {
    const created = await insertUploadImportOnce(trx, { ...record, source: 'upload' }, deps.now());
    if (created) await deps.jobs.enqueue(trx, checkImportQueue, { importId: created.id });
    return created;
  });
}

export class FileUnavailableError extends Error {}

/**
 * How long each step of a check took, for whoever subscribes (`npm run bench` does): the download, the dry
 * run (parse + validate) and storing the lines. Publishing costs nothing when nobody listens.
 */
export interface ImportCheckTimings {
  importId: number;
  lines: number;
  downloadMs: number;
  dryRunMs: number;
  storeMs: number;
}
export const importCheckTimingsChannel = diagnostics_channel.channel('domum:import.check.timings');

export type CheckResult =
  | { kind: 'ready'; import: Import; counts: ImportCounts }
  | { kind: 'failed'; import: Import; reason: string }
  | { kind: 'already-checked'; import: Import }
  | { kind: 'missing' };

/**
 * Downloads and checks the file, then stores every line with its predicted outcome. Safe to run twice:
 * an import that is no longer `validating` is left as it is, and the lines are replaced, not appended.
 */
export async function checkImport(
  deps: ImportDeps & { limits: ImportLimits; spreadsheets: Pick<Spreadsheets, 'read'> },
  importId: number,
  fetchFile: (record: Import) => Promise<Uint8Array>,
): Promise<CheckResult> {
  const record = await findImportById(deps.db, importId);
  if (!record) return { kind: 'missing' };
  if (record.status !== 'validating') return { kind: 'already-checked', import: record };
  let bytes: Uint8Array;
  const started = performance.now();
  try {
    bytes = await fetchFile(record);
  } catch (error) {
    if (!(error instanceof FileUnavailableError)) throw error;
    return failImport(deps, importId, error.message, null);
  }
  const downloaded = performance.now();
  const result = await dryRunSpreadsheet(deps.db, deps.spreadsheets, {
    bytes,
    fileName: record.file_name,
    limits: deps.limits,
  });
  if (!result.ok) return failImport(deps, importId, result.refusal.message, result.fileHash);
  const { dryRun } = result;
  const checked = performance.now();
  const stored = await storeDryRun(deps, importId, dryRun);
  if (stored.kind === 'ready' && importCheckTimingsChannel.hasSubscribers) {
    const timings: ImportCheckTimings = {
      importId,
      lines: dryRun.lines.length,
      downloadMs: downloaded - started,
      dryRunMs: checked - downloaded,
      storeMs: performance.now() - checked,
    };
    importCheckTimingsChannel.publish(timings);
  }
  return stored;
}

/** The dry run's lines and counts, stored once: an import no longer `validating` is left as it is. */
async function storeDryRun(
  deps: Pick<ImportDeps, 'db' | 'now'>,
  importId: number,
  dryRun: DryRun,
): Promise<CheckResult> {
  return deps.db.transaction().execute(async (trx) => {
    const locked = await findImportById(trx, importId, { forUpdate: true });
    if (!locked || locked.status !== 'validating')
      return locked ? { kind: 'already-checked' as const, import: locked } : { kind: 'missing' as const };
    const cellsByLine = new Map(dryRun.rows.lines.map((line) => [line.lineNumber, line.cells]));
    await replaceImportLines(
      trx,
      importId,
      dryRun.lines.map((line) => ({
        lineNumber: line.lineNumber,
        cells: cellsByLine.get(line.lineNumber) ?? [],
        outcome: line.outcome,
        errors: line.errors,
        userId: null,
        vendorId: line.user?.vendorId ?? null,
      })),
    );
    await updateImport(
      trx,
      importId,
      {
        status: 'ready',
        fileHash: dryRun.fileHash,
        sheetName: dryRun.rows.sheetName,
        headers: dryRun.rows.columns.map((column) => column.header),
        unknownColumns: dryRun.rows.unknownColumns,
        counts: dryRun.counts,
      },
      deps.now(),
    );
    const updated = await findImportById(trx, importId);
    return { kind: 'ready' as const, import: updated ?? locked, counts: dryRun.counts };
  });
}

async function failImport(
  deps: Pick<ImportDeps, 'db' | 'now'>,
  importId: number,
  reason: string,
  fileHash: string | null,
): Promise<CheckResult> {
  return deps.db.transaction().execute(async (trx) => {
    const locked = await findImportById(trx, importId, { forUpdate: true });
    if (!locked) return { kind: 'missing' as const };
    if (locked.status !== 'validating') return { kind: 'already-checked' as const, import: locked };
    await updateImport(
      trx,
      importId,
      { status: 'failed', failureReason: reason, finished: true, ...(fileHash ? { fileHash } : {}) },
      deps.now(),
    );
    return { kind: 'failed' as const, import: (await findImportById(trx, importId)) ?? locked, reason };
  });
}

export type DecisionResult =
  | { ok: true; import: Import }
  | {
      ok: false;
      reason: 'not-found' | 'not-yours' | 'not-ready' | 'already-importing' | 'already-done' | 'cancelled' | 'failed';
      import?: Import;
    };

async function lockForDecision(trx: Transaction<DatabaseSchema>, importId: number, userId: string) {
  const locked = await findImportById(trx, importId, { forUpdate: true });
  if (!locked) return { ok: false as const, reason: 'not-found' as const };
  if (locked.importer_user_id !== userId) return { ok: false as const, reason: 'not-yours' as const, import: locked };
  const blocked = {
    importing: 'already-importing',
    done: 'already-done',
    cancelled: 'cancelled',
    failed: 'failed',
    validating: 'not-ready',
  } as const;
  if (locked.status !== 'ready') return { ok: false as const, reason: blocked[locked.status], import: locked };
  return { ok: true as const, import: locked };
}

/** Continue on the preview, without automatic access: the users are created by a job. */
export async function continueImport(deps: ImportDeps, importId: number, userId: string): Promise<DecisionResult> {
  return deps.db.transaction().execute(async (trx) => {
    const decision = await lockForDecision(trx, importId, userId);
    if (!decision.ok) return decision;
    await updateImport(trx, importId, { status: 'importing' }, deps.now());
    await recordAuditEvent(trx, {
      actor: userId,
      action: 'import.continued',
      target: decision.import.code,
      details: { file: decision.import.file_name },
    });
    await deps.jobs.enqueue(trx, runImportQueue, { importId });
    return { ok: true as const, import: { ...decision.import, status: 'importing' as const } };
  });
}

export async function cancelImport(deps: ImportDeps, importId: number, userId: string): Promise<DecisionResult> {
  return deps.db.transaction().execute(async (trx) => {
    const decision = await lockForDecision(trx, importId, userId);
    if (!decision.ok) return decision;
    await updateImport(trx, importId, { status: 'cancelled', finished: true }, deps.now());
    await recordAuditEvent(trx, {
      actor: userId,
      action: 'import.cancelled',
      target: decision.import.code,
      details: {},
    });
    return { ok: true as const, import: { ...decision.import, status: 'cancelled' as const } };
  });
}

export type RunResult = { kind: 'done'; import: Import; counts: ImportCounts } | { kind: 'skipped'; import?: Import };

/**
 * Creates the users of an import in bulk and records every line's final outcome, in one transaction. The
 * lines are validated again against the catalog and the registered users as they are NOW (another import
 * may have registered an email since the preview). Running it twice creates nothing new: a finished import
 * is skipped, and a run interrupted before its commit left nothing behind.
 */
export async function runImport(deps: ImportDeps, importId: number): Promise<RunResult> {
  return deps.db.transaction().execute(async (trx) => {
    const locked = await findImportById(trx, importId, { forUpdate: true });
    if (!locked) return { kind: 'skipped' as const };
    if (locked.status !== 'importing') return { kind: 'skipped' as const, import: locked };
    const stored = await listImportLines(trx, importId);
    const headers = locked.headers;
    const columns = headers.map((header, index) => ({ index, header, key: columnKeyForHeader(header) }));
    const { lines } = await validateAgainstDatabase(
      trx,
      toLineInputs({ columns, lines: stored.map((line) => ({ lineNumber: line.lineNumber, cells: line.cells })) }),
    );
    const toCreate = lines.filter(
      (line): line is ValidatedLine & { user: NonNullable<ValidatedLine['user']> } =>
        line.user !== null && (line.outcome === 'created' || line.outcome === 'created_inactive'),
    );
    const created = await insertUsersSkippingRegistered(
      trx,
      importId,
      toCreate.map((line) => line.user),
    );
    // A rerun after a crash that happened after the commit cannot get here (status is done); this only
    // matters if the same import created users earlier in this very transaction. When the insert created
    // every user it was given, there is nobody to look for (and no scan of the users table by import).
    const ownUsers =
      created.size < toCreate.length ? await findUsersCreatedByImport(trx, importId) : new Map<string, number>();
    const final = await finalOutcomes(trx, lines, created, ownUsers);
    await updateLineOutcomes(trx, importId, final);
    const counts: ImportCounts = { lines: final.length, created: 0, created_inactive: 0, existing: 0, error: 0 };
    for (const line of final) counts[line.outcome] += 1;
    await updateImport(trx, importId, { status: 'done', counts, finished: true }, deps.now());
    await recordAuditEvent(trx, {
      actor: locked.importer_user_id,
      action: 'import.done',
      target: locked.code,
      details: { ...counts },
    });
    const updated = (await findImportById(trx, importId)) ?? locked;
    return { kind: 'done' as const, import: updated, counts };
  });
}

/**
 * Each line's final outcome and user once the users were inserted: a line whose user was registered by
 * someone else between the check and the insert is `existing` (not updated, like any existing user).
 */
async function finalOutcomes(
  trx: Executor,
  lines: readonly ValidatedLine[],
  created: ReadonlyMap<string, number>,
  ownUsers: ReadonlyMap<string, number>,
): Promise<Array<{ lineNumber: number; outcome: LineOutcome; errors: LineError[]; userId: number | null }>> {
  const existingEmails = lines
    .filter((line) => line.email && !created.has(line.email) && !ownUsers.has(line.email))
    .map((line) => line.email as string);
  const registered = await findUserIdsByEmail(trx, existingEmails);
  return lines.map((line) => {
    const email = line.email;
    if ((line.outcome === 'created' || line.outcome === 'created_inactive') && email) {
      const userId = created.get(email) ?? ownUsers.get(email);
      if (userId !== undefined)
        return { lineNumber: line.lineNumber, outcome: line.outcome, errors: line.errors, userId };
      return { lineNumber: line.lineNumber, outcome: 'existing', errors: [], userId: registered.get(email) ?? null };
    }
    if (line.outcome === 'existing' && email)
      return {
        lineNumber: line.lineNumber,
        outcome: line.outcome,
        errors: [],
        userId: registered.get(email) ?? ownUsers.get(email) ?? null,
      };
    return { lineNumber: line.lineNumber, outcome: line.outcome, errors: line.errors, userId: null };
  });
}

/** An import as it stands, for the buttons and modals that act on it. */
export function findImport(deps: Pick<ImportDeps, 'db'>, importId: number): Promise<Import | undefined> {
  return findImportById(deps.db, importId);
}
