// SheetJS's container library (CFB: OLE2 compound files, and zips), which its type declarations leave as `any`,
// and SheetJS's parser of a zip container already opened (exported, undeclared). Typed here for the few calls the
// project makes, so they are checked like the rest.
import * as XLSX from 'xlsx';
import type { ZipFile } from './zip-guard.ts';

export interface CfbContainer {
  FullPaths: string[];
  FileIndex: Array<{ name: string; type: number; content?: Uint8Array }>;
}

export interface Cfb {
  read(data: Buffer, options: { type: 'buffer' }): CfbContainer;
  write(container: CfbContainer, options: { type: 'buffer'; fileType?: 'zip' }): Buffer;
  utils: {
    cfb_new(): CfbContainer;
    cfb_add(container: CfbContainer, name: string, content: Uint8Array, options?: { unsafe: boolean }): void;
  };
}

export const cfb = XLSX.CFB as Cfb;

const parseZip = (XLSX as unknown as { parse_zip: (zip: CfbContainer, options: XLSX.ParsingOptions) => XLSX.WorkBook })
  .parse_zip;

/**
 * An .xlsx or .ods workbook from the files of its zip, inflated and checked by zip-guard.ts: what `XLSX.read` does
 * after it has opened the zip itself (CFB's zip reader adds each entry the same way, `unsafe`: no renaming, no
 * rebuilding the directory per file).
 */
export function parseZipWorkbook(files: readonly ZipFile[], options: XLSX.ParsingOptions): XLSX.WorkBook {
  const container = cfb.utils.cfb_new();
  // As Buffers, as CFB's reader makes them: SheetJS decodes a Buffer's XML as Latin-1 then UTF-8, and any other
  // array another way.
  for (const file of files) {
    const content = Buffer.from(file.content.buffer, file.content.byteOffset, file.content.byteLength);
    cfb.utils.cfb_add(container, file.name, content, { unsafe: true });
  }
  return parseZip(container, options);
}
