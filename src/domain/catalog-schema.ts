// The catalog file's schema (README.md, section "The catalog"): which sections and keys it may hold, what
// each value must look like, and the defaults of what it leaves out. Every message is written for the person
// editing the file and carries the path of the value it concerns, so the whole file can be fixed in one pass.
// The rules that compare entries with each other are in catalog-rules.ts; reading YAML or JSON is
// src/catalog-file/read-catalog-file.ts's.
import { z } from 'zod';

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
export const COUNT_MAX = 1000;

export type CatalogPathSegment = string | number;
export interface CatalogProblem {
  path: CatalogPathSegment[];
  message: string;
}

export type CatalogSchemaResult = { ok: true; catalog: Catalog } | { ok: false; problems: CatalogProblem[] };

/** The catalog the file describes, with its defaults filled in; or every value that breaks the schema. */
export function parseCatalogSchema(raw: unknown): CatalogSchemaResult {
  if (!isRecord(raw)) {
    const message = `must be a mapping of sections (${SECTION_KEYS.join(', ')}), not ${describeValue(raw)}`;
    return { ok: false, problems: [{ path: [], message }] };
  }
  const parsed = catalogSchema.safeParse(raw);
  if (parsed.success) return { ok: true, catalog: parsed.data };
  return { ok: false, problems: parsed.error.issues.flatMap(problemsFromIssue) };
}

// ---------------------------------------------------------------------------------------------------------
// Values (zod)

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'empty';
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Date) return 'a date';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the text ${JSON.stringify(value)}`;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return `a ${typeof value}`;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
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

function problemsFromIssue(issue: z.core.$ZodIssue): CatalogProblem[] {
  const path = issue.path.filter((segment): segment is CatalogPathSegment => typeof segment !== 'symbol');
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

/** Text with its blanks trimmed, or undefined for anything else and for blank text. */
export function textOf(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  return text === '' ? undefined : text;
}

/** The date as YYYY-MM-DD when the value is a real date, written so or as a Date; undefined otherwise. */
export function dateOf(value: unknown): string | undefined {
  const text =
    value instanceof Date && !Number.isNaN(value.getTime()) ? value.toISOString().slice(0, 10) : textOf(value);
  return text !== undefined && dateProblem(text) === undefined ? text : undefined;
}

// ---------------------------------------------------------------------------------------------------------
// Problems in words

/** `credentials[3].device`; `catalog` for the file as a whole. */
export function formatCatalogPath(path: CatalogPathSegment[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(segment)) text += text === '' ? segment : `.${segment}`;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text === '' ? 'catalog' : text;
}

/**
 * Each problem as `path: message`, in reading order: unknown sections first, then by section, entry and key in
 * the order of SECTION_KEYS and ITEM_KEYS (the order README.md's section "The catalog" writes them in); problems
 * at the same place keep the order they were found in.
 */
export function formatCatalogProblems(problems: CatalogProblem[]): string[] {
  return sortProblems(problems).map((problem) => `${formatCatalogPath(problem.path)}: ${problem.message}`);
}

function sortProblems(problems: CatalogProblem[]): CatalogProblem[] {
  const rank = (problem: CatalogProblem): number[] => {
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
