// The spreadsheets the bench imports: the template's columns (src/spreadsheet/write-template.ts) and the
// vendors of the test catalog (test/fixtures/shared/catalog.yaml), so every line passes the dry run. One line
// in ten is Enabled = No: imported, inactive, and given no access (as a real vendor list would have some).
import * as XLSX from 'xlsx';
import { TEMPLATE_HEADERS, TEMPLATE_SHEET_NAME } from '../src/spreadsheet/write-template.ts';

/** Catalog vendors and the email domain each accepts (Acme Corp has an allow-list; Globex takes any). */
const VENDORS = [
  { name: 'Acme Corp', domain: 'acme.example' },
  { name: 'Globex', domain: 'globex.example' },
] as const;

export interface BenchWorkbook {
  bytes: Buffer;
  lines: number;
  /** Lines with Enabled = Yes: each gets one access and two emails. */
  activeLines: number;
}

export function isActiveLine(index: number): boolean {
  return index % 10 !== 9;
}

/** The user rows of the workbook, without the header, in the template's column order. */
export function benchRows(lines: number): string[][] {
  const rows: string[][] = [];
  for (let index = 0; index < lines; index += 1) {
    const vendor = VENDORS[index % VENDORS.length] ?? VENDORS[0];
    rows.push([
      vendor.name,
      `Bench Person ${index}`,
      `bench.person.${index}@${vendor.domain}`,
      `+55 11 9${String(index).padStart(4, '0').slice(-4)}-${String(index % 10_000).padStart(4, '0')}`,
      `DOC-${String(index).padStart(8, '0')}`,
      isActiveLine(index) ? 'Yes' : 'No',
    ]);
  }
  return rows;
}

export function benchWorkbook(lines: number): BenchWorkbook {
  const sheet = XLSX.utils.aoa_to_sheet([[...TEMPLATE_HEADERS], ...benchRows(lines)]);
  const book = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(book, sheet, TEMPLATE_SHEET_NAME);
  const bytes = XLSX.write(book, { type: 'buffer', bookType: 'xlsx', compression: true, bookSST: true }) as Buffer;
  let activeLines = 0;
  for (let index = 0; index < lines; index += 1) if (isActiveLine(index)) activeLines += 1;
  return { bytes, lines, activeLines };
}
