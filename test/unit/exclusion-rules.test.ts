// The rules of "Approve except…" (domain/approval.ts) and how excluded lines count (domain/import-counts.ts).
import { describe, expect, it } from 'vitest';
import { exclusionProblem } from '../../src/domain/approval.ts';
import { countFinalOutcomes, describeFinalCounts } from '../../src/domain/import-counts.ts';

describe('exclusionProblem', () => {
  const base = { found: [2, 3, 4], alreadyExcluded: [], usersToAccess: 20 };

  it('accepts users the request gives access to, when someone is left', () => {
    expect(exclusionProblem({ ...base, chosen: [2, 3, 4] })).toBeUndefined();
    // The same line twice is one user.
    expect(exclusionProblem({ ...base, chosen: [2, 2], found: [2] })).toBeUndefined();
  });

  it('needs at least one user', () => {
    expect(exclusionProblem({ ...base, chosen: [] })).toBe('none-chosen');
  });

  it('refuses a line that brings in nobody the request gives access to', () => {
    expect(exclusionProblem({ ...base, chosen: [2, 99] })).toBe('unknown-users');
  });

  it('refuses to exclude everyone, counting what other approvers excluded (the union)', () => {
    expect(exclusionProblem({ chosen: [2, 3], found: [2, 3], alreadyExcluded: [], usersToAccess: 2 })).toBe(
      'everyone-excluded',
    );
    expect(exclusionProblem({ chosen: [3], found: [3], alreadyExcluded: [2], usersToAccess: 2 })).toBe(
      'everyone-excluded',
    );
    // An overlap with another approver's choice is counted once.
    expect(exclusionProblem({ chosen: [2, 3], found: [2, 3], alreadyExcluded: [2], usersToAccess: 3 })).toBeUndefined();
  });
});

describe('final counts with excluded lines', () => {
  it('counts excluded lines apart from Created, adding up to Lines, and names them only when there are some', () => {
    const counts = countFinalOutcomes(['created', 'excluded', 'excluded', 'error', 'existing', null]);
    expect(counts).toEqual({ lines: 6, created: 1, created_inactive: 0, existing: 1, excluded: 2, error: 1 });
    expect(describeFinalCounts(counts)).toEqual([
      'Lines: 6',
      'Created: 1',
      'Created inactive: 0',
      'Existing: 1',
      'Excluded: 2',
      'Errors: 1',
    ]);
    expect(describeFinalCounts({ ...counts, excluded: 0 })).not.toContain('Excluded: 0');
  });
});
