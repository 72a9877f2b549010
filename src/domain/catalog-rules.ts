// The rules across the catalog file's entries (README.md, section "The catalog"): unique ids and names,
// references that must lead somewhere (a vendor's access group, a credential's device), approvers enough for
// what a group requires, a contract that ends after it starts. What each value must look like on its own is
// catalog-schema.ts's.
//
// These rules read the raw values leniently (an entry with another problem still contributes its id), and they
// run even when the schema refuses the file: one mistake is reported once and does not cascade into "unknown
// device" everywhere, and the admin still sees every problem in one pass.
import { COUNT_MAX, dateOf, formatCatalogPath, isRecord, textOf } from './catalog-schema.ts';
import type { CatalogPathSegment, CatalogProblem } from './catalog-schema.ts';

/** Names and ids already in the database, which the file may refer to without listing them. */
export interface KnownCatalogEntries {
  accessGroups: string[];
  devices: string[];
}

export function findCatalogRuleProblems(raw: unknown, known: KnownCatalogEntries): CatalogProblem[] {
  // A file that is not a mapping has no entries to compare; the schema says what it is instead.
  if (!isRecord(raw)) return [];
  return [
    ...findApproverProblems(raw),
    ...findContractProblems(raw),
    ...findDuplicates(raw),
    ...findUnknownReferences(raw, known),
  ];
}

interface RawEntry {
  index: number;
  fields: Record<string, unknown>;
}

function entriesOf(raw: Record<string, unknown>, sectionName: string): RawEntry[] {
  const list = raw[sectionName];
  if (!Array.isArray(list)) return [];
  return list.flatMap((fields: unknown, index) => (isRecord(fields) ? [{ index, fields }] : []));
}

function findApproverProblems(raw: Record<string, unknown>): CatalogProblem[] {
  const problems: CatalogProblem[] = [];
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
  return problems;
}

function findContractProblems(raw: Record<string, unknown>): CatalogProblem[] {
  const problems: CatalogProblem[] = [];
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

function plural(count: number, word: string): string {
  return count === 1 ? word : `${word}s`;
}

type MatchKey = (value: string) => string;

function findDuplicates(raw: Record<string, unknown>): CatalogProblem[] {
  const problems: CatalogProblem[] = [];
  const exact: MatchKey = (value) => value;
  const anyCase: MatchKey = (value) => value.toLowerCase();

  for (const role of ['admins', 'importers', 'requesters'] as const) {
    problems.push(...duplicatesInList(raw[role], [role], exact));
  }
  problems.push(...duplicatesInList(raw['reasons'], ['reasons'], anyCase));

  const fieldDuplicates = (sectionName: string, field: string, key: MatchKey) => {
    const values = entriesOf(raw, sectionName).map(({ index, fields }) => ({ index, value: fields[field] }));
    for (const { index, value, first } of repeatedValues(values, key)) {
      problems.push({
        path: [sectionName, index, field],
        message: `"${value}" is already used by ${sectionName}[${first}]`,
      });
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

function duplicatesInList(list: unknown, path: CatalogPathSegment[], key: MatchKey): CatalogProblem[] {
  if (!Array.isArray(list)) return [];
  const values = list.map((value: unknown, index) => ({ index, value }));
  return repeatedValues(values, key).map(({ index, value, first }) => ({
    path: [...path, index],
    message: `"${value}" is listed twice (also at ${formatCatalogPath([...path, first])})`,
  }));
}

/** Every text value whose key an earlier one already had, with the index of that first one; the rest is skipped. */
function repeatedValues(
  values: { index: number; value: unknown }[],
  key: MatchKey,
): { index: number; value: string; first: number }[] {
  const firstSeen = new Map<string, number>();
  const repeated: { index: number; value: string; first: number }[] = [];
  for (const { index, value: raw } of values) {
    const value = textOf(raw);
    if (value === undefined) continue;
    const first = firstSeen.get(key(value));
    if (first === undefined) firstSeen.set(key(value), index);
    else repeated.push({ index, value, first });
  }
  return repeated;
}

function findUnknownReferences(raw: Record<string, unknown>, known: KnownCatalogEntries): CatalogProblem[] {
  const problems: CatalogProblem[] = [];

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
