// The results spreadsheet (`<IMP-id>-results.xlsx`): every line of the import with its outcome, access
// id and errors, followed by the original cells, so an admin can fix the error lines and re-import the file.
import * as XLSX from 'xlsx';
import type { LineError, StoredLineOutcome } from '../db/schema.ts';
import { neutraliseFormula } from '../domain/output-safety.ts';

export const RESULTS_SHEET_NAME = 'Results';
export const RESULTS_LEADING_HEADERS = ['Line', 'Outcome', 'Access id', 'Errors'] as const;

export interface ResultsLine {
  lineNumber: number;
  outcome: StoredLineOutcome;
  accessId?: string | null;
  errors: LineError[];
  /** Why a line without errors has its outcome, in the Errors column: who excluded it, and why. */
  note?: string;
  /** The original cells, in the order of originalHeaders. */
  cells: string[];
}

export interface ResultsInput {
  originalHeaders: string[];
  lines: ResultsLine[];
}

// Excel refuses a longer cell (and SheetJS throws); a CSV upload can hold one, and the formula guard adds a quote.
const CELL_MAX_CHARACTERS = 32767;
// Widths are guessed from the first lines only: scanning 50,000 rows for a cosmetic setting is not worth it.
const WIDTH_SAMPLE_LINES = 200;
const COLUMN_MIN_WIDTH = 8;
const COLUMN_MAX_WIDTH = 50;

type Cell = string | number | null;

export function writeResultsWorkbook(input: ResultsInput): Buffer {
  const header: Cell[] = [...RESULTS_LEADING_HEADERS, ...input.originalHeaders].map(textCell);
  const rows: Cell[][] = [header];
  for (const line of input.lines) {
    const row: Cell[] = [
      line.lineNumber,
      textCell(line.outcome),
      textCell(line.accessId ?? ''),
      textCell(line.errors.length > 0 ? formatErrors(line.errors) : (line.note ?? '')),
    ];
    for (let column = 0; column < input.originalHeaders.length; column += 1) {
      row.push(textCell(line.cells[column] ?? ''));
    }
    rows.push(row);
  }

  // Only strings and numbers go in, so aoa_to_sheet types every string cell 's' (text): nothing is parsed as
  // a date, a number or a formula on the way out.
  const sheet = XLSX.utils.aoa_to_sheet(rows, { dense: true });
  sheet['!cols'] = columnWidths(rows);
  if (rows.length > 1) sheet['!autofilter'] = { ref: sheet['!ref'] ?? 'A1' };

  const workbook = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(workbook, sheet, RESULTS_SHEET_NAME);
  return XLSX.write(workbook, { type: 'buffer', bookType: 'xlsx', compression: true, bookSST: true }) as Buffer;
}

/** "Email: not a valid email; Phone: not 8–15 digits (5 digits)" */
export function formatErrors(errors: LineError[]): string {
  return errors.map((error) => `${error.column}: ${error.message}`).join('; ');
}

// Empty cells are left out rather than written as empty strings, as in the uploaded file.
function textCell(value: string): string | null {
  if (value === '') return null;
  const safe = neutraliseFormula(value);
  return safe.length > CELL_MAX_CHARACTERS ? safe.slice(0, CELL_MAX_CHARACTERS) : safe;
}

function columnWidths(rows: Cell[][]): XLSX.ColInfo[] {
  const widths: number[] = [];
  const sampleEnd = Math.min(rows.length, WIDTH_SAMPLE_LINES + 1);
  for (let index = 0; index < sampleEnd; index += 1) {
    const row = rows[index] ?? [];
    row.forEach((cell, column) => {
      const length = cell === null ? 0 : String(cell).length;
      widths[column] = Math.max(widths[column] ?? COLUMN_MIN_WIDTH, Math.min(length + 2, COLUMN_MAX_WIDTH));
    });
  }
  return widths.map((wch) => ({ wch }));
}
