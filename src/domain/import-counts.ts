// The dry-run counts in words (number and word on one line each), shared by the Slack
// preview and `domum validate` so both say the same thing. Every count is of spreadsheet lines, and they add up:
// will be created (active + inactive) + existing + errors = lines.
import type { StoredLineOutcome } from '../db/schema.ts';
import type { FinalCounts, ImportCounts } from './import-lines.ts';

function lines(count: number): string {
  return `${count} ${count === 1 ? 'line' : 'lines'}`;
}

export function describeDryRunCounts(counts: ImportCounts): string[] {
  return [
    lines(counts.lines),
    `${counts.created + counts.created_inactive} will be created (${counts.created} active, ${counts.created_inactive} inactive)`,
    `${counts.existing} existing (already registered, not updated)`,
    `${counts.error} ${counts.error === 1 ? 'error' : 'errors'}`,
  ];
}

/**
 * The final counts of the summary ("Created: 8"), of lines: Created + Created inactive + Existing (+ Excluded,
 * when approvers excluded users) + Errors = Lines.
 */
export function describeFinalCounts(counts: FinalCounts): string[] {
  return [
    `Lines: ${counts.lines}`,
    `Created: ${counts.created}`,
    `Created inactive: ${counts.created_inactive}`,
    `Existing: ${counts.existing}`,
    ...(counts.excluded ? [`Excluded: ${counts.excluded}`] : []),
    `Errors: ${counts.error}`,
  ];
}

/** The counts of a request's lines from their outcomes (a line not imported yet counts only in Lines). */
export function countFinalOutcomes(outcomes: Iterable<StoredLineOutcome | null>): Required<FinalCounts> {
  const counts = { lines: 0, created: 0, created_inactive: 0, existing: 0, error: 0, excluded: 0 };
  for (const outcome of outcomes) {
    counts.lines += 1;
    if (outcome) counts[outcome] += 1;
  }
  return counts;
}
