// The test-support helper every test seeds its catalog with: a refused catalog fails the test with the
// catalog's own problems, not a bare "expected false to be true".
import { describe, expect, it } from 'vitest';
import { seedCatalog } from '../support/seed-catalog.ts';
import { createTestDatabase } from '../support/test-database.ts';

describe('seedCatalog', () => {
  it('loads the shared fixture catalog', async () => {
    const { db } = await (await createTestDatabase()).open();
    await seedCatalog(db);
    const vendors = await db.selectFrom('vendors').select('name').orderBy('name').execute();
    expect(vendors).toHaveLength(3);
  });

  it('fails the test with the problems of a refused catalog', async () => {
    const { db } = await (await createTestDatabase()).open();
    const refused = 'vendors:\n  - {name: Umbrella, access_group: Nobody, contract_start: 2026-03-01}\n';
    await expect(seedCatalog(db, refused)).rejects.toThrow(
      'the catalog was refused:\nvendors[0].access_group: unknown access group "Nobody"',
    );
  });
});
