// Roles come from the catalog plus DOMUM_ADMIN_USER_IDS (README "Configuration" and "The catalog"): admins may also
// import and request, requesters may also import, importers may only import.
import { describe, expect, it } from 'vitest';
import { getRoles } from '../../src/usecases/get-roles.ts';
import { seedCatalog } from '../support/seed-catalog.ts';
import { createTestDatabase } from '../support/test-database.ts';

describe('roles', () => {
  it('combine the catalog and the configured admins', async () => {
    const { db } = await (await createTestDatabase()).open();
    await seedCatalog(db);
    const deps = { db, adminUserIds: ['U0BOOTSTRAP'] };
    expect(await getRoles(deps, 'U0ADMIN01')).toEqual({ isAdmin: true, canImport: true, canRequest: true });
    expect(await getRoles(deps, 'U0REQ0001')).toEqual({ isAdmin: false, canImport: true, canRequest: true });
    expect(await getRoles(deps, 'U0IMPORT1')).toEqual({ isAdmin: false, canImport: true, canRequest: false });
    expect(await getRoles(deps, 'U0APPR001')).toEqual({ isAdmin: false, canImport: false, canRequest: false });
    expect(await getRoles(deps, 'U0BOOTSTRAP')).toEqual({ isAdmin: true, canImport: true, canRequest: true });
  });
});
