import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/schema.ts';
import { formatCatalogReport, loadCatalog } from '../../src/usecases/load-catalog.ts';
import type { CatalogChanges, LoadCatalogResult } from '../../src/usecases/load-catalog.ts';

import { createTestDatabase } from '../support/test-database.ts';
import { fixturePath } from '../support/fixtures.ts';
import { seedCatalog } from '../support/seed-catalog.ts';

async function createDatabase(): Promise<Db> {
  return (await (await createTestDatabase()).open()).db;
}

const fixtureText = readFileSync(fixturePath('catalog.yaml'), 'utf8');

const CATALOG_TABLES = ['access_groups', 'vendors', 'reasons', 'devices', 'credentials', 'role_assignments'] as const;
type CatalogTable = (typeof CATALOG_TABLES)[number];

let db: Db;

beforeEach(async () => {
  db = await createDatabase();
});

function changesOf(result: LoadCatalogResult): { changes: CatalogChanges; changed: boolean } {
  if (!result.ok) throw new Error(`expected the catalog to load, got:\n${result.problems.join('\n')}`);
  return result;
}

async function countRows(): Promise<Record<CatalogTable, number>> {
  const counts = {} as Record<CatalogTable, number>;
  for (const table of CATALOG_TABLES) {
    const row = await db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<string>().as('count'))
      .executeTakeFirstOrThrow();
    counts[table] = Number(row.count);
  }
  return counts;
}

/**
 * Every row's physical version: xmin changes on any UPDATE, even one that writes the same values, so an
 * unchanged snapshot proves no row was written at all (a stronger check than updated_at alone).
 */
async function rowVersions(): Promise<Record<string, string>> {
  const versions: Record<string, string> = {};
  for (const table of CATALOG_TABLES) {
    const key = table === 'role_assignments' ? sql`slack_user_id || '/' || role` : sql`id::text`;
    const { rows } = await sql<{ key: string; version: string }>`
      select ${key} as key, xmin::text as version from ${sql.table(table)}`.execute(db);
    for (const row of rows) versions[`${table}:${row.key}`] = row.version;
  }
  return versions;
}

async function updatedAts(
  table: 'access_groups' | 'vendors' | 'devices' | 'credentials',
): Promise<Map<number, number>> {
  const rows = await db.selectFrom(table).select(['id', 'updated_at']).execute();
  return new Map(rows.map((row) => [row.id, new Date(row.updated_at).getTime()]));
}

const none = { created: 0, updated: 0, unchanged: 0 };
const noRole = { added: 0, removed: 0, unchanged: 0 };

describe('loadCatalog', () => {
  it('creates everything the fixture catalog lists', async () => {
    const { changes, changed } = changesOf(await loadCatalog(db, { text: fixtureText, format: 'yaml' }));

    expect(changed).toBe(true);
    expect(changes).toEqual({
      accessGroups: { ...none, created: 1 },
      vendors: { ...none, created: 3 },
      // The migration seeds the same three reasons.
      reasons: { ...none, unchanged: 3, disabled: 0 },
      devices: { ...none, created: 12 },
      credentials: { ...none, created: 30 },
      roles: {
        admin: { ...noRole, added: 1 },
        importer: { ...noRole, added: 1 },
        requester: { ...noRole, added: 1 },
      },
    });
    expect(formatCatalogReport(changes).split('\n')).toEqual([
      'Access groups: 1 created',
      'Vendors: 3 created',
      'Reasons: 3 unchanged',
      'Devices: 12 created',
      'Credentials: 30 created',
      'Admins: 1 added',
      'Importers: 1 added',
      'Requesters: 1 added',
    ]);

    const group = await db.selectFrom('access_groups').selectAll().executeTakeFirstOrThrow();
    expect(group).toMatchObject({
      name: 'Vendor approvers',
      approver_user_ids: ['U0APPR001', 'U0APPR002'],
      approver_usergroup_id: null,
      approvals_required: 1,
      rejections_to_cancel: 1,
      governance_required: false,
    });
    const vendors = await db
      .selectFrom('vendors')
      .select(['name', 'access_group_id', 'enabled', 'contract_start', 'contract_end', 'email_domains'])
      .orderBy('name')
      .execute();
    expect(vendors).toEqual([
      {
        name: 'Acme Corp',
        access_group_id: group.id,
        enabled: true,
        contract_start: '2026-01-01',
        contract_end: '2027-12-31',
        email_domains: ['acme.example'],
      },
      {
        name: 'Globex',
        access_group_id: group.id,
        enabled: true,
        contract_start: '2026-01-01',
        contract_end: null,
        email_domains: null,
      },
      {
        name: 'Initech',
        access_group_id: group.id,
        enabled: false,
        contract_start: '2026-01-01',
        contract_end: '2026-06-30',
        email_domains: null,
      },
    ]);
    const credential = await db
      .selectFrom('credentials')
      .innerJoin('devices', 'devices.id', 'credentials.device_id')
      .select(['credentials.username', 'credentials.credential_type', 'devices.external_id as device'])
      .where('credentials.external_id', '=', 'C-5008')
      .executeTakeFirstOrThrow();
    expect(credential).toEqual({ username: 'CORP\\svc_erp_reports', credential_type: 'Domain user', device: 'D-1003' });
    const roles = await db.selectFrom('role_assignments').selectAll().orderBy('role').execute();
    expect(roles).toEqual([
      { slack_user_id: 'U0ADMIN01', role: 'admin' },
      { slack_user_id: 'U0IMPORT1', role: 'importer' },
      { slack_user_id: 'U0REQ0001', role: 'requester' },
    ]);
  });

  it('changes nothing when the same file is loaded again', async () => {
    await seedCatalog(db);
    const before = await rowVersions();
    const stampsBefore = await updatedAts('devices');

    const { changes, changed } = changesOf(await loadCatalog(db, { text: fixtureText, format: 'yaml' }));

    expect(changed).toBe(false);
    expect(changes).toEqual({
      accessGroups: { ...none, unchanged: 1 },
      vendors: { ...none, unchanged: 3 },
      reasons: { ...none, unchanged: 3, disabled: 0 },
      devices: { ...none, unchanged: 12 },
      credentials: { ...none, unchanged: 30 },
      roles: {
        admin: { ...noRole, unchanged: 1 },
        importer: { ...noRole, unchanged: 1 },
        requester: { ...noRole, unchanged: 1 },
      },
    });
    expect(formatCatalogReport(changes)).toBe('No changes: the catalog is already up to date.');
    expect(await rowVersions()).toEqual(before);
    expect(await updatedAts('devices')).toEqual(stampsBefore);
  });

  it('updates exactly the one device whose name changed', async () => {
    await seedCatalog(db);
    const devicesBefore = await updatedAts('devices');
    const credentialsBefore = await updatedAts('credentials');
    const edited = fixtureText.replace('{id: D-1007, name: lnx-bastion-01,', '{id: D-1007, name: lnx-bastion-02,');
    expect(edited).not.toBe(fixtureText);

    const { changes, changed } = changesOf(await loadCatalog(db, { text: edited, format: 'yaml' }));

    expect(changed).toBe(true);
    expect(changes.devices).toEqual({ created: 0, updated: 1, unchanged: 11 });
    expect(changes.credentials).toEqual({ created: 0, updated: 0, unchanged: 30 });
    expect(changes.vendors).toEqual({ created: 0, updated: 0, unchanged: 3 });
    expect(formatCatalogReport(changes)).toContain('Devices: 1 updated, 11 unchanged');
    const device = await db
      .selectFrom('devices')
      .select(['id', 'name'])
      .where('external_id', '=', 'D-1007')
      .executeTakeFirstOrThrow();
    expect(device.name).toBe('lnx-bastion-02');
    const devicesAfter = await updatedAts('devices');
    const moved = [...devicesAfter].filter(([id, stamp]) => devicesBefore.get(id) !== stamp).map(([id]) => id);
    expect(moved).toEqual([device.id]);
    expect(await updatedAts('credentials')).toEqual(credentialsBefore);
  });

  it('makes a listed role exactly the list, and leaves an unlisted role alone', async () => {
    const twoRequesters = fixtureText.replace('requesters: [U0REQ0001]', 'requesters: [U0REQ0001, U0REQ0002]');
    await seedCatalog(db, twoRequesters);

    const { changes } = changesOf(await loadCatalog(db, { text: fixtureText, format: 'yaml' }));

    expect(changes.roles.requester).toEqual({ added: 0, removed: 1, unchanged: 1 });
    expect(formatCatalogReport(changes)).toContain('Requesters: 1 removed, 1 unchanged');
    const requesters = await db
      .selectFrom('role_assignments')
      .select('slack_user_id')
      .where('role', '=', 'requester')
      .execute();
    expect(requesters).toEqual([{ slack_user_id: 'U0REQ0001' }]);

    const onlyAdmins = changesOf(await loadCatalog(db, { text: 'admins: [U0ADMIN02]\n', format: 'yaml' }));
    expect(onlyAdmins.changes.roles).toEqual({
      admin: { added: 1, removed: 1, unchanged: 0 },
      importer: noRole,
      requester: noRole,
    });
    const roles = await db.selectFrom('role_assignments').selectAll().orderBy('role').execute();
    expect(roles).toEqual([
      { slack_user_id: 'U0ADMIN02', role: 'admin' },
      { slack_user_id: 'U0IMPORT1', role: 'importer' },
      { slack_user_id: 'U0REQ0001', role: 'requester' },
    ]);
  });

  it('disables reasons left out of the list and enables them again when listed', async () => {
    const first = changesOf(await loadCatalog(db, { text: 'reasons: [change, Audit]\n', format: 'yaml' }));
    // "change" renames the seeded "Change" (same reason, other case).
    expect(first.changes.reasons).toEqual({ created: 1, updated: 1, unchanged: 0, disabled: 2 });
    expect(await db.selectFrom('reasons').select(['name', 'enabled']).orderBy('id').execute()).toEqual([
      { name: 'change', enabled: true },
      { name: 'Incident', enabled: false },
      { name: 'Remote work force', enabled: false },
      { name: 'Audit', enabled: true },
    ]);

    const second = changesOf(await loadCatalog(db, { text: 'reasons: [change, Incident, Audit]\n', format: 'yaml' }));
    // Remote work force was already disabled: nothing to disable again.
    expect(second.changes.reasons).toEqual({ created: 0, updated: 1, unchanged: 2, disabled: 0 });
    expect(await db.selectFrom('reasons').select(['name', 'enabled']).orderBy('id').execute()).toEqual([
      { name: 'change', enabled: true },
      { name: 'Incident', enabled: true },
      { name: 'Remote work force', enabled: false },
      { name: 'Audit', enabled: true },
    ]);
  });

  it('writes nothing at all for an invalid file', async () => {
    await seedCatalog(db);
    const countsBefore = await countRows();
    const versionsBefore = await rowVersions();
    // Valid new entries and edits next to one problem: all of them must be refused together.
    const invalid = fixtureText
      .replace('admins: [U0ADMIN01]', 'admins: [U0ADMIN01, U0ADMIN02]')
      .replace('name: db-prod-01,', 'name: db-prod-99,')
      .replace(
        '  - {id: C-5030,',
        '  - {id: C-6000, device: D-9, type: Local user, username: ghost}\n  - {id: C-5030,',
      );

    const result = await loadCatalog(db, { text: invalid, format: 'yaml' });

    expect(result).toEqual({ ok: false, problems: ['credentials[29].device: unknown device "D-9"'] });
    expect(await countRows()).toEqual(countsBefore);
    expect(await rowVersions()).toEqual(versionsBefore);
  });

  it('writes nothing for a file refused on an empty database', async () => {
    const countsBefore = await countRows();
    const result = await loadCatalog(db, { text: fixtureText.replace('U0APPR002', 'u0appr002'), format: 'yaml' });
    expect(result).toEqual({
      ok: false,
      problems: ['access_groups[0].approvers[1]: "u0appr002" is not a Slack user ID (like U0123ABCD)'],
    });
    expect(await countRows()).toEqual(countsBefore);
  });

  it('accepts references to an access group and a device that only the database holds', async () => {
    await seedCatalog(db);
    const second = [
      'vendors:',
      '  - {name: Umbrella, access_group: VENDOR APPROVERS, contract_start: 2026-03-01}',
      'credentials:',
      '  - {id: C-7000, device: D-1001, type: Local user, username: auditor}',
    ].join('\n');

    const { changes } = changesOf(await loadCatalog(db, { text: second, format: 'yaml' }));

    expect(changes.vendors).toEqual({ created: 1, updated: 0, unchanged: 0 });
    expect(changes.credentials).toEqual({ created: 1, updated: 0, unchanged: 0 });
    expect(changes.accessGroups).toEqual(none);
    const umbrella = await db
      .selectFrom('vendors')
      .innerJoin('access_groups', 'access_groups.id', 'vendors.access_group_id')
      .select(['access_groups.name as group'])
      .where('vendors.name', '=', 'Umbrella')
      .executeTakeFirstOrThrow();
    expect(umbrella.group).toBe('Vendor approvers');
    // Sections the file leaves out are untouched: nothing is deleted.
    expect(await countRows()).toMatchObject({ vendors: 4, devices: 12, credentials: 31, role_assignments: 3 });
  });

  it('refuses a vendor naming an access group that exists nowhere', async () => {
    const result = await loadCatalog(db, {
      text: 'vendors:\n  - {name: Umbrella, access_group: Nobody, contract_start: 2026-03-01}\n',
      format: 'yaml',
    });
    expect(result).toEqual({ ok: false, problems: ['vendors[0].access_group: unknown access group "Nobody"'] });
  });

  it('loads the same catalog as JSON, and the YAML file afterwards changes nothing', async () => {
    const json = JSON.stringify((await import('yaml')).parse(fixtureText, { version: '1.2' }));
    expect(changesOf(await loadCatalog(db, { text: json, format: 'json' })).changed).toBe(true);
    expect(changesOf(await loadCatalog(db, { text: fixtureText, format: 'yaml' })).changed).toBe(false);
  });

  it('gives two concurrent loads of one file one creation and one no-op', async () => {
    const results = await Promise.all([
      loadCatalog(db, { text: fixtureText, format: 'yaml' }),
      loadCatalog(db, { text: fixtureText, format: 'yaml' }),
    ]);
    expect(results.map((result) => changesOf(result).changed).sort()).toEqual([false, true]);
    expect(await countRows()).toMatchObject({ access_groups: 1, vendors: 3, devices: 12, credentials: 30 });
  });
});
