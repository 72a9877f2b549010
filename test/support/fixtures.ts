// The shared spreadsheet fixtures (real files written by LibreOffice, with their expected results), copied
// into the repository so a clone tests the same bytes wherever it is checked out. test/unit/fixtures.test.ts
// checks the copy against ../shared/fixtures when that folder is there.
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const FIXTURES_DIR = path.resolve('test', 'fixtures', 'shared');

export function fixturePath(name: string): string {
  return path.join(FIXTURES_DIR, name);
}

/** One line of expected.json (see the fixtures' README). */
export interface ExpectedLine {
  outcome: string;
  email?: string;
  phone?: string;
  name?: string;
  document?: string;
  column?: string;
  reason?: string;
  duplicateOf?: number;
}

export interface ExpectedCase {
  wholeFileError: string | null;
  counts: Record<string, number>;
  lines: Record<string, ExpectedLine>;
  preload?: string;
  unknownColumns?: string[];
}

export function readExpectedResults(): Record<string, ExpectedCase> {
  return JSON.parse(readFileSync(fixturePath('expected.json'), 'utf8')) as Record<string, ExpectedCase>;
}
