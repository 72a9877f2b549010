// The shared spreadsheet fixtures (real files written by LibreOffice, with their expected results), copied
// into the repository so a clone tests the same bytes wherever it is checked out. test/unit/fixtures.test.ts
// checks the copy against ../shared/fixtures when that folder is there.
import path from 'node:path';

export const FIXTURES_DIR = path.resolve('test', 'fixtures', 'shared');

export function fixturePath(name: string): string {
  return path.join(FIXTURES_DIR, name);
}
