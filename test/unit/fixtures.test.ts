// The repository's copy of the shared fixtures must be byte-for-byte the shared folder, when it is there.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES_DIR } from '../support/fixtures.ts';

const SHARED = path.resolve('..', 'shared', 'fixtures');

describe.runIf(existsSync(SHARED))('the copied fixtures', () => {
  it('are identical to ../shared/fixtures', () => {
    const shared = readdirSync(SHARED)
      .filter((name) => name.includes('.'))
      .sort();
    expect(readdirSync(FIXTURES_DIR).sort()).toEqual(shared);
    for (const name of shared)
      expect(readFileSync(path.join(FIXTURES_DIR, name)).equals(readFileSync(path.join(SHARED, name))), name).toBe(
        true,
      );
  });
});
