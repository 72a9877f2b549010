import { describe, expect, it } from 'vitest';
import {
  collectEmails,
  formatErrorLine,
  normaliseEmail,
  parseEnabled,
  validateLines,
} from '../../src/domain/import-lines.ts';
import type { ColumnKey, LineInput, ValidatedLine, VendorForImport } from '../../src/domain/import-lines.ts';
import { readExpectedResults } from '../support/fixtures.ts';
import type { ExpectedCase } from '../support/fixtures.ts';

const expected = readExpectedResults();

// The fixture catalog (shared/fixtures/catalog.yaml).
const vendors: VendorForImport[] = [
  { id: 1, name: 'Acme Corp', enabled: true, emailDomains: ['acme.example'] },
  { id: 2, name: 'Globex', enabled: true, emailDomains: null },
  { id: 3, name: 'Initech', enabled: false, emailDomains: null },
];

// shared/fixtures/tools/common.py long_text(n)
function longText(n: number): string {
  const base = 'Maria Aparecida dos Santos Oliveira Pereira da Silva Junior ';
  let text = base.repeat(Math.floor(n / base.length) + 2).slice(0, n);
  if (text.endsWith(' ')) text = `${text.slice(0, -1)}o`;
  return text;
}
const NAME_201 = longText(201);
const DOC_65 = `DOC-${'1234567890'.repeat(6)}A`;

const EN: ColumnKey[] = ['vendor', 'name', 'email', 'phone', 'document', 'enabled'];
type Row = Array<string | null>;

// Rows as tools/cases_shared.py writes them; an empty cell (None) reaches the rules as ''.
function linesOf(rows: Row[], columns: ColumnKey[] = EN, firstLine = 2): LineInput[] {
  return rows.map((row, index) => {
    const values: Partial<Record<ColumnKey, string>> = {};
    columns.forEach((column, position) => {
      values[column] = (row[position] ?? '').trim();
    });
    return { lineNumber: firstLine + index, values };
  });
}

const CASES: Record<string, LineInput[]> = {
  'clean_en.xlsx': linesOf([
    ['Acme Corp', 'Ana Souza', 'ana.souza@acme.example', '+55 11 98765-4321', '123.456.789-09', 'Yes'],
    ['Acme Corp', 'Bruno Lima', 'bruno.lima@acme.example', '+55 21 99876-5432', null, 'Yes'],
    ['Globex', 'Carla Mendes', 'carla.mendes@globex.example', '+1 202 555 0143', 'P1234567', 'No'],
    ['Globex', 'Diego Torres', 'diego.torres@contractor.example', null, null, 'Yes'],
    ['Acme Corp', 'Elena Petrova', 'elena.petrova@acme.example', '+44 20 7946 0958', 'X9876543', 'Yes'],
  ]),
  'clean_comma.csv': linesOf([
    ['Globex', 'Fatima Zahra', 'fatima.zahra@globex.example', '+212 600 123456', '', 'yes'],
    ['Acme Corp', 'Gustavo Reis', 'gustavo.reis@acme.example', '', 'RG 12.345.678-9', 'no'],
    ['Globex', 'Hannah Schmidt', 'hannah.schmidt@partner.example', '+49 30 901820', '', 'TRUE'],
    ['Acme Corp', 'Ito, Kenji', 'kenji.ito@acme.example', '+81 3 1234 5678', '', '1'],
    ['Globex', 'Jamal Wright', 'jamal.wright@globex.example', '', '', '0'],
  ]),
  'clean_pt.ods': linesOf([
    ['Acme Corp', 'João Silva', 'joao.silva@acme.example', '(11) 91234-5678', '987.654.321-00', 'Sim'],
    ['Globex', 'Maria Conceição', 'maria.conceicao@globex.example', '+55 31 3333-4444', null, 'Não'],
    ['Acme Corp', 'Luís Gonçalves', 'luis.goncalves@acme.example', null, null, 'sim'],
    ['Globex', 'Ângela Araújo', 'angela.araujo@fornecedor.example', '+55 (48) 99999-0000', 'MG-12.345.678', 'NÃO'],
  ]),
  'clean_es.xls': linesOf([
    ['Globex', 'José Hernández', 'jose.hernandez@globex.example', '+52 55 1234 5678', 'HEGJ800101', 'Sí'],
    ['Acme Corp', 'Lucía Fernández', 'lucia.fernandez@acme.example', '+34 612 345 678', '12345678Z', 'No'],
    ['Globex', 'Martín Gómez', 'martin.gomez@proveedor.example', null, null, 'sí'],
    ['Acme Corp', 'Sofía Ramírez', 'sofia.ramirez@acme.example', '+57 300 1234567', null, 'SÍ'],
  ]),
  'semicolon_bom_pt.csv': linesOf([
    ['Acme Corp', 'Souza, Paulo', 'paulo.souza@acme.example', '+55 11 97777-1111', '', 'Sim'],
    ['Globex', 'Renata Alves', 'renata.alves@globex.example', '', '123,45', 'Não'],
    ['Acme Corp', 'Tiago Costa', 'tiago.costa@acme.example', '+55 11 96666-2222', '', 'sim'],
  ]),
  'validation_errors.xlsx': linesOf([
    ['Acme Corp', 'Valid Person', 'valid.person@acme.example', null, null, 'Yes'],
    ['Umbrella Inc', 'Ursula Unknown', 'ursula@umbrella.example', null, null, 'Yes'],
    ['Initech', 'Ivan Disabled', 'ivan@initech.example', null, null, 'Yes'],
    ['Acme Corp', 'Olga Outside', 'olga@globex.example', null, null, 'Yes'],
    ['Globex', 'Bad Email', 'bad.email@', null, null, 'Yes'],
    ['Globex', 'Missing At', 'missing.at.globex.example', null, null, 'No'],
    ['Acme Corp', 'Valid Person Again', 'VALID.PERSON@ACME.EXAMPLE', null, null, 'Yes'],
    ['Globex', null, 'no.name@globex.example', null, null, 'Yes'],
    ['Globex', NAME_201, 'long.name@globex.example', null, null, 'Yes'],
    ['Globex', 'Doc Too Long', 'doc.long@globex.example', null, DOC_65, 'Yes'],
    ['Globex', 'Bad Phone', 'bad.phone@globex.example', '12345', null, 'Yes'],
    ['Globex', 'Bad Enabled', 'bad.enabled@globex.example', null, null, 'maybe'],
    [null, 'Vera Blank', 'vera.blank@globex.example', null, null, 'Yes'],
    ['Globex', 'Missing Email', null, null, null, 'Yes'],
    ['Globex', 'Last Valid', 'last.valid@globex.example', '+55 11 91111-2222', null, 'No'],
  ]),
  'enabled_values.csv': linesOf(
    [
      ['Globex', 'E01 Yes', 'e01@globex.example', 'Yes'],
      ['Globex', 'E02 No', 'e02@globex.example', 'No'],
      ['Globex', 'E03 TRUE', 'e03@globex.example', 'TRUE'],
      ['Globex', 'E04 FALSE', 'e04@globex.example', 'FALSE'],
      ['Globex', 'E05 one', 'e05@globex.example', '1'],
      ['Globex', 'E06 zero', 'e06@globex.example', '0'],
      ['Globex', 'E07 Sim', 'e07@globex.example', 'Sim'],
      ['Globex', 'E08 Não', 'e08@globex.example', 'Não'],
      ['Globex', 'E09 Sí', 'e09@globex.example', 'Sí'],
      ['Globex', 'E10 x', 'e10@globex.example', 'x'],
      ['Globex', 'E11 blank', 'e11@globex.example', ''],
      ['Globex', 'E12 yes', 'e12@globex.example', 'yes'],
      ['Globex', 'E13 no', 'e13@globex.example', 'no'],
      ['Globex', 'E14 perhaps', 'e14@globex.example', 'perhaps'],
    ],
    ['vendor', 'name', 'email', 'enabled'],
  ),
  // Rows 3, 4, 6, 8 and 9 are blank: the reader skips them, and the line numbers keep counting them.
  'blank_lines.csv': [
    ...linesOf([['Globex', 'Kai Blank', 'kai@globex.example', '', '', 'Yes']], EN, 2),
    ...linesOf([['Acme Corp', 'Lena Wrong', 'lena@globex.example', '', '', 'Yes']], EN, 5),
    ...linesOf([['Globex', 'Milo After', 'milo@globex.example', '', '', 'No']], EN, 7),
  ],
  // Notes and Department are unknown columns the reader ignores; Phone and Document are absent (undefined).
  'columns_reordered.xlsx': linesOf(
    [
      ['Yes', 'nina@acme.example', 'Nina Park', 'Acme Corp'],
      ['No', 'omar@globex.example', 'Omar Haddad', 'Globex'],
      ['Yes', 'pia@acme.example', 'Pia Larsen', 'Initech'],
    ],
    ['enabled', 'email', 'name', 'vendor'],
  ),
  'preload.xlsx': linesOf([
    ['Acme Corp', 'Rita Preload', 'rita@acme.example', null, null, 'Yes'],
    ['Globex', 'Sam Preload', 'sam@globex.example', null, null, 'No'],
    ['Globex', 'Tess Preload', 'tess@globex.example', null, null, 'Yes'],
  ]),
  'reimport.xlsx': linesOf([
    ['Acme Corp', 'Rita Preload', 'rita@acme.example', null, null, 'Yes'],
    ['Globex', 'Sam Preload', 'SAM@GLOBEX.EXAMPLE', null, null, 'Yes'],
    ['Globex', 'Uma New', 'uma@globex.example', null, null, 'Yes'],
    ['Globex', 'Tess Renamed', 'tess@globex.example', null, null, 'Yes'],
    ['Globex', 'Vic New', 'vic@globex.example', null, null, 'No'],
  ]),
};

function existingEmailsFor(file: string): Set<string> {
  const preload = (expected[file] as ExpectedCase & { preload?: string }).preload;
  if (preload === undefined) return new Set();
  // The preload file, imported first on an empty database: its created users are the registered ones.
  const result = validateLines(CASES[preload] ?? [], { vendors, existingEmails: new Set() });
  return new Set(result.lines.flatMap((line) => (line.user === null ? [] : [line.user.email])));
}

function byLine(lines: ValidatedLine[], lineNumber: number): ValidatedLine {
  const line = lines.find((candidate) => candidate.lineNumber === lineNumber);
  if (line === undefined) throw new Error(`no result for line ${lineNumber}`);
  return line;
}

describe('validateLines on every shared fixture', () => {
  const lineCases = Object.entries(expected).filter(([, fixture]) => fixture.wholeFileError === null);

  it('covers every line-by-line fixture', () => {
    expect(lineCases.map(([file]) => file).sort()).toEqual(Object.keys(CASES).sort());
  });

  it.each(lineCases)('%s', (file, fixture) => {
    const input = CASES[file];
    if (input === undefined) throw new Error(`no rows for ${file}`);
    const result = validateLines(input, { vendors, existingEmails: existingEmailsFor(file) });

    expect(result.counts).toEqual(fixture.counts);
    expect(result.lines.map((line) => String(line.lineNumber))).toEqual(Object.keys(fixture.lines));

    for (const [lineNumber, want] of Object.entries(fixture.lines)) {
      const got = byLine(result.lines, Number(lineNumber));
      const where = `${file} line ${lineNumber}`;
      expect(got.outcome, where).toBe(want.outcome);
      if (want.outcome === 'error') {
        expect(got.errors[0]?.column, where).toBe(want.column);
        expect(got.user, where).toBeNull();
        expect(got.duplicateOf, where).toBe(want.duplicateOf ?? null);
        continue;
      }
      expect(got.errors, where).toEqual([]);
      expect(got.email, where).toBe(want.email);
      if (want.outcome === 'existing') {
        expect(got.user, where).toBeNull();
        continue;
      }
      const row = input.find((line) => line.lineNumber === Number(lineNumber));
      expect(got.user, where).toEqual({
        vendorId: vendors.find((vendor) => vendor.name.toLowerCase() === row?.values.vendor?.toLowerCase())?.id,
        name: want.name ?? row?.values.name,
        email: want.email,
        phone: want.phone ?? (row?.values.phone ? expect.any(String) : null),
        document: want.document ?? (row?.values.document ? row.values.document : null),
        enabled: want.outcome === 'created',
      });
    }
  });

  it('names each problem of validation_errors.xlsx in plain words', () => {
    const result = validateLines(CASES['validation_errors.xlsx'] ?? [], { vendors, existingEmails: new Set() });
    const messages = Object.fromEntries(
      result.lines.filter((line) => line.outcome === 'error').map((line) => [line.lineNumber, line.errors]),
    );
    expect(messages).toEqual({
      3: [{ column: 'Vendor', value: 'Umbrella Inc', message: 'unknown vendor "Umbrella Inc"' }],
      4: [{ column: 'Vendor', value: 'Initech', message: 'vendor "Initech" is disabled' }],
      5: [
        {
          column: 'Email',
          value: 'olga@globex.example',
          message: 'domain globex.example not allowed for Acme Corp (allowed: acme.example)',
        },
      ],
      6: [{ column: 'Email', value: 'bad.email@', message: 'not a valid email' }],
      7: [{ column: 'Email', value: 'missing.at.globex.example', message: 'not a valid email' }],
      8: [{ column: 'Email', value: 'VALID.PERSON@ACME.EXAMPLE', message: 'duplicate of line 2' }],
      9: [{ column: 'Name', value: '', message: 'required' }],
      10: [{ column: 'Name', value: NAME_201, message: 'longer than 200 characters (201)' }],
      11: [{ column: 'Document', value: DOC_65, message: 'longer than 64 characters (65)' }],
      12: [{ column: 'Phone', value: '12345', message: 'not 8–15 digits (5 digits)' }],
      13: [
        {
          column: 'Enabled',
          value: 'maybe',
          message: 'not a yes/no value (use Yes, No, True, False, 1, 0, Sim, Não, Sí, x or leave blank)',
        },
      ],
      14: [{ column: 'Vendor', value: '', message: 'required' }],
      15: [{ column: 'Email', value: '', message: 'required' }],
    });
  });
});

describe('validateLines rules', () => {
  const context = { vendors, existingEmails: new Set<string>() };
  const line = (values: Partial<Record<ColumnKey, string>>, lineNumber = 2): LineInput => ({
    lineNumber,
    values: { vendor: 'Globex', name: 'Ana', email: 'ana@globex.example', enabled: 'Yes', ...values },
  });

  it('collects every problem of a line, in column order', () => {
    const [result] = validateLines(
      [line({ vendor: 'Nope', name: '', email: 'bad', phone: 'call me', document: 'D'.repeat(65), enabled: '?' })],
      context,
    ).lines;
    expect(result?.outcome).toBe('error');
    expect(result?.errors.map((error) => error.column)).toEqual([
      'Vendor',
      'Name',
      'Email',
      'Phone',
      'Document',
      'Enabled',
    ]);
    expect(result?.errors[3]?.message).toBe('not a valid phone number (8–15 digits)');
  });

  it('matches vendors whatever their case', () => {
    const [result] = validateLines([line({ vendor: 'acme CORP', email: 'ana@ACME.example' })], context).lines;
    expect(result?.user).toMatchObject({ vendorId: 1, email: 'ana@acme.example' });
  });

  it('names every allowed domain of the vendor', () => {
    const many = [{ id: 9, name: 'Hooli', enabled: true, emailDomains: ['hooli.example', 'Hooli.dev'] }];
    const [wrong, right] = validateLines(
      [line({ vendor: 'Hooli', email: 'a@sub.hooli.example' }), line({ vendor: 'Hooli', email: 'b@HOOLI.dev' }, 3)],
      { vendors: many, existingEmails: new Set() },
    ).lines;
    expect(wrong?.errors).toEqual([
      {
        column: 'Email',
        value: 'a@sub.hooli.example',
        message: 'domain sub.hooli.example not allowed for Hooli (allowed: hooli.example, hooli.dev)',
      },
    ]);
    expect(right?.outcome).toBe('created');
  });

  it('points every repeat of an email at its first line, even when that line is in error', () => {
    const result = validateLines(
      [
        line({ vendor: 'Umbrella', email: 'Same@globex.example' }, 2),
        line({ email: 'same@globex.example' }, 3),
        line({ email: 'SAME@GLOBEX.EXAMPLE' }, 7),
      ],
      context,
    );
    expect(result.lines.map((validated) => [validated.outcome, validated.duplicateOf])).toEqual([
      ['error', null],
      ['error', 2],
      ['error', 2],
    ]);
    expect(result.lines[2]?.errors).toEqual([
      { column: 'Email', value: 'SAME@GLOBEX.EXAMPLE', message: 'duplicate of line 2' },
    ]);
  });

  it('reports a repeat of a registered email as a duplicate', () => {
    const result = validateLines([line({ email: 'old@globex.example' }, 2), line({ email: 'OLD@globex.example' }, 3)], {
      vendors,
      existingEmails: new Set(['old@globex.example']),
    });
    expect(result.lines.map((validated) => validated.outcome)).toEqual(['existing', 'error']);
    expect(result.counts).toEqual({ lines: 2, created: 0, created_inactive: 0, existing: 1, error: 1 });
  });

  it('treats a registered email as existing whatever the other cells say', () => {
    const [result] = validateLines([line({ vendor: 'Initech', name: '', enabled: 'maybe' })], {
      vendors,
      existingEmails: new Set(['ana@globex.example']),
    }).lines;
    expect(result).toMatchObject({ outcome: 'existing', errors: [], user: null, email: 'ana@globex.example' });
  });

  it('normalises phones to + and digits', () => {
    const phones = ['+55 (11) 98765-4321', '11.9876.5432', '12345678', '+123456789012345'];
    const result = validateLines(
      phones.map((phone, index) => line({ phone, email: `p${index}@globex.example` }, index + 2)),
      context,
    );
    expect(result.lines.map((validated) => validated.user?.phone)).toEqual([
      '+5511987654321',
      '+1198765432',
      '+12345678',
      '+123456789012345',
    ]);
  });

  it('refuses phones with other characters, a misplaced + or the wrong number of digits', () => {
    const phones = ['+55 11 9876 5432 ext 3', '55+11987654321', '1234567', '+1234567890123456', '++5511987654321'];
    const result = validateLines(
      phones.map((phone, index) => line({ phone, email: `p${index}@globex.example` }, index + 2)),
      context,
    );
    expect(result.lines.map((validated) => validated.errors[0]?.column)).toEqual(phones.map(() => 'Phone'));
  });

  it('counts characters, not UTF-16 units, against the limits', () => {
    const [emoji, tooLong] = validateLines(
      [line({ name: '😀'.repeat(200) }, 2), line({ name: 'é'.repeat(201), email: 'b@globex.example' }, 3)],
      context,
    ).lines;
    expect(emoji?.outcome).toBe('created');
    expect(tooLong?.errors[0]?.message).toBe('longer than 200 characters (201)');
  });

  it('stores an empty optional cell as null and a missing Enabled cell as No', () => {
    const [result] = validateLines(
      [{ lineNumber: 2, values: { vendor: 'Globex', name: 'Ana', email: 'ana@globex.example', phone: '' } }],
      context,
    ).lines;
    expect(result?.user).toEqual({
      vendorId: 2,
      name: 'Ana',
      email: 'ana@globex.example',
      phone: null,
      document: null,
      enabled: false,
    });
  });

  it('validates 50,000 lines quickly', () => {
    const lines: LineInput[] = [];
    for (let index = 0; index < 50_000; index += 1) {
      lines.push({
        lineNumber: index + 2,
        values: {
          vendor: index % 3 === 0 ? 'Acme Corp' : 'globex',
          name: `Person ${index}`,
          email: `person.${index}@${index % 3 === 0 ? 'acme' : 'globex'}.example`,
          phone: index % 2 === 0 ? `+55 11 9${String(index).padStart(4, '0')}-0000` : '',
          document: index % 5 === 0 ? `DOC-${index}` : '',
          enabled: index % 4 === 0 ? 'Não' : 'Yes',
        },
      });
    }
    const existingEmails = new Set(collectEmails(lines).filter((_, index) => index % 10 === 0));
    const started = performance.now();
    const result = validateLines(lines, { vendors, existingEmails });
    const elapsed = performance.now() - started;
    expect(result.counts.lines).toBe(50_000);
    expect(result.counts.error).toBe(0);
    expect(result.counts.existing).toBe(5_000);
    expect(elapsed).toBeLessThan(2_000);
  });
});

describe('normaliseEmail and collectEmails', () => {
  it('lower-cases valid addresses and refuses the rest', () => {
    expect(normaliseEmail('Ana.Souza@ACME.example')).toBe('ana.souza@acme.example');
    for (const invalid of [
      '',
      'bob@',
      'bob',
      'a@b',
      'a..b@c.example',
      'a b@c.example',
      `${'a'.repeat(250)}@c.example`,
    ]) {
      expect(normaliseEmail(invalid), invalid).toBeNull();
    }
  });

  it('returns each valid email once, for the one query that finds registered users', () => {
    const emails = collectEmails([
      { lineNumber: 2, values: { email: 'A@globex.example' } },
      { lineNumber: 3, values: { email: 'a@globex.example' } },
      { lineNumber: 4, values: { email: 'bad@' } },
      { lineNumber: 5, values: {} },
      { lineNumber: 6, values: { email: 'b@acme.example' } },
    ]);
    expect(emails).toEqual(['a@globex.example', 'b@acme.example']);
  });
});

describe('parseEnabled', () => {
  it('reads yes/no in English, Portuguese and Spanish, any case, accents optional', () => {
    for (const yes of ['Yes', 'TRUE', '1', 'Sim', 'SIM', 'Sí', 'SÍ', 'si', 'x', 'X'])
      expect(parseEnabled(yes), yes).toBe(true);
    for (const no of ['No', 'false', '0', 'Não', 'NÃO', 'nao', '']) expect(parseEnabled(no), no).toBe(false);
    for (const other of ['maybe', 'y', 'n', 'oui', '2', 'yes!']) expect(parseEnabled(other), other).toBeNull();
  });
});

describe('formatErrorLine', () => {
  it('writes the line as the README shows it', () => {
    expect(formatErrorLine(14, { column: 'Email', value: 'bob@', message: 'not a valid email' })).toBe(
      'line 14 · Email · "bob@" · not a valid email',
    );
    expect(formatErrorLine(14, { column: 'Email', value: 'bob@', message: 'not a valid email' })).toBe(
      'line 14 \u00b7 Email \u00b7 "bob@" \u00b7 not a valid email',
    );
  });

  it('shortens a very long value', () => {
    const text = formatErrorLine(10, { column: 'Name', value: NAME_201, message: 'longer than 200 characters (201)' });
    expect(text).toBe(`line 10 · Name · "${NAME_201.slice(0, 59)}…" · longer than 200 characters (201)`);
  });
});
