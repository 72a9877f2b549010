// Checks a zip container (.xlsx, .ods) before SheetJS opens it. SheetJS inflates every entry in full and trusts
// nothing but the deflate streams themselves, so a few kilobytes can expand to gigabytes: the sizes are read from
// the central directory here, without inflating anything, and then each entry is inflated once with a hard cap
// equal to its declared size, so a directory that lies about the sizes is caught too.
import { inflateRawSync } from 'node:zlib';

export interface ZipEntry {
  name: string;
  flags: number;
  method: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
}

export interface ZipProblem {
  kind: 'bomb' | 'encrypted' | 'damaged';
  detail: string;
}

export type ZipInspection = { ok: true; entries: ZipEntry[] } | { ok: false; problem: ZipProblem };

export const DEFAULT_MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024;
// Real .xlsx/.ods files hold a few dozen entries; thousands of tiny entries are only a way to make the reader work.
const MAX_ENTRIES = 10_000;
// Spreadsheet XML compresses 10-30:1; past 200:1 a large entry is almost certainly crafted.
const MAX_RATIO = 200;
const RATIO_APPLIES_ABOVE_BYTES = 10 * 1024 * 1024;

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const CENTRAL_FILE_HEADER = 0x02014b50;
const LOCAL_FILE_HEADER = 0x04034b50;
// ZIP64 uses these as "the real value is elsewhere"; no spreadsheet within our size limits needs ZIP64, and its
// extra fields are exactly where a crafted file would hide a size the reader then trusts.
const ZIP64_MARKER_32 = 0xffffffff;
const ZIP64_MARKER_16 = 0xffff;
const FLAG_ENCRYPTED = 0x0001;
const FLAG_STRONG_ENCRYPTION = 0x0040;
const FLAG_DATA_DESCRIPTOR = 0x0008;
const METHOD_STORED = 0;
const METHOD_DEFLATED = 8;

const damaged = (detail: string): ZipInspection => ({ ok: false, problem: { kind: 'damaged', detail } });
const bomb = (detail: string): ZipInspection => ({ ok: false, problem: { kind: 'bomb', detail } });

/** Reads the central directory and refuses, before inflating a byte, what would expand too much. */
export function inspectZip(bytes: Uint8Array, maxUncompressedBytes: number): ZipInspection {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = findEndOfCentralDirectory(view);
  if (end < 0) return damaged('the end of the zip directory is missing, so the file is incomplete');
  const entryCount = view.getUint16(end + 10, true);
  const directorySize = view.getUint32(end + 12, true);
  const directoryOffset = view.getUint32(end + 16, true);
  if (entryCount === ZIP64_MARKER_16 || directoryOffset === ZIP64_MARKER_32 || directorySize === ZIP64_MARKER_32) {
    return bomb('it uses ZIP64 sizes, which cannot be checked before opening it');
  }
  if (entryCount > MAX_ENTRIES)
    return bomb(
      `it holds ${entryCount.toLocaleString('en-US')} files, more than the ${MAX_ENTRIES.toLocaleString('en-US')} allowed`,
    );
  if (directoryOffset + directorySize > end) return damaged('the zip directory points outside the file');

  const entries: ZipEntry[] = [];
  let total = 0;
  let offset = directoryOffset;
  for (let i = 0; i < entryCount; i++) {
    if (offset + 46 > end || view.getUint32(offset, true) !== CENTRAL_FILE_HEADER)
      return damaged('the zip directory is corrupt');
    const { entry, next } = readCentralEntry(bytes, view, offset);
    offset = next;
    const refused = refuseEntry(bytes, view, entry);
    if (refused) return refused;
    total += entry.uncompressedSize;
    if (total > maxUncompressedBytes) {
      return bomb(`its contents add up to more than ${formatMegabytes(maxUncompressedBytes)} once expanded`);
    }
    entries.push(entry);
  }
  return { ok: true, entries };
}

/** The central directory's record at `offset`, and the offset of the record after it. */
function readCentralEntry(bytes: Uint8Array, view: DataView, offset: number): { entry: ZipEntry; next: number } {
  const nameLength = view.getUint16(offset + 28, true);
  const extraLength = view.getUint16(offset + 30, true);
  const commentLength = view.getUint16(offset + 32, true);
  const entry: ZipEntry = {
    flags: view.getUint16(offset + 8, true),
    method: view.getUint16(offset + 10, true),
    compressedSize: view.getUint32(offset + 20, true),
    uncompressedSize: view.getUint32(offset + 24, true),
    localHeaderOffset: view.getUint32(offset + 42, true),
    name: new TextDecoder().decode(bytes.subarray(offset + 46, offset + 46 + nameLength)),
  };
  return { entry, next: offset + 46 + nameLength + extraLength + commentLength };
}

/** Why one entry cannot be read safely on its own (the total is checked across entries), or undefined. */
function refuseEntry(bytes: Uint8Array, view: DataView, entry: ZipEntry): ZipInspection | undefined {
  if (entry.flags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION)) {
    return { ok: false, problem: { kind: 'encrypted', detail: `${entry.name} is encrypted` } };
  }
  if (
    entry.compressedSize === ZIP64_MARKER_32 ||
    entry.uncompressedSize === ZIP64_MARKER_32 ||
    entry.localHeaderOffset === ZIP64_MARKER_32
  ) {
    return bomb(`${entry.name} declares ZIP64 sizes, which cannot be checked before opening it`);
  }
  if (entry.method !== METHOD_STORED && entry.method !== METHOD_DEFLATED)
    return damaged(`${entry.name} uses an unsupported compression method`);
  if (entry.method === METHOD_STORED && entry.compressedSize !== entry.uncompressedSize)
    return damaged(`${entry.name} has inconsistent sizes`);
  if (
    entry.localHeaderOffset + 30 > bytes.length ||
    view.getUint32(entry.localHeaderOffset, true) !== LOCAL_FILE_HEADER
  ) {
    return damaged(`${entry.name} points outside the file`);
  }
  const ratio = entry.uncompressedSize / Math.max(entry.compressedSize, 1);
  if (entry.uncompressedSize > RATIO_APPLIES_ABOVE_BYTES && ratio > MAX_RATIO) {
    return bomb(
      `${entry.name} expands ${Math.round(ratio).toLocaleString('en-US')} times, to ${formatMegabytes(entry.uncompressedSize)}`,
    );
  }
  return undefined;
}

/**
 * Inflates one entry, never past its declared size. Throws ZipEntryError when the data do not match the
 * directory (bigger: a lying directory, i.e. a bomb; unreadable: damaged).
 */
export function readZipEntry(bytes: Uint8Array, entry: ZipEntry): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const start =
    entry.localHeaderOffset +
    30 +
    view.getUint16(entry.localHeaderOffset + 26, true) +
    view.getUint16(entry.localHeaderOffset + 28, true);
  if (start + entry.compressedSize > bytes.length)
    throw new ZipEntryError({ kind: 'damaged', detail: `${entry.name} is cut short` });
  // The local header must agree with the directory, unless its sizes follow the data (flag 3, a data descriptor):
  // SheetJS, which read the zip itself before the reader handed it the entries inflated here, refused a file
  // where they differ.
  if (
    !(view.getUint16(entry.localHeaderOffset + 6, true) & FLAG_DATA_DESCRIPTOR) &&
    (view.getUint32(entry.localHeaderOffset + 18, true) !== entry.compressedSize ||
      view.getUint32(entry.localHeaderOffset + 22, true) !== entry.uncompressedSize)
  ) {
    throw new ZipEntryError({ kind: 'damaged', detail: `${entry.name} has inconsistent sizes` });
  }
  const data = bytes.subarray(start, start + entry.compressedSize);
  if (entry.method === METHOD_STORED) return data;
  try {
    // maxOutputLength must be at least 1; an entry declared empty that inflates to one byte is still caught below.
    const inflated = inflateRawSync(data, { maxOutputLength: Math.max(entry.uncompressedSize, 1) });
    if (inflated.length > entry.uncompressedSize) throw new RangeError('larger than declared');
    return inflated;
  } catch (error) {
    if (error instanceof RangeError || (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new ZipEntryError({
        kind: 'bomb',
        detail: `${entry.name} expands to more than the ${formatMegabytes(entry.uncompressedSize)} its directory declares`,
      });
    }
    throw new ZipEntryError({ kind: 'damaged', detail: `${entry.name} cannot be decompressed` });
  }
}

export class ZipEntryError extends Error {
  readonly problem: ZipProblem;
  constructor(problem: ZipProblem) {
    super(problem.detail);
    this.name = 'ZipEntryError';
    this.problem = problem;
  }
}

/** One file of a zip container, inflated. */
export interface ZipFile {
  name: string;
  content: Uint8Array;
}

/**
 * Inflates every entry with the cap of readZipEntry, in the directory's order. The reader hands these contents to
 * SheetJS as they are (src/spreadsheet/cfb.ts), so what SheetJS parses is exactly what was checked here, and the
 * zip is inflated once, by zlib, instead of a second time by SheetJS's own JavaScript inflate.
 */
export function inflateZipEntries(
  bytes: Uint8Array,
  entries: ZipEntry[],
): { ok: true; files: ZipFile[] } | { ok: false; problem: ZipProblem } {
  const files: ZipFile[] = [];
  for (const entry of entries) {
    try {
      files.push({ name: entry.name, content: readZipEntry(bytes, entry) });
    } catch (error) {
      if (error instanceof ZipEntryError) return { ok: false, problem: error.problem };
      throw error;
    }
  }
  return { ok: true, files };
}

/**
 * SheetJS expands an .ods cell repeated N columns, in a row repeated M times, into N × M cells (its sheetRows
 * bound does not apply to the repeats), so a content.xml of a few bytes can ask for billions of cells. Counts the
 * cells it would materialise: those of every cell element with content (self-closing cells make at most one).
 */
export function countRepeatedOdsCells(contentXml: string, maxCells: number): number {
  const tags = /<table:table-row\b([^>]*)>|<\/table:table-row>|<table:table-cell\b([^>]*?)(\/?)>/g;
  let rowRepeat = 1;
  let cells = 0;
  for (let match = tags.exec(contentXml); match; match = tags.exec(contentXml)) {
    if (match[1] !== undefined) {
      rowRepeat = match[1].endsWith('/') ? 1 : repeatCount(match[1], 'number-rows-repeated');
    } else if (match[0] === '</table:table-row>') {
      rowRepeat = 1;
    } else if (match[3] === '/') {
      cells += 1;
    } else {
      cells += repeatCount(match[2] ?? '', 'number-columns-repeated') * rowRepeat;
    }
    if (cells > maxCells) return cells;
  }
  return cells;
}

function repeatCount(attributes: string, name: string): number {
  const found = new RegExp(`${name}="(\\d+)"`).exec(attributes);
  const count = found ? Number(found[1]) : 1;
  return Number.isFinite(count) && count > 0 ? count : 1;
}

function findEndOfCentralDirectory(view: DataView): number {
  // The record is 22 bytes plus a comment of at most 65,535 bytes, at the very end of the file.
  const lowest = Math.max(0, view.byteLength - 22 - 0xffff);
  for (let offset = view.byteLength - 22; offset >= lowest; offset--) {
    if (view.getUint32(offset, true) === END_OF_CENTRAL_DIRECTORY) return offset;
  }
  return -1;
}

export function formatMegabytes(bytes: number): string {
  const megabytes = bytes / (1024 * 1024);
  const rounded = megabytes >= 10 ? Math.round(megabytes) : Math.round(megabytes * 10) / 10;
  return `${rounded.toLocaleString('en-US')} MB`;
}
