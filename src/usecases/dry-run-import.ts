// The dry run of SPEC §4: a spreadsheet's bytes → every line's predicted outcome, nothing written. The Slack
// check job and `domum validate` both call this, so they can never disagree.
import { createHash } from 'node:crypto';
import { findRegisteredEmails, listVendorsForImport } from '../db/repos/import-repo.ts';
import type { Executor } from '../db/schema.ts';
import { collectEmails, validateLines } from '../domain/import-lines.ts';
import type { ImportCounts, LineInput, ValidatedLine } from '../domain/import-lines.ts';
import { readSpreadsheetOffThread } from '../spreadsheet/read-off-thread.ts';
import type { ColumnKey, Refusal, SheetRows } from '../spreadsheet/read-spreadsheet.ts';

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
  return validateLines(inputs, { vendors, existingEmails });
}

export async function dryRunSpreadsheet(
  db: Executor,
  input: { bytes: Uint8Array; fileName: string; limits: ImportLimits },
): Promise<DryRunResult> {
  const fileHash = hashFile(input.bytes);
  const read = await readSpreadsheetOffThread(input.bytes, input.fileName, input.limits);
  if (!read.ok) return { ok: false, fileHash, refusal: read.refusal };
  const { lines, counts } = await validateAgainstDatabase(db, toLineInputs(read.rows));
  return { ok: true, dryRun: { fileHash, rows: read.rows, lines, counts } };
}
