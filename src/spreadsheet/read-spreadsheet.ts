// Bytes of an uploaded file → the rows of its user sheet (README "Importing users"), or why the whole file is refused. Knows
// formats, sheets, headers and row numbers; knows nothing of vendors or emails (src/domain/import-lines.ts
// checks the values). Every guard that bounds the work runs before the expensive step it protects.
import * as XLSX from 'xlsx';
import { cfb, parseZipWorkbook } from './cfb.ts';
import { columnKeyForHeader, COLUMN_LABELS, describeExpectedHeaders, REQUIRED_COLUMNS } from '../domain/columns.ts';
import type { ColumnKey } from '../domain/columns.ts';
import { countSeparatorsInFirstLine, decodeCsvText, parseCsv } from './csv.ts';
import type { CsvSeparator } from './csv.ts';
import {
  countRepeatedOdsCells,
  DEFAULT_MAX_UNCOMPRESSED_BYTES,
  formatMegabytes,
  inflateZipEntries,
  inspectZip,
  readZipEntry,
  ZipEntryError,
} from './zip-guard.ts';
import type { ZipEntry, ZipFile, ZipProblem } from './zip-guard.ts';

export { COLUMN_LABELS, columnKeyForHeader, REQUIRED_COLUMNS } from '../domain/columns.ts';
export type { ColumnKey } from '../domain/columns.ts';

export type SpreadsheetFormat = 'xlsx' | 'xls' | 'ods' | 'csv';

/** Every original column, in order; a column whose header names nothing we know has key null. */
export interface SheetColumn {
  index: number;
  header: string;
  key: ColumnKey | null;
}

/** cells[i] is the text of column i (same indexes as columns), already cleaned by cleanCellText. */
export interface SheetLine {
  lineNumber: number;
  cells: string[];
}

export interface SheetRows {
  format: SpreadsheetFormat;
  sheetName: string;
  headerLineNumber: number;
  columns: SheetColumn[];
  /** Headers that named no column, and repeats of a column already named (ignored; the caller warns once). */
  unknownColumns: string[];
  /** Non-empty rows below the header, in order. */
  lines: SheetLine[];
}

export type RefusalCode =
  | 'empty_file'
  | 'too_large'
  | 'too_many_lines'
  | 'zip_bomb'
  | 'encrypted'
  | 'not_a_spreadsheet'
  | 'unsupported_format'
  | 'missing_columns'
  | 'no_header'
  | 'nothing_to_import'
  | 'unreadable';

export interface Refusal {
  code: RefusalCode;
  message: string;
  missingColumns?: string[];
}

export type ReadResult = { ok: true; rows: SheetRows } | { ok: false; refusal: Refusal };

export interface ReadLimits {
  maxBytes: number;
  maxRows: number;
  /** What a zip container (.xlsx, .ods) may expand to; 100 MB when not given. */
  maxUncompressedBytes?: number;
}

// The header is looked for among this many non-empty rows, so titles and notes may sit above it.
const HEADER_SEARCH_ROWS = 10;
// Rows SheetJS reads beyond maxRows: the header, the rows a title may take above it, and one to see an excess.
const SHEET_ROWS_MARGIN = 12;
const PREFERRED_SHEET_NAMES = new Set(['users', 'usuarios']);
const INVISIBLE_FORMAT_CHARACTERS = /\p{Cf}/gu;
const EXPONENT_TEXT = /^-?\d(\.\d+)?E[+-]?\d+$/i;

/**
 * A cell as it is checked and stored: invisible format characters (zero-width spaces and joiners, BOMs, soft
 * hyphens: \p{Cf}) removed everywhere — they cannot be seen and break emails — and white space trimmed at
 * both ends (String#trim covers tabs and every Unicode space, no-break ones included).
 */
export function cleanCellText(text: string): string {
  return text.replace(INVISIBLE_FORMAT_CHARACTERS, '').trim();
}

export function readSpreadsheet(bytes: Uint8Array, fileName: string, limits: ReadLimits): ReadResult {
  if (bytes.length === 0)
    return refuse('empty_file', `the file is empty: no header row (${describeExpectedHeaders()})`);
  if (bytes.length > limits.maxBytes) {
    return refuse(
      'too_large',
      `the file is ${formatMegabytes(bytes.length)}; at most ${formatMegabytes(limits.maxBytes)} is allowed`,
    );
  }
  const kind = sniffContent(bytes);
  switch (kind.kind) {
    case 'zip':
      return readZipSpreadsheet(bytes, limits);
    case 'ole':
      return readOleSpreadsheet(bytes, limits);
    case 'binary':
      return notASpreadsheet(kind.looksLike ?? 'a binary file');
    case 'text':
      return readTextFile(bytes, fileName, limits);
  }
}

// ---------------------------------------------------------------------------------------------------------
// What the bytes are

type Sniffed = { kind: 'zip' } | { kind: 'ole' } | { kind: 'text' } | { kind: 'binary'; looksLike: string | null };

const MAGIC_NUMBERS: { bytes: number[]; sniffed: Sniffed }[] = [
  { bytes: [0x50, 0x4b, 0x03, 0x04], sniffed: { kind: 'zip' } },
  { bytes: [0x50, 0x4b, 0x05, 0x06], sniffed: { kind: 'zip' } }, // an empty zip archive
  { bytes: [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1], sniffed: { kind: 'ole' } },
  { bytes: [0x25, 0x50, 0x44, 0x46], sniffed: { kind: 'binary', looksLike: 'a PDF document' } },
  { bytes: [0x89, 0x50, 0x4e, 0x47], sniffed: { kind: 'binary', looksLike: 'an image (PNG)' } },
  { bytes: [0xff, 0xd8, 0xff], sniffed: { kind: 'binary', looksLike: 'an image (JPEG)' } },
  { bytes: [0x47, 0x49, 0x46, 0x38], sniffed: { kind: 'binary', looksLike: 'an image (GIF)' } },
  { bytes: [0x52, 0x61, 0x72, 0x21], sniffed: { kind: 'binary', looksLike: 'a RAR archive' } },
  { bytes: [0x37, 0x7a, 0xbc, 0xaf], sniffed: { kind: 'binary', looksLike: 'a 7-Zip archive' } },
  { bytes: [0x1f, 0x8b], sniffed: { kind: 'binary', looksLike: 'a gzip archive' } },
  { bytes: [0xff, 0xfe], sniffed: { kind: 'text' } }, // UTF-16 text with its BOM (NUL bytes are expected)
  { bytes: [0xfe, 0xff], sniffed: { kind: 'text' } },
];

function sniffContent(bytes: Uint8Array): Sniffed {
  for (const magic of MAGIC_NUMBERS) {
    if (magic.bytes.every((byte, index) => bytes[index] === byte)) return magic.sniffed;
  }
  // Text never holds NUL bytes; any binary format we do not know of almost always does, early on.
  return bytes.subarray(0, 8192).includes(0) ? { kind: 'binary', looksLike: null } : { kind: 'text' };
}

// ---------------------------------------------------------------------------------------------------------
// .xlsx and .ods (zip containers)

function readZipSpreadsheet(bytes: Uint8Array, limits: ReadLimits): ReadResult {
  const inspection = inspectZip(bytes, limits.maxUncompressedBytes ?? DEFAULT_MAX_UNCOMPRESSED_BYTES);
  if (!inspection.ok) return refuseZip(inspection.problem, 'zip');
  const { entries } = inspection;
  const names = new Set(entries.map((entry) => entry.name));

  let format: 'xlsx' | 'ods';
  const mimetype = entries.find((entry) => entry.name === 'mimetype');
  if (mimetype) {
    const declared = readOpenDocumentMimetype(bytes, mimetype);
    if (declared === null) return refuse('unreadable', unreadableMessage('ods', 'its type entry is damaged'));
    if (declared.startsWith('application/vnd.oasis.opendocument.spreadsheet')) format = 'ods';
    else if (declared.startsWith('application/vnd.oasis.opendocument.text'))
      return notASpreadsheet('a text document (OpenDocument Writer)');
    else if (declared.startsWith('application/vnd.oasis.opendocument.presentation'))
      return notASpreadsheet('a presentation (OpenDocument Impress)');
    else return notASpreadsheet(`an OpenDocument file of type ${declared}`);
  } else if (names.has('xl/workbook.bin')) {
    return refuse('unsupported_format', unsupportedMessage('Excel binary workbook (.xlsb)'));
  } else if (names.has('[Content_Types].xml') && [...names].some((name) => name.startsWith('xl/'))) {
    format = 'xlsx';
  } else if (names.has('word/document.xml')) {
    return notASpreadsheet('a Word document');
  } else if (names.has('ppt/presentation.xml')) {
    return notASpreadsheet('a PowerPoint presentation');
  } else if ([...names].some((name) => name.startsWith('Index/') && name.endsWith('.iwa'))) {
    return refuse('unsupported_format', unsupportedMessage('Apple Numbers'));
  } else {
    return notASpreadsheet('a zip archive');
  }

  const inflated = inflateZipEntries(bytes, entries);
  if (!inflated.ok) return refuseZip(inflated.problem, format);
  const { files } = inflated;

  if (format === 'ods') {
    const manifest = files.find((file) => file.name === 'META-INF/manifest.xml')?.content;
    // ODF encrypts inside the zip: the entries look normal, the manifest says how each one is encrypted.
    if (manifest && new TextDecoder().decode(manifest).includes('encryption-data')) return refuseEncrypted();
    const content = files.find((file) => file.name === 'content.xml')?.content;
    const maxCells = maxMaterializedCells(limits.maxRows);
    if (content && countRepeatedOdsCells(new TextDecoder().decode(content), maxCells) > maxCells) {
      return refuse(
        'zip_bomb',
        `the file was not opened because it would expand to more than ${maxCells.toLocaleString('en-US')} cells (repeated rows or columns): ` +
          'delete the empty rows and columns after your data and upload it again',
      );
    }
  }
  return readWithSheetJs({ kind: 'zip', files }, format, limits);
}

function readOpenDocumentMimetype(bytes: Uint8Array, entry: ZipEntry): string | null {
  if (entry.uncompressedSize > 200) return null;
  try {
    return new TextDecoder().decode(readZipEntry(bytes, entry)).trim();
  } catch (error) {
    if (error instanceof ZipEntryError) return null;
    throw error;
  }
}

// SheetJS keeps an object per cell; this bounds an .ods whose repeats would make millions of them.
function maxMaterializedCells(maxRows: number): number {
  return Math.max(1_000_000, (maxRows + SHEET_ROWS_MARGIN) * 40);
}

function refuseZip(problem: ZipProblem, format: SpreadsheetFormat | 'zip'): ReadResult {
  switch (problem.kind) {
    case 'encrypted':
      return refuseEncrypted();
    case 'bomb':
      return refuse(
        'zip_bomb',
        `the file was not opened because it would expand too much when unpacked: ${problem.detail}; it may be a zip bomb`,
      );
    case 'damaged':
      return refuse('unreadable', unreadableMessage(format === 'zip' ? 'a spreadsheet' : format, problem.detail));
  }
}

// ---------------------------------------------------------------------------------------------------------
// .xls (and anything else in an OLE2 compound file)

function readOleSpreadsheet(bytes: Uint8Array, limits: ReadLimits): ReadResult {
  let streams: Set<string>;
  try {
    const container = cfb.read(toBuffer(bytes), { type: 'buffer' });
    streams = new Set(container.FullPaths.map((path) => path.replace(/\/$/, '').split('/').pop() ?? ''));
  } catch {
    return refuse('unreadable', unreadableMessage('xls', 'its internal structure is damaged'));
  }
  // An .xlsx saved with a password is an OLE2 file holding the encrypted zip.
  if (streams.has('EncryptionInfo') || streams.has('EncryptedPackage')) return refuseEncrypted();
  if (streams.has('Workbook') || streams.has('Book')) return readWithSheetJs({ kind: 'bytes', bytes }, 'xls', limits);
  if (streams.has('WordDocument')) return notASpreadsheet('a Word document');
  if (streams.has('PowerPoint Document')) return notASpreadsheet('a PowerPoint presentation');
  return notASpreadsheet('a Microsoft Office file that is not a workbook');
}

// ---------------------------------------------------------------------------------------------------------
// Workbooks through SheetJS

type WorkbookRead = { ok: true; workbook: XLSX.WorkBook } | { ok: false; refusal: Refusal };

/** A workbook as SheetJS is handed it: an .xls's bytes, or the files of a zip already inflated by zip-guard.ts. */
type WorkbookSource = { kind: 'bytes'; bytes: Uint8Array } | { kind: 'zip'; files: readonly ZipFile[] };

const READ_OPTIONS: XLSX.ParsingOptions = {
  dense: true,
  cellFormula: false,
  cellHTML: false,
  cellStyles: false,
  cellNF: false,
  cellDates: false,
  cellText: true,
  bookVBA: false,
  bookDeps: false,
};

function parseWorkbook(source: WorkbookSource, format: SpreadsheetFormat, options: XLSX.ParsingOptions): WorkbookRead {
  try {
    const workbook =
      source.kind === 'zip'
        ? parseZipWorkbook(source.files, { ...READ_OPTIONS, ...options })
        : XLSX.read(toBuffer(source.bytes), { type: 'buffer', ...READ_OPTIONS, ...options });
    return { ok: true, workbook };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/password|encrypt/i.test(message)) return { ok: false, refusal: refuseEncrypted().refusal };
    return { ok: false, refusal: refuse('unreadable', unreadableMessage(format, 'its contents are damaged')).refusal };
  }
}

function readWithSheetJs(source: WorkbookSource, format: 'xlsx' | 'xls' | 'ods', limits: ReadLimits): ReadResult {
  const sheetRows = limits.maxRows + SHEET_ROWS_MARGIN;
  let sheetIndex: number | undefined;
  if (format === 'xlsx') {
    // Only .xlsx lets SheetJS skip sheets: read the sheet list first, then parse the one sheet we use. The
    // names alone (bookSheets) skip the shared strings, which in a 50,000-line file cost about a second to
    // parse; whether sheets are hidden is only needed when none has a preferred name. Each of these reads
    // parses only the parts it needs of the files inflated once.
    const names = parseWorkbook(source, format, { bookSheets: true });
    if (!names.ok) return names;
    sheetIndex = preferredSheet(names.workbook.SheetNames);
    if (sheetIndex < 0) {
      const listing = parseWorkbook(source, format, { sheets: [] });
      if (!listing.ok) return listing;
      sheetIndex = chooseSheet(listing.workbook);
    }
  }
  const parsed = parseWorkbook(
    source,
    format,
    sheetIndex === undefined ? { sheetRows } : { sheetRows, sheets: [sheetIndex] },
  );
  if (!parsed.ok) return parsed;
  const index = sheetIndex ?? chooseSheet(parsed.workbook);
  const sheetName = parsed.workbook.SheetNames[index];
  if (sheetName === undefined)
    return refuse('no_header', `the workbook has no sheets: no header row (${describeExpectedHeaders()})`);
  const sheet = parsed.workbook.Sheets[sheetName];
  if (!sheet) return refuse('unreadable', unreadableMessage(format, `the sheet "${sheetName}" could not be read`));

  const collected = collectSheet(sheet, limits.maxRows);
  const truncatedAtRow = lastRowOfFullRange(sheet);
  if (truncatedAtRow !== null && collected.header) {
    const lineCount = collected.lineCount;
    if (lineCount > limits.maxRows) {
      // The rows past sheetRows were not parsed: count them from the sheet's declared range.
      return refuseTooManyLines(Math.max(lineCount, truncatedAtRow - collected.header.lineNumber), limits.maxRows);
    }
    // Blank rows pushed real lines past the bound: read the whole sheet (the size guards above still bound it).
    const whole = parseWorkbook(source, format, { sheets: format === 'xlsx' ? [index] : undefined });
    if (!whole.ok) return whole;
    const wholeSheet = whole.workbook.Sheets[sheetName];
    if (!wholeSheet)
      return refuse('unreadable', unreadableMessage(format, `the sheet "${sheetName}" could not be read`));
    return finishRows(collectSheet(wholeSheet, limits.maxRows), format, sheetName, limits.maxRows);
  }
  return finishRows(collected, format, sheetName, limits.maxRows);
}

function preferredSheet(sheetNames: readonly string[]): number {
  return sheetNames.findIndex((name) => PREFERRED_SHEET_NAMES.has(normalizeSheetName(name)));
}

function chooseSheet(workbook: XLSX.WorkBook): number {
  const preferred = preferredSheet(workbook.SheetNames);
  if (preferred >= 0) return preferred;
  const visible = workbook.SheetNames.findIndex((_, index) => !workbook.Workbook?.Sheets?.[index]?.Hidden);
  return visible >= 0 ? visible : 0;
}

function normalizeSheetName(name: string): string {
  return name.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().trim();
}

/** The last row (1-based) of the sheet when SheetJS stopped at sheetRows before it; null when it read it all. */
function lastRowOfFullRange(sheet: XLSX.WorkSheet): number | null {
  const full = sheet['!fullref'] as unknown;
  if (typeof full !== 'string') return null;
  const declared = XLSX.utils.decode_range(full).e.r + 1;
  const read = typeof sheet['!ref'] === 'string' ? XLSX.utils.decode_range(sheet['!ref']).e.r + 1 : 0;
  return declared > read ? declared : null;
}

function collectSheet(sheet: XLSX.WorkSheet, maxRows: number): Collector {
  const collector = createCollector(maxRows);
  const rows = (sheet['!data'] ?? []) as (XLSX.CellObject | undefined)[][];
  for (let rowIndex = 0; rowIndex < rows.length; rowIndex++) {
    const row = rows[rowIndex];
    if (!row) continue;
    // Once the header is known, cells right of it are never read: a stray value in column XFD costs nothing.
    const width = collector.width ?? row.length;
    const cells = new Array<string>(width);
    for (let column = 0; column < width; column++) cells[column] = cleanCellText(displayedText(row[column]));
    if (!collector.add(rowIndex + 1, cells)) break;
  }
  return collector;
}

/** The text the spreadsheet application shows in the cell. */
function displayedText(cell: XLSX.CellObject | undefined): string {
  if (!cell || cell.t === 'z') return '';
  if (cell.t === 'b') return cell.v ? 'TRUE' : 'FALSE';
  // SheetJS renders the General format in at most 11 characters, as Excel does in a default-width column, so a
  // phone typed as a number becomes "5.51199E+12". The digits are what the user typed and means.
  if (
    cell.t === 'n' &&
    typeof cell.v === 'number' &&
    Number.isInteger(cell.v) &&
    Math.abs(cell.v) < 1e21 &&
    (cell.w === undefined || EXPONENT_TEXT.test(cell.w))
  ) {
    return String(cell.v);
  }
  if (cell.w !== undefined) return cell.w;
  if (cell.v === undefined || cell.v === null) return '';
  return cell.v instanceof Date ? cell.v.toISOString() : String(cell.v);
}

// ---------------------------------------------------------------------------------------------------------
// Text files: CSV, or something that must be named as not a spreadsheet

function readTextFile(bytes: Uint8Array, fileName: string, limits: ReadLimits): ReadResult {
  const text = decodeCsvText(bytes);
  const start = text
    .slice(0, 2048)
    .replace(/^[\s\uFEFF]+/, '')
    .toLowerCase();
  if (start.startsWith('<!doctype html') || start.startsWith('<html')) return notASpreadsheet('an HTML page');
  if (start.startsWith('<')) {
    if (start.includes('urn:schemas-microsoft-com:office:spreadsheet'))
      return refuse('unsupported_format', unsupportedMessage('XML Spreadsheet 2003'));
    if (start.includes('<html')) return notASpreadsheet('an HTML page');
    return notASpreadsheet('an XML document');
  }
  if (start.startsWith('{\\rtf')) return notASpreadsheet('an RTF document');
  const counts = countSeparatorsInFirstLine(text);
  if (!/\.(csv|txt)$/i.test(fileName.trim()) && counts[','] === 0 && counts[';'] === 0)
    return notASpreadsheet('a plain text file');
  return readCsv(text, fileName, limits);
}

function readCsv(text: string, fileName: string, limits: ReadLimits): ReadResult {
  const separator = detectSeparator(text);
  const collector = createCollector(limits.maxRows);
  // The whole text is walked even past maxRows, so the refusal can say how many lines there are; memory stays
  // bounded because the collector keeps at most maxRows lines and the text is at most maxBytes.
  parseCsv(text, separator, (fields, lineNumber) => {
    const width = collector.width ?? fields.length;
    const cells = new Array<string>(width);
    for (let column = 0; column < width; column++) cells[column] = cleanCellText(fields[column] ?? '');
    return collector.add(lineNumber, cells);
  });
  const sheetName = fileName.split(/[\\/]/).pop() ?? fileName;
  return finishRows(collector, 'csv', sheetName, limits.maxRows);
}

/**
 * The separator is the one that makes a header row appear among the first rows; when none or several do, the
 * one of comma and semicolon that occurs more often, outside quotes, in the first line (a tie goes to the
 * comma). A tab counts only through the header: it is what Excel's "Unicode text" export uses.
 */
function detectSeparator(text: string): CsvSeparator {
  const candidates: CsvSeparator[] = [',', ';', '\t'];
  const found = candidates.filter((separator) => {
    let nonEmptyRows = 0;
    let header = false;
    parseCsv(text, separator, (fields) => {
      const cells = fields.map(cleanCellText);
      if (cells.every((cell) => cell === '')) return true;
      nonEmptyRows++;
      header = namesEveryRequiredColumn(cells);
      return !header && nonEmptyRows < HEADER_SEARCH_ROWS;
    });
    return header;
  });
  if (found.length === 1 && found[0]) return found[0];
  const counts = countSeparatorsInFirstLine(text);
  return counts[';'] > counts[','] ? ';' : ',';
}

// ---------------------------------------------------------------------------------------------------------
// From rows to lines: the header, the columns, the limits

interface HeaderRow {
  lineNumber: number;
  columns: SheetColumn[];
  unknownColumns: string[];
}

interface Collector {
  /** Cells needed per row: null until the header is found (then every cell of the row may matter). */
  readonly width: number | null;
  readonly header: HeaderRow | null;
  readonly firstRowCells: string[] | null;
  readonly lineCount: number;
  readonly lines: SheetLine[];
  /** Takes one row (cells cleaned); false when nothing further can change the result. */
  add(lineNumber: number, cells: string[]): boolean;
}

function createCollector(maxRows: number): Collector {
  let header: HeaderRow | null = null;
  let firstRowCells: string[] | null = null;
  let rowsBeforeHeader = 0;
  let lineCount = 0;
  const lines: SheetLine[] = [];
  return {
    get width() {
      return header ? header.columns.length : null;
    },
    get header() {
      return header;
    },
    get firstRowCells() {
      return firstRowCells;
    },
    get lineCount() {
      return lineCount;
    },
    lines,
    add(lineNumber, cells) {
      if (!cells.some((cell) => cell !== '')) return true;
      if (header) {
        lineCount++;
        if (lineCount <= maxRows) lines.push({ lineNumber, cells });
        return true;
      }
      firstRowCells ??= cells;
      rowsBeforeHeader++;
      if (namesEveryRequiredColumn(cells)) {
        header = describeHeader(lineNumber, cells);
        return true;
      }
      return rowsBeforeHeader < HEADER_SEARCH_ROWS;
    },
  };
}

function namesEveryRequiredColumn(cells: string[]): boolean {
  const keys = new Set(cells.map(columnKeyForHeader));
  return REQUIRED_COLUMNS.every((key) => keys.has(key));
}

function describeHeader(lineNumber: number, cells: string[]): HeaderRow {
  let width = cells.length;
  while (width > 0 && cells[width - 1] === '') width--;
  const seen = new Set<ColumnKey>();
  const columns: SheetColumn[] = [];
  const unknownColumns: string[] = [];
  for (let index = 0; index < width; index++) {
    const header = cells[index] ?? '';
    let key = columnKeyForHeader(header);
    if (key && seen.has(key)) {
      // Two columns claiming the same meaning: the first one counts; the other is ignored, and said so.
      unknownColumns.push(`${header} (duplicate)`);
      key = null;
    } else if (key) {
      seen.add(key);
    } else if (header !== '') {
      unknownColumns.push(header);
    }
    columns.push({ index, header, key });
  }
  return { lineNumber, columns, unknownColumns };
}

function finishRows(collector: Collector, format: SpreadsheetFormat, sheetName: string, maxRows: number): ReadResult {
  const { header, firstRowCells } = collector;
  if (!firstRowCells) {
    const where = format === 'csv' ? 'the file has only blank lines' : `the sheet "${sheetName}" is empty`;
    return refuse('no_header', `${where}: no header row (${describeExpectedHeaders()})`);
  }
  if (!header) {
    const present = new Set(firstRowCells.map(columnKeyForHeader));
    const missing = REQUIRED_COLUMNS.filter((key) => !present.has(key)).map((key) => COLUMN_LABELS[key]);
    const noun = missing.length === 1 ? 'column' : 'columns';
    return {
      ok: false,
      refusal: {
        code: 'missing_columns',
        message: `missing required ${noun} ${missing.join(', ')} (${describeExpectedHeaders()})`,
        missingColumns: missing,
      },
    };
  }
  if (collector.lineCount === 0) {
    return refuse(
      'nothing_to_import',
      `no data lines below the header in row ${header.lineNumber} (nothing to import)`,
    );
  }
  if (collector.lineCount > maxRows) return refuseTooManyLines(collector.lineCount, maxRows);
  return {
    ok: true,
    rows: {
      format,
      sheetName,
      headerLineNumber: header.lineNumber,
      columns: header.columns,
      unknownColumns: header.unknownColumns,
      lines: collector.lines,
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// Refusals

function refuse(code: RefusalCode, message: string): { ok: false; refusal: Refusal } {
  return { ok: false, refusal: { code, message } };
}

function refuseEncrypted(): { ok: false; refusal: Refusal } {
  return refuse('encrypted', 'the file is password-protected: save it without a password and upload it again');
}

function refuseTooManyLines(lineCount: number, maxRows: number): ReadResult {
  return refuse(
    'too_many_lines',
    `the file has ${lineCount.toLocaleString('en-US')} lines; at most ${maxRows.toLocaleString('en-US')} are allowed: split it into smaller files`,
  );
}

function notASpreadsheet(looksLike: string): ReadResult {
  return refuse(
    'not_a_spreadsheet',
    `this is ${looksLike}, not a spreadsheet: upload an .xlsx, .xls, .ods or .csv file`,
  );
}

function unsupportedMessage(formatName: string): string {
  return `${formatName} files are not supported: save it as .xlsx, .xls, .ods or .csv and upload it again`;
}

function unreadableMessage(format: string, detail: string): string {
  const name = format === 'a spreadsheet' ? format : `an .${format} file`;
  return `the file could not be read as ${name}: ${detail}; open it in Excel or LibreOffice, save it again and upload it again`;
}

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
