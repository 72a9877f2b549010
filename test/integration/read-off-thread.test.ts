// The spreadsheet worker has a heap limit: a file that needs more is refused with a reason the importer can
// act on, and the process (the web or worker pod) carries on and reads the next file.
import { describe, expect, it } from 'vitest';
import { benchWorkbook } from '../../bench/workbook.ts';
import { readSpreadsheetOffThread } from '../../src/spreadsheet/read-off-thread.ts';

const LIMITS = { maxBytes: 10 * 1024 * 1024, maxRows: 50_000 };

describe('the spreadsheet worker', () => {
  it('refuses a file that needs more memory than its heap limit, and reads the next file', async () => {
    const { bytes } = benchWorkbook(10_000);
    // 16 MB of old generation loads the reader and reads a small file, not 10,000 lines.
    const refused = await readSpreadsheetOffThread(bytes, 'users.xlsx', LIMITS, 16);
    expect(refused).toEqual({
      ok: false,
      refusal: {
        code: 'too_large',
        message:
          'the file needs more than the 16 MB of memory the app gives a spreadsheet to be read (too many lines ' +
          'or cells, or very long ones): split it into smaller files',
      },
    });
    const small = await readSpreadsheetOffThread(benchWorkbook(3).bytes, 'users.xlsx', LIMITS, 16);
    expect(small.ok && small.rows.lines.length).toBe(3);
    const read = await readSpreadsheetOffThread(bytes, 'users.xlsx', LIMITS);
    expect(read.ok && read.rows.lines.length).toBe(10_000);
  }, 60_000);
});
