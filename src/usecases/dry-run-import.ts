// The dry run (README "Importing users"): a spreadsheet's bytes → every line's predicted outcome, nothing written. The
// Slack check job and `domum validate` both call this, so they can never disagree.
import { createHash } from 'node:crypto';
import { setImmediate } from 'node:timers/promises';
import { findRegisteredEmails, listVendorsForImport } from '../db/repos/import-repo.ts';
import type { Executor } from '../db/schema.ts';
import { collectEmails, createLineValidator } from '../domain/import-lines.ts';
import type { ImportCounts, LineInput, ValidatedLine } from '../domain/import-lines.ts';
import type { ColumnKey, Refusal, SheetRows } from '../spreadsheet/read-spreadsheet.ts';
import type { Spreadsheets } from './spreadsheets.ts';

export interface ImportLimits {
  maxBytes: number;
  maxRows: number;
}

export interface DryRun {
  fileHash: string;
  rows: SheetRows;
  lines: ValidatedLine[];
  counts: ImportCounts;
}

export type DryRunResult = { ok: true; dryRun: DryRun } | { ok: false; fileHash: string; refusal: Refusal };

export function hashFile(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The cells of a line, keyed by column, for the domain rules. */
export function toLineInputs(rows: Pick<SheetRows, 'columns' | 'lines'>): LineInput[] {
  const keyed = rows.columns.filter((column): column is typeof column & { key: ColumnKey } => column.key !== null);
  // When a header appears twice, the first column with that meaning wins (the reader warns about the rest).
  const firstIndexOf = new Map<ColumnKey, number>();
  for (const column of keyed) if (!firstIndexOf.has(column.key)) firstIndexOf.set(column.key, column.index);
  return rows.lines.map((line) => {
    const values: Partial<Record<ColumnKey, string>> = {};
    for (const [key, index] of firstIndexOf) values[key] = line.cells[index] ?? '';
    return { lineNumber: line.lineNumber, values };
  });
}

/** Validates lines against the catalog and the registered users as they are now. */
export async function validateAgainstDatabase(
  db: Executor,
  inputs: LineInput[],
): Promise<{ lines: ValidatedLine[]; counts: ImportCounts }> {
  const [vendors, existingEmails] = await Promise.all([
    listVendorsForImport(db),
    findRegisteredEmails(db, collectEmails(inputs)),
  ]);
  // A slice at a time, giving the event loop a turn in between: validating 50,000 lines at once held Slack's
  // acknowledgements for several hundred milliseconds on a busy machine.
  const validator = createLineValidator({ vendors, existingEmails });
  const lines: ValidatedLine[] = [];
  for (let start = 0; start < inputs.length; start += VALIDATION_SLICE) {
    if (start > 0) await setImmediate();
    for (const input of inputs.slice(start, start + VALIDATION_SLICE)) lines.push(validator.validate(input));
  }
  return { lines, counts: validator.counts };
}

const VALIDATION_SLICE = 2_000;

/** The file read, before any database is involved: its hash and rows, or why it is refused whole. */
export type SpreadsheetRead =
  { ok: true; fileHash: string; rows: SheetRows } | { ok: false; fileHash: string; refusal: Refusal };

/**
 * The first half of the dry run: the file's rows, read in the spreadsheet worker. `domum validate` runs it before
 * it opens the database, which a refused file then never needs.
 */
export async function readForDryRun(
  spreadsheets: Pick<Spreadsheets, 'read'>,
  input: { bytes: Uint8Array; fileName: string; limits: ImportLimits },
): Promise<SpreadsheetRead> {
  // The read first: the app's reader starts its worker and returns, and the file is hashed while the worker boots.
  const reading = spreadsheets.read(input.bytes, input.fileName, input.limits);
  const fileHash = hashFile(input.bytes);
  const read = await reading;
  return read.ok ? { ok: true, fileHash, rows: read.rows } : { ok: false, fileHash, refusal: read.refusal };
}

/** The second half: every line of a file read checked against the catalog and the registered users. */
export async function checkReadLines(db: Executor, read: Extract<SpreadsheetRead, { ok: true }>): Promise<DryRun> {
  const { lines, counts } = await validateAgainstDatabase(db, toLineInputs(read.rows));
  return { fileHash: read.fileHash, rows: read.rows, lines, counts };
}

export async function dryRunSpreadsheet(
  db: Executor,
  spreadsheets: Pick<Spreadsheets, 'read'>,
  input: { bytes: Uint8Array; fileName: string; limits: ImportLimits },
): Promise<DryRunResult> {
  const read = await readForDryRun(spreadsheets, input);
  return read.ok ? { ok: true, dryRun: await checkReadLines(db, read) } : read;
}
