// The catalog a test starts from. Tests of loading itself (test/integration/load-catalog.test.ts) call
// loadCatalog where they examine what it returns; every other test seeds through here.
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import type { Db } from '../../src/db/schema.ts';
import { loadCatalog } from '../../src/usecases/load-catalog.ts';
import { fixturePath } from './fixtures.ts';

/**
 * Loads the shared fixture catalog (test/fixtures/shared/catalog.yaml), or the YAML given, and fails the
 * test with the catalog's problems if it is refused.
 */
export async function seedCatalog(db: Db, text?: string): Promise<void> {
  const result = await loadCatalog(db, {
    text: text ?? readFileSync(fixturePath('catalog.yaml'), 'utf8'),
    format: 'yaml',
  });
  expect(result.ok, result.ok ? undefined : `the catalog was refused:\n${result.problems.join('\n')}`).toBe(true);
}
