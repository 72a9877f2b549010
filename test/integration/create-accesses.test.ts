// Provisioning's first step: one access per `created` line of an approved request, with EXT ids, the
// request's grants and limitation, scheduled or active from its start — and nothing more when run again.
import { describe, expect, it } from 'vitest';
import { createAccessesForRequest } from '../../src/usecases/create-accesses.ts';
import { createRequestThroughWizard } from '../support/request-driver.ts';
import { seedCatalog } from '../support/seed-catalog.ts';
import { startTestApp } from '../support/test-app.ts';
import { waitFor } from '../support/wait-for.ts';

describe('creating the accesses of a request', () => {
  it('gives each created user one access, once, in chunks', async () => {
    const app = await startTestApp();
    const db = app.running.deps.db;
    await seedCatalog(db);
    const request = await createRequestThroughWizard(app, {
      requester: 'U0REQ0001',
      channel: 'C0ACCESSES',
      file: 'validation_errors.xlsx',
    });
    await waitFor(
      async () => (await db.selectFrom('imports').select('status').executeTakeFirstOrThrow()).status === 'done',
      { description: 'the import to finish' },
    );
    const createdLines = await db
      .selectFrom('import_lines')
      .select('user_id')
      .where('outcome', '=', 'created')
      .execute();
    expect(createdLines.length).toBeGreaterThan(0);

    const first = await createAccessesForRequest(app.running.deps, request.id, 1);
    expect(first).toEqual({ created: createdLines.length, total: createdLines.length });
    const again = await createAccessesForRequest(app.running.deps, request.id, 1);
    expect(again).toEqual({ created: 0, total: createdLines.length });

    const accesses = await db.selectFrom('accesses').selectAll().execute();
    expect(accesses.map((access) => access.user_id).sort()).toEqual(createdLines.map((line) => line.user_id).sort());
    for (const access of accesses) {
      expect(access.code).toMatch(/^EXT-\d{2}-\d{6}$/);
      expect(access.status).toBe('scheduled');
      expect(access.link_id.length).toBeGreaterThanOrEqual(22);
      expect(access.token_hash).toBeNull();
      expect(access.grants).toEqual([
        expect.objectContaining({
          credentialExternalId: 'C-5001',
          username: 'postgres',
          deviceName: 'db-prod-01',
          startSession: true,
          viewPassword: false,
        }),
      ]);
      expect(access.ends_at.getTime() - access.starts_at.getTime()).toBe(8 * 3600 * 1000);
    }
  }, 60_000);
});
