// The catalog file (SPEC §6): vendors, access groups, reasons, devices, credentials and roles, written in YAML
// or JSON. Parsing is all-or-nothing: every problem in the file is listed, each with the path of the value it
// concerns (`credentials[3].device: unknown device "D-9"`), so an admin can fix the whole file in one pass.
import { parseDocument } from 'yaml';
import type { YAMLError } from 'yaml';
import { z } from 'zod';

export type CatalogFormat = 'yaml' | 'json';
export type CatalogRole = 'admin' | 'importer' | 'requester';

export interface CatalogAccessGroup {
  name: string;
  approverUserIds: string[];
  approverUsergroupId: string | null;
  approvalsRequired: number;
  rejectionsToCancel: number;
  governanceRequired: boolean;
}

export interface CatalogVendor {
  name: string;
  accessGroup: string;
  enabled: boolean;
  /** YYYY-MM-DD */
  contractStart: string;
  contractEnd: string | null;
  /** null: any email domain is allowed. */
  emailDomains: string[] | null;
}

export interface CatalogDevice {
  externalId: string;
  name: string;
  product: string;
  deviceType: string;
  site: string;
  domain: string;
}

export interface CatalogCredential {
  externalId: string;
  deviceExternalId: string;
  credentialType: string;
  username: string;
  domain: string;
}

export interface Catalog {
  /** Per role: the complete list of its members, or undefined when the file leaves that role alone. */
  roles: Record<CatalogRole, string[] | undefined>;
  /** The complete list of enabled reasons, or undefined when the file leaves reasons alone. */
  reasons: string[] | undefined;
  accessGroups: CatalogAccessGroup[];
  vendors: CatalogVendor[];
  devices: CatalogDevice[];
  credentials: CatalogCredential[];
}

/** Names and ids already in the database, which the file may refer to without listing them. */
export interface KnownCatalogEntries {
  accessGroups: string[];
  devices: string[];
}

export type CatalogParseResult = { ok: true; catalog: Catalog } | { ok: false; problems: string[] };

const SECTION_KEYS = [
  'admins',
  'importers',
  'requesters',
  'reasons',
  'access_groups',
  'vendors',
  'devices',
  'credentials',
] as const;

const ITEM_KEYS: Record<string, readonly string[]> = {
  access_groups: [
    'name',
    'approvers',
    'approver_usergroup',
    'approvals_required',
    'rejections_to_cancel',
    'governance_required',
  ],
  vendors: ['name', 'access_group', 'enabled', 'contract_start', 'contract_end', 'email_domains'],
  devices: ['id', 'name', 'product', 'type', 'site', 'domain'],
  credentials: ['id', 'device', 'type', 'username', 'domain'],
};

// The same patterns as the CHECK constraints in migrations/0001_initial.sql.
const SLACK_USER_ID = /^[UW][A-Z0-9]{2,}$/;
const SLACK_USERGROUP_ID = /^S[A-Z0-9]{2,}$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DOMAIN = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
// Slack refuses a whole message whose menu option text is longer than this, and reasons are offered in a menu.
const SLACK_OPTION_TEXT_MAX = 75;
// Far beyond any real approval policy; it keeps an absurd value from overflowing the integer column.
const COUNT_MAX = 1000;

type PathSegment = string | number;
interface Problem {
  path: PathSegment[];
  message: string;
}

export function parseCatalog(
  text: string,
  format: CatalogFormat,
  known: KnownCatalogEntries = { accessGroups: [], devices: [] },
): CatalogParseResult {
  // Editors on Windows often save a byte-order mark, which JSON.parse refuses.
  const withoutBom = text.replace(/^\uFEFF/, '');
  const read = format === 'json' ? readJson(withoutBom) : readYaml(withoutBom);
  if (!read.ok) return { ok: false, problems: read.problems };
  const raw = read.value;
  if (raw === null || raw === undefined) {
    return { ok: false, problems: [EMPTY_FILE] };
  }
  if (!isRecord(raw)) {
    return {
      ok: false,
      problems: [`catalog: must be a mapping of sections (${SECTION_KEYS.join(', ')}), not ${describeValue(raw)}`],
    };
  }

  const problems: Problem[] = [];
  const parsed = catalogSchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(...problemsFromIssue(issue));
  }
  problems.push(...findEntryRuleProblems(raw), ...findDuplicates(raw), ...findUnknownReferences(raw, known));

  if (problems.length > 0 || !parsed.success) {
    return { ok: false, problems: sortProblems(problems).map(formatProblem) };
  }
  return { ok: true, catalog: parsed.data };
}

// ---------------------------------------------------------------------------------------------------------
// Reading the text

type ReadResult = { ok: true; value: unknown } | { ok: false; problems: string[] };

const EMPTY_FILE = 'the catalog file is empty (write {} for a catalog that changes nothing)';

function readYaml(text: string): ReadResult {
  // YAML 1.2 (core schema) keeps 2026-01-01 and yes/no as written instead of turning them into a Date and a
  // boolean, and refuses duplicate keys, which YAML 1.1 parsers resolve silently by keeping the last one.
  const document = parseDocument(text, { version: '1.2', uniqueKeys: true, prettyErrors: true });
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

function readJson(text: string): ReadResult {
  if (text.trim() === '') return { ok: false, problems: [EMPTY_FILE] };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, problems: [formatJsonError(text, error instanceof Error ? error.message : String(error))] };
  }
  // JSON.parse keeps the last of two equal keys without a word; JSON is YAML 1.2, so the YAML parser finds them.
  const document = parseDocument(text, { version: '1.2', uniqueKeys: true, prettyErrors: true });
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

// ---------------------------------------------------------------------------------------------------------
// Structure (zod): every message is written for the person editing the file

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'empty';
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Date) return 'a date';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the text ${JSON.stringify(value)}`;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return `a ${typeof value}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

function textError(input: unknown): string {
  if (input === undefined) return 'is required';
  if (input === null) return 'is empty';
  if (typeof input === 'number' || typeof input === 'boolean') {
    return `must be text; put quotes around it ("${String(input)}")`;
  }
  return `must be text, not ${describeValue(input)}`;
}

const requiredText = z
  .string({ error: (issue) => textError(issue.input) })
  .trim()
  .min(1, { error: 'must not be empty' });

const optionalText = z
  .string({ error: (issue) => textError(issue.input) })
  .trim()
  .nullish()
  .transform((value) => value ?? '');

function formatted(pattern: RegExp, describe: (value: string) => string) {
  return z
    .string({ error: (issue) => textError(issue.input) })
    .trim()
    .superRefine((value, context) => {
      if (!pattern.test(value)) context.addIssue({ code: 'custom', message: describe(value) });
    });
}

const slackUserId = formatted(SLACK_USER_ID, (value) => `"${value}" is not a Slack user ID (like U0123ABCD)`);
const slackUsergroupId = formatted(
  SLACK_USERGROUP_ID,
  (value) => `"${value}" is not a Slack user group ID (like S0123ABCD)`,
);

const countMessage = 'must be a whole number ≥ 1';
const count = z
  .number({ error: countMessage })
  .int({ error: countMessage })
  .min(1, { error: countMessage })
  .max(COUNT_MAX, { error: `must be at most ${COUNT_MAX}` });

const yesNo = z.boolean({
  error: (issue) => `must be true or false, not ${describeValue(issue.input)}`,
});

function dateProblem(value: string): string | undefined {
  const match = ISO_DATE.exec(value);
  if (!match) return `must be a date written YYYY-MM-DD (like 2026-01-31), not "${value}"`;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    return `"${value}" is not a real date`;
  }
  return undefined;
}

const isoDate = z.preprocess(
  // A YAML 1.1 timestamp arrives as a Date at UTC midnight, so its ISO form holds the date as written.
  (value) => (value instanceof Date ? (dateOf(value) ?? value) : value),
  z
    .string({
      error: (issue) =>
        issue.input === undefined
          ? 'is required'
          : `must be a date written YYYY-MM-DD (like 2026-01-31), not ${describeValue(issue.input)}`,
    })
    .trim()
    .superRefine((value, context) => {
      const problem = dateProblem(value);
      if (problem) context.addIssue({ code: 'custom', message: problem });
    }),
);

const emailDomain = z.preprocess(
  (value) => (typeof value === 'string' ? value.trim().toLowerCase() : value),
  formatted(
    DOMAIN,
    (value) => `"${value}" is not a bare domain (write it like acme.example: no @, no http://, no path)`,
  ),
);

function listError(example: string) {
  return (issue: { input?: unknown }) =>
    issue.input === null
      ? 'is empty; write [] for an empty list, or remove the line'
      : `must be a list, like [${example}], not ${describeValue(issue.input)}`;
}

const userIdList = z.array(slackUserId, { error: listError('U0123ABCD, U0456EFGH') });

function entry<Shape extends z.core.$ZodLooseShape>(section: string, shape: Shape) {
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'invalid_type'
        ? `must be an entry with the keys ${(ITEM_KEYS[section] ?? []).join(', ')}, not ${describeValue(issue.input)}`
        : undefined,
  });
}

const accessGroupSchema = entry('access_groups', {
  name: requiredText,
  approvers: userIdList.nullish(),
  approver_usergroup: slackUsergroupId.nullish(),
  approvals_required: count.nullish(),
  rejections_to_cancel: count.nullish(),
  governance_required: yesNo.nullish(),
}).transform((group): CatalogAccessGroup => ({
  name: group.name,
  approverUserIds: group.approvers ?? [],
  approverUsergroupId: group.approver_usergroup ?? null,
  approvalsRequired: group.approvals_required ?? 1,
  rejectionsToCancel: group.rejections_to_cancel ?? 1,
  governanceRequired: group.governance_required ?? false,
}));

const vendorSchema = entry('vendors', {
  name: requiredText,
  access_group: requiredText,
  enabled: yesNo.nullish(),
  contract_start: isoDate,
  contract_end: isoDate.nullish(),
  email_domains: z
    .array(emailDomain, { error: listError('acme.example') })
    .min(1, { error: 'must list at least one domain, or be left out to allow any domain' })
    .nullish(),
}).transform((vendor): CatalogVendor => ({
  name: vendor.name,
  accessGroup: vendor.access_group,
  enabled: vendor.enabled ?? true,
  contractStart: vendor.contract_start,
  contractEnd: vendor.contract_end ?? null,
  emailDomains: vendor.email_domains ?? null,
}));

const deviceSchema = entry('devices', {
  id: requiredText,
  name: requiredText,
  product: optionalText,
  type: optionalText,
  site: optionalText,
  domain: optionalText,
}).transform((device): CatalogDevice => ({
  externalId: device.id,
  name: device.name,
  product: device.product,
  deviceType: device.type,
  site: device.site,
  domain: device.domain,
}));

const credentialSchema = entry('credentials', {
  id: requiredText,
  device: requiredText,
  type: optionalText,
  username: requiredText,
  domain: optionalText,
}).transform((credential): CatalogCredential => ({
  externalId: credential.id,
  deviceExternalId: credential.device,
  credentialType: credential.type,
  username: credential.username,
  domain: credential.domain,
}));

function section<Item extends z.ZodType>(item: Item, example: string, whenNull: string) {
  return z
    .array(item, {
      error: (issue) =>
        issue.input === null ? whenNull : `must be a list, like ${example}, not ${describeValue(issue.input)}`,
    })
    .optional();
}

// An empty role section is ambiguous (remove everyone, or leave the role alone?), so it must be spelt out.
const emptyRoleSection =
  'is empty; write [] to remove everyone from this role, or remove the line to leave it as it is';
const emptyEntrySection = 'is empty; list at least one entry, or remove the line';

const catalogSchema = z
  .strictObject({
    admins: section(slackUserId, '[U0123ABCD]', emptyRoleSection),
    importers: section(slackUserId, '[U0123ABCD]', emptyRoleSection),
    requesters: section(slackUserId, '[U0123ABCD]', emptyRoleSection),
    reasons: section(
      requiredText.max(SLACK_OPTION_TEXT_MAX, {
        error: `must be at most ${SLACK_OPTION_TEXT_MAX} characters (the longest option Slack shows in a menu)`,
      }),
      '[Change, Incident]',
      'is empty; list the enabled reasons, or remove the line to leave reasons as they are',
    ).refine((reasons) => reasons === undefined || reasons.length > 0, {
      // A request cannot be created without a reason.
      error: 'must list at least one reason, or be left out to leave reasons as they are',
    }),
    access_groups: section(accessGroupSchema, '[{name: …, approvers: […]}]', emptyEntrySection),
    vendors: section(vendorSchema, '[{name: …, access_group: …, contract_start: …}]', emptyEntrySection),
    devices: section(deviceSchema, '[{id: …, name: …}]', emptyEntrySection),
    credentials: section(credentialSchema, '[{id: …, device: …, username: …}]', emptyEntrySection),
  })
  .transform((file): Catalog => ({
    roles: { admin: file.admins, importer: file.importers, requester: file.requesters },
    reasons: file.reasons,
    accessGroups: file.access_groups ?? [],
    vendors: file.vendors ?? [],
    devices: file.devices ?? [],
    credentials: file.credentials ?? [],
  }));

function problemsFromIssue(issue: z.core.$ZodIssue): Problem[] {
  const path = issue.path.filter((segment): segment is PathSegment => typeof segment !== 'symbol');
  if (issue.code === 'unrecognized_keys') {
    const allowed = path.length === 0 ? SECTION_KEYS : (ITEM_KEYS[String(path[0])] ?? []);
    const what = path.length === 0 ? 'section' : 'key';
    return issue.keys.map((key) => {
      const suggestion = closest(key, allowed);
      const hint = suggestion ? `did you mean "${suggestion}"?` : `the ${what}s allowed here are ${allowed.join(', ')}`;
      return { path: [...path, key], message: `unknown ${what} (${hint})` };
    });
  }
  return [{ path, message: issue.message }];
}

function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate);
    if (distance <= Math.max(1, Math.floor(candidate.length / 3)) && (!best || distance < best.distance)) {
      best = { candidate, distance };
    }
  }
  return best?.candidate;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

// ---------------------------------------------------------------------------------------------------------
// Rules across entries. They read the raw values leniently (an entry with another problem still contributes
// its id), so one mistake is reported once and does not cascade into "unknown device" everywhere.

interface RawEntry {
  index: number;
  fields: Record<string, unknown>;
}

function entriesOf(raw: Record<string, unknown>, sectionName: string): RawEntry[] {
  const list = raw[sectionName];
  if (!Array.isArray(list)) return [];
  return list.flatMap((fields: unknown, index) => (isRecord(fields) ? [{ index, fields }] : []));
}

function textOf(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  return text === '' ? undefined : text;
}

function findEntryRuleProblems(raw: Record<string, unknown>): Problem[] {
  const problems: Problem[] = [];

  for (const { index, fields } of entriesOf(raw, 'access_groups')) {
    const approversField = fields['approvers'] ?? [];
    const usergroupField = fields['approver_usergroup'] ?? null;
    // A value of the wrong type is already reported; judging the group on it would only add noise.
    if (!Array.isArray(approversField) || (usergroupField !== null && typeof usergroupField !== 'string')) continue;
    const approvers = new Set(approversField.flatMap((id: unknown) => textOf(id) ?? [])).size;
    if (approvers === 0 && textOf(usergroupField) === undefined) {
      // Nobody could approve a request for this group: every request would wait until it expires.
      problems.push({
        path: ['access_groups', index, 'approvers'],
        message: 'the group needs at least one approver: list approvers or set approver_usergroup',
      });
      continue;
    }
    // With a user group, how many people can approve is only known at run time.
    if (usergroupField !== null) continue;
    for (const [field, what] of [
      ['approvals_required', 'approvals'],
      ['rejections_to_cancel', 'rejections'],
    ] as const) {
      const needed = fields[field];
      if (typeof needed === 'number' && Number.isInteger(needed) && needed > approvers && needed <= COUNT_MAX) {
        problems.push({
          path: ['access_groups', index, field],
          message: `${needed} ${what} are needed but the group has only ${approvers} ${plural(approvers, 'approver')}`,
        });
      }
    }
  }

  for (const { index, fields } of entriesOf(raw, 'vendors')) {
    const start = dateOf(fields['contract_start']);
    const end = dateOf(fields['contract_end']);
    if (start !== undefined && end !== undefined && end < start) {
      problems.push({
        path: ['vendors', index, 'contract_end'],
        message: `must not be before contract_start (${start})`,
      });
    }
  }
  return problems;
}

function dateOf(value: unknown): string | undefined {
  const text =
    value instanceof Date && !Number.isNaN(value.getTime()) ? value.toISOString().slice(0, 10) : textOf(value);
  return text !== undefined && dateProblem(text) === undefined ? text : undefined;
}

function plural(count: number, word: string): string {
  return count === 1 ? word : `${word}s`;
}

function findDuplicates(raw: Record<string, unknown>): Problem[] {
  const problems: Problem[] = [];
  const exact = (value: string) => value;
  const anyCase = (value: string) => value.toLowerCase();

  for (const role of ['admins', 'importers', 'requesters'] as const) {
    problems.push(...duplicatesInList(raw[role], [role], exact));
  }
  problems.push(...duplicatesInList(raw['reasons'], ['reasons'], anyCase));

  const fieldDuplicates = (sectionName: string, field: string, key: (value: string) => string) => {
    const firstSeen = new Map<string, number>();
    for (const { index, fields } of entriesOf(raw, sectionName)) {
      const value = textOf(fields[field]);
      if (value === undefined) continue;
      const first = firstSeen.get(key(value));
      if (first === undefined) firstSeen.set(key(value), index);
      else {
        problems.push({
          path: [sectionName, index, field],
          message: `"${value}" is already used by ${sectionName}[${first}]`,
        });
      }
    }
  };
  fieldDuplicates('access_groups', 'name', anyCase);
  fieldDuplicates('vendors', 'name', anyCase);
  fieldDuplicates('devices', 'id', exact);
  fieldDuplicates('credentials', 'id', exact);

  for (const { index, fields } of entriesOf(raw, 'access_groups')) {
    problems.push(...duplicatesInList(fields['approvers'], ['access_groups', index, 'approvers'], exact));
  }
  for (const { index, fields } of entriesOf(raw, 'vendors')) {
    problems.push(...duplicatesInList(fields['email_domains'], ['vendors', index, 'email_domains'], anyCase));
  }
  return problems;
}

function duplicatesInList(list: unknown, path: PathSegment[], key: (value: string) => string): Problem[] {
  if (!Array.isArray(list)) return [];
  const problems: Problem[] = [];
  const firstSeen = new Map<string, number>();
  list.forEach((item: unknown, index) => {
    const value = textOf(item);
    if (value === undefined) return;
    const first = firstSeen.get(key(value));
    if (first === undefined) firstSeen.set(key(value), index);
    else {
      problems.push({
        path: [...path, index],
        message: `"${value}" is listed twice (also at ${formatPath([...path, first])})`,
      });
    }
  });
  return problems;
}

function findUnknownReferences(raw: Record<string, unknown>, known: KnownCatalogEntries): Problem[] {
  const problems: Problem[] = [];

  const groupNames = new Set(known.accessGroups.map((name) => name.trim().toLowerCase()));
  for (const { fields } of entriesOf(raw, 'access_groups')) {
    const name = textOf(fields['name']);
    if (name !== undefined) groupNames.add(name.toLowerCase());
  }
  for (const { index, fields } of entriesOf(raw, 'vendors')) {
    const group = textOf(fields['access_group']);
    if (group !== undefined && !groupNames.has(group.toLowerCase())) {
      problems.push({ path: ['vendors', index, 'access_group'], message: `unknown access group "${group}"` });
    }
  }

  // External ids are matched exactly, as the database's unique key does; a case slip only earns a hint.
  const deviceIds = new Set(known.devices);
  for (const { fields } of entriesOf(raw, 'devices')) {
    const id = textOf(fields['id']);
    if (id !== undefined) deviceIds.add(id);
  }
  const deviceIdsByCase = new Map([...deviceIds].map((id) => [id.toLowerCase(), id]));
  for (const { index, fields } of entriesOf(raw, 'credentials')) {
    const device = textOf(fields['device']);
    if (device === undefined || deviceIds.has(device)) continue;
    const hint = deviceIdsByCase.get(device.toLowerCase());
    problems.push({
      path: ['credentials', index, 'device'],
      message: `unknown device "${device}"${hint === undefined ? '' : ` (did you mean "${hint}"?)`}`,
    });
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------------------
// Output

function formatPath(path: PathSegment[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(segment)) text += text === '' ? segment : `.${segment}`;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text === '' ? 'catalog' : text;
}

function formatProblem(problem: Problem): string {
  return `${formatPath(problem.path)}: ${problem.message}`;
}

/** Reading order: unknown sections first, then by section, entry and key as SPEC §6 lists them. */
function sortProblems(problems: Problem[]): Problem[] {
  const rank = (problem: Problem): number[] => {
    const [sectionName, entryIndex, key] = problem.path;
    const sectionRank = SECTION_KEYS.indexOf(sectionName as (typeof SECTION_KEYS)[number]);
    const keys = ITEM_KEYS[String(sectionName)] ?? [];
    const keyRank = typeof key === 'string' && keys.includes(key) ? keys.indexOf(key) : keys.length;
    return [sectionRank, typeof entryIndex === 'number' ? entryIndex : -1, key === undefined ? -1 : keyRank];
  };
  const compare = (a: number[], b: number[]) => a.reduce((result, value, i) => result || value - (b[i] ?? 0), 0);
  return problems
    .map((problem, order) => ({ problem, order, rank: rank(problem) }))
    .sort((a, b) => compare(a.rank, b.rank) || a.order - b.order)
    .map(({ problem }) => problem);
}
