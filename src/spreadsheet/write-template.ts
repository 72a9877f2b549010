// The import template (`/domum template`): the header row, one example line and an instructions sheet,
// so an admin can start from a file the import reads without surprises.
import * as XLSX from 'xlsx';

export const TEMPLATE_SHEET_NAME = 'Users';
export const INSTRUCTIONS_SHEET_NAME = 'Instructions';
export const TEMPLATE_HEADERS = ['Vendor', 'Name', 'Email', 'Phone', 'Document', 'Enabled'] as const;
export const TEMPLATE_EXAMPLE_LINE = [
  'Acme Corp',
  'Ana Souza',
  'ana.souza@acme.example',
  '+55 11 98765-4321',
  '123.456.789-09',
  'Yes',
] as const;

const TEMPLATE_COLUMN_WIDTHS = [20, 28, 32, 20, 18, 10];
// Indexes of Phone and Document: typed as text, so a spreadsheet application keeps "+55 …" and leading zeros
// instead of reading a number (or, for "+…", a formula).
const TEXT_COLUMNS = [3, 4];
const TEXT_FORMAT = '@';

const INSTRUCTIONS: string[][] = [
  ['Column', 'Required', 'Rule'],
  ['Vendor', 'Required', 'The name of an existing, enabled vendor, as in the catalog (any case).'],
  ['Name', 'Required', 'The person\u2019s full name, 1 to 200 characters.'],
  [
    'Email',
    'Required',
    'A valid email address; it is the person\u2019s login and is stored in lower case. Each email may appear only ' +
      'once in the file. If the vendor has a list of email domains, the address must use one of them.',
  ],
  [
    'Phone',
    'Optional',
    'With or without a leading +, 8 to 15 digits; spaces, hyphens, dots and parentheses are allowed and ' +
      'dropped. Stored as + followed by the digits (+55 11 98765-4321 becomes +5511987654321).',
  ],
  ['Document', 'Optional', 'Any identity document number, at most 64 characters, stored as written.'],
  [
    'Enabled',
    'Required column',
    'Yes or No. Also accepted, in any case: True/False, 1/0, Sim/Não, Sí/No, x (yes). A blank cell means No: the ' +
      'user is imported but inactive and gets no access.',
  ],
  [],
  ['About the file'],
  ['', '', 'Keep the header row. Columns may be in any order; Portuguese and Spanish headers are accepted too.'],
  ['', '', 'At most 50,000 lines and 10 MB per file. Formats: .xlsx, .xls, .ods, .csv (UTF-8, comma or semicolon).'],
  ['', '', 'Blank rows are skipped. Line numbers in messages are the row numbers your spreadsheet shows.'],
  [
    '',
    '',
    'An email that is already registered is not updated and gets no new access: re-importing a corrected file ' +
      'is safe.',
  ],
  ['', '', 'Nothing is written until you review the preview and continue; lines with errors are not imported.'],
];

export function writeTemplateWorkbook(): Buffer {
  const users = XLSX.utils.aoa_to_sheet([[...TEMPLATE_HEADERS], [...TEMPLATE_EXAMPLE_LINE]]);
  for (const column of TEXT_COLUMNS) {
    const cell = users[XLSX.utils.encode_cell({ r: 1, c: column })] as XLSX.CellObject | undefined;
    if (cell !== undefined) cell.z = TEXT_FORMAT;
  }
  users['!cols'] = TEMPLATE_COLUMN_WIDTHS.map((wch) => ({ wch }));

  const instructions = XLSX.utils.aoa_to_sheet(INSTRUCTIONS);
  instructions['!cols'] = [{ wch: 14 }, { wch: 16 }, { wch: 110 }];

  const workbook = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(workbook, users, TEMPLATE_SHEET_NAME);
  XLSX.utils.book_append_sheet(workbook, instructions, INSTRUCTIONS_SHEET_NAME);
  return XLSX.write(workbook, { type: 'buffer', bookType: 'xlsx', compression: true, bookSST: true }) as Buffer;
}
