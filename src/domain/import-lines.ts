// The per-line rules of a spreadsheet import (README "Importing users"): which lines create a user, which are already
// registered, and which are in error, with every problem named by column. Pure: the caller reads the file,
// finds the registered emails with one query (collectEmails) and passes the enabled-or-not vendors in.
import { z } from 'zod';
import type { LineError, LineOutcome } from '../db/schema.ts';

import { COLUMN_LABELS } from './columns.ts';
import type { ColumnKey } from './columns.ts';

export { COLUMN_LABELS };
export type { ColumnKey };

export interface LineInput {
  lineNumber: number;
  /** Already trimmed text; a missing optional column is undefined. */
  values: Partial<Record<ColumnKey, string>>;
}

export interface VendorForImport {
  id: number;
  name: string;
  enabled: boolean;
  /** null: any email domain is allowed. */
  emailDomains: string[] | null;
}

export interface NewUser {
  vendorId: number;
  name: string;
  email: string;
  phone: string | null;
  document: string | null;
  enabled: boolean;
}

export interface ValidatedLine {
  lineNumber: number;
  outcome: LineOutcome;
  errors: LineError[];
  /** The normalised (lower-case) address whenever the Email cell holds a valid one, even on an error line. */
  email: string | null;
  /** The first line with the same email, when this line repeats it. */
  duplicateOf: number | null;
  /** The user to insert, for created and created_inactive lines. */
  user: NewUser | null;
}

export interface ImportCounts {
  lines: number;
  created: number;
  created_inactive: number;
  existing: number;
  error: number;
}

/**
 * The counts of a request's lines once provisioned: the lines whose users an approver excluded ("Approve
 * except…") are counted apart from Created, so the counts still add up to Lines.
 */
export interface FinalCounts extends ImportCounts {
  excluded?: number;
}

export interface ValidationContext {
  vendors: VendorForImport[];
  /** Registered emails, lower-case. */
  existingEmails: ReadonlySet<string>;
}

export const NAME_MAX_CHARACTERS = 200;
export const DOCUMENT_MAX_CHARACTERS = 64;
// RFC 5321 caps a forward path at 256 octets, i.e. 254 characters for the address itself.
const EMAIL_MAX_CHARACTERS = 254;
const PHONE_MIN_DIGITS = 8;
const PHONE_MAX_DIGITS = 15;

export const ENABLED_VALUES_HINT = 'Yes, No, True, False, 1, 0, Sim, Não, Sí, x or leave blank';

// zod's own email pattern (what z.email() checks), tested directly: every line's email is checked twice (the
// registered-email lookup, then the line), and safeParse's result objects cost more than the pattern itself on a
// 50,000-line file.
const EMAIL_PATTERN = z.regexes.email;

// Keys are lower-case without accents, so "NÃO", "não" and "Nao" all read as No.
const ENABLED_WORDS: ReadonlyMap<string, boolean> = new Map([
  ['yes', true],
  ['true', true],
  ['1', true],
  ['sim', true],
  ['si', true],
  ['x', true],
  ['no', false],
  ['false', false],
  ['0', false],
  ['nao', false],
  ['', false],
]);

// Separators people type in phone numbers; anything else (letters, "ext", "/") makes the number invalid
// rather than being silently dropped, since a mangled number would reach the user's access emails.
const PHONE_SEPARATORS = /[\s\-.()]/g;
const PHONE_SHAPE = /^\+?\d+$/;

export function normaliseEmail(raw: string): string | null {
  const email = raw.trim().toLowerCase();
  if (email === '') return null;
  return email.length <= EMAIL_MAX_CHARACTERS && EMAIL_PATTERN.test(email) ? email : null;
}

export function collectEmails(lines: LineInput[]): string[] {
  const emails = new Set<string>();
  for (const line of lines) {
    const email = normaliseEmail(line.values.email ?? '');
    if (email !== null) emails.add(email);
  }
  return [...emails];
}

export function validateLines(
  lines: LineInput[],
  context: ValidationContext,
): { lines: ValidatedLine[]; counts: ImportCounts } {
  const validator = createLineValidator(context);
  const validated = lines.map(validator.validate);
  return { lines: validated, counts: validator.counts };
}

/**
 * validateLines a line at a time, for a caller that gives the event loop a turn between slices of a big file:
 * lines must come in file order (the first of two lines with the same email is the one that counts).
 */
export function createLineValidator(context: ValidationContext): {
  validate: (line: LineInput) => ValidatedLine;
  counts: ImportCounts;
} {
  const vendorsByName = new Map<string, VendorForImport>();
  for (const vendor of context.vendors) vendorsByName.set(vendor.name.trim().toLowerCase(), vendor);
  const allowedDomainsByVendor = new Map<number, ReadonlySet<string>>();
  for (const vendor of context.vendors) {
    if (vendor.emailDomains !== null && vendor.emailDomains.length > 0) {
      allowedDomainsByVendor.set(vendor.id, new Set(vendor.emailDomains.map((domain) => domain.toLowerCase())));
    }
  }

  const firstLineByEmail = new Map<string, number>();
  const counts: ImportCounts = { lines: 0, created: 0, created_inactive: 0, existing: 0, error: 0 };
  return {
    counts,
    validate: (line) => {
      const result = validateLine(
        line,
        context.existingEmails,
        vendorsByName,
        allowedDomainsByVendor,
        firstLineByEmail,
      );
      counts.lines += 1;
      counts[result.outcome] += 1;
      return result;
    },
  };
}

/** Records a problem with one cell of the line. */
type ReportProblem = (column: ColumnKey, message: string) => void;

function validateLine(
  line: LineInput,
  existingEmails: ReadonlySet<string>,
  vendorsByName: ReadonlyMap<string, VendorForImport>,
  allowedDomainsByVendor: ReadonlyMap<number, ReadonlySet<string>>,
  firstLineByEmail: Map<string, number>,
): ValidatedLine {
  const { lineNumber, values } = line;
  const errors: LineError[] = [];
  const fail: ReportProblem = (column, message) => {
    errors.push({ column: COLUMN_LABELS[column], value: values[column] ?? '', message });
  };

  // Email first: whether the line repeats an earlier one, or names a registered user, decides how much of
  // the rest matters.
  const rawEmail = values.email ?? '';
  const email = rawEmail === '' ? null : normaliseEmail(rawEmail);
  const duplicateOf = email === null ? null : claimEmail(firstLineByEmail, email, lineNumber);

  // A registered address is `existing` whatever the other cells say: the user is not updated, so nothing
  // else on the line is stored, and reporting errors on cells that are never read would only get in the way
  // of re-importing a corrected file (the fixtures' reimport case: "whatever the name or Enabled"). A repeat
  // of a registered address later in the file is still a duplicate error, like any repeat.
  if (email !== null && duplicateOf === null && existingEmails.has(email)) {
    return { lineNumber, outcome: 'existing', errors, email, duplicateOf: null, user: null };
  }

  const vendor = checkVendor(values.vendor ?? '', vendorsByName, fail);
  const name = values.name ?? '';
  checkName(name, fail);
  if (rawEmail === '') fail('email', 'required');
  else if (email === null) fail('email', 'not a valid email');
  else if (duplicateOf !== null) fail('email', `duplicate of line ${duplicateOf}`);
  else if (vendor !== null) checkEmailDomain(email, vendor, allowedDomainsByVendor, fail);
  const phone = checkPhone(values.phone ?? '', fail);
  const document = values.document ?? '';
  checkDocument(document, fail);
  const enabled = parseEnabled(values.enabled ?? '');
  if (enabled === null) fail('enabled', `not a yes/no value (use ${ENABLED_VALUES_HINT})`);

  if (errors.length > 0 || vendor === null || email === null || enabled === null) {
    return { lineNumber, outcome: 'error', errors, email, duplicateOf, user: null };
  }
  return {
    lineNumber,
    outcome: enabled ? 'created' : 'created_inactive',
    errors,
    email,
    duplicateOf: null,
    user: {
      vendorId: vendor.id,
      name,
      email,
      phone,
      document: document === '' ? null : document,
      enabled,
    },
  };
}

/**
 * The earlier line that claimed this address, or null when this line is the first and now claims it. The first
 * occurrence claims it whatever its own outcome, so the message on every repeat points at one line.
 */
function claimEmail(firstLineByEmail: Map<string, number>, email: string, lineNumber: number): number | null {
  const firstLine = firstLineByEmail.get(email);
  if (firstLine !== undefined) return firstLine;
  firstLineByEmail.set(email, lineNumber);
  return null;
}

/** The enabled vendor the line names, or null with the problem reported. */
function checkVendor(
  vendorName: string,
  vendorsByName: ReadonlyMap<string, VendorForImport>,
  fail: ReportProblem,
): VendorForImport | null {
  if (vendorName === '') {
    fail('vendor', 'required');
    return null;
  }
  const found = vendorsByName.get(vendorName.toLowerCase());
  if (found === undefined) fail('vendor', `unknown vendor "${vendorName}"`);
  else if (!found.enabled) fail('vendor', `vendor "${found.name}" is disabled`);
  else return found;
  return null;
}

function checkName(name: string, fail: ReportProblem): void {
  if (name === '') return fail('name', 'required');
  const length = characterCount(name);
  if (length > NAME_MAX_CHARACTERS) fail('name', `longer than ${NAME_MAX_CHARACTERS} characters (${length})`);
}

/**
 * Checked only against an enabled vendor the line names correctly: against an unknown or disabled one the
 * message would be noise, as the vendor itself must change first.
 */
function checkEmailDomain(
  email: string,
  vendor: VendorForImport,
  allowedDomainsByVendor: ReadonlyMap<number, ReadonlySet<string>>,
  fail: ReportProblem,
): void {
  const allowed = allowedDomainsByVendor.get(vendor.id);
  const domain = email.slice(email.lastIndexOf('@') + 1);
  if (allowed !== undefined && !allowed.has(domain)) {
    fail('email', `domain ${domain} not allowed for ${vendor.name} (allowed: ${[...allowed].join(', ')})`);
  }
}

/** The number as `+<digits>`, or null when the cell is blank or (with the problem reported) invalid. */
function checkPhone(rawPhone: string, fail: ReportProblem): string | null {
  if (rawPhone === '') return null;
  const compact = rawPhone.replace(PHONE_SEPARATORS, '');
  if (!PHONE_SHAPE.test(compact)) {
    fail('phone', `not a valid phone number (${PHONE_MIN_DIGITS}–${PHONE_MAX_DIGITS} digits)`);
    return null;
  }
  const digits = compact.startsWith('+') ? compact.slice(1) : compact;
  if (digits.length < PHONE_MIN_DIGITS || digits.length > PHONE_MAX_DIGITS) {
    fail('phone', `not ${PHONE_MIN_DIGITS}–${PHONE_MAX_DIGITS} digits (${digits.length} digits)`);
    return null;
  }
  return `+${digits}`;
}

function checkDocument(document: string, fail: ReportProblem): void {
  if (document === '') return;
  const length = characterCount(document);
  if (length > DOCUMENT_MAX_CHARACTERS)
    fail('document', `longer than ${DOCUMENT_MAX_CHARACTERS} characters (${length})`);
}

/** Yes/No in English, Portuguese or Spanish, any case, accents optional; blank is No. null: not a yes/no. */
export function parseEnabled(raw: string): boolean | null {
  const direct = ENABLED_WORDS.get(raw.toLowerCase());
  if (direct !== undefined) return direct;
  const plain = raw.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
  return ENABLED_WORDS.get(plain) ?? null;
}

// Characters as PostgreSQL's char_length counts them (code points), so an emoji counts once, as the
// database's CHECK constraint will.
function characterCount(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code < 0xdc00 || code > 0xdfff) count += 1;
  }
  return count;
}

// A long cell (a 201-character name) would swamp a Slack message; the full value stays in the results file.
const SHOWN_VALUE_MAX_CHARACTERS = 60;

/** `line 14 · Email · "bob@" · not a valid email`, as the preview and the summary list errors. */
export function formatErrorLine(lineNumber: number, error: LineError): string {
  const codePoints = Array.from(error.value);
  const value =
    codePoints.length > SHOWN_VALUE_MAX_CHARACTERS
      ? `${codePoints.slice(0, SHOWN_VALUE_MAX_CHARACTERS - 1).join('')}…`
      : error.value;
  return `line ${lineNumber} \u00b7 ${error.column} \u00b7 "${value}" \u00b7 ${error.message}`;
}

/** Error lines shown inline: in a preview, and in a summary (the rest are in the results spreadsheet). */
export const PREVIEW_ERROR_LINES = 10;
export const SUMMARY_ERROR_LINES = 20;

/** The results spreadsheet's name (README "Importing users"): every line with its outcome. */
export function resultsFileName(importCode: string): string {
  return `${importCode}-results.xlsx`;
}
