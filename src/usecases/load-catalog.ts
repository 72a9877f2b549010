// `domum catalog load` (README.md, section "The catalog"): the catalog file is the source of truth for what it
// lists. Everything happens in one transaction, so an invalid file or a failure half-way writes nothing, and rows
// are compared before they are written, so loading the same file twice writes nothing and says so.
import {
  addRoleMembers,
  findCredentialsByExternalIds,
  findDevicesByExternalIds,
  insertAccessGroups,
  insertCredentials,
  insertDevices,
  insertReasons,
  insertVendors,
  listAccessGroups,
  listDeviceExternalIds,
  listReasons,
  listRoleMembers,
  listVendors,
  lockCatalogForLoad,
  removeRoleMembers,
  updateAccessGroup,
  updateCredential,
  updateDevice,
  updateReason,
  updateVendor,
} from '../db/repos/catalog-repo.ts';
import type {
  AccessGroupValues,
  CredentialValues,
  DeviceValues,
  Stored,
  VendorValues,
} from '../db/repos/catalog-repo.ts';
import type { Db, Executor, RoleName } from '../db/schema.ts';
import { readCatalogFile } from '../catalog-file/read-catalog-file.ts';
import type { CatalogFormat } from '../catalog-file/read-catalog-file.ts';
import { findCatalogRuleProblems } from '../domain/catalog-rules.ts';
import type { KnownCatalogEntries } from '../domain/catalog-rules.ts';
import { formatCatalogProblems, parseCatalogSchema } from '../domain/catalog-schema.ts';
import type { Catalog } from '../domain/catalog-schema.ts';

export interface LoadCatalogInput {
  text: string;
  format: CatalogFormat;
}

export interface EntityChanges {
  created: number;
  updated: number;
  unchanged: number;
}

export interface ReasonChanges extends EntityChanges {
  /** Reasons in the database that the file's list leaves out. */
  disabled: number;
}

export interface RoleChanges {
  added: number;
  removed: number;
  unchanged: number;
}

export interface CatalogChanges {
  accessGroups: EntityChanges;
  vendors: EntityChanges;
  reasons: ReasonChanges;
  devices: EntityChanges;
  credentials: EntityChanges;
  roles: Record<RoleName, RoleChanges>;
}

export type LoadCatalogResult =
  { ok: true; changes: CatalogChanges; changed: boolean } | { ok: false; problems: string[] };

export async function loadCatalog(db: Db, input: LoadCatalogInput): Promise<LoadCatalogResult> {
  return db.transaction().execute(async (trx): Promise<LoadCatalogResult> => {
    await lockCatalogForLoad(trx);
    // Read under the lock: what the file may refer to without listing it is what the database holds now.
    const parsed = parseCatalog(input.text, input.format, {
      accessGroups: (await listAccessGroups(trx)).map((group) => group.name),
      devices: await listDeviceExternalIds(trx),
    });
    if (!parsed.ok) return parsed;

    const catalog = parsed.catalog;
    const accessGroups = await saveAccessGroups(trx, catalog);
    const vendors = await saveVendors(trx, catalog);
    const reasons = await saveReasons(trx, catalog);
    const devices = await saveDevices(trx, catalog);
    const credentials = await saveCredentials(trx, catalog);
    const roles = {
      admin: await saveRole(trx, 'admin', catalog.roles.admin),
      importer: await saveRole(trx, 'importer', catalog.roles.importer),
      requester: await saveRole(trx, 'requester', catalog.roles.requester),
    };
    const changes: CatalogChanges = { accessGroups, vendors, reasons, devices, credentials, roles };
    return { ok: true, changes, changed: hasChanges(changes) };
  });
}

export type CatalogParseResult = { ok: true; catalog: Catalog } | { ok: false; problems: string[] };

/**
 * The file's text → the catalog, or every problem in it, each with the path of the value it concerns
 * (`credentials[3].device: unknown device "D-9"`), so an admin can fix the whole file in one pass. `known` is
 * what the file may name without listing it: the access groups and devices already in the database.
 */
export function parseCatalog(
  text: string,
  format: CatalogFormat,
  known: KnownCatalogEntries = { accessGroups: [], devices: [] },
): CatalogParseResult {
  const read = readCatalogFile(text, format);
  if (!read.ok) return read;
  const schema = parseCatalogSchema(read.value);
  const problems = [...(schema.ok ? [] : schema.problems), ...findCatalogRuleProblems(read.value, known)];
  if (!schema.ok || problems.length > 0) return { ok: false, problems: formatCatalogProblems(problems) };
  return { ok: true, catalog: schema.catalog };
}

/** One line per kind of entry that the file touched, e.g. `Vendors: 3 created, 1 updated`. */
export function formatCatalogReport(changes: CatalogChanges): string {
  if (!hasChanges(changes)) return 'No changes: the catalog is already up to date.';
  const lines: string[] = [];
  const line = (label: string, counts: [number, string][]) => {
    const parts = counts.filter(([count]) => count > 0).map(([count, word]) => `${count} ${word}`);
    if (parts.length > 0) lines.push(`${label}: ${parts.join(', ')}`);
  };
  const entityCounts = (entity: EntityChanges): [number, string][] => [
    [entity.created, 'created'],
    [entity.updated, 'updated'],
    [entity.unchanged, 'unchanged'],
  ];
  const roleCounts = (role: RoleChanges): [number, string][] => [
    [role.added, 'added'],
    [role.removed, 'removed'],
    [role.unchanged, 'unchanged'],
  ];
  line('Access groups', entityCounts(changes.accessGroups));
  line('Vendors', entityCounts(changes.vendors));
  line('Reasons', [...entityCounts(changes.reasons), [changes.reasons.disabled, 'disabled']]);
  line('Devices', entityCounts(changes.devices));
  line('Credentials', entityCounts(changes.credentials));
  line('Admins', roleCounts(changes.roles.admin));
  line('Importers', roleCounts(changes.roles.importer));
  line('Requesters', roleCounts(changes.roles.requester));
  return lines.join('\n');
}

function hasChanges(changes: CatalogChanges): boolean {
  const entities = [changes.accessGroups, changes.vendors, changes.reasons, changes.devices, changes.credentials];
  return (
    entities.some((entity) => entity.created > 0 || entity.updated > 0) ||
    changes.reasons.disabled > 0 ||
    Object.values(changes.roles).some((role) => role.added > 0 || role.removed > 0)
  );
}

// ---------------------------------------------------------------------------------------------------------

function noChanges(): EntityChanges {
  return { created: 0, updated: 0, unchanged: 0 };
}

/**
 * Sorts each wanted row into insert, update or leave alone, comparing with what is stored under the same key.
 * Updates are written here; inserts are returned so they go in as a batch.
 */
async function reconcile<Values extends object>(
  wanted: Values[],
  stored: Map<string, Stored<Values>>,
  keyOf: (values: Values) => string,
  update: (id: number, values: Values) => Promise<void>,
): Promise<{ counts: EntityChanges; toInsert: Values[] }> {
  const counts = noChanges();
  const toInsert: Values[] = [];
  for (const values of wanted) {
    const current = stored.get(keyOf(values));
    if (!current) {
      toInsert.push(values);
      counts.created += 1;
    } else if (sameValues(current, values)) {
      counts.unchanged += 1;
    } else {
      await update(current.id, values);
      counts.updated += 1;
    }
  }
  return { counts, toInsert };
}

function sameValues<Values extends object>(current: Values, wanted: Values): boolean {
  return (Object.keys(wanted) as (keyof Values)[]).every((key) => sameValue(current[key], wanted[key]));
}

function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, index) => item === b[index]);
  }
  return a === b;
}

const byName = (values: { name: string }) => values.name.toLowerCase();

async function saveAccessGroups(trx: Executor, catalog: Catalog): Promise<EntityChanges> {
  if (catalog.accessGroups.length === 0) return noChanges();
  const stored = await listAccessGroups(trx);
  const wanted = catalog.accessGroups.map((group): AccessGroupValues => ({
    name: group.name,
    approver_user_ids: group.approverUserIds,
    approver_usergroup_id: group.approverUsergroupId,
    approvals_required: group.approvalsRequired,
    rejections_to_cancel: group.rejectionsToCancel,
    governance_required: group.governanceRequired,
  }));
  const { counts, toInsert } = await reconcile(
    wanted,
    new Map(stored.map((row) => [byName(row), row])),
    byName,
    (id, values) => updateAccessGroup(trx, id, values),
  );
  await insertAccessGroups(trx, toInsert);
  return counts;
}

async function saveVendors(trx: Executor, catalog: Catalog): Promise<EntityChanges> {
  if (catalog.vendors.length === 0) return noChanges();
  // Read after the groups are saved: a vendor may name a group this same file creates.
  const groupIds = new Map((await listAccessGroups(trx)).map((group) => [byName(group), group.id]));
  const wanted = catalog.vendors.map((vendor): VendorValues => {
    const groupId = groupIds.get(vendor.accessGroup.toLowerCase());
    // parseCatalog checked the name against the file and the database, read under the same lock.
    if (groupId === undefined) throw new Error(`access group "${vendor.accessGroup}" vanished during the load`);
    return {
      name: vendor.name,
      access_group_id: groupId,
      enabled: vendor.enabled,
      contract_start: vendor.contractStart,
      contract_end: vendor.contractEnd,
      email_domains: vendor.emailDomains,
    };
  });
  const stored = await listVendors(trx);
  const { counts, toInsert } = await reconcile(
    wanted,
    new Map(stored.map((row) => [byName(row), row])),
    byName,
    (id, values) => updateVendor(trx, id, values),
  );
  await insertVendors(trx, toInsert);
  return counts;
}

async function saveReasons(trx: Executor, catalog: Catalog): Promise<ReasonChanges> {
  if (catalog.reasons === undefined) return { ...noChanges(), disabled: 0 };
  const stored = await listReasons(trx);
  const wanted = catalog.reasons.map((name) => ({ name, enabled: true }));
  const { counts, toInsert } = await reconcile(
    wanted,
    new Map(stored.map((row) => [byName(row), row])),
    byName,
    (id, values) => updateReason(trx, id, values),
  );
  await insertReasons(
    trx,
    toInsert.map((reason) => reason.name),
  );
  // Requests refer to their reason, so a reason left out of the list is disabled, never deleted.
  const listed = new Set(wanted.map(byName));
  let disabled = 0;
  for (const reason of stored) {
    if (reason.enabled && !listed.has(byName(reason))) {
      await updateReason(trx, reason.id, { name: reason.name, enabled: false });
      disabled += 1;
    }
  }
  return { ...counts, disabled };
}

async function saveDevices(trx: Executor, catalog: Catalog): Promise<EntityChanges> {
  if (catalog.devices.length === 0) return noChanges();
  const wanted = catalog.devices.map((device): DeviceValues => ({
    external_id: device.externalId,
    name: device.name,
    product: device.product,
    device_type: device.deviceType,
    site: device.site,
    domain: device.domain,
  }));
  const byExternalId = (values: { external_id: string }) => values.external_id;
  const stored = await findDevicesByExternalIds(trx, wanted.map(byExternalId));
  const { counts, toInsert } = await reconcile(
    wanted,
    new Map(stored.map((row) => [byExternalId(row), row])),
    byExternalId,
    (id, values) => updateDevice(trx, id, values),
  );
  await insertDevices(trx, toInsert);
  return counts;
}

async function saveCredentials(trx: Executor, catalog: Catalog): Promise<EntityChanges> {
  if (catalog.credentials.length === 0) return noChanges();
  // Read after the devices are saved: a credential may name a device this same file creates.
  const deviceExternalIds = [...new Set(catalog.credentials.map((credential) => credential.deviceExternalId))];
  const deviceIds = new Map(
    (await findDevicesByExternalIds(trx, deviceExternalIds)).map((device) => [device.external_id, device.id]),
  );
  const wanted = catalog.credentials.map((credential): CredentialValues => {
    const deviceId = deviceIds.get(credential.deviceExternalId);
    if (deviceId === undefined) throw new Error(`device "${credential.deviceExternalId}" vanished during the load`);
    return {
      external_id: credential.externalId,
      device_id: deviceId,
      credential_type: credential.credentialType,
      username: credential.username,
      domain: credential.domain,
    };
  });
  const byExternalId = (values: { external_id: string }) => values.external_id;
  const stored = await findCredentialsByExternalIds(trx, wanted.map(byExternalId));
  const { counts, toInsert } = await reconcile(
    wanted,
    new Map(stored.map((row) => [byExternalId(row), row])),
    byExternalId,
    (id, values) => updateCredential(trx, id, values),
  );
  await insertCredentials(trx, toInsert);
  return counts;
}

/** A role listed in the file gets exactly the listed members; a role the file leaves out is not touched. */
async function saveRole(trx: Executor, role: RoleName, members: string[] | undefined): Promise<RoleChanges> {
  if (members === undefined) return { added: 0, removed: 0, unchanged: 0 };
  const current = new Set(await listRoleMembers(trx, role));
  const wanted = new Set(members);
  const toAdd = [...wanted].filter((id) => !current.has(id));
  const toRemove = [...current].filter((id) => !wanted.has(id));
  await addRoleMembers(trx, role, toAdd);
  await removeRoleMembers(trx, role, toRemove);
  return { added: toAdd.length, removed: toRemove.length, unchanged: wanted.size - toAdd.length };
}
