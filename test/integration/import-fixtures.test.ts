// Every shared fixture gives exactly its expected result (../shared/fixtures/expected.json): the dry run
// (what `domum validate` prints and the Slack preview shows), then the real import of the same file.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/client.ts';
import { findImportById, listImportLines } from '../../src/db/repos/import-repo.ts';
import { createJobQueue } from '../../src/jobs/job-queue.ts';
import { createLogger } from '../../src/logger.ts';
import { dryRunSpreadsheet } from '../../src/usecases/dry-run-import.ts';
import { sheetJsSpreadsheets } from '../../src/spreadsheet/spreadsheets.ts';
import { checkImport, continueImport, runImport, startImport } from '../../src/usecases/import-lifecycle.ts';
import { fixturePath, readExpectedResults } from '../support/fixtures.ts';
import type { ExpectedCase, ExpectedLine } from '../support/fixtures.ts';
import { seedCatalog } from '../support/seed-catalog.ts';
import { createTestDatabase } from '../support/test-database.ts';

const expected = readExpectedResults();
const limits = { maxBytes: 10 * 1024 * 1024, maxRows: 50_000 };
const quiet = createLogger({ level: 'error', write: () => undefined });

async function preparedDatabase(): Promise<DatabaseHandle> {
  const database = await (await createTestDatabase()).open();
  await seedCatalog(database.db);
  return database;
}

/** Imports a file for real, through the same steps as Slack (check, continue, run), from the command line. */
async function importFile(database: DatabaseHandle, name: string) {
  const jobs = createJobQueue(database, quiet, { runsWorkers: false });
  await jobs.start();
  try {
    const deps = { db: database.db, jobs, now: () => new Date() };
    const record = await startImport(deps, { fileName: name, importerUserId: 'U0IMPORT1', source: 'cli' });
    const checked = await checkImport({ ...deps, limits, spreadsheets: sheetJsSpreadsheets }, record.id, () =>
      Promise.resolve(new Uint8Array(readFileSync(fixturePath(name)))),
    );
    expect(checked.kind).toBe('ready');
    expect((await continueImport(deps, record.id, 'U0IMPORT1')).ok).toBe(true);
    const ran = await runImport(deps, record.id);
    expect(ran.kind).toBe('done');
    // Running the job again creates nothing new.
    expect((await runImport(deps, record.id)).kind).toBe('skipped');
    return record.id;
  } finally {
    await jobs.stop(1_000);
  }
}

describe.each(Object.keys(expected).sort())('%s', (name) => {
  const spec = expected[name] as ExpectedCase;

  it('gives the expected dry run', async () => {
    const database = await preparedDatabase();
    if (spec.preload) await importFile(database, spec.preload);
    const result = await dryRunSpreadsheet(database.db, sheetJsSpreadsheets, {
      bytes: new Uint8Array(readFileSync(fixturePath(name))),
      fileName: name,
      limits,
    });
    if (spec.wholeFileError) {
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.refusal.message.length).toBeGreaterThan(10);
      return;
    }
    if (!result.ok) throw new Error(`refused: ${result.refusal.message}`);
    const { dryRun } = result;
    expect(dryRun.counts).toEqual(spec.counts);
    expect(dryRun.lines.map((line) => String(line.lineNumber))).toEqual(Object.keys(spec.lines));
    for (const line of dryRun.lines) {
      const want = spec.lines[String(line.lineNumber)] as ExpectedLine;
      const where = `${name} line ${line.lineNumber}`;
      expect(line.outcome, where).toBe(want.outcome);
      if (want.email && line.outcome !== 'error') expect(line.email, where).toBe(want.email);
      if (want.column) expect(line.errors[0]?.column, where).toBe(want.column);
      if (want.duplicateOf)
        expect(line.errors.find((error) => error.column === 'Email')?.message, where).toContain(
          `line ${want.duplicateOf}`,
        );
      if (want.phone) expect(line.user?.phone, where).toBe(want.phone);
      if (want.name) expect(line.user?.name, where).toBe(want.name);
      if (want.document) expect(line.user?.document, where).toBe(want.document);
    }
    if (spec.unknownColumns) expect(dryRun.rows.unknownColumns).toEqual(spec.unknownColumns);
  });

  it.runIf(spec.wholeFileError === null)('imports exactly the predicted users', async () => {
    const database = await preparedDatabase();
    if (spec.preload) await importFile(database, spec.preload);
    const before = await database.db.selectFrom('third_party_users').select('email').execute();
    const importId = await importFile(database, name);
    const record = await findImportById(database.db, importId);
    expect(record?.status).toBe('done');
    const lines = await listImportLines(database.db, importId);
    const outcomes = Object.fromEntries(lines.map((line) => [String(line.lineNumber), line.outcome]));
    expect(outcomes).toEqual(
      Object.fromEntries(Object.entries(spec.lines).map(([line, want]) => [line, want.outcome])),
    );
    const after = await database.db.selectFrom('third_party_users').select(['email', 'enabled', 'phone']).execute();
    expect(after.length - before.length).toBe((spec.counts.created ?? 0) + (spec.counts.created_inactive ?? 0));
    for (const [line, want] of Object.entries(spec.lines)) {
      if (want.outcome !== 'created' && want.outcome !== 'created_inactive') continue;
      const user = after.find((candidate) => candidate.email === want.email);
      expect(user, `${name} line ${line}`).toBeDefined();
      expect(user?.enabled, `${name} line ${line}`).toBe(want.outcome === 'created');
      if (want.phone) expect(user?.phone).toBe(want.phone);
    }
  });
});
