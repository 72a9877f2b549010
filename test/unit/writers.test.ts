import { describe, expect, it } from 'vitest';
import * as XLSX from 'xlsx';
import { formatErrors, writeResultsWorkbook } from '../../src/spreadsheet/write-results.ts';
import { writeTemplateWorkbook } from '../../src/spreadsheet/write-template.ts';

function cellAt(sheet: XLSX.WorkSheet, address: string): XLSX.CellObject | undefined {
  return sheet[address] as XLSX.CellObject | undefined;
}

function firstSheet(workbook: XLSX.WorkBook): XLSX.WorkSheet {
  const name = workbook.SheetNames[0];
  const sheet = name === undefined ? undefined : workbook.Sheets[name];
  if (sheet === undefined) throw new Error('no sheet');
  return sheet;
}

describe('writeResultsWorkbook', () => {
  const originalHeaders = ['Vendor', 'Name', 'Email', 'Phone', 'Enabled'];

  it('writes Line, Outcome, Access id, Errors, then the original columns, every value as inert text', () => {
    const buffer = writeResultsWorkbook({
      originalHeaders,
      lines: [
        {
          lineNumber: 2,
          outcome: 'created',
          accessId: 'EXT-26-000487',
          errors: [],
          cells: ['Acme Corp', 'Ana Souza', 'ana@acme.example', '+55 11 98765-4321', 'Yes'],
        },
        {
          lineNumber: 14,
          outcome: 'error',
          accessId: null,
          errors: [
            { column: 'Email', value: 'bob@', message: 'not a valid email' },
            { column: 'Phone', value: '12345', message: 'not 8–15 digits (5 digits)' },
          ],
          cells: ['Globex', '=HYPERLINK("https://evil.example","click")', 'bob@', '12345', 'Yes'],
        },
        { lineNumber: 15, outcome: 'existing', errors: [], cells: ['Globex', '@SUM(1)', 'old@globex.example'] },
      ],
    });

    const workbook = XLSX.read(buffer, { type: 'buffer' });
    expect(workbook.SheetNames[0]).toBe('Results');
    const sheet = firstSheet(workbook);
    const rows = XLSX.utils.sheet_to_json<unknown[]>(sheet, { header: 1, defval: null });
    expect(rows[0]).toEqual(['Line', 'Outcome', 'Access id', 'Errors', ...originalHeaders]);
    expect(rows[1]).toEqual([
      2,
      'created',
      'EXT-26-000487',
      null,
      'Acme Corp',
      'Ana Souza',
      'ana@acme.example',
      "'+55 11 98765-4321",
      'Yes',
    ]);
    expect(rows[2]?.slice(0, 4)).toEqual([
      14,
      'error',
      null,
      'Email: not a valid email; Phone: not 8–15 digits (5 digits)',
    ]);
    expect(rows[3]?.slice(0, 6)).toEqual([15, 'existing', null, null, 'Globex', "'@SUM(1)"]);

    const formula = cellAt(sheet, 'F3');
    expect(formula?.t).toBe('s');
    expect(formula?.f).toBeUndefined();
    expect(formula?.v).toBe('\'=HYPERLINK("https://evil.example","click")');
    expect(cellAt(sheet, 'A3')?.t).toBe('n');
    expect(cellAt(sheet, 'I3')).toMatchObject({ t: 's', v: 'Yes' });
  });

  it('says in the Errors column who excluded an `excluded` line and why, as inert text', () => {
    const buffer = writeResultsWorkbook({
      originalHeaders: ['Name'],
      lines: [
        { lineNumber: 2, outcome: 'excluded', errors: [], note: 'excluded by U0APPR001: left', cells: ['Ana'] },
        { lineNumber: 3, outcome: 'excluded', errors: [], note: '=1+1', cells: ['Bob'] },
      ],
    });
    const sheet = firstSheet(XLSX.read(buffer, { type: 'buffer' }));
    const rows = XLSX.utils.sheet_to_json<unknown[]>(sheet, { header: 1, defval: null });
    expect(rows[1]).toEqual([2, 'excluded', null, 'excluded by U0APPR001: left', 'Ana']);
    expect(cellAt(sheet, 'D3')?.v).toBe("'=1+1");
  });

  it('neutralises formula-like headers and error messages too', () => {
    const buffer = writeResultsWorkbook({
      originalHeaders: ['=1+1'],
      lines: [
        { lineNumber: 2, outcome: 'error', errors: [{ column: '-x', value: '', message: 'required' }], cells: ['a'] },
      ],
    });
    const sheet = firstSheet(XLSX.read(buffer, { type: 'buffer' }));
    expect(cellAt(sheet, 'E1')?.v).toBe("'=1+1");
    expect(cellAt(sheet, 'D2')?.v).toBe("'-x: required");
  });

  it('writes 50,000 lines in a few seconds', () => {
    const lines = Array.from({ length: 50_000 }, (_, index) => ({
      lineNumber: index + 2,
      outcome: 'created' as const,
      accessId: `EXT-26-${String(index).padStart(6, '0')}`,
      errors: [],
      cells: ['Globex', `Person ${index}`, `person.${index}@globex.example`, '+55 11 91234-5678', 'Yes'],
    }));
    const started = performance.now();
    const buffer = writeResultsWorkbook({ originalHeaders, lines });
    expect(performance.now() - started).toBeLessThan(10_000);
    const sheet = firstSheet(XLSX.read(buffer, { type: 'buffer', dense: true }));
    expect(sheet['!ref']).toBe('A1:I50001');
  });
});

describe('formatErrors', () => {
  it('joins the errors of a line as "Column: message"', () => {
    expect(
      formatErrors([
        { column: 'Email', value: 'bob@', message: 'not a valid email' },
        { column: 'Enabled', value: 'maybe', message: 'not a yes/no value' },
      ]),
    ).toBe('Email: not a valid email; Enabled: not a yes/no value');
    expect(formatErrors([])).toBe('');
  });
});

describe('writeTemplateWorkbook', () => {
  it('has the Users sheet with the header row and one example line, and an Instructions sheet', () => {
    const workbook = XLSX.read(writeTemplateWorkbook(), { type: 'buffer', cellStyles: true, cellNF: true });
    expect(workbook.SheetNames).toEqual(['Users', 'Instructions']);
    const users = firstSheet(workbook);
    const rows = XLSX.utils.sheet_to_json<unknown[]>(users, { header: 1, defval: null });
    expect(rows).toEqual([
      ['Vendor', 'Name', 'Email', 'Phone', 'Document', 'Enabled'],
      ['Acme Corp', 'Ana Souza', 'ana.souza@acme.example', '+55 11 98765-4321', '123.456.789-09', 'Yes'],
    ]);
    // Text cells with the Text number format: a spreadsheet application keeps what is typed over them as text.
    expect(cellAt(users, 'D2')).toMatchObject({ t: 's', v: '+55 11 98765-4321', z: '@' });
    expect(cellAt(users, 'E2')).toMatchObject({ t: 's', v: '123.456.789-09', z: '@' });
    expect(cellAt(users, 'D2')?.f).toBeUndefined();
    expect(users['!cols']?.length).toBe(6);
  });

  it('explains every column and the file limits', () => {
    const workbook = XLSX.read(writeTemplateWorkbook(), { type: 'buffer' });
    const instructions = workbook.Sheets['Instructions'];
    if (instructions === undefined) throw new Error('no Instructions sheet');
    const text = XLSX.utils
      .sheet_to_json<string[]>(instructions, { header: 1, defval: '' })
      .map((row) => row.join(' '))
      .join('\n');
    for (const column of ['Vendor', 'Name', 'Email', 'Phone', 'Document', 'Enabled']) expect(text).toContain(column);
    for (const words of [
      '50,000 lines',
      '10 MB',
      'not updated',
      'Blank rows are skipped',
      'Sim/Não',
      'blank cell means No',
    ]) {
      expect(text).toContain(words);
    }
  });
});
