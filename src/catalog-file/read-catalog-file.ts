// Reading a catalog file (README.md, section "The catalog"): YAML or JSON text → one plain value, or the syntax
// problems with their line and column. This adapter knows the two formats and nothing of what the value must
// hold: that is src/domain/catalog-schema.ts (each entry) and src/domain/catalog-rules.ts (across entries).
import { parseDocument } from 'yaml';
import type { YAMLError } from 'yaml';

export type CatalogFormat = 'yaml' | 'json';

/** The file's content as plain data (never null: an empty file is a problem), or why it could not be read. */
export type CatalogFileRead = { ok: true; value: unknown } | { ok: false; problems: string[] };

/** `.yaml`, `.yml` or `.json` (any case); undefined for anything else. */
export function catalogFormatFromFileName(name: string): CatalogFormat | undefined {
  const extension = /\.([^./\\]+)$/.exec(name)?.[1]?.toLowerCase();
  if (extension === 'yaml' || extension === 'yml') return 'yaml';
  if (extension === 'json') return 'json';
  return undefined;
}

export function readCatalogFile(text: string, format: CatalogFormat): CatalogFileRead {
  // Editors on Windows often save a byte-order mark, which JSON.parse refuses.
  const withoutBom = text.replace(/^\uFEFF/, '');
  const read = format === 'json' ? readJson(withoutBom) : readYaml(withoutBom);
  // A YAML file of comments only, or a JSON `null`, reads as nothing: most likely the wrong file.
  if (read.ok && (read.value === null || read.value === undefined)) return { ok: false, problems: [EMPTY_FILE] };
  return read;
}

const EMPTY_FILE = 'the catalog file is empty (write {} for a catalog that changes nothing)';

// YAML 1.2 (core schema) keeps 2026-01-01 and yes/no as written instead of turning them into a Date and a
// boolean, and refuses duplicate keys, which YAML 1.1 parsers resolve silently by keeping the last one.
const YAML_OPTIONS = { version: '1.2', uniqueKeys: true, prettyErrors: true } as const;

function readYaml(text: string): CatalogFileRead {
  const document = parseDocument(text, YAML_OPTIONS);
  if (document.errors.length > 0) {
    return { ok: false, problems: document.errors.map(formatSyntaxError) };
  }
  try {
    // The alias limit stops a "billion laughs" file from expanding into gigabytes.
    return { ok: true, value: document.toJS({ maxAliasCount: 100 }) };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, problems: [`the file could not be read: ${reason}`] };
  }
}

function readJson(text: string): CatalogFileRead {
  if (text.trim() === '') return { ok: false, problems: [EMPTY_FILE] };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, problems: [formatJsonError(text, error instanceof Error ? error.message : String(error))] };
  }
  // JSON.parse keeps the last of two equal keys without a word; JSON is YAML 1.2, so the YAML parser finds them.
  const document = parseDocument(text, YAML_OPTIONS);
  const duplicates = document.errors.filter((error) => error.code === 'DUPLICATE_KEY');
  if (duplicates.length > 0) {
    return { ok: false, problems: duplicates.map(formatSyntaxError) };
  }
  return { ok: true, value };
}

const YAML_ERROR_WORDS: Partial<Record<string, string>> = {
  DUPLICATE_KEY: 'this key appears twice in the same entry or section',
  MULTIPLE_DOCS: 'the file holds several documents (separated by ---); keep the whole catalog in one',
  TAB_AS_INDENT: 'tabs are not allowed for indentation; indent with spaces',
};

function formatSyntaxError(error: YAMLError): string {
  const firstLine = (error.message.split('\n')[0] ?? error.message).replace(/ at line \d+, column \d+:?$/, '');
  const described = YAML_ERROR_WORDS[error.code] ?? firstLine;
  const position = error.linePos?.[0];
  return position ? `line ${position.line}, column ${position.col}: ${described}` : described;
}

function formatJsonError(text: string, message: string): string {
  const endsEarly = message === 'Unexpected end of JSON input';
  const reason = endsEarly ? 'the file ends too early' : message.replace(/ in JSON at position \d+.*$/s, '');
  const position = /at position (\d+)/.exec(message)?.[1];
  const offset = position === undefined ? (endsEarly ? text.length : undefined) : Number(position);
  if (offset === undefined) return `the file is not valid JSON: ${reason}`;
  const before = text.slice(0, offset).split('\n');
  return `line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1}: ${reason}`;
}
