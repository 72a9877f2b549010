// The columns of an import spreadsheet and the header names, in English, Portuguese and Spanish, that
// name them. Shared by the reader, the template and anything that maps a header back to its meaning.
// Kept apart from the line rules (import-lines.ts), which load zod: the spreadsheet worker imports this file to
// read the headers, and starting it is part of every dry run's time.

export type ColumnKey = 'vendor' | 'name' | 'email' | 'phone' | 'document' | 'enabled';

export const COLUMN_LABELS: Readonly<Record<ColumnKey, string>> = {
  vendor: 'Vendor',
  name: 'Name',
  email: 'Email',
  phone: 'Phone',
  document: 'Document',
  enabled: 'Enabled',
};

export const REQUIRED_COLUMNS: readonly ColumnKey[] = ['vendor', 'name', 'email', 'enabled'];
export const OPTIONAL_COLUMNS: readonly ColumnKey[] = ['phone', 'document'];

const HEADER_ALIASES: Record<ColumnKey, readonly string[]> = {
  vendor: ['Vendor', 'Fornecedor', 'Proveedor'],
  name: ['Name', 'Nome', 'Nombre'],
  email: ['Email', 'E-mail', 'Correo'],
  phone: ['Phone', 'Telefone', 'Celular', 'Teléfono'],
  document: ['Document', 'Documento'],
  enabled: ['Enabled', 'Ativo', 'Habilitado', 'Active', 'Activo'],
};

/**
 * The comparable form of a header: no accents, no case, no invisible characters, single spaces. Typographic
 * hyphens become "-" (word processors turn "E-mail" into "E‑mail"), and a trailing "*" is dropped because
 * templates mark required columns that way ("Vendor*", as in the spec's own table).
 */
export function normalizeHeader(header: string): string {
  return header
    .normalize('NFKD')
    .replace(/\p{M}|\p{Cf}/gu, '')
    .replace(/[\u2010-\u2015\u2212]/g, '-')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/\s*\*$/, '');
}

const KEY_BY_NORMALIZED_HEADER = new Map<string, ColumnKey>(
  (Object.entries(HEADER_ALIASES) as [ColumnKey, readonly string[]][]).flatMap(([key, aliases]) =>
    aliases.map((alias) => [normalizeHeader(alias), key] as const),
  ),
);

export function columnKeyForHeader(header: string): ColumnKey | null {
  return KEY_BY_NORMALIZED_HEADER.get(normalizeHeader(header)) ?? null;
}

/** "expected headers: Vendor, Name, Email, Enabled; optional: Phone, Document", for refusal messages. */
export function describeExpectedHeaders(): string {
  const labels = (keys: readonly ColumnKey[]) => keys.map((key) => COLUMN_LABELS[key]).join(', ');
  return `expected headers: ${labels(REQUIRED_COLUMNS)}; optional: ${labels(OPTIONAL_COLUMNS)}`;
}

/** Where each column is among a line's cells (the file's header order); a column the file lacks is left out. */
export function columnIndexes(headers: readonly string[]): Partial<Record<ColumnKey, number>> {
  const indexes: Partial<Record<ColumnKey, number>> = {};
  headers.forEach((header, index) => {
    const key = columnKeyForHeader(header);
    if (key && indexes[key] === undefined) indexes[key] = index;
  });
  return indexes;
}
