// Spreadsheets as the use cases need them: read in a worker thread (src/spreadsheet/read-off-thread.ts) and the
// results spreadsheet written (src/spreadsheet/write-results.ts). A port, so the use cases hold no SheetJS code
// and the composition root (src/main.ts, the CLI) chooses the adapter.
import type { ResultsInput } from '../spreadsheet/write-results.ts';
import type { ReadLimits, ReadResult } from '../spreadsheet/read-spreadsheet.ts';

export interface Spreadsheets {
  read(bytes: Uint8Array, fileName: string, limits: ReadLimits): Promise<ReadResult>;
  writeResults(input: ResultsInput): Buffer;
}
