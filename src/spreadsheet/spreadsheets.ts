// The Spreadsheets port (src/usecases/spreadsheets.ts) on SheetJS.
import type { Spreadsheets } from '../usecases/spreadsheets.ts';
import { readSpreadsheetOffThread } from './read-off-thread.ts';
import { writeResultsWorkbook } from './write-results.ts';

export const sheetJsSpreadsheets: Spreadsheets = {
  read: readSpreadsheetOffThread,
  writeResults: writeResultsWorkbook,
};
