// A fresh, migrated database per test: on PostgreSQL when TEST_DATABASE_URL is set, on PGlite otherwise.
// Dropped after a passing test, kept after a failing one (its name is printed) so it can be inspected.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { afterEach, inject } from 'vitest';
import type { TestContext } from 'vitest';
import { openDatabase } from '../../src/db/client.ts';
import type { DatabaseHandle, DatabaseTarget } from '../../src/db/client.ts';
import { createLogger } from '../../src/logger.ts';
import { runAdmin, withDatabase } from './global-setup.ts';

export interface TestDatabase {
  kind: 'postgres' | 'pglite';
  /** What to hand to openDatabase / startDomum. */
  target: Partial<DatabaseTarget>;
  /** PostgreSQL only: the connection string of this test's database. */
  databaseUrl: string | undefined;
  /** Opens a handle on this database (closed automatically after the test). */
  open(): Promise<DatabaseHandle>;
}

let cachedDump: Blob | undefined;

export function usesPostgres(): boolean {
  return inject('testDatabase').kind === 'postgres';
}

/** Call inside a test (or beforeEach): the database lives until the end of the current test.
 * `empty: true` gives a database that was never migrated. */
export async function createTestDatabase(options: { empty?: boolean } = {}): Promise<TestDatabase> {
  const provided = inject('testDatabase');
  const handles: DatabaseHandle[] = [];
  const quiet = createLogger({ level: 'error', write: () => undefined });
  if (provided.kind === 'postgres') {
    const name = `domum_test_${randomBytes(5).toString('hex')}`;
    await runAdmin(
      provided.adminUrl,
      options.empty ? `CREATE DATABASE ${name}` : `CREATE DATABASE ${name} TEMPLATE ${provided.template}`,
    );
    const databaseUrl = withDatabase(provided.adminUrl, name);
    pendingCleanups.push(async (failed) => {
      await Promise.all(handles.map((handle) => handle.close().catch(() => undefined)));
      if (failed) {
        process.stderr.write(`kept the database of a failed test: ${databaseUrl}\n`);
        return;
      }
      await runAdmin(provided.adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    });
    return {
      kind: 'postgres',
      target: { databaseUrl },
      databaseUrl,
      open: async () => {
        const handle = await openDatabase({ databaseUrl, dataDir: '' }, quiet);
        handles.push(handle);
        return handle;
      },
    };
  }
  cachedDump ??= new Blob([await readFile(provided.dumpFile)]);
  const target: Partial<DatabaseTarget> = {
    databaseUrl: undefined,
    inMemory: true,
    loadDump: options.empty ? undefined : cachedDump,
  };
  let shared: DatabaseHandle | undefined;
  pendingCleanups.push(async () => {
    await Promise.all(handles.map((handle) => handle.close().catch(() => undefined)));
  });
  return {
    kind: 'pglite',
    target,
    databaseUrl: undefined,
    // An in-memory PGlite exists once per handle, so every open() of one test database returns the same one.
    open: async () => {
      shared ??= await openDatabase({ dataDir: '', ...target }, quiet);
      if (!handles.includes(shared)) handles.push(shared);
      return shared;
    },
  };
}

const pendingCleanups: Array<(failed: boolean) => Promise<void>> = [];

afterEach(async (context: TestContext) => {
  const failed = context.task.result?.state === 'fail';
  const cleanups = pendingCleanups.splice(0);
  for (const cleanup of cleanups) await cleanup(failed);
});
