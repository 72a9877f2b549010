// Reads and writes of the catalog tables (README "Configuration" and "The catalog"): access groups, vendors, reasons,
// devices, credentials and role assignments. Deciding what changed is the use case's job; these functions only move
// rows.
import { sql } from 'kysely';
import type { Executor, RoleName } from '../schema.ts';

// Any fixed number works as long as nothing else locks it; this one spells "catalog" in ASCII.
const CATALOG_LOCK_KEY = 0x63_61_74_61_6c_6f_67;
// Keeps one INSERT well below PostgreSQL's 65,535 bind parameters, whatever the number of columns.
const INSERT_CHUNK_ROWS = 1000;

/** The columns the catalog sets; ids and timestamps are the database's. */
export interface AccessGroupValues {
  name: string;
  approver_user_ids: string[];
  approver_usergroup_id: string | null;
  approvals_required: number;
  rejections_to_cancel: number;
  governance_required: boolean;
}

export interface VendorValues {
  name: string;
  access_group_id: number;
  enabled: boolean;
  contract_start: string;
  contract_end: string | null;
  email_domains: string[] | null;
}

export interface ReasonValues {
  name: string;
  enabled: boolean;
}

export interface DeviceValues {
  external_id: string;
  name: string;
  product: string;
  device_type: string;
  site: string;
  domain: string;
}

export interface CredentialValues {
  external_id: string;
  device_id: number;
  credential_type: string;
  username: string;
  domain: string;
}

export type Stored<Values> = { id: number } & Values;

/**
 * Serialises catalog loads until the transaction ends: two loads at once would otherwise both see a vendor
 * as missing and both insert it, and the second would fail on the unique index instead of updating.
 */
export async function lockCatalogForLoad(trx: Executor): Promise<void> {
  await sql`select pg_advisory_xact_lock(${sql.lit(CATALOG_LOCK_KEY)})`.execute(trx);
}

export async function listAccessGroups(db: Executor): Promise<Stored<AccessGroupValues>[]> {
  return db
    .selectFrom('access_groups')
    .select([
      'id',
      'name',
      'approver_user_ids',
      'approver_usergroup_id',
      'approvals_required',
      'rejections_to_cancel',
      'governance_required',
    ])
    .orderBy('id')
    .execute();
}

export async function insertAccessGroups(
  db: Executor,
  groups: AccessGroupValues[],
): Promise<{ id: number; name: string }[]> {
  const inserted: { id: number; name: string }[] = [];
  for (const chunk of chunks(groups)) {
    inserted.push(...(await db.insertInto('access_groups').values(chunk).returning(['id', 'name']).execute()));
  }
  return inserted;
}

export async function updateAccessGroup(db: Executor, id: number, values: AccessGroupValues): Promise<void> {
  await db
    .updateTable('access_groups')
    .set({ ...values, updated_at: sql<Date>`now()` })
    .where('id', '=', id)
    .execute();
}

export async function listVendors(db: Executor): Promise<Stored<VendorValues>[]> {
  return db
    .selectFrom('vendors')
    .select(['id', 'name', 'access_group_id', 'enabled', 'contract_start', 'contract_end', 'email_domains'])
    .orderBy('id')
    .execute();
}

export async function insertVendors(db: Executor, vendors: VendorValues[]): Promise<void> {
  for (const chunk of chunks(vendors)) await db.insertInto('vendors').values(chunk).execute();
}

export async function updateVendor(db: Executor, id: number, values: VendorValues): Promise<void> {
  await db
    .updateTable('vendors')
    .set({ ...values, updated_at: sql<Date>`now()` })
    .where('id', '=', id)
    .execute();
}

export async function listReasons(db: Executor): Promise<Stored<ReasonValues>[]> {
  return db.selectFrom('reasons').select(['id', 'name', 'enabled']).orderBy('id').execute();
}

export async function insertReasons(db: Executor, names: string[]): Promise<void> {
  for (const chunk of chunks(names)) {
    await db
      .insertInto('reasons')
      .values(chunk.map((name) => ({ name, enabled: true })))
      .execute();
  }
}

export async function updateReason(db: Executor, id: number, values: ReasonValues): Promise<void> {
  await db.updateTable('reasons').set(values).where('id', '=', id).execute();
}

export async function listDeviceExternalIds(db: Executor): Promise<string[]> {
  const rows = await db.selectFrom('devices').select('external_id').execute();
  return rows.map((row) => row.external_id);
}

export async function findDevicesByExternalIds(db: Executor, externalIds: string[]): Promise<Stored<DeviceValues>[]> {
  if (externalIds.length === 0) return [];
  // One array parameter instead of an IN list, which would hit the bind-parameter limit on large catalogs.
  return db
    .selectFrom('devices')
    .select(['id', 'external_id', 'name', 'product', 'device_type', 'site', 'domain'])
    .where(sql<boolean>`external_id = any(${externalIds}::text[])`)
    .execute();
}

export async function insertDevices(db: Executor, devices: DeviceValues[]): Promise<void> {
  for (const chunk of chunks(devices)) await db.insertInto('devices').values(chunk).execute();
}

export async function updateDevice(db: Executor, id: number, values: DeviceValues): Promise<void> {
  await db
    .updateTable('devices')
    .set({ ...values, updated_at: sql<Date>`now()` })
    .where('id', '=', id)
    .execute();
}

export async function findCredentialsByExternalIds(
  db: Executor,
  externalIds: string[],
): Promise<Stored<CredentialValues>[]> {
  if (externalIds.length === 0) return [];
  return db
    .selectFrom('credentials')
    .select(['id', 'external_id', 'device_id', 'credential_type', 'username', 'domain'])
    .where(sql<boolean>`external_id = any(${externalIds}::text[])`)
    .execute();
}

export async function insertCredentials(db: Executor, credentials: CredentialValues[]): Promise<void> {
  for (const chunk of chunks(credentials)) await db.insertInto('credentials').values(chunk).execute();
}

export async function updateCredential(db: Executor, id: number, values: CredentialValues): Promise<void> {
  await db
    .updateTable('credentials')
    .set({ ...values, updated_at: sql<Date>`now()` })
    .where('id', '=', id)
    .execute();
}

export async function listRoleMembers(db: Executor, role: RoleName): Promise<string[]> {
  const rows = await db
    .selectFrom('role_assignments')
    .select('slack_user_id')
    .where('role', '=', role)
    .orderBy('slack_user_id')
    .execute();
  return rows.map((row) => row.slack_user_id);
}

export async function addRoleMembers(db: Executor, role: RoleName, slackUserIds: string[]): Promise<void> {
  for (const chunk of chunks(slackUserIds)) {
    await db
      .insertInto('role_assignments')
      .values(chunk.map((slackUserId) => ({ slack_user_id: slackUserId, role })))
      .onConflict((conflict) => conflict.doNothing())
      .execute();
  }
}

export async function removeRoleMembers(db: Executor, role: RoleName, slackUserIds: string[]): Promise<void> {
  if (slackUserIds.length === 0) return;
  await db
    .deleteFrom('role_assignments')
    .where('role', '=', role)
    .where(sql<boolean>`slack_user_id = any(${slackUserIds}::text[])`)
    .execute();
}

function* chunks<T>(rows: T[]): Generator<T[]> {
  for (let start = 0; start < rows.length; start += INSERT_CHUNK_ROWS) {
    yield rows.slice(start, start + INSERT_CHUNK_ROWS);
  }
}
