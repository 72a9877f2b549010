// SheetJS's container library (CFB: OLE2 compound files, and zips), which its type declarations leave as `any`.
// Typed here for the few calls the project makes, so they are checked like the rest.
import * as XLSX from 'xlsx';

export interface CfbContainer {
  FullPaths: string[];
  FileIndex: Array<{ name: string; type: number; content?: Uint8Array }>;
}

export interface Cfb {
  read(data: Buffer, options: { type: 'buffer' }): CfbContainer;
  write(container: CfbContainer, options: { type: 'buffer'; fileType?: 'zip' }): Buffer;
  utils: {
    cfb_new(): CfbContainer;
    cfb_add(container: CfbContainer, name: string, content: Buffer): void;
  };
}

export const cfb = XLSX.CFB as Cfb;
