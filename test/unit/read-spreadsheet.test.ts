// The spreadsheet reader against the shared fixtures (real files written by LibreOffice) and against files built
// here for what the fixtures do not cover: hostile containers, other encodings, layouts and limits.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import * as XLSX from 'xlsx';
import { cfb } from '../../src/spreadsheet/cfb.ts';
import { columnKeyForHeader } from '../../src/domain/columns.ts';
import { cleanCellText, readSpreadsheet } from '../../src/spreadsheet/read-spreadsheet.ts';
import type { ReadLimits, ReadResult, RefusalCode, SheetRows } from '../../src/spreadsheet/read-spreadsheet.ts';
import { FIXTURES_DIR } from '../support/fixtures.ts';

const FIXTURES = FIXTURES_DIR;
const LIMITS: ReadLimits = { maxBytes: 10 * 1024 * 1024, maxRows: 50_000 };

interface ExpectedCase {
  wholeFileError: string | null;
  lines: Record<string, unknown>;
  unknownColumns?: string[];
}
const expected = JSON.parse(readFileSync(path.join(FIXTURES, 'expected.json'), 'utf8')) as Record<string, ExpectedCase>;

function read(bytes: Uint8Array, fileName: string, limits: ReadLimits = LIMITS): ReadResult {
  return readSpreadsheet(bytes, fileName, limits);
}

function rowsOf(result: ReadResult): SheetRows {
  if (!result.ok) throw new Error(`refused: ${result.refusal.code}: ${result.refusal.message}`);
  return result.rows;
}

function refusalOf(result: ReadResult, code: RefusalCode): string {
  if (result.ok) throw new Error(`expected a refusal (${code}), read ${result.rows.lines.length} lines`);
  expect(result.refusal.code).toBe(code);
  return result.refusal.message;
}

function cellsByLine(rows: SheetRows): Record<number, Record<string, string>> {
  const out: Record<number, Record<string, string>> = {};
  for (const line of rows.lines) {
    out[line.lineNumber] = Object.fromEntries(
      rows.columns.filter((column) => column.key).map((column) => [column.key, line.cells[column.index] ?? '']),
    );
  }
  return out;
}

function workbookBytes(
  sheets: { name: string; rows: unknown[][]; hidden?: boolean }[],
  bookType: XLSX.BookType = 'xlsx',
): Uint8Array {
  const workbook = XLSX.utils.book_new();
  for (const sheet of sheets) XLSX.utils.book_append_sheet(workbook, XLSX.utils.aoa_to_sheet(sheet.rows), sheet.name);
  workbook.Workbook = { Sheets: sheets.map((sheet) => ({ Hidden: sheet.hidden ? 1 : 0 })) };
  return new Uint8Array(XLSX.write(workbook, { type: 'buffer', bookType, compression: true }) as Buffer);
}

const HEADER = ['Vendor', 'Name', 'Email', 'Phone', 'Document', 'Enabled'];
const userRow = (index: number) => ['Acme Corp', `Person ${index}`, `person${index}@acme.example`, '', '', 'Yes'];

interface ZipFile {
  name: string;
  data: Uint8Array | string;
  deflate?: boolean;
  /** The uncompressed size the directory claims, when it must lie. */
  declaredSize?: number;
  /** The uncompressed size the entry's local header claims, when it must disagree with the directory. */
  localSize?: number;
}

/** A minimal zip writer, so the tests control exactly what the central directory declares. */
function zipBytes(files: ZipFile[]): Uint8Array {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const file of files) {
    const data = typeof file.data === 'string' ? Buffer.from(file.data) : Buffer.from(file.data);
    const stored = file.deflate ? deflateRawSync(data) : data;
    const name = Buffer.from(file.name);
    const size = file.declaredSize ?? data.length;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(file.deflate ? 8 : 0, 8);
    local.writeUInt32LE(crc32(data), 14);
    local.writeUInt32LE(stored.length, 18);
    local.writeUInt32LE(file.localSize ?? size, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(file.deflate ? 8 : 0, 10);
    central.writeUInt32LE(crc32(data), 16);
    central.writeUInt32LE(stored.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, stored);
    centrals.push(central, name);
    offset += local.length + name.length + stored.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return new Uint8Array(Buffer.concat([...locals, directory, end]));
}

/** The entries of a real .xlsx written by SheetJS, to rebuild it with one entry changed. */
function xlsxEntries(bytes: Uint8Array): ZipFile[] {
  const container = cfb.read(Buffer.from(bytes), { type: 'buffer' });
  return container.FullPaths.flatMap((fullPath, index) => {
    const entry = container.FileIndex[index];
    const name = fullPath.replace(/^Root Entry\//, '');
    if (!entry || entry.type !== 2 || !entry.content || name.startsWith('\u0001')) return [];
    return [{ name, data: new Uint8Array(entry.content), deflate: true }];
  });
}

describe('the shared fixtures', () => {
  const files = readdirSync(FIXTURES).filter((name) => /\.(xlsx|xls|ods|csv)$/.test(name));

  it('has an expected result for every spreadsheet file', () => {
    expect(files.sort()).toEqual(Object.keys(expected).sort());
  });

  for (const file of Object.keys(expected)) {
    const expectation = expected[file] as ExpectedCase;
    const bytes = () => new Uint8Array(readFileSync(path.join(FIXTURES, file)));
    if (expectation.wholeFileError === null) {
      it(`${file}: returns exactly the expected line numbers`, () => {
        const rows = rowsOf(read(bytes(), file));
        expect(rows.lines.map((line) => String(line.lineNumber))).toEqual(Object.keys(expectation.lines));
        expect(rows.format).toBe(path.extname(file).slice(1));
        expect(rows.unknownColumns).toEqual(expectation.unknownColumns ?? []);
      });
    }
  }

  it('missing_email_column.xlsx is refused naming Email and the expected headers', () => {
    const result = read(
      new Uint8Array(readFileSync(path.join(FIXTURES, 'missing_email_column.xlsx'))),
      'missing_email_column.xlsx',
    );
    const message = refusalOf(result, 'missing_columns');
    expect(message).toBe(
      'missing required column Email (expected headers: Vendor, Name, Email, Enabled; optional: Phone, Document)',
    );
    expect(!result.ok && result.refusal.missingColumns).toEqual(['Email']);
  });

  it('empty.csv is refused as an empty file naming the expected headers', () => {
    const message = refusalOf(
      read(new Uint8Array(readFileSync(path.join(FIXTURES, 'empty.csv'))), 'empty.csv'),
      'empty_file',
    );
    expect(message).toMatch(/empty/);
    expect(message).toContain('Vendor, Name, Email, Enabled');
  });

  it('header_only.xlsx is refused: nothing to import', () => {
    const message = refusalOf(
      read(new Uint8Array(readFileSync(path.join(FIXTURES, 'header_only.xlsx'))), 'header_only.xlsx'),
      'nothing_to_import',
    );
    expect(message).toMatch(/nothing to import/);
  });

  it('columns_reordered.xlsx maps every column by its header and reports the unknown ones', () => {
    const rows = rowsOf(
      read(new Uint8Array(readFileSync(path.join(FIXTURES, 'columns_reordered.xlsx'))), 'columns_reordered.xlsx'),
    );
    expect(rows.columns.map((column) => column.key)).toEqual(['enabled', 'email', null, 'name', null, 'vendor']);
    expect(rows.unknownColumns).toEqual(['Notes', 'Department']);
    expect(cellsByLine(rows)[2]).toEqual({
      enabled: 'Yes',
      email: 'nina@acme.example',
      name: 'Nina Park',
      vendor: 'Acme Corp',
    });
  });

  it('reads the values as typed: quoted commas, semicolons, accents, BOM', () => {
    const comma = rowsOf(read(new Uint8Array(readFileSync(path.join(FIXTURES, 'clean_comma.csv'))), 'clean_comma.csv'));
    expect(cellsByLine(comma)[5]?.name).toBe('Ito, Kenji');
    const semicolon = rowsOf(
      read(new Uint8Array(readFileSync(path.join(FIXTURES, 'semicolon_bom_pt.csv'))), 'semicolon_bom_pt.csv'),
    );
    expect(semicolon.columns[0]).toEqual({ index: 0, header: 'Fornecedor', key: 'vendor' });
    expect(cellsByLine(semicolon)[2]?.name).toBe('Souza, Paulo');
    expect(cellsByLine(semicolon)[3]?.document).toBe('123,45');
    const ods = rowsOf(read(new Uint8Array(readFileSync(path.join(FIXTURES, 'clean_pt.ods'))), 'clean_pt.ods'));
    expect(ods.sheetName).toBe('Planilha1');
    expect(cellsByLine(ods)[3]?.name).toBe('Maria Conceição');
    const xls = rowsOf(read(new Uint8Array(readFileSync(path.join(FIXTURES, 'clean_es.xls'))), 'clean_es.xls'));
    expect(xls.sheetName).toBe('Hoja1');
    expect(cellsByLine(xls)[2]).toMatchObject({ phone: '+52 55 1234 5678', enabled: 'Sí' });
  });
});

describe('hostile and wrong files', () => {
  it('refuses a zip whose directory declares a huge size, without inflating it', () => {
    const workbook = xlsxEntries(workbookBytes([{ name: 'Users', rows: [HEADER, userRow(1)] }]));
    const bomb = zipBytes(
      workbook.map((file) =>
        file.name === 'xl/worksheets/sheet1.xml' ? { ...file, declaredSize: 4_000_000_000 } : file,
      ),
    );
    // The zip guard's own refusal: it read the central directory and stopped, before any inflating.
    const message = refusalOf(read(bomb, 'users.xlsx'), 'zip_bomb');
    expect(message).toMatch(/expand/);
  });

  it('refuses a real .xlsx whose sheet is a huge repetitive stream, before SheetJS sees it', () => {
    const row = '<row><c t="inlineStr"><is><t>Acme Corp</t></is></c><c t="inlineStr"><is><t>Someone</t></is></c></row>';
    const sheet = `<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>${row.repeat(200_000)}</sheetData></worksheet>`;
    const workbook = xlsxEntries(workbookBytes([{ name: 'Users', rows: [HEADER, userRow(1)] }]));
    const bomb = zipBytes(
      workbook.map((file) =>
        file.name === 'xl/worksheets/sheet1.xml' ? { name: file.name, data: sheet, deflate: true } : file,
      ),
    );
    expect(bomb.length).toBeLessThan(1024 * 1024);
    refusalOf(read(bomb, 'users.xlsx'), 'zip_bomb');
  });

  it('refuses a zip whose directory understates what an entry inflates to', () => {
    const workbook = xlsxEntries(workbookBytes([{ name: 'Users', rows: [HEADER, userRow(1)] }]));
    const zeros = new Uint8Array(20 * 1024 * 1024);
    const lying = zipBytes([
      ...workbook,
      { name: 'xl/media/image1.png', data: zeros, deflate: true, declaredSize: 1000 },
    ]);
    const message = refusalOf(read(lying, 'users.xlsx'), 'zip_bomb');
    expect(message).toContain('xl/media/image1.png');
  });

  it('refuses as unreadable a zip whose local header disagrees with its directory, as SheetJS did', () => {
    const workbook = xlsxEntries(workbookBytes([{ name: 'Users', rows: [HEADER, userRow(1)] }]));
    const sheet = 'xl/worksheets/sheet1.xml';
    const disagreeing = zipBytes(
      workbook.map((file) => (file.name === sheet ? { ...file, deflate: true, localSize: 1_000_000 } : file)),
    );
    expect(refusalOf(read(disagreeing, 'users.xlsx'), 'unreadable')).toContain(`${sheet} has inconsistent sizes`);
    // The same entries, deflated and stored alike, read as the file SheetJS wrote.
    const agreeing = zipBytes(workbook.map((file) => (file.name === sheet ? { ...file, deflate: true } : file)));
    expect(rowsOf(read(agreeing, 'users.xlsx')).lines).toHaveLength(1);
  });

  it('refuses ZIP64 size markers, and contents over maxUncompressedBytes', () => {
    const workbook = xlsxEntries(workbookBytes([{ name: 'Users', rows: [HEADER, userRow(1)] }]));
    refusalOf(
      read(
        zipBytes(workbook.map((file, index) => (index === 0 ? { ...file, declaredSize: 0xffffffff } : file))),
        'users.xlsx',
      ),
      'zip_bomb',
    );
    refusalOf(read(zipBytes(workbook), 'users.xlsx', { ...LIMITS, maxUncompressedBytes: 2000 }), 'zip_bomb');
    expect(rowsOf(read(zipBytes(workbook), 'users.xlsx')).lines).toHaveLength(1);
  });

  it('refuses an .ods whose repeated cells would expand to millions', () => {
    const content =
      '<?xml version="1.0"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" ' +
      'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0">' +
      '<office:body><office:spreadsheet><table:table table:name="Users">' +
      '<table:table-row table:number-rows-repeated="1000000"><table:table-cell table:number-columns-repeated="1024" office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row>' +
      '</table:table></office:spreadsheet></office:body></office:document-content>';
    const ods = zipBytes([
      { name: 'mimetype', data: 'application/vnd.oasis.opendocument.spreadsheet' },
      { name: 'content.xml', data: content, deflate: true },
      { name: 'META-INF/manifest.xml', data: '<manifest:manifest/>', deflate: true },
    ]);
    refusalOf(read(ods, 'users.ods'), 'zip_bomb');
  });

  it('refuses an HTML page, whatever its name', () => {
    const page = new TextEncoder().encode(
      '\uFEFF\n  <!DOCTYPE html><html><head><title>Sign in</title></head><body><table><tr><td>Vendor</td></tr></table></body></html>',
    );
    expect(refusalOf(read(page, 'users.xlsx'), 'not_a_spreadsheet')).toMatch(/HTML page/);
    expect(
      refusalOf(read(new TextEncoder().encode('<html><body>x,y</body></html>'), 'users.csv'), 'not_a_spreadsheet'),
    ).toMatch(/HTML page/);
  });

  it('refuses a Word document renamed to .xlsx', () => {
    const container = cfb.utils.cfb_new();
    cfb.utils.cfb_add(container, '[Content_Types].xml', Buffer.from('<Types/>'));
    cfb.utils.cfb_add(container, 'word/document.xml', Buffer.from('<w:document/>'));
    const docx = new Uint8Array(cfb.write(container, { type: 'buffer', fileType: 'zip' }));
    expect(refusalOf(read(docx, 'users.xlsx'), 'not_a_spreadsheet')).toMatch(/Word document/);
  });

  it('refuses a password-protected (encrypted OOXML) file', () => {
    const container = cfb.utils.cfb_new();
    cfb.utils.cfb_add(container, 'EncryptionInfo', Buffer.from([4, 0, 4, 0, 0x40, 0, 0, 0]));
    cfb.utils.cfb_add(container, 'EncryptedPackage', Buffer.alloc(4096, 7));
    const encrypted = new Uint8Array(cfb.write(container, { type: 'buffer' }));
    expect(refusalOf(read(encrypted, 'users.xlsx'), 'encrypted')).toBe(
      'the file is password-protected: save it without a password and upload it again',
    );
  });

  it('refuses a PDF, an image and unknown binary data as not a spreadsheet', () => {
    expect(
      refusalOf(read(new TextEncoder().encode('%PDF-1.7\n%\u00e2\u00e3'), 'users.pdf'), 'not_a_spreadsheet'),
    ).toMatch(/PDF/);
    expect(
      refusalOf(
        read(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]), 'users.xlsx'),
        'not_a_spreadsheet',
      ),
    ).toMatch(/PNG/);
    refusalOf(read(new Uint8Array([1, 2, 3, 0, 5, 6]), 'users.xlsx'), 'not_a_spreadsheet');
    refusalOf(read(new TextEncoder().encode('just some notes\nnothing tabular\n'), 'notes.md'), 'not_a_spreadsheet');
  });

  it('refuses a damaged .xlsx as unreadable', () => {
    const bytes = workbookBytes([{ name: 'Users', rows: [HEADER, userRow(1)] }]);
    refusalOf(read(bytes.subarray(0, bytes.length - 30), 'users.xlsx'), 'unreadable');
  });

  it('refuses a file over maxBytes, naming the limit in MB', () => {
    const big = new Uint8Array(3 * 1024 * 1024).fill(0x41);
    expect(refusalOf(read(big, 'users.csv', { maxBytes: 2 * 1024 * 1024, maxRows: 10 }), 'too_large')).toContain(
      'at most 2 MB',
    );
  });
});

describe('line limits', () => {
  const lines = (count: number) => [HEADER, ...Array.from({ length: count }, (_, index) => userRow(index + 1))];

  it('refuses 50,001 data lines in an .xlsx against maxRows 50,000, naming both counts', () => {
    const bytes = workbookBytes([{ name: 'Users', rows: lines(50_001) }]);
    expect(refusalOf(read(bytes, 'users.xlsx'), 'too_many_lines')).toContain(
      'the file has 50,001 lines; at most 50,000 are allowed',
    );
  });

  // How fast is the bench's business (npm run bench: parse + validate against SheetJS's cold read).
  it('reads 50,000 lines of .xlsx', () => {
    const rows: unknown[][] = lines(50_000);
    rows[1] = ['Acme Corp', 'Phone As Number', 'numbers@acme.example', 5511987654321, 12345678901, true];
    const bytes = workbookBytes([{ name: 'Users', rows }]);
    const read50k = rowsOf(read(bytes, 'users.xlsx'));
    expect(read50k.lines).toHaveLength(50_000);
    expect(read50k.lines.at(-1)?.lineNumber).toBe(50_001);
    expect(cellsByLine(read50k)[2]).toMatchObject({ phone: '5511987654321', document: '12345678901', enabled: 'TRUE' });
  });

  it('refuses too many CSV lines, counting non-empty records only', () => {
    const text = `${lines(12)
      .map((row) => row.join(','))
      .join('\n')}\n\n\n`;
    expect(
      refusalOf(read(new TextEncoder().encode(text), 'users.csv', { ...LIMITS, maxRows: 11 }), 'too_many_lines'),
    ).toContain('the file has 12 lines; at most 11 are allowed');
    expect(rowsOf(read(new TextEncoder().encode(text), 'users.csv', { ...LIMITS, maxRows: 12 })).lines).toHaveLength(
      12,
    );
  });

  it('reads a sheet whose blank rows push real lines past the parse bound, and counts the rest of a longer one', () => {
    const sparse: unknown[][] = [HEADER, userRow(1), userRow(2)];
    sparse[40] = userRow(3);
    const sparseRows = rowsOf(
      read(workbookBytes([{ name: 'Users', rows: sparse }]), 'users.xlsx', { ...LIMITS, maxRows: 5 }),
    );
    expect(sparseRows.lines.map((line) => line.lineNumber)).toEqual([2, 3, 41]);
    const long = workbookBytes([{ name: 'Users', rows: lines(40) }]);
    expect(refusalOf(read(long, 'users.xlsx', { ...LIMITS, maxRows: 5 }), 'too_many_lines')).toContain(
      'the file has 40 lines; at most 5 are allowed',
    );
  });
});

describe('encodings, separators and layout', () => {
  it('reads a Windows-1252 CSV (not valid UTF-8) with its accents', () => {
    const latin = Buffer.from(
      'Fornecedor;Nome;E-mail;Ativo\r\nAcme Corp;José da São Paulo;jose@acme.example;Não\r\n',
      'latin1',
    );
    const rows = rowsOf(read(new Uint8Array(latin), 'usuarios.csv'));
    expect(cellsByLine(rows)[2]).toEqual({
      vendor: 'Acme Corp',
      name: 'José da São Paulo',
      email: 'jose@acme.example',
      enabled: 'Não',
    });
  });

  it('detects the separator on the header, keeps text as typed, and numbers rows as LibreOffice does', () => {
    const text =
      'Users export;;;\n' + // a title above the header
      'Vendor;Name;Email;Phone;Enabled\n' +
      'Acme Corp;"Multi\nline, name";a@acme.example;00123;1/2\n' +
      ';;;;\n' +
      'Globex;"Say ""hi""";b@globex.example;;No\n';
    const rows = rowsOf(read(new TextEncoder().encode(text), 'users.txt'));
    expect(rows.headerLineNumber).toBe(2);
    expect(rows.lines.map((line) => line.lineNumber)).toEqual([3, 5]);
    expect(cellsByLine(rows)[3]).toEqual({
      vendor: 'Acme Corp',
      name: 'Multi\nline, name',
      email: 'a@acme.example',
      phone: '00123',
      enabled: '1/2',
    });
    expect(cellsByLine(rows)[5]?.name).toBe('Say "hi"');
  });

  it('reads Excel\'s "Unicode text" export: UTF-16 with a BOM, tab separated', () => {
    const text = '\uFEFFVendor\tName\tEmail\tEnabled\r\nGlobex\tZoë\tzoe@globex.example\tSí\r\n';
    const rows = rowsOf(read(new Uint8Array(Buffer.from(text, 'utf16le')), 'users.txt'));
    expect(rows.lines).toEqual([{ lineNumber: 2, cells: ['Globex', 'Zoë', 'zoe@globex.example', 'Sí'] }]);
  });

  it('reads a CSV with no file extension when it looks delimited', () => {
    const rows = rowsOf(
      read(new TextEncoder().encode('Vendor,Name,Email,Enabled\nGlobex,Ann,ann@globex.example,yes'), 'download'),
    );
    expect(rows.lines).toEqual([{ lineNumber: 2, cells: ['Globex', 'Ann', 'ann@globex.example', 'yes'] }]);
  });

  it('skips a hidden first sheet, and prefers a sheet named Users/Usuários in any case', () => {
    const hidden = workbookBytes([
      { name: 'Lookup', rows: [['secret']], hidden: true },
      { name: 'Data', rows: [HEADER, userRow(1)] },
    ]);
    expect(rowsOf(read(hidden, 'users.xlsx')).sheetName).toBe('Data');
    const named = workbookBytes([
      { name: 'Instructions', rows: [['Fill in the other sheet']] },
      { name: 'USUÁRIOS', rows: [HEADER, userRow(1)] },
    ]);
    expect(rowsOf(read(named, 'users.xlsx')).sheetName).toBe('USUÁRIOS');
    const hiddenXls = workbookBytes(
      [
        { name: 'Lookup', rows: [['secret']], hidden: true },
        { name: 'Data', rows: [HEADER, userRow(1)] },
      ],
      'biff8',
    );
    expect(rowsOf(read(hiddenXls, 'users.xls'))).toMatchObject({ format: 'xls', sheetName: 'Data' });
  });

  it('finds the header on row 3 below a title, and numbers lines by sheet rows', () => {
    const bytes = workbookBytes([
      { name: 'Users', rows: [['Vendor users — March'], [], HEADER, userRow(1), [], userRow(2)] },
    ]);
    const rows = rowsOf(read(bytes, 'users.xlsx'));
    expect(rows.headerLineNumber).toBe(3);
    expect(rows.lines.map((line) => line.lineNumber)).toEqual([4, 6]);
  });

  it('refuses when no row among the first 10 names the required columns, naming them as found in the first row', () => {
    const bytes = workbookBytes([
      {
        name: 'Users',
        rows: [
          ['Vendor', 'Nome', 'Telefone'],
          ['Acme Corp', 'Ann', '1'],
        ],
      },
    ]);
    const result = read(bytes, 'users.xlsx');
    expect(refusalOf(result, 'missing_columns')).toMatch(/^missing required columns Email, Enabled \(expected headers/);
    expect(!result.ok && result.refusal.missingColumns).toEqual(['Email', 'Enabled']);
    const late = workbookBytes([
      { name: 'Users', rows: [...Array.from({ length: 10 }, (_, index) => [`note ${index}`]), HEADER, userRow(1)] },
    ]);
    refusalOf(read(late, 'users.xlsx'), 'missing_columns');
  });

  it('refuses a CSV with only blank lines, and a header without lines', () => {
    refusalOf(read(new TextEncoder().encode('\n\n,,,\n'), 'users.csv'), 'no_header');
    refusalOf(read(new TextEncoder().encode('Vendor,Name,Email,Enabled\n\n'), 'users.csv'), 'nothing_to_import');
  });

  it('reads .ods and .xls written by SheetJS the same as .xlsx', () => {
    for (const bookType of ['ods', 'biff8'] as const) {
      const rows = rowsOf(
        read(workbookBytes([{ name: 'Users', rows: [HEADER, userRow(1), [], userRow(2)] }], bookType), 'users'),
      );
      expect(rows.lines.map((line) => line.lineNumber)).toEqual([2, 4]);
    }
  });

  it('cleans cells: trims every kind of space and removes invisible characters everywhere', () => {
    expect(cleanCellText('\u00a0\u202f\u2007\t ana\u200b.souza@acme\u2060.example\ufeff \u200d')).toBe(
      'ana.souza@acme.example',
    );
    const bytes = workbookBytes([
      {
        name: 'Users',
        rows: [
          [' Vendor\u00a0', '\u200bNome', 'E-MAIL ', 'ÁTIVO'],
          ['\u00a0Acme Corp\t', 'Ann', ' ann@acme.example\u200b', 'x'],
        ],
      },
    ]);
    const rows = rowsOf(read(bytes, 'users.xlsx'));
    expect(rows.columns.map((column) => column.key)).toEqual(['vendor', 'name', 'email', 'enabled']);
    expect(rows.lines[0]?.cells).toEqual(['Acme Corp', 'Ann', 'ann@acme.example', 'x']);
  });

  it('ignores a repeated column, keeping the first, and says so', () => {
    const bytes = workbookBytes([
      {
        name: 'Users',
        rows: [
          ['Vendor', 'Name', 'Email', 'Enabled', 'E-mail'],
          ['Acme Corp', 'Ann', 'ann@acme.example', 'yes', 'other@acme.example'],
        ],
      },
    ]);
    const rows = rowsOf(read(bytes, 'users.xlsx'));
    expect(rows.columns[4]).toEqual({ index: 4, header: 'E-mail', key: null });
    expect(rows.unknownColumns).toEqual(['E-mail (duplicate)']);
  });
});

describe('columnKeyForHeader', () => {
  it('matches every alias ignoring case, accents and surrounding space', () => {
    const cases: [string, string | null][] = [
      ['Proveedor', 'vendor'],
      [' NOMBRE ', 'name'],
      ['e-mail', 'email'],
      ['Correo', 'email'],
      ['Telefone', 'phone'],
      ['celular', 'phone'],
      ['TELÉFONO', 'phone'],
      ['Documento', 'document'],
      ['Habilitado', 'enabled'],
      ['Active', 'enabled'],
      ['Activo', 'enabled'],
      ['Vendor*', 'vendor'],
      ['Notes', null],
      ['', null],
    ];
    for (const [header, key] of cases) expect(columnKeyForHeader(header), header).toBe(key);
  });
});
